/**
 * Validation of regex literals. InfluxDB compiles them with Go's RE2; we check them with the JS
 * engine and phrase the common failures the way Go does (`error parsing regexp: ...`).
 */

/** Null when `pattern` compiles, else InfluxDB-style message text. */
export function checkRegex(pattern: string): string | null {
  const goErr = goStyleError(pattern);
  if (goErr !== null) return `error parsing regexp: ${goErr}`;
  try {
    new RegExp(toJsSource(pattern));
    return null;
  } catch {
    return `error parsing regexp: invalid or unsupported Perl syntax: \`${pattern}\``;
  }
}

/**
 * Translate RE2 syntax to an equivalent JS RegExp source where they differ in ways InfluxQL users
 * hit: inline flags `(?i)` at the start become a flag, `\\z` becomes `$(?![\\s\\S])`, `(?P<name>` named groups.
 */
export function toJsSource(pattern: string): string {
  return pattern
    .replace(/^\(\?([imsU]+)\)/, '')
    .replace(/\(\?P</g, '(?<')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\\A/g, '^');
}

/** JS flags implied by RE2 leading inline flags (`(?i)`, `(?s)`, `(?m)`). */
export function jsFlagsFor(pattern: string): string {
  const m = /^\(\?([imsU]+)\)/.exec(pattern);
  if (m === null) return '';
  return [...new Set(m[1]!.replace(/U/g, '').split(''))].join('');
}

/** Build a JS RegExp equivalent to an InfluxQL regex literal's pattern. */
export function compileRegex(pattern: string): RegExp {
  return new RegExp(toJsSource(pattern), jsFlagsFor(pattern));
}

function goStyleError(p: string): string | null {
  // Walk the pattern tracking groups and classes, the way RE2's parser reports the first error.
  const stack: number[] = [];
  let prevAtom = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      i++;
      if (i >= p.length) return 'trailing backslash at end of expression: ``';
      prevAtom = true;
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (p[j] === '^') j++;
      if (p[j] === ']') j++;
      while (j < p.length && p[j] !== ']') {
        if (p[j] === '\\') j++;
        j++;
      }
      if (j >= p.length) return `missing closing ]: \`${p.slice(i)}\``;
      i = j;
      prevAtom = true;
      continue;
    }
    if (c === '(') {
      stack.push(i);
      prevAtom = false;
      if (p[i + 1] === '?') {
        const m = /^\(\?(P?<[A-Za-z0-9_]+>|[imsU-]*:|[imsU-]+\))/.exec(p.slice(i));
        if (m === null) return `invalid or unsupported Perl syntax: \`${p.slice(i, i + 3)}\``;
        if (m[0].endsWith(')') && !m[0].endsWith(':)')) {
          stack.pop();
        }
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
    if (c === '*' || c === '+' || c === '?') {
      if (!prevAtom) return `missing argument to repetition operator: \`${c}\``;
      if (i + 1 < p.length && (p[i + 1] === '*' || p[i + 1] === '+')) {
        return `invalid nested repetition operator: \`${c}${p[i + 1]}\``;
      }
      if (p[i + 1] === '?') i++;
      prevAtom = true;
      continue;
    }
    if (c === '|') {
      prevAtom = false;
      continue;
    }
    prevAtom = true;
  }
  if (stack.length > 0) return `missing closing ): \`${p}\``;
  return null;
}
