/**
 * RE2 (Go regexp) → JS RegExp translation, so executors match what InfluxDB matches. The output is a
 * unicode-mode RegExp; every literal is emitted as `\u{...}` so JS escaping rules never bite.
 */

/** ASCII POSIX classes as code-point ranges. */
const POSIX: Record<string, Array<[number, number]>> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

/** True when `name` is a POSIX class RE2 knows. */
export function isPosixClass(name: string): boolean {
  return POSIX[name] !== undefined;
}

const u = (cp: number): string => `\\u{${cp.toString(16)}}`;
const lit = (ch: string): string => u(ch.codePointAt(0)!);
const isWordChar = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);
const SINGLE_ESCAPES: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };

function complement(ranges: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}

const rangesSrc = (rs: Array<[number, number]>): string => rs.map(([a, b]) => (a === b ? u(a) : `${u(a)}-${u(b)}`)).join('');

/** JS source of a `\p` property name as RE2 spells it (`L`, `Lu`, `Greek`). */
function propertySrc(neg: boolean, name: string): string {
  const p = neg ? 'P' : 'p';
  if (name === 'Any') return neg ? '[^\\u{0}-\\u{10ffff}]' : '[\\u{0}-\\u{10ffff}]';
  return name.length <= 2 ? `\\${p}{${name}}` : `\\${p}{Script=${name}}`;
}

/** One escape at p[i] === '\\': [JS source, literal code point or null for a set, index after]. */
function escape(p: string[], i: number): [string, number | null, number] {
  const n = p[i + 1] ?? '';
  if (n === '') return ['\\\\', 0x5c, i + 1];
  if (!isWordChar(n)) return [lit(n), n.codePointAt(0)!, i + 2];
  if (SINGLE_ESCAPES[n] !== undefined) return [u(SINGLE_ESCAPES[n]), SINGLE_ESCAPES[n], i + 2];
  if ('dDsSwW'.includes(n)) {
    if (n === 's') return ['[\\t\\n\\f\\r ]', null, i + 2];
    if (n === 'S') return ['[^\\t\\n\\f\\r ]', null, i + 2];
    return [`\\${n}`, null, i + 2];
  }
  if (n === 'x') {
    if (p[i + 2] === '{') {
      let j = i + 3;
      let hex = '';
      while (j < p.length && p[j] !== '}') hex += p[j++];
      const cp = parseInt(hex, 16);
      return [u(cp), cp, j + 1];
    }
    const cp = parseInt((p[i + 2] ?? '') + (p[i + 3] ?? ''), 16);
    return [u(cp), cp, i + 4];
  }
  if (n >= '0' && n <= '7') {
    let j = i + 1;
    let oct = '';
    while (oct.length < 3 && j < p.length && p[j]! >= '0' && p[j]! <= '7') oct += p[j++];
    const cp = parseInt(oct, 8);
    return [u(cp), cp, j];
  }
  if (n === 'p' || n === 'P') {
    if (p[i + 2] === '{') {
      let j = i + 3;
      let name = '';
      while (j < p.length && p[j] !== '}') name += p[j++];
      const neg = (n === 'P') !== name.startsWith('^');
      return [propertySrc(neg, name.replace(/^\^/, '')), null, j + 1];
    }
    return [propertySrc(n === 'P', p[i + 2] ?? ''), null, i + 3];
  }
  // \b \B \A \z are assertions; grouping lets RE2-legal quantifiers follow them.
  if (n === 'b' || n === 'B') return [`(?:\\${n})`, null, i + 2];
  if (n === 'A') return ['(?:(?<![\\s\\S]))', null, i + 2];
  if (n === 'z') return ['(?:(?![\\s\\S]))', null, i + 2];
  return [`\\${n}`, null, i + 2];
}

