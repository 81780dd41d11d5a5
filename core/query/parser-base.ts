/**
 * Parser foundations: token helpers, identifiers, numbers, durations, regexes and expressions.
 * Follows InfluxDB 1.x's recursive-descent parser so that accepted queries and error texts match.
 */
import type { BinaryOp, DataType, Expr, RegexLiteral, VarRef } from './ast.js';
import {
  BufScanner,
  EOF_CH,
  isOperator,
  parseDurationLiteral,
  precedence,
  quoteIdent,
  tokstr,
  type Pos,
  type Tok,
  type Token,
} from './lexer.js';
import { bindParams, type BoundToken } from './parser-params.js';
import { checkRegex } from './parser-regex.js';

/** A parse failure; `message` is the text after `error parsing query: `. */
export class QueryParseError extends Error {
  override readonly name = 'QueryParseError';
}

/** Build InfluxDB's positional message. */
export function positional(message: string, pos: Pos): QueryParseError {
  return new QueryParseError(`${message} at line ${pos.line + 1}, char ${pos.char + 1}`);
}

/** `found X, expected A, B at line L, char C`. */
export function expected(found: string, exp: readonly string[], pos: Pos): QueryParseError {
  return positional(`found ${found}, expected ${exp.join(', ')}`, pos);
}

/** A non-positional message (InfluxDB's plain errors). */
export function plain(message: string): QueryParseError {
  return new QueryParseError(message);
}

const ZERO_POS: Pos = { line: 0, char: 0 };

/** Token-level parsing helpers and the expression grammar. */
export class ParserBase {
  protected readonly s: BufScanner;
  private readonly bound: Map<string, BoundToken>;

  constructor(text: string, params?: Record<string, unknown>) {
    this.s = new BufScanner(text);
    this.bound = bindParams(params);
  }

  /** Next token; a `$name` token is replaced by its bound value's token (on every read). */
  scan(): Token {
    return this.substitute(this.s.scan());
  }

  private scanRegexToken(): Token {
    return this.substitute(this.s.scanRegex());
  }

  private substitute(t: Token): Token {
    if (t.tok !== 'BOUNDPARAM') return t;
    const k = t.lit.startsWith('$') ? t.lit.slice(1) : t.lit;
    const v = k === '' ? undefined : this.bound.get(k);
    return v === undefined ? t : { tok: v.tok, pos: t.pos, lit: v.lit };
  }

  /** Push the last token back (up to 3). */
  unscan(): void {
    this.s.unscan();
  }

  /** Next token that is not whitespace or a comment. */
  scanIgnoreWhitespace(): Token {
    for (;;) {
      const t = this.scan();
      if (t.tok !== 'WS' && t.tok !== 'COMMENT') return t;
    }
  }

  /** Consume one whitespace token if next. */
  consumeWhitespace(): void {
    if (this.scan().tok !== 'WS') this.s.unscan();
  }

  /** The next raw rune, without consuming it (bypasses the token ring, as InfluxDB does). */
  peekRune(): string {
    const r = this.s.s.r;
    const ch = r.read();
    if (ch !== EOF_CH) r.unread();
    return ch;
  }

  /** Consume the exact token sequence or fail naming the first mismatch. */
  parseTokens(toks: readonly Tok[]): void {
    for (const want of toks) {
      const t = this.scanIgnoreWhitespace();
      if (t.tok !== want) throw expected(tokstr(t.tok, t.lit), [want], t.pos);
    }
  }

  /** Like parseTokens for one token, but returns false (nothing consumed but that token) on mismatch. */
  tryToken(tok: Tok): boolean {
    if (this.scanIgnoreWhitespace().tok === tok) return true;
    this.unscan();
    return false;
  }

  /** One identifier (bare or double-quoted). */
  parseIdent(): string {
    const t = this.scanIgnoreWhitespace();
    if (t.tok !== 'IDENT') throw expected(tokstr(t.tok, t.lit), ['identifier'], t.pos);
    return t.lit;
  }

  /** Comma-separated identifiers (at least one). */
  parseIdentList(): string[] {
    const out = [this.parseIdent()];
    for (;;) {
      if (this.scanIgnoreWhitespace().tok !== ',') {
        this.unscan();
        return out;
      }
      out.push(this.parseIdent());
    }
  }

