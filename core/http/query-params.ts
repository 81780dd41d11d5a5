import type { NumberLiteral } from '../query/ast.js';

/** A bind-parameter value handed to the parser: integers as bigint, floats as a NumberLiteral node. */
export type BindValue = string | boolean | bigint | NumberLiteral | null | unknown[] | Record<string, unknown>;

/** Why `params` was refused, worded as InfluxDB's handler words it. */
export class ParamsError extends Error {}

/**
 * Decodes the `params` query parameter as InfluxDB 1.6.7 does (json.Decoder with UseNumber): a JSON
 * object whose numbers become int64 when written without `.`, float64 otherwise. Integers are kept
 * exact (bigint). Throws ParamsError with `error parsing query parameters: ...` or
 * `error parsing json value: ...`.
 */
export function parseBindParams(raw: string): Record<string, BindValue> {
  const p = new JsonReader(raw);
  p.ws();
  if (p.peek() !== '{') {
    if (p.i >= raw.length) throw new ParamsError('error parsing query parameters: EOF');
    const v = p.value();
    const type = Array.isArray(v) ? 'array' : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : v === null ? 'null' : 'number';
    if (v === null) return {};
    throw new ParamsError(`error parsing query parameters: json: cannot unmarshal ${type} into Go value of type map[string]interface {}`);
  }
  const obj = p.value() as Record<string, unknown>;
  const out = Object.create(null) as Record<string, BindValue>;
  for (const [k, v] of Object.entries(obj)) {
    if (v instanceof JsonNumber) {
      if (v.text.includes('.')) out[k] = { kind: 'NumberLiteral', value: Number(v.text) };
      else {
        if (!/^-?\d+$/.test(v.text)) {
          throw new ParamsError(`error parsing json value: strconv.ParseInt: parsing ${JSON.stringify(v.text)}: invalid syntax`);
        }
        const n = BigInt(v.text);
        if (n > 9223372036854775807n || n < -9223372036854775808n) {
          throw new ParamsError(`error parsing json value: strconv.ParseInt: parsing ${JSON.stringify(v.text)}: value out of range`);
        }
        out[k] = n;
      }
    } else out[k] = unwrapNumbers(v) as BindValue;
  }
  return out;
}

class JsonNumber {
  constructor(readonly text: string) {}
}

function unwrapNumbers(v: unknown): unknown {
  if (v instanceof JsonNumber) return Number(v.text);
  if (Array.isArray(v)) return v.map(unwrapNumbers);
  if (v !== null && typeof v === 'object') {
    const o = Object.create(null) as Record<string, unknown>;
    for (const [k, x] of Object.entries(v)) o[k] = unwrapNumbers(x);
    return o;
  }
  return v;
}

class JsonReader {
  i = 0;
  constructor(private readonly s: string) {}

  peek(): string {
    return this.s[this.i] ?? '';
  }

  ws(): void {
    while (/[ \t\r\n]/.test(this.peek()) && this.i < this.s.length) this.i++;
  }

  fail(): never {
    if (this.i >= this.s.length) throw new ParamsError('error parsing query parameters: unexpected EOF');
    throw new ParamsError(`error parsing query parameters: invalid character '${this.peek()}' looking for beginning of value`);
  }

  value(): unknown {
    this.ws();
    const c = this.peek();
    if (c === '{') {
      this.i++;
      const o = Object.create(null) as Record<string, unknown>;
      this.ws();
      if (this.peek() === '}') {
        this.i++;
        return o;
      }
      for (;;) {
        this.ws();
        if (this.peek() !== '"') this.fail();
        const k = this.string();
        this.ws();
        if (this.peek() !== ':') this.fail();
        this.i++;
        o[k] = this.value();
        this.ws();
        if (this.peek() === ',') {
          this.i++;
          continue;
        }
        if (this.peek() === '}') {
          this.i++;
          return o;
        }
        this.fail();
      }
    }
    if (c === '[') {
      this.i++;
      const a: unknown[] = [];
      this.ws();
      if (this.peek() === ']') {
        this.i++;
        return a;
      }
      for (;;) {
        a.push(this.value());
        this.ws();
        if (this.peek() === ',') {
          this.i++;
          continue;
        }
        if (this.peek() === ']') {
          this.i++;
          return a;
        }
        this.fail();
      }
    }
    if (c === '"') return this.string();
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i));
    if (m !== null && m[0] !== '' && m[0] !== '-') {
      this.i += m[0].length;
      return new JsonNumber(m[0]);
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (c !== word[0]) continue;
      // Go reports the first wrong character of a literal, or EOF inside it.
      for (let k = 1; k < word.length; k++) {
        const got = this.s[this.i + k];
        if (got === undefined) throw new ParamsError('error parsing query parameters: unexpected EOF');
        if (got !== word[k]) {
          throw new ParamsError(`error parsing query parameters: invalid character '${got}' in literal ${word} (expecting '${word[k]}')`);
        }
      }
      this.i += word.length;
      return v;
    }
    return this.fail();
  }

  string(): string {
    const m = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/.exec(this.s.slice(this.i));
    if (m === null) this.fail();
    this.i += m[0].length;
    return JSON.parse(m[0]) as string;
  }
}
