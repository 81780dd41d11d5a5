import type { ServerResponse } from 'node:http';

/** The version this server reports in X-Influxdb-Version (clients read it to pick the 1.x API). */
export const INFLUXDB_VERSION = '1.6.7';

/** Go's header sanitising: control characters (\r, \n...) become spaces. */
export function headerSafe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to replace them
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

/** Go's encoding/json escaping of a string (HTML-safe: <, >, & as \u003c...). */
export function goJsonString(text: string): string {
  return JSON.stringify(text)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Longest X-Influxdb-Error header value sent. */
export const MAX_ERROR_HEADER = 4096;

/**
 * The X-Influxdb-Error value for a message: control characters as spaces, the UTF-8 bytes sent as they
 * are (as Go does; Node's setHeader takes latin1 code units, one per byte), at most MAX_ERROR_HEADER bytes.
 */
export function errorHeaderValue(message: string): string {
  let bytes = Buffer.from(headerSafe(message), 'utf8');
  if (bytes.length > MAX_ERROR_HEADER) bytes = bytes.subarray(0, MAX_ERROR_HEADER);
  return bytes.toString('latin1');
}

/** Writes `{"error":"..."}` with the status, and X-Influxdb-Error, as InfluxDB does. */
export function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json');
  // Capped: clients (undici, Node's http) refuse answers whose headers exceed 16 KiB, and an error can
  // quote a 64 KiB line. The body keeps the whole text.
  res.setHeader('X-Influxdb-Error', errorHeaderValue(message));
  res.writeHead(status);
  res.end(`{"error":${goJsonString(message)}}\n`);
}

/** Plain-text answers (404 page not found, 405 Method Not Allowed). */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.writeHead(status);
  res.end(`${text}\n`);
}