  /** `a`, `a.b`, `a.b.c`, `a..c`; stops before a `/regex/` or `:` segment. */
  parseSegmentedIdents(): string[] {
    const idents = [this.parseIdent()];
    for (;;) {
      if (this.scan().tok !== '.') {
        this.unscan();
        break;
      }
      const ch = this.peekRune();
      if (ch === '/' || ch === ':') break;
      if (ch === '.') {
        idents.push('');
        continue;
      }
      idents.push(this.parseIdent());
    }
    if (idents.length > 3) {
      throw positional(`too many segments in ${quoteIdent(...idents)}`, ZERO_POS);
    }
    return idents;
  }

  /** One single-quoted string literal. */
  parseString(): string {
    const t = this.scanIgnoreWhitespace();
    if (t.tok !== 'STRING') throw expected(tokstr(t.tok, t.lit), ['string'], t.pos);
    return t.lit;
  }

  /** Comma-separated string literals (at least one). */
  parseStringList(): string[] {
    const out = [this.parseString()];
    for (;;) {
      if (this.scanIgnoreWhitespace().tok !== ',') {
        this.unscan();
        return out;
      }
      out.push(this.parseString());
    }
  }

  /** A base-10 integer within [min, max]. */
  parseInt(min: number, max: number): number {
    const t = this.scanIgnoreWhitespace();
    if (t.tok !== 'INTEGER') throw expected(tokstr(t.tok, t.lit), ['integer'], t.pos);
    const n = BigInt(t.lit);
    if (n > (1n << 63n) - 1n) {
      throw positional(`strconv.Atoi: parsing ${goQuote(t.lit)}: value out of range`, t.pos);
    }
    if (n < BigInt(min) || n > BigInt(max)) {
      throw positional(`invalid value ${n}: must be ${min} <= n <= ${max}`, t.pos);
    }
    return Number(n);
  }

  parseUInt64(): bigint {
    const t = this.scanIgnoreWhitespace();
    if (t.tok !== 'INTEGER') throw expected(tokstr(t.tok, t.lit), ['integer'], t.pos);
    if (t.lit.startsWith('-')) throw positional(`strconv.ParseUint: parsing ${goQuote(t.lit)}: invalid syntax`, t.pos);
    const n = BigInt(t.lit);
    if (n > (1n << 64n) - 1n) {
      throw positional(`strconv.ParseUint: parsing ${goQuote(t.lit)}: value out of range`, t.pos);
    }
    return n;
  }

  /** A duration value or INF (0). */
  parseDuration(): bigint {
    const t = this.scanIgnoreWhitespace();
    if (t.tok !== 'DURATIONVAL' && t.tok !== 'INF') {
      throw expected(tokstr(t.tok, t.lit), ['duration'], t.pos);
    }
    if (t.tok === 'INF') return 0n;
    try {
      return parseDurationLiteral(t.lit);
    } catch (e) {
      throw positional((e as Error).message, t.pos);
    }
  }

  /** `TOKEN <n>` if TOKEN is next, else 0. */
  parseOptionalTokenAndInt(tok: Tok): number {
    if (this.scanIgnoreWhitespace().tok !== tok) {
      this.unscan();
      return 0;
    }
    const t = this.scanIgnoreWhitespace();
    if (t.tok !== 'INTEGER') throw expected(tokstr(t.tok, t.lit), ['integer'], t.pos);
    // Like Go's ParseInt with its error ignored: out-of-range values saturate at MaxInt64.
    const max = (1n << 63n) - 1n;
    const n = BigInt(t.lit);
    if (n < 0n) throw positional(`${tok} must be >= 0`, t.pos); // only via a bound parameter
    return Number(n > max ? max : n);
  }

  /** A `/regex/` if the next non-blank rune is '/', else null. */
  parseRegex(): RegexLiteral | null {
    if (isBlank(this.peekRune())) this.consumeWhitespace();
    const next = this.peekRune();
    if (next === '$') {
      // A bound parameter may stand for a regex.
      const p = this.scan();
      this.unscan();
      if (p.tok !== 'REGEX') return null;
    } else if (next !== '/') {
      return null;
    }
    const t = this.scanRegexToken();
    if (t.tok === 'BADESCAPE') throw positional(`bad escape: ${t.lit}`, t.pos);
    if (t.tok === 'BADREGEX') throw positional(`bad regex: ${t.lit}`, t.pos);
    if (t.tok !== 'REGEX') throw expected(tokstr(t.tok, t.lit), ['regex'], t.pos);
    const err = checkRegex(t.lit);
    if (err !== null) throw positional(err, t.pos);
    return { kind: 'RegexLiteral', pattern: t.lit };
  }

