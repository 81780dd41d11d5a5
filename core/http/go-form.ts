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

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** url.QueryUnescape: `%XX` escapes and `+` as a space; undefined on a bad escape. */
function unescapeGo(s: string): string | undefined {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 || c === 0x2b || c >= 0x80) break;
  }
  if (i === s.length) return s; // nothing to unescape (the common case for keys)
  const out = Buffer.allocUnsafe(s.length * 3);
  let o = out.write(s.slice(0, i), 0, 'latin1');
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      if (i + 2 >= s.length) return undefined;
      const h = hexValue(s.charCodeAt(i + 1));
      const l = hexValue(s.charCodeAt(i + 2));
      if (h < 0 || l < 0) return undefined;
      out[o++] = (h << 4) | l;
      i += 2;
    } else if (c === 0x2b) out[o++] = 0x20;
    else if (c < 0x80) out[o++] = c;
    else {
      // a raw non-ASCII character: its UTF-8 bytes (a surrogate pair as one code point)
      const cp = s.codePointAt(i)!;
      o += out.write(String.fromCodePoint(cp), o, 'utf8');
      if (cp > 0xffff) i++;
    }
  }
  return out.toString('utf8', 0, o);
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
