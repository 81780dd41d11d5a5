/**
 * Request parameters read the way InfluxDB 1.6.7 (Go net/http) reads them: url.ParseQuery semantics
 * (`+` is a space, a pair with a raw `;` or a bad %-escape is dropped), form bodies before URL values
 * for application/x-www-form-urlencoded, and multipart/form-data fields and files.
 */

/** Multi-valued parameters; `get` returns the first value ('' when absent), as Go's FormValue. */
export class FormValues {
  private readonly map = new Map<string, string[]>();

  add(key: string, value: string): void {
    const list = this.map.get(key);
    if (list === undefined) this.map.set(key, [value]);
    else list.push(value);
  }

  /** Appends every pair of `other` after this one's. */
  addAll(other: FormValues): void {
    for (const [k, vs] of other.map) for (const v of vs) this.add(k, v);
  }

  get(key: string): string {
    return this.map.get(key)?.[0] ?? '';
  }

  has(key: string): boolean {
    return this.map.has(key);
  }
}

function unescapeGo(s: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) return undefined;
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (c === 0x2b) bytes.push(0x20);
    else if (c < 0x80) bytes.push(c);
    else for (const b of Buffer.from(s[i]!)) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** url.ParseQuery: pairs split on `&`; pairs containing `;` or bad escapes are dropped. */
export function parseGoQuery(raw: string, into: FormValues = new FormValues()): FormValues {
  for (const pair of raw.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    const k = unescapeGo(eq < 0 ? pair : pair.slice(0, eq));
    const v = unescapeGo(eq < 0 ? '' : pair.slice(eq + 1));
    if (k === undefined || v === undefined) continue;
    into.add(k, v);
  }
  return into;
}

/** One file part of a multipart body. */
export interface FormFile {
  readonly filename: string;
  readonly content: Buffer;
}

/** The fields and files of a multipart/form-data body, or undefined when it cannot be read. */
export function parseMultipart(body: Buffer, contentType: string): { values: FormValues; files: Map<string, FormFile[]> } | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (boundary === undefined) return undefined;
  const delim = Buffer.from(`--${boundary}`);
  const values = new FormValues();
  const files = new Map<string, FormFile[]>();
  let pos = body.indexOf(delim);
  if (pos < 0) return undefined;
  for (;;) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    const next = body.indexOf(delim, pos);
    if (next < 0) break;
    // The part runs from after the boundary line's CRLF to before the CRLF preceding the next boundary.
    let part = body.subarray(pos, next);
    if (part.subarray(0, 2).toString() === '\r\n') part = part.subarray(2);
    if (part.subarray(part.length - 2).toString() === '\r\n') part = part.subarray(0, part.length - 2);
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd >= 0) {
      const head = part.subarray(0, headEnd).toString('utf8');
      const content = part.subarray(headEnd + 4);
      const disp = /content-disposition:[^\r\n]*/i.exec(head)?.[0] ?? '';
      const name = /\bname="([^"]*)"/i.exec(disp)?.[1];
      const filename = /\bfilename="([^"]*)"/i.exec(disp)?.[1];
      if (name !== undefined) {
        if (filename !== undefined) {
          const list = files.get(name) ?? [];
          list.push({ filename, content });
          files.set(name, list);
        } else values.add(name, content.toString('utf8'));
      }
    }
    pos = next;
  }
  return { values, files };
}