  /** A field/tag reference with optional `::type`. */
  parseVarRef(): VarRef {
    const segments = this.parseSegmentedIdents();
    let dataType: DataType = '';
    if (this.scan().tok === '::') {
      const t = this.scan();
      if (t.tok === 'IDENT') {
        const lower = t.lit.toLowerCase();
        if (lower === 'float' || lower === 'integer' || lower === 'unsigned' || lower === 'string' ||
          lower === 'boolean') {
          dataType = lower;
        } else {
          throw expected(tokstr(t.tok, t.lit),
            ['float', 'integer', 'unsigned', 'string', 'boolean', 'field', 'tag'], t.pos);
        }
      } else if (t.tok === 'FIELD') {
        dataType = 'field';
      } else if (t.tok === 'TAG') {
        dataType = 'tag';
      } else {
        throw expected(tokstr(t.tok, t.lit), ['float', 'integer', 'string', 'boolean', 'field', 'tag'], t.pos);
      }
    } else {
      this.unscan();
    }
    return { kind: 'VarRef', name: segments.join('.'), dataType };
  }

  /** A full expression with operator precedence (InfluxDB's right-descending tree insertion). */
  parseExpr(): Expr {
    let root = this.parseUnaryExpr();
    for (;;) {
      const opTok = this.scanIgnoreWhitespace();
      if (!isOperator(opTok.tok)) {
        this.unscan();
        return root;
      }
      const op = opTok.tok;
      let rhs: Expr;
      if (op === '=~' || op === '!~') {
        const re = this.parseRegex();
        if (re === null) {
          const t = this.scanIgnoreWhitespace();
          throw expected(tokstr(t.tok, t.lit), ['regex'], t.pos);
        }
        rhs = re;
      } else {
        rhs = this.parseUnaryExpr();
      }
      root = insertOp(root, op as BinaryOp, rhs);
    }
  }

  /** A non-binary expression: parens, call, var ref, literal, wildcard, unary +/-. */
  parseUnaryExpr(): Expr {
    if (this.scanIgnoreWhitespace().tok === '(') {
      const inner = this.parseExpr();
      const t = this.scanIgnoreWhitespace();
      if (t.tok !== ')') throw expected(tokstr(t.tok, t.lit), [')'], t.pos);
      return { kind: 'ParenExpr', expr: inner };
    }
    this.unscan();

    const t = this.scanIgnoreWhitespace();
    switch (t.tok) {
      case 'IDENT': {
        if (this.scan().tok === '(') return this.parseCall(t.lit);
        this.unscan();
        this.unscan();
        return this.parseVarRef();
      }
      case 'DISTINCT': {
        const t0 = this.scan();
        if (t0.tok === '(') return this.parseCall('distinct');
        if (t0.tok === 'WS') {
          const t1 = this.scanIgnoreWhitespace();
          if (t1.tok !== 'IDENT') throw expected(tokstr(t1.tok, t1.lit), ['identifier'], t1.pos);
          return { kind: 'Distinct', name: t1.lit };
        }
        throw expected(tokstr(t0.tok, t0.lit), ['(', 'identifier'], t0.pos);
      }
      case 'STRING':
        return { kind: 'StringLiteral', value: t.lit };
      case 'NUMBER': {
        const v = Number(t.lit);
        if (!Number.isFinite(v)) throw positional('unable to parse number', t.pos);
        return { kind: 'NumberLiteral', value: v };
      }
      case 'INTEGER': {
        const v = BigInt(t.lit);
        if (v <= (1n << 63n) - 1n && v >= -(1n << 63n)) return { kind: 'IntegerLiteral', value: v };
        if (v > 0n && v <= (1n << 64n) - 1n) return { kind: 'UnsignedLiteral', value: v };
        throw positional('unable to parse integer', t.pos);
      }
      case 'TRUE':
      case 'FALSE':
        return { kind: 'BooleanLiteral', value: t.tok === 'TRUE' };
      case 'DURATIONVAL': {
        try {
          return { kind: 'DurationLiteral', value: parseDurationLiteral(t.lit) };
        } catch (e) {
          throw plain((e as Error).message);
        }
      }
      case '*': {
        if (this.scan().tok === '::') {
          const t1 = this.scan();
          if (t1.tok === 'FIELD') return { kind: 'Wildcard', type: 'field' };
          if (t1.tok === 'TAG') return { kind: 'Wildcard', type: 'tag' };
          throw expected(tokstr(t1.tok, t1.lit), ['field', 'tag'], t1.pos);
        }
        this.unscan();
        return { kind: 'Wildcard', type: '' };
      }
      case 'REGEX': {
        const err = checkRegex(t.lit);
        if (err !== null) throw positional(err, t.pos);
        return { kind: 'RegexLiteral', pattern: t.lit };
      }
      case 'BOUNDPARAM': {
        // Still a parameter token: unknown name, or a value that could not be bound.
        const k = t.lit.startsWith('$') ? t.lit.slice(1) : t.lit;
        if (k === '') throw plain('empty bound parameter');
        const v = this.bound.get(k);
        throw plain(v === undefined ? `missing parameter: ${k}` : v.lit);
      }
      case '+':
      case '-':
        return this.parseSigned(t.tok === '-');
      default:
        throw expected(tokstr(t.tok, t.lit), ['identifier', 'string', 'number', 'bool'], t.pos);
    }
  }

