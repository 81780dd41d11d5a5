/**
 * Regex literals. InfluxDB compiles them with Go's RE2; here we (1) validate a pattern and phrase the
 * common failures as Go does (`error parsing regexp: ...`), and (2) translate RE2 syntax to an
 * equivalent JS RegExp for executors (`compileRegex`).
 */

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

const isWordChar = (c: string): boolean => /[0-9A-Za-z]/.test(c);
const hexEsc = (c: string): string => `\\u{${c.codePointAt(0)!.toString(16)}}`;

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

/**
 * A JS RegExp (unicode mode) matching what RE2 matches for `pattern`: inline flags `(?i)`/`(?s)`/`(?m)`
 * become RegExp flags (applied to the whole pattern), `(?P<n>` named groups, `\z`, `\A`, `\Q..\E`,
 * POSIX classes `[[:alpha:]]`, `\pL`, octal and `\x{...}` escapes are translated.
 */
export function compileRegex(pattern: string): RegExp {
  const flags = new Set<string>();
  let out = '';
  let inClass = false;
  const p = Array.from(pattern);
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const n = p[i + 1] ?? '';
      i++;
      if (n === 'Q') {
        let j = i + 1;
        while (j < p.length && !(p[j] === '\\' && p[j + 1] === 'E')) out += hexEsc(p[j++]!);
        i = j + 1;
        continue;
      }
      if (!isWordChar(n)) {
        out += n === '' ? '\\\\' : hexEsc(n);
        continue;
      }
      if (n === 'z') out += '(?![\\s\\S])';
      else if (n === 'A') out += '(?<![\\s\\S])';
      else if (n === 'a') out += '\\x07';
      else if (n === 'x' && p[i + 1] === '{') {
        let j = i + 2;
        let hex = '';
        while (j < p.length && p[j] !== '}') hex += p[j++];
        out += `\\u{${hex}}`;
        i = j;
      } else if (n >= '0' && n <= '7') {
        let oct = n;
        while (oct.length < 3 && p[i + 1] !== undefined && p[i + 1]! >= '0' && p[i + 1]! <= '7') oct += p[++i];
        out += `\\u{${parseInt(oct, 8).toString(16)}}`;
      } else if ((n === 'p' || n === 'P') && p[i + 1] !== '{') {
        out += `\\${n}{${p[++i] ?? ''}}`;
      } else if ((n === 'p' || n === 'P') && p[i + 1] === '{') {
        let j = i + 2;
        let name = '';
        while (j < p.length && p[j] !== '}') name += p[j++];
        out += `\\${n}{${name.length <= 2 || name === 'Any' ? name : `Script=${name}`}}`;
        i = j;
      } else {
        out += '\\' + n;
      }
      continue;
    }
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const close = pattern.indexOf(':]', 0);
        const rest = p.slice(i + 2).join('');
        const m = /^(\^?)([a-z]+):\]/.exec(rest);
        if (m !== null && close >= 0 && POSIX_CLASSES[m[2]!] !== undefined && m[1] === '') {
          out += POSIX_CLASSES[m[2]!];
          i += 2 + m[0].length - 1;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (p[i + 1] === '^') out += p[++i];
      if (p[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && p[i + 1] === '?') {
      const rest = p.slice(i).join('');
      const fl = /^\(\?([imsU]*)(?:-[imsU]*)?(\)|:)/.exec(rest);
      if (fl !== null) {
        for (const f of fl[1]!) if (f !== 'U') flags.add(f);
        out += fl[2] === ')' ? '' : '(?:';
        i += fl[0].length - 1;
        continue;
      }
      if (rest.startsWith('(?P<')) {
        out += '(?<';
        i += 3;
        continue;
      }
    }
    out += c;
  }
  return new RegExp(out, [...flags].join('') + 'u');
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
      } else if (isWordChar(e) && !'AbBdDsSwWzpPaftnrvx0'.includes(e)) {
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
          if (p.startsWith('(?P<', i)) return `invalid named capture: \`${p.slice(i)}\``;
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
      if (nxt === '*' || nxt === '+' || nxt === '?' || (nxt === '{' && /^\{\d+(,\d*)?\}/.test(p.slice(after + (lazy ? 1 : 0))))) {
        const end = after + (lazy ? 1 : 0) + 1;
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
