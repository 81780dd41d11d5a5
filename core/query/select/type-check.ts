import { TesseraError } from '../../errors.js';
import type { FieldType } from '../../model/point.js';
import { rewriteExpr, type Expr } from '../ast.js';
import { printExpr } from '../printer.js';
import type { SourceSchema } from './columns.js';

type T = FieldType | 'tag' | 'unknown';

const FLOAT_RESULT = new Set(['mean', 'median', 'stddev', 'integral', 'derivative', 'non_negative_derivative', 'moving_average']);
const INT_RESULT = new Set(['count', 'elapsed']);

function typeOf(e: Expr, schema: SourceSchema): T {
  switch (e.kind) {
    case 'VarRef':
      if (e.dataType === 'float' || e.dataType === 'integer' || e.dataType === 'string' || e.dataType === 'boolean' || e.dataType === 'tag') return e.dataType;
      if (schema.fields.has(e.name)) return schema.fields.get(e.name) as FieldType;
      return schema.tagKeys.has(e.name) ? 'tag' : 'unknown';
    case 'NumberLiteral':
      return 'float';
    case 'IntegerLiteral':
      return 'integer';
    case 'StringLiteral':
      return 'string';
    case 'BooleanLiteral':
      return 'boolean';
    case 'ParenExpr':
      return typeOf(e.expr, schema);
    case 'Call': {
      if (FLOAT_RESULT.has(e.name)) return 'float';
      if (INT_RESULT.has(e.name)) return 'integer';
      const a = e.args[0];
      return a === undefined ? 'unknown' : typeOf(a, schema);
    }
    case 'BinaryExpr': {
      const l = typeOf(e.lhs, schema);
      const r = typeOf(e.rhs, schema);
      if (e.op === '/') return 'float';
      if (l === 'float' || r === 'float') return 'float';
      return l;
    }
    default:
      return 'unknown';
  }
}

function annotate(e: Expr, schema: SourceSchema): Expr {
  return rewriteExpr(e, (x) => {
    if (x.kind !== 'VarRef' || x.dataType !== '') return x;
    const t = typeOf(x, schema);
    return t === 'unknown' ? x : { ...x, dataType: t };
  });
}

/**
 * Rejects arithmetic on incompatible operand types as InfluxDB does, with its message:
 * `type error: v::float + 'x': incompatible types: float and string`.
 */
export function checkMathTypes(e: Expr, schema: SourceSchema): void {
  const visit = (x: Expr): void => {
    if (x.kind === 'ParenExpr') return visit(x.expr);
    if (x.kind === 'Call') {
      for (const a of x.args) visit(a);
      return;
    }
    if (x.kind !== 'BinaryExpr') return;
    visit(x.lhs);
    visit(x.rhs);
    if (x.op === 'AND' || x.op === 'OR' || x.op === '=' || x.op === '!=' || x.op === '<' || x.op === '<=' || x.op === '>' || x.op === '>=' || x.op === '=~' || x.op === '!~') return;
    const l = typeOf(x.lhs, schema);
    const r = typeOf(x.rhs, schema);
    if (l === 'unknown' || r === 'unknown') return;
    const bitwise = x.op === '&' || x.op === '|' || x.op === '^';
    const numeric = (t: T): boolean => t === 'float' || t === 'integer';
    const ok = bitwise ? (l === 'integer' && r === 'integer') || (l === 'boolean' && r === 'boolean') : numeric(l) && numeric(r);
    if (!ok) {
      throw new TesseraError('ERR_QUERY_EXECUTION', `type error: ${printExpr(annotate(x, schema))}: incompatible types: ${l} and ${r}`);
    }
  };
  visit(e);
}