  private parseSigned(negative: boolean): Expr {
    const t0 = this.scanIgnoreWhitespace();
    switch (t0.tok) {
      case 'NUMBER':
      case 'INTEGER':
      case 'DURATIONVAL':
      case '(':
      case 'IDENT':
        break;
      default:
        throw expected(tokstr(t0.tok, t0.lit), ['identifier', 'number', 'duration', '('], t0.pos);
    }
    this.unscan();
    const e = this.parseUnaryExpr();
    switch (e.kind) {
      case 'NumberLiteral':
        return negative ? { kind: 'NumberLiteral', value: -e.value } : e;
      case 'IntegerLiteral':
        return negative ? { kind: 'IntegerLiteral', value: -e.value } : e;
      case 'UnsignedLiteral':
        if (!negative) return e;
        if (e.value === 1n << 63n) return { kind: 'IntegerLiteral', value: -e.value };
        throw plain(`constant -${e.value} underflows int64`);
      case 'DurationLiteral':
        return negative ? { kind: 'DurationLiteral', value: BigInt.asIntN(64, -e.value) } : e;
      default:
        // VarRef, Call, ParenExpr (a parenthesised signed literal also lands here).
        return { kind: 'BinaryExpr', op: '*', lhs: { kind: 'IntegerLiteral', value: negative ? -1n : 1n }, rhs: e };
    }
  }

  /** Arguments after `name(` up to `)`. */
  parseCall(rawName: string): Expr {
    const name = rawName.toLowerCase();
    const args: Expr[] = [];
    const re = this.parseRegex();
    if (re !== null) {
      args.push(re);
    } else {
      if (this.scan().tok === ')') return { kind: 'Call', name, args };
      this.unscan();
      args.push(this.parseExpr());
    }
    for (;;) {
      if (this.scanIgnoreWhitespace().tok !== ',') {
        this.unscan();
        break;
      }
      const re2 = this.parseRegex();
      if (re2 !== null) {
        args.push(re2);
        continue;
      }
      args.push(this.parseExpr());
    }
    const t = this.scan();
    if (t.tok !== ')') throw expected(tokstr(t.tok, t.lit), [')'], t.pos);
    return { kind: 'Call', name, args };
  }
}

const isBlank = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n';

/**
 * Insert `op rhs` into the tree rooted at `root`: walk down the right spine while the node is a
 * BinaryExpr of lower precedence, and attach there (InfluxDB's algorithm, kept for identical trees).
 */
function insertOp(root: Expr, op: BinaryOp, rhs: Expr): Expr {
  if (root.kind !== 'BinaryExpr' || precedence(toTok(root.op)) >= precedence(toTok(op))) {
    return { kind: 'BinaryExpr', op, lhs: root, rhs };
  }
  return { ...root, rhs: insertOp(root.rhs, op, rhs) };
}

function toTok(op: BinaryOp): Tok {
  return op as Tok;
}

/** Go's %q for simple ASCII strings (used in strconv error texts). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
