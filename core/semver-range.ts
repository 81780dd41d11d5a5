/**
 * A small semver range check for plugin manifests: supports `*`, exact `1.2.3`, `^1.2.3`, `~1.2.3`,
 * comparators `>=1.2.3 <2.0.0` (space-separated, all must hold) and `||` alternatives.
 */
export function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  if (!v) return false;
  return range.split('||').some((alt) => {
    const parts = alt.trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) return true;
    return parts.every((part) => matchOne(v, part));
  });
}

type V = [number, number, number];

function parse(text: string): V | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/.exec(text.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function cmp(a: V, b: V): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

function matchOne(v: V, part: string): boolean {
  if (part === '*' || part === 'x') return true;
  const m = /^(\^|~|>=|<=|>|<|=)?(.+)$/.exec(part);
  if (!m) return false;
  const op = m[1] ?? '=';
  const r = parse(m[2]!);
  if (!r) return false;
  const c = cmp(v, r);
  switch (op) {
    case '=':
      return c === 0;
    case '>=':
      return c >= 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '<':
      return c < 0;
    case '~':
      return c >= 0 && v[0] === r[0] && v[1] === r[1];
    default: {
      // ^: same leftmost non-zero component
      if (c < 0) return false;
      if (r[0] !== 0) return v[0] === r[0];
      if (r[1] !== 0) return v[0] === 0 && v[1] === r[1];
      return v[0] === 0 && v[1] === 0 && v[2] === r[2];
    }
  }
}
