/**
 * Regex literals. InfluxDB compiles them with Go's RE2; here we validate a pattern and phrase the
 * common failures as Go does (`error parsing regexp: ...`). The RE2 → JS translation executors use
 * (`compileRegex`) lives in parser-regex-js.ts.
 */

import { compileRegex, isPosixClass } from './parser-regex-js.js';

export { compileRegex };

const isWordChar = (c: string): boolean => /[0-9A-Za-z]/.test(c);

/** Null when `pattern` compiles under RE2 rules (as far as we check), else InfluxDB's message text. */
export function checkRegex(pattern: string): string | null {
  const goErr = goStyleError(pattern);
  if (goErr !== null) return `error parsing regexp: ${goErr}`;
  try {
    compileRegex(pattern);
    return null;
  } catch {
    return `error parsing regexp: invalid or unsupported Perl syntax: \`${pattern}\``;
  }
}

/** The text of a `\p` escape at p[i] when its property is unknown, else null. */
function badProperty(p: string, i: number): string | null {
  const text = p[i + 2] === '{' ? p.slice(i, p.indexOf('}', i) + 1 || p.length) : p.slice(i, i + 3);
  try {
    compileRegex(text);
    return null;
  } catch {
    return text;
  }
}

/** RE2's first complaint about `p`, for the errors users commonly hit; null when none. */
function goStyleError(p: string): string | null {
  const stack: number[] = [];
  let prevAtom = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      i++;
      if (i >= p.length) return 'trailing backslash at end of expression: ``';
      const e = p[i]!;
      if (e === 'Q') {
        const end = p.indexOf('\\E', i + 1);
        i = end < 0 ? p.length : end + 1;
      } else if (e === 'p' || e === 'P') {
        const bad = badProperty(p, i - 1);
        if (bad !== null) return `invalid character class range: \`${bad}\``;
      } else if (isWordChar(e) && !'AbBdDsSwWzaftnrvx0'.includes(e)) {
        if (!(e >= '1' && e <= '7' && /[0-7]/.test(p[i + 1] ?? ''))) return `invalid escape sequence: \`\\${e}\``;
      }
      prevAtom = true;
      continue;
    }
    if (c === '[') {
      const err = checkClass(p, i);
      if (typeof err === 'string') return err;
      i = err;
      prevAtom = true;
      continue;
    }
    if (c === '(') {
      stack.push(i);
      prevAtom = false;
      if (p[i + 1] === '?') {
        const m = /^\(\?(P<[A-Za-z0-9_]+>|[imsU]*(?:-[imsU]*)?:|[imsU]*(?:-[imsU]*)?\))/.exec(p.slice(i));
        if (m === null) {
          if (p.startsWith('(?P<', i)) {
            const end = p.indexOf('>', i);
            return `invalid named capture: \`${end < 0 ? p.slice(i) : p.slice(i, end + 1)}\``;
          }
          return `invalid or unsupported Perl syntax: \`${p.slice(i, i + 3)}\``;
        }
        if (m[0].endsWith(')')) stack.pop();
        i += m[0].length - 1;
      }
      continue;
    }
    if (c === ')') {
      if (stack.length === 0) return `unexpected ): \`${p}\``;
      stack.pop();
      prevAtom = true;
      continue;
    }
    let rep: string | null = null;
    if (c === '*' || c === '+' || c === '?') {
      rep = c;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
      if (m !== null) {
        rep = m[0];
        const lo = Number(m[1]);
        const hi = m[2] === undefined ? lo : m[3] === '' ? -1 : Number(m[3]);
        if (prevAtom && (lo > 1000 || hi > 1000 || (hi >= 0 && hi < lo))) return `invalid repeat count: \`${rep}\``;
      }
    }
    if (rep !== null) {
      if (!prevAtom) return `missing argument to repetition operator: \`${rep}\``;
      const after = i + rep.length;
      const lazy = p[after] === '?';
      const nxt = p[after + (lazy ? 1 : 0)];
      const nextRep = nxt === '{' ? /^\{\d+(,\d*)?\}/.exec(p.slice(after + (lazy ? 1 : 0))) : null;
      if (nxt === '*' || nxt === '+' || nxt === '?' || nextRep !== null) {
        const end = after + (lazy ? 1 : 0) + (nextRep !== null ? nextRep[0].length : 1);
        return `invalid nested repetition operator: \`${p.slice(i, end)}\``;
      }
      i = after - 1 + (lazy ? 1 : 0);
      prevAtom = true;
      continue;
    }
    prevAtom = c !== '|';
  }
  if (stack.length > 0) return `missing closing ): \`${p}\``;
  return null;
}

/** Validate a class starting at p[i] === '['; returns the index of its ']' or an error message. */
function checkClass(p: string, i: number): number | string {
  let j = i + 1;
  if (p[j] === '^') j++;
  let first = true;
  let prev: string | null = null;
  while (j < p.length && (p[j] !== ']' || first)) {
    first = false;
    if (p[j] === '[' && p[j + 1] === ':') {
      const close = p.indexOf(':]', j + 2);
      if (close >= 0) {
        const name = p.slice(j + 2, close).replace(/^\^/, '');
        if (!isPosixClass(name)) return `invalid character class range: \`${p.slice(j, close + 2)}\``;
        j = close + 2;
        prev = null;
        continue;
      }
    }
    let ch = p[j]!;
    if (ch === '\\') {
      j++;
      ch = p[j] ?? '';
      if (isWordChar(ch)) {
        prev = null;
        j++;
        continue;
      }
    }
    if (ch === '-' && prev !== null && p[j + 1] !== ']' && j + 1 < p.length) {
      let hi = p[j + 1]!;
      let step = 2;
      if (hi === '\\') {
        hi = p[j + 2] ?? '';
        step = 3;
        if ('dDsSwWpP'.includes(hi) && hi !== '') return `invalid escape sequence: \`\\${hi}\``;
      }
      if (hi < prev) return `invalid character class range: \`${prev}-${hi}\``;
      j += step;
      prev = null;
      continue;
    }
    prev = ch;
    j++;
  }
  if (j >= p.length) return `missing closing ]: \`${p.slice(i)}\``;
  return j;
}
