// InfluxDB 1.x line protocol: parser, serializer, precision and /write error texts.
export { ParseCache, type SeriesEntry } from './line-protocol-cache.js';
export {
  type WriteDrop, type WriteOutcome, combineDrops, partialWriteMessage, writeErrorMessage,
} from './line-protocol-errors.js';
export { formatPoint, formatValue } from './line-protocol-format.js';
export { MAX_KEY_LENGTH, type ParseOptions, type ParseResult, parseLines } from './line-protocol-parser.js';
export { type Precision, parsePrecision, precisionMultiplier, truncateToPrecision } from './line-protocol-precision.js';
