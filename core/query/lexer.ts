/**
 * InfluxQL lexer. It reproduces InfluxDB 1.x's scanner closely enough that error positions and the
 * few scanner quirks clients can observe (e.g. `/* ... *\/` right after a measurement name) come out
 * the same: a rune reader with a 3-rune unread ring, a scanner, and a 3-token unread ring on top.
 */

/** Token kinds. Keywords use their upper-case spelling. */
export type Tok =
  | 'ILLEGAL' | 'EOF' | 'WS' | 'COMMENT'
  | 'IDENT' | 'BOUNDPARAM' | 'NUMBER' | 'INTEGER' | 'DURATIONVAL' | 'STRING' | 'BADSTRING'
  | 'BADESCAPE' | 'TRUE' | 'FALSE' | 'REGEX' | 'BADREGEX'
  | '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | 'AND' | 'OR'
  | '=' | '!=' | '=~' | '!~' | '<' | '<=' | '>' | '>='
  | '(' | ')' | ',' | ':' | '::' | ';' | '.'
  | Keyword;

/** InfluxQL 1.x keywords (reserved: they need double quotes to be used as identifiers). */
export const KEYWORDS = [
  'ALL', 'ALTER', 'ANALYZE', 'ANY', 'AS', 'ASC', 'BEGIN', 'BY', 'CARDINALITY', 'CREATE', 'CONTINUOUS',
  'DATABASE', 'DATABASES', 'DEFAULT', 'DELETE', 'DESC', 'DESTINATIONS', 'DIAGNOSTICS', 'DISTINCT', 'DROP',
  'DURATION', 'END', 'EVERY', 'EXACT', 'EXPLAIN', 'FIELD', 'FOR', 'FROM', 'GRANT', 'GRANTS', 'GROUP',
  'GROUPS', 'IN', 'INF', 'INSERT', 'INTO', 'KEY', 'KEYS', 'KILL', 'LIMIT', 'MEASUREMENT', 'MEASUREMENTS',
  'NAME', 'OFFSET', 'ON', 'ORDER', 'PASSWORD', 'POLICY', 'POLICIES', 'PRIVILEGES', 'QUERIES', 'QUERY',
  'READ', 'REPLICATION', 'RESAMPLE', 'RETENTION', 'REVOKE', 'SELECT', 'SERIES', 'SET', 'SHOW', 'SHARD',
  'SHARDS', 'SLIMIT', 'SOFFSET', 'STATS', 'SUBSCRIPTION', 'SUBSCRIPTIONS', 'TAG', 'TO', 'USER', 'USERS',
  'VALUES', 'WHERE', 'WITH', 'WRITE',
] as const;

/** A keyword token. */
export type Keyword = (typeof KEYWORDS)[number];

const keywordMap = new Map<string, Tok>();
for (const k of KEYWORDS) keywordMap.set(k.toLowerCase(), k);
keywordMap.set('and', 'AND');
keywordMap.set('or', 'OR');
keywordMap.set('true', 'TRUE');
keywordMap.set('false', 'FALSE');

/** The keyword token for `ident` (case-insensitive), or 'IDENT'. */
export function lookupKeyword(ident: string): Tok {
  return keywordMap.get(ident.toLowerCase()) ?? 'IDENT';
}

/** Zero-based line and character (in code points) of a token. */
export interface Pos {
  line: number;
  char: number;
}

/** How a token prints in an error when it has no literal (InfluxDB's token names; some are blank). */
export function tokName(tok: Tok): string {
  switch (tok) {
    case 'COMMENT':
    case 'BOUNDPARAM':
    case 'INTEGER':
    case 'BADREGEX':
      return '';
    default:
      return tok;
  }
}

/** The literal if there is one, otherwise the token name (InfluxDB's `tokstr`). */
export function tokstr(tok: Tok, lit: string): string {
  return lit !== '' ? lit : tokName(tok);
}

/** Operator precedence of a binary operator token (0 = not an operator). */
export function precedence(tok: Tok): number {
  switch (tok) {
    case 'OR':
      return 1;
    case 'AND':
      return 2;
    case '=': case '!=': case '=~': case '!~': case '<': case '<=': case '>': case '>=':
      return 3;
    case '+': case '-': case '|': case '^':
      return 4;
    case '*': case '/': case '%': case '&':
      return 5;
    default:
      return 0;
  }
}

/** True for binary operator tokens. */
export function isOperator(tok: Tok): boolean {
  return precedence(tok) > 0;
}