/** Translate a class starting at p[i] === '['; returns [JS source, index after ']']. */
function translateClass(p: string[], i: number): [string, number] {
  let j = i + 1;
  let neg = false;
  if (p[j] === '^') {
    neg = true;
    j++;
  }
  // Items: a literal code point, or a set's JS source.
  const items: Array<number | string> = [];
  let first = true;
  while (j < p.length && (p[j] !== ']' || first)) {
    first = false;
    if (p[j] === '[' && p[j + 1] === ':') {
      const rest = p.slice(j + 2).join('');
      const m = /^(\^?)([a-z]+):\]/.exec(rest);
      if (m !== null && POSIX[m[2]!] !== undefined) {
        const rs = m[1] === '^' ? complement(POSIX[m[2]!]!) : POSIX[m[2]!]!;
        items.push(rangesSrc(rs));
        j += 2 + m[0].length;
        continue;
      }
    }
    if (p[j] === '\\') {
      const [src, cp, next] = escape(p, j);
      items.push(cp ?? src.replace(/^\[(.*)\]$/, '$1'));
      j = next;
      continue;
    }
    items.push(p[j]!.codePointAt(0)!);
    j++;
  }
  let body = '';
  for (let k = 0; k < items.length; k++) {
    const a = items[k]!;
    const dash = items[k + 1];
    const b = items[k + 2];
    if (typeof a === 'number' && dash === 0x2d && typeof b === 'number') {
      body += `${u(a)}-${u(b)}`;
      k += 2;
    } else {
      body += typeof a === 'number' ? u(a) : a;
    }
  }
  return [`[${neg ? '^' : ''}${body}]`, j + 1];
}

/**
 * A JS RegExp (unicode mode) matching what RE2 matches for `pattern`. Inline flags `(?i)`, `(?s)`,
 * `(?m)` apply to the whole pattern (JS has no scoped flags); group names are dropped.
 */
export function compileRegex(pattern: string): RegExp {
  const flags = new Set<string>();
  let out = '';
  const p = Array.from(pattern);
  for (let i = 0; i < p.length;) {
    const c = p[i]!;
    if (c === '\\') {
      if (p[i + 1] === 'Q') {
        let j = i + 2;
        while (j < p.length && !(p[j] === '\\' && p[j + 1] === 'E')) out += lit(p[j++]!);
        i = j + 2;
        continue;
      }
      const [src, , next] = escape(p, i);
      out += src;
      i = next;
      continue;
    }
    if (c === '[') {
      const [src, next] = translateClass(p, i);
      out += src;
      i = next;
      continue;
    }
    if (c === '(' && p[i + 1] === '?') {
      const rest = p.slice(i).join('');
      const fl = /^\(\?([imsU]*)(?:-[imsU]*)?(\)|:)/.exec(rest);
      if (fl !== null) {
        for (const f of fl[1]!) if (f !== 'U') flags.add(f);
        out += fl[2] === ')' ? '' : '(?:';
        i += Array.from(fl[0]).length;
        continue;
      }
      const named = /^\(\?P<[^>]*>/.exec(rest);
      if (named !== null) {
        out += '(';
        i += Array.from(named[0]).length;
        continue;
      }
    }
    if (c === '{') {
      const m = /^\{\d+(,\d*)?\}/.exec(p.slice(i).join(''));
      if (m !== null) {
        out += m[0];
        i += m[0].length;
        continue;
      }
      out += '\\{';
      i++;
      continue;
    }
    if (c === '}' || c === ']') out += `\\${c}`;
    else if (c === '^' || c === '$') out += `(?:${c})`;
    else if (c === '.') out += DOT;
    else if ('*+?|()'.includes(c)) out += c;
    else out += lit(c);
    i++;
  }
  // Go's '.' excludes only '\n' (JS's also excludes '\r', U+2028, U+2029) unless (?s) is on.
  out = out.split(DOT).join(flags.has('s') ? '.' : '[^\\n]');
  return new RegExp(out, [...flags].join('') + 'u');
}

/** Placeholder for '.', resolved once all inline flags are known (never emitted otherwise). */
const DOT = '\uE000';
