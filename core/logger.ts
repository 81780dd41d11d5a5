import { pino } from 'pino';

import { createToken } from './tokens.js';

/** Tessera's logger: pino. Components get child loggers with `plugin`, `service`, `node`, `shard` fields. */
export type Logger = pino.Logger;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** A root logger writing JSON lines to `destination` (stderr by default). */
export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: undefined }, (destination ?? process.stderr) as pino.DestinationStream);
}

/** A logger that discards everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** The node's root logger, registered in each node's container. */
export const Logger = createToken<Logger>('tessera.core.Logger');