/** End-of-input marker rune (a NUL in the input also ends it, as in InfluxDB). */
export const EOF_CH = '\u0000';

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n';
const isLetter = (ch: string): boolean => (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
const isDigit = (ch: string): boolean => ch >= '0' && ch <= '9';
const isIdentChar = (ch: string): boolean => isLetter(ch) || isDigit(ch) || ch === '_';

/** Rune reader with a 3-slot unread ring; tracks line/char like InfluxDB's reader. */
export class RuneReader {
  private readonly text: string;
  private next = 0;
  private i = 0;
  private n = 0;
  private line = 0;
  private col = 0;
  private sawEof = false;
  private readonly chs: string[] = [EOF_CH, EOF_CH, EOF_CH];
  private readonly lines: number[] = [0, 0, 0];
  private readonly cols: number[] = [0, 0, 0];

  constructor(text: string) {
    this.text = text;
  }

  /** Read the next rune (EOF_CH at the end). */
  read(): string {
    if (this.n > 0) {
      this.n--;
      return this.curr();
    }
    const text = this.text;
    let ch: string;
    if (this.next >= text.length) {
      ch = EOF_CH;
    } else {
      const code = text.charCodeAt(this.next);
      const low = code >= 0xd800 && code <= 0xdbff ? text.charCodeAt(this.next + 1) : 0;
      if (low >= 0xdc00 && low <= 0xdfff) {
        ch = text.slice(this.next, this.next + 2);
        this.next += 2;
      } else {
        ch = text[this.next++]!;
      }
      if (ch === '\r') {
        if (text[this.next] === '\n') this.next++;
        ch = '\n';
      }
    }
    const i = (this.i = (this.i + 1) % 3);
    this.chs[i] = ch;
    this.lines[i] = this.line;
    this.cols[i] = this.col;
    if (ch === '\n') {
      this.line++;
      this.col = 0;
    } else if (!this.sawEof) {
      this.col++;
    }
    if (ch === EOF_CH) this.sawEof = true;
    return ch;
  }

  /** Push the last read rune back. */
  unread(): void {
    this.n++;
  }

  /** The last read rune. */
  curr(): string {
    return this.chs[(this.i - this.n + 3) % 3]!;
  }

  /** Position of the last read rune. */
  pos(): Pos {
    const k = (this.i - this.n + 3) % 3;
    return { line: this.lines[k]!, char: this.cols[k]! };
  }
}

/** A scanned token. */
export interface Token {
  tok: Tok;
  pos: Pos;
  lit: string;
}

/** Thrown by delimited scanning helpers. */
class ScanError {
  constructor(readonly kind: 'badstring' | 'badescape' | 'other', readonly lit: string) {}
}

/** Read a `'...'`/`"..."` string whose opening quote is next in `r`; escapes \n \\ \" \'. */
function scanQuoted(r: RuneReader): string {
  const ending = r.read();
  if (ending === EOF_CH) throw new ScanError('badstring', '');
  let buf = '';
  for (;;) {
    const ch0 = r.read();
    if (ch0 === ending) return buf;
    if (ch0 === EOF_CH || ch0 === '\n') throw new ScanError('badstring', buf);
    if (ch0 === '\\') {
      const ch1 = r.read();
      if (ch1 === 'n') buf += '\n';
      else if (ch1 === '\\') buf += '\\';
      else if (ch1 === '"') buf += '"';
      else if (ch1 === "'") buf += "'";
      else throw new ScanError('badescape', ch0 + (ch1 === EOF_CH ? '\u0000' : ch1));
    } else {
      buf += ch0;
    }
  }
}

/** Read a `/.../` regex body; `\/` becomes `/`, other escapes pass through with their backslash. */
function scanDelimitedRegex(r: RuneReader): string {
  const first = r.read();
  if (first !== '/') throw new ScanError('other', '');
  let buf = '';
  for (;;) {
    const ch0 = r.read();
    if (ch0 === '/') return buf;
    if (ch0 === EOF_CH) throw new ScanError('other', buf);
    if (ch0 === '\n') throw new ScanError('other', '');
    if (ch0 === '\\') {
      const ch1 = r.read();
      if (ch1 === EOF_CH) throw new ScanError('other', buf);
      if (ch1 === '/') {
        buf += '/';
      } else {
        r.unread();
        buf += '\\';
      }
    } else {
      buf += ch0;
    }
  }
}

function scanBareIdent(r: RuneReader): string {
  let buf = '';
  for (;;) {
    const ch = r.read();
    if (ch === EOF_CH) break;
    if (!isIdentChar(ch)) {
      r.unread();
      break;
    }
    buf += ch;
  }
  return buf;
}

/** The InfluxQL scanner over a rune reader. */
export class Scanner {
  constructor(readonly r: RuneReader) {}

  /** Scan the next token. */
  scan(): Token {
    const r = this.r;
    const ch0 = r.read();
    const pos = r.pos();
    if (isWhitespace(ch0)) return this.scanWhitespace();
    if (isLetter(ch0) || ch0 === '_') {
      r.unread();
      return this.scanIdent(true);
    }
    if (isDigit(ch0)) return this.scanNumber();
    const t = (tok: Tok, lit = ''): Token => ({ tok, pos, lit });
    switch (ch0) {
      case EOF_CH:
        return t('EOF');
      case '"':
        r.unread();
        return this.scanIdent(true);
      case "'":
        return this.scanString();
      case '.': {
        const ch1 = r.read();
        r.unread();
        if (isDigit(ch1)) return this.scanNumber();
        return t('.');
      }
      case '$': {
        const id = this.scanIdent(false);
        if (id.tok !== 'IDENT') return { tok: id.tok, pos, lit: '$' + id.lit };
        return t('BOUNDPARAM', '$' + id.lit);
      }
      case '+':
        return t('+');
      case '-': {
        const ch1 = r.read();
        if (ch1 === '-') {
          for (;;) {
            const c = r.read();
            if (c === '\n' || c === EOF_CH) break;
          }
          return t('COMMENT');
        }
        r.unread();
        return t('-');
      }
      case '*':
        return t('*');
      case '/': {
        const ch1 = r.read();
        if (ch1 === '*') {
          return this.skipBlockComment() ? t('COMMENT') : t('ILLEGAL');
        }
        r.unread();
        return t('/');
      }
      case '%':
        return t('%');
      case '&':
        return t('&');
      case '|':
        return t('|');
      case '^':
        return t('^');
      case '=': {
        const ch1 = r.read();
        if (ch1 === '~') return t('=~');
        r.unread();
        return t('=');
      }
      case '!': {
        const ch1 = r.read();
        if (ch1 === '=') return t('!=');
        if (ch1 === '~') return t('!~');
        r.unread();
        break;
      }
      case '>': {
        const ch1 = r.read();
        if (ch1 === '=') return t('>=');
        r.unread();
        return t('>');
      }
      case '<': {
        const ch1 = r.read();
        if (ch1 === '=') return t('<=');
        if (ch1 === '>') return t('!=');
        r.unread();
        return t('<');
      }
      case '(':
        return t('(');
      case ')':
        return t(')');
      case ',':
        return t(',');
      case ';':
        return t(';');
      case ':': {
        const ch1 = r.read();
        if (ch1 === ':') return t('::');
        r.unread();
        return t(':');
      }
      default:
        break;
    }
    return t('ILLEGAL', ch0);
  }

  /** Scan a `/regex/` starting at the next rune (the parser checked it is a '/'). */
  scanRegex(): Token {
    const r = this.r;
    const pos = r.pos();
    try {
      return { tok: 'REGEX', pos, lit: scanDelimitedRegex(r) };
    } catch (e) {
      if (!(e instanceof ScanError)) throw e;
      return { tok: 'BADREGEX', pos, lit: '' };
    }
  }

  private skipBlockComment(): boolean {
    const r = this.r;
    for (;;) {
      const ch1 = r.read();
      if (ch1 === EOF_CH) return false;
      if (ch1 !== '*') continue;
      for (;;) {
        const ch2 = r.read();
        if (ch2 === '/') return true;
        if (ch2 === EOF_CH) return false;
        if (ch2 !== '*') break;
      }
    }
  }

  private scanWhitespace(): Token {
    const r = this.r;
    const ch = r.curr();
    const pos = r.pos();
    let buf = ch;
    for (;;) {
      const c = r.read();
      if (c === EOF_CH) break;
      if (!isWhitespace(c)) {
        r.unread();
        break;
      }
      buf += c;
    }
    return { tok: 'WS', pos, lit: buf };
  }

  private scanIdent(lookup: boolean): Token {
    const r = this.r;
    r.read();
    const pos = r.pos();
    r.unread();
    let buf = '';
    for (;;) {
      const ch = r.read();
      if (ch === EOF_CH) break;
      if (ch === '"') {
        const s = this.scanString();
        if (s.tok === 'BADSTRING' || s.tok === 'BADESCAPE') return s;
        return { tok: 'IDENT', pos, lit: s.lit };
      }
      if (isIdentChar(ch)) {
        r.unread();
        buf += scanBareIdent(r);
      } else {
        r.unread();
        break;
      }
    }
    if (lookup) {
      const tok = lookupKeyword(buf);
      if (tok !== 'IDENT') return { tok, pos, lit: '' };
    }
    return { tok: 'IDENT', pos, lit: buf };
  }

  private scanString(): Token {
    const r = this.r;
    r.unread();
    const pos = r.pos();
    try {
      return { tok: 'STRING', pos, lit: scanQuoted(r) };
    } catch (e) {
      if (!(e instanceof ScanError)) throw e;
      if (e.kind === 'badescape') {
        const p2 = r.pos();
        return { tok: 'BADESCAPE', pos: p2, lit: e.lit };
      }
      return { tok: 'BADSTRING', pos, lit: e.lit };
    }
  }

  private scanDigits(): string {
    let buf = '';
    for (;;) {
      const ch = this.r.read();
      if (!isDigit(ch)) {
        this.r.unread();
        break;
      }
      buf += ch;
    }
    return buf;
  }

  private scanNumber(): Token {
    const r = this.r;
    const ch = r.curr();
    const pos = r.pos();
    if (ch === '.') {
      const ch1 = r.read();
      r.unread();
      if (!isDigit(ch1)) return { tok: 'ILLEGAL', pos, lit: '.' };
      r.unread();
    } else {
      r.unread();
    }
    let buf = this.scanDigits();
    let isDecimal = false;
    const c0 = r.read();
    if (c0 === '.') {
      isDecimal = true;
      const c1 = r.read();
      if (isDigit(c1)) {
        buf += c0 + c1 + this.scanDigits();
      } else {
        r.unread();
      }
    } else {
      r.unread();
    }
    if (isDecimal) return { tok: 'NUMBER', pos, lit: buf };
    const d0 = r.read();
    if (isLetter(d0) || d0 === 'µ') {
      buf += d0;
      for (;;) {
        const d1 = r.read();
        if (!isLetter(d1) && d1 !== 'µ') {
          r.unread();
          break;
        }
        buf += d1;
      }
      for (;;) {
        const d2 = r.read();
        if (isLetter(d2) || d2 === 'µ' || isDigit(d2)) {
          buf += d2;
        } else {
          r.unread();
          break;
        }
      }
      return { tok: 'DURATIONVAL', pos, lit: buf };
    }
    r.unread();
    return { tok: 'INTEGER', pos, lit: buf };
  }
}

/** A scanner with a 3-token unread ring (InfluxDB's bufScanner). */
export class BufScanner {
  readonly s: Scanner;
  private i = 0;
  private n = 0;
  private readonly ring: Token[] = [
    { tok: 'EOF', pos: { line: 0, char: 0 }, lit: '' },
    { tok: 'EOF', pos: { line: 0, char: 0 }, lit: '' },
    { tok: 'EOF', pos: { line: 0, char: 0 }, lit: '' },
  ];

  constructor(text: string) {
    this.s = new Scanner(new RuneReader(text));
  }

  /** Next token (from the unread ring first). */
  scan(): Token {
    return this.scanWith(() => this.s.scan());
  }

  /** Next token scanned as a regex (from the unread ring first). */
  scanRegex(): Token {
    return this.scanWith(() => this.s.scanRegex());
  }

  /** Push the last token back. */
  unscan(): void {
    this.n++;
  }

  private scanWith(fn: () => Token): Token {
    if (this.n > 0) {
      this.n--;
      return this.curr();
    }
    this.i = (this.i + 1) % 3;
    this.ring[this.i] = fn();
    return this.curr();
  }

  private curr(): Token {
    return this.ring[(this.i - this.n + 3) % 3]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Quoting and durations (shared by parser and printer)
// ---------------------------------------------------------------------------------------------

/** True when `ident` must be double-quoted to read back as the same identifier. */
export function identNeedsQuotes(ident: string): boolean {
  if (lookupKeyword(ident) !== 'IDENT') return true;
  let first = true;
  for (const ch of ident) {
    if (first ? !(isLetter(ch) || ch === '_') : !isIdentChar(ch)) return true;
    first = false;
  }
  return false;
}

const escapeIdent = (s: string): string => s.replace(/[\n\\"]/g, (c) => (c === '\n' ? '\\n' : '\\' + c));
const escapeString = (s: string): string => s.replace(/[\n\\']/g, (c) => (c === '\n' ? '\\n' : '\\' + c));

/** `'...'` with InfluxQL escapes. */
export function quoteString(s: string): string {
  return `'${escapeString(s)}'`;
}

/** Dot-joined identifiers, each quoted when needed (InfluxDB's QuoteIdent rules for empty segments). */
export function quoteIdent(...segments: string[]): string {
  let out = '';
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    const quote = identNeedsQuotes(seg) || (!last && seg !== '') || ((i === 0 || last) && seg === '');
    out += quote ? `"${escapeIdent(seg)}"` : escapeIdent(seg);
    if (!last) out += '.';
  });
  return out;
}

const NS_PER: Record<string, bigint> = {
  ns: 1n,
  u: 1000n,
  'µ': 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

const INT64_MAX = (1n << 63n) - 1n;

/** Wrap to signed 64-bit like Go's time.Duration arithmetic. */
function wrap64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/**
 * Parse an InfluxQL duration (`10s`, `1h30m`, `-5m`, units ns u µ ms s m h d w) to nanoseconds.
 * Throws Error('invalid duration') or the overflow message InfluxDB gives.
 */
export function parseDurationLiteral(s: string): bigint {
  const a = Array.from(s);
  if (s.length < 2) throw new Error('invalid duration');
  let i = 0;
  let neg = false;
  if (a[0] === '-') {
    neg = true;
    i++;
  }
  let d = 0n;
  let measure = 0n;
  let unit = '';
  while (i < a.length) {
    const start = i;
    while (i < a.length && isDigit(a[i]!)) i++;
    if (i >= a.length || i === start) throw new Error('invalid duration');
    const n = BigInt(a.slice(start, i).join(''));
    if (n > INT64_MAX) throw new Error('invalid duration');
    measure = n;
    const c = a[i]!;
    unit = c;
    if ((c === 'n' || c === 'm') && a[i + 1] === 's') {
      unit = c + 's';
      d = wrap64(d + wrap64(n * NS_PER[unit]!));
      i += 2;
      continue;
    }
    if (c === 'n') throw new Error('invalid duration');
    const mult = NS_PER[c];
    if (mult === undefined) throw new Error('invalid duration');
    d = wrap64(d + wrap64(n * mult));
    i++;
  }
  if (d < 0n && !neg) {
    throw new Error(`overflowed duration ${measure}${unit}: choose a smaller duration or INF`);
  }
  return neg ? wrap64(-d) : d;
}

/** InfluxQL's compact duration form (`0s`, `2w`, `3d`, `1h`, `90m`, `5s`, `100ms`, `7u`, else `ns`). */
export function formatDurationLiteral(d: bigint): string {
  if (d === 0n) return '0s';
  for (const [unit, mult] of [['w', NS_PER.w], ['d', NS_PER.d], ['h', NS_PER.h], ['m', NS_PER.m],
    ['s', NS_PER.s], ['ms', NS_PER.ms]] as const) {
    if (d % mult! === 0n) return `${d / mult!}${unit}`;
  }
  return d % 1000n === 0n ? `${d / 1000n}u` : `${d}ns`;
}

/** Go's time.Duration.String() (`1h0m0s`, `1.5s`, `500ms`, `0s`). */
export function goDurationString(d: bigint): string {
  if (d === 0n) return '0s';
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  if (u < 1_000_000_000n) {
    let unit: string;
    let prec: number;
    if (u < 1000n) return `${neg ? '-' : ''}${u}ns`;
    if (u < 1_000_000n) {
      unit = 'µs';
      prec = 3;
    } else {
      unit = 'ms';
      prec = 6;
    }
    out = fracString(u, prec) + unit;
  } else {
    const h = u / 3_600_000_000_000n;
    u -= h * 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u -= m * 60_000_000_000n;
    const secs = fracString(u, 9) + 's';
    out = h > 0n ? `${h}h${m}m${secs}` : m > 0n ? `${m}m${secs}` : secs;
  }
  return (neg ? '-' : '') + out;
}

function fracString(v: bigint, prec: number): string {
  const div = 10n ** BigInt(prec);
  const whole = v / div;
  let frac = (v % div).toString().padStart(prec, '0').replace(/0+$/, '');
  return frac === '' ? `${whole}` : `${whole}.${frac}`;
}
