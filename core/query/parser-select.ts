/**
 * SELECT and the clauses it shares with other statements: fields, INTO, FROM sources, WHERE,
 * GROUP BY, fill(), ORDER BY, LIMIT/OFFSET/SLIMIT/SOFFSET, tz().
 */
import {
  walkExpr,
  type Dimension,
  type Expr,
  type Field,
  type FillOption,
  type Measurement,
  type SelectStatement,
  type SortField,
  type Source,
  type Target,
} from './ast.js';
import { tokstr, type Tok } from './lexer.js';
import { expected, ParserBase, plain } from './parser-base.js';

/** Whether a SELECT must, may, or (in a subquery) may have an INTO clause. */
export type TargetRequirement = 'required' | 'notRequired' | 'subquery';

const BOOLEAN_OPS = new Set(['=', '!=', '=~', '!~', '<', '<=', '>', '>=', 'AND', 'OR']);

/** Adds SELECT and clause parsing to the base parser. */
export class SelectParser extends ParserBase {
  /** Parse a SELECT after its SELECT token. */
  parseSelectStatement(tr: TargetRequirement): SelectStatement {
    const fields = this.parseFields();
    const target = this.parseTarget(tr);
    const from = this.scanIgnoreWhitespace();
    if (from.tok !== 'FROM') throw expected(tokstr(from.tok, from.lit), ['FROM'], from.pos);
    const sources = this.parseSources(true);
    const condition = this.parseCondition();
    const dimensions = this.parseDimensions();
    const [fill, fillValue] = this.parseFill();
    const sortFields = this.parseOrderBy();
    const limit = this.parseOptionalTokenAndInt('LIMIT');
    const offset = this.parseOptionalTokenAndInt('OFFSET');
    const sLimit = this.parseOptionalTokenAndInt('SLIMIT');
    const sOffset = this.parseOptionalTokenAndInt('SOFFSET');
    const location = this.parseLocation();
    let isRawQuery = true;
    for (const f of fields) {
      walkExpr(f.expr, (e) => {
        if (e.kind === 'Call') isRawQuery = false;
      });
    }
    return {
      kind: 'SelectStatement', fields, target, sources, condition, dimensions, fill, fillValue, sortFields,
      limit, offset, sLimit, sOffset, location, isRawQuery,
    };
  }

  /** The SELECT field list. */
  parseFields(): Field[] {
    const fields: Field[] = [];
    for (;;) {
      fields.push(this.parseField());
      if (this.scan().tok !== ',') {
        this.unscan();
        return fields;
      }
    }
  }

  private parseField(): Field {
    let expr: Expr;
    const re = this.parseRegex();
    if (re !== null) {
      expr = re;
    } else {
      const start = this.scanIgnoreWhitespace().pos;
      this.unscan();
      expr = this.parseExpr();
      let bad: string | null = null;
      // Like InfluxDB: every boolean operator not nested in another one is seen; the last one wins.
      walkExpr(expr, (e) => {
        if (e.kind === 'BinaryExpr' && BOOLEAN_OPS.has(e.op)) {
          bad = e.op;
          return false;
        }
        return true;
      });
      if (bad !== null) {
        throw plain(`invalid operator ${bad} in SELECT clause at line ${start.line + 1}, char ${start.char + 1}; ` +
          'operator is intended for WHERE clause');
      }
    }
    const alias = this.parseAlias();
    this.consumeWhitespace();
    return { expr, alias };
  }

  private parseAlias(): string {
    if (this.scanIgnoreWhitespace().tok !== 'AS') {
      this.unscan();
      return '';
    }
    return this.parseIdent();
  }

  /** The `INTO` clause (required, optional, or absent). */
  parseTarget(tr: TargetRequirement): Target | null {
    const t = this.scanIgnoreWhitespace();
    if (t.tok !== 'INTO') {
      if (tr === 'required') throw expected(tokstr(t.tok, t.lit), ['INTO'], t.pos);
      this.unscan();
      return null;
    }
    const idents = this.parseSegmentedIdents();
    if (idents.length < 3 && this.peekRune() === ':') {
      this.parseTokens([':', 'MEASUREMENT']);
      idents.push('');
    }
    let database = '';
    let retentionPolicy = '';
    let name = '';
    if (idents.length === 1) {
      name = idents[0]!;
    } else if (idents.length === 2) {
      [retentionPolicy, name] = idents as [string, string];
    } else {
      [database, retentionPolicy, name] = idents as [string, string, string];
    }
    return { measurement: { kind: 'Measurement', database, retentionPolicy, name, regex: null, isTarget: true } };
  }

  /** Comma-separated FROM sources. */
  parseSources(subqueries: boolean): Source[] {
    const sources: Source[] = [];
    for (;;) {
      sources.push(this.parseSource(subqueries));
      if (this.scanIgnoreWhitespace().tok !== ',') {
        this.unscan();
        return sources;
      }
    }
  }

  /** One source: `/re/`, `(SELECT ...)` when allowed, or `[db.][rp.]name` / `[db.][rp.]/re/`. */
  parseSource(subqueries: boolean): Source {
    const mk = (database: string, retentionPolicy: string, name: string, regex: Measurement['regex']): Measurement =>
      ({ kind: 'Measurement', database, retentionPolicy, name, regex, isTarget: false });
    const re = this.parseRegex();
    if (re !== null) return mk('', '', '', re);
    if (subqueries) {
      if (this.scanIgnoreWhitespace().tok === '(') {
        this.parseTokens(['SELECT']);
        const statement = this.parseSelectStatement('subquery');
        this.parseTokens([')']);
        return { kind: 'SubQuery', statement };
      }
      this.unscan();
    }
    const idents = this.parseSegmentedIdents();
    if (idents.length === 3) return mk(idents[0]!, idents[1]!, idents[2]!, null);
    const re2 = this.parseRegex();
    if (idents.length === 1) return re2 !== null ? mk('', idents[0]!, '', re2) : mk('', '', idents[0]!, null);
    return re2 !== null ? mk(idents[0]!, idents[1]!, '', re2) : mk('', idents[0]!, idents[1]!, null);
  }

  /** `WHERE expr` if present. */
  parseCondition(): Expr | null {
    if (this.scanIgnoreWhitespace().tok !== 'WHERE') {
      this.unscan();
      return null;
    }
    return this.parseExpr();
  }

  /** `GROUP BY ...` if present. */
  parseDimensions(): Dimension[] {
    if (this.scanIgnoreWhitespace().tok !== 'GROUP') {
      this.unscan();
      return [];
    }
    const by = this.scanIgnoreWhitespace();
    if (by.tok !== 'BY') throw expected(tokstr(by.tok, by.lit), ['BY'], by.pos);
    const dims: Dimension[] = [];
    for (;;) {
      const re = this.parseRegex();
      if (re !== null) {
        dims.push({ expr: re });
      } else {
        dims.push({ expr: this.parseExpr() });
        this.consumeWhitespace();
      }
      if (this.scan().tok !== ',') {
        this.unscan();
        return dims;
      }
    }
  }

  private parseFill(): [FillOption, number | bigint | null] {
    const t = this.scanIgnoreWhitespace();
    this.unscan();
    if (t.tok !== 'IDENT' || t.lit.toLowerCase() !== 'fill') return ['null', null];
    const e = this.parseExpr();
    if (e.kind !== 'Call') throw plain('fill must be a function call');
    if (e.args.length !== 1) throw plain('fill requires an argument, e.g.: 0, null, none, previous, linear');
    const arg = e.args[0]!;
    if (arg.kind === 'VarRef' && arg.dataType === '') {
      switch (arg.name) {
        case 'null':
          return ['null', null];
        case 'none':
          return ['none', null];
        case 'previous':
          return ['previous', null];
        case 'linear':
          return ['linear', null];
        default:
          break;
      }
    }
    if (arg.kind === 'IntegerLiteral' || arg.kind === 'NumberLiteral') return ['number', arg.value];
    throw plain('expected number argument in fill()');
  }

  private parseLocation(): string | null {
    const t = this.scanIgnoreWhitespace();
    this.unscan();
    if (t.tok !== 'IDENT' || t.lit.toLowerCase() !== 'tz') return null;
    const e = this.parseExpr();
    if (e.kind !== 'Call') throw plain('tz must be a function call');
    if (e.args.length !== 1) throw plain('tz requires exactly one argument');
    const arg = e.args[0]!;
    if (arg.kind !== 'StringLiteral') throw plain('expected string argument in tz()');
    if (!isKnownTimeZone(arg.value)) throw plain(`unable to find time zone ${arg.value}`);
    return arg.value;
  }

  /** `ORDER BY ...` if present (only time is accepted, as in InfluxDB 1.x). */
  parseOrderBy(): SortField[] {
    if (this.scanIgnoreWhitespace().tok !== 'ORDER') {
      this.unscan();
      return [];
    }
    const by = this.scanIgnoreWhitespace();
    if (by.tok !== 'BY') throw expected(tokstr(by.tok, by.lit), ['BY'], by.pos);
    const fields: SortField[] = [];
    const t = this.scanIgnoreWhitespace();
    if (t.tok === 'ASC' || t.tok === 'DESC') {
      fields.push({ name: '', ascending: t.tok === 'ASC' });
    } else if (t.tok === 'IDENT') {
      this.unscan();
      const f = this.parseSortField();
      if (t.lit !== 'time') throw plain('only ORDER BY time supported at this time');
      fields.push(f);
    } else {
      throw expected(tokstr(t.tok, t.lit), ['identifier', 'ASC', 'DESC'], t.pos);
    }
    for (;;) {
      if (this.scanIgnoreWhitespace().tok !== ',') {
        this.unscan();
        break;
      }
      fields.push(this.parseSortField());
    }
    if (fields.length > 1) throw plain('only ORDER BY time supported at this time');
    return fields;
  }

  private parseSortField(): SortField {
    const name = this.parseIdent();
    const t = this.scanIgnoreWhitespace();
    let dir: Tok = t.tok;
    if (dir !== 'ASC' && dir !== 'DESC') {
      this.unscan();
      dir = 'ASC';
    }
    return { name, ascending: dir === 'ASC' };
  }
}

/** True when `name` is a time zone Go's LoadLocation would find ('' and 'UTC' included). */
function isKnownTimeZone(name: string): boolean {
  if (name === '' || name === 'UTC' || name === 'Local') return true;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    // Go looks zones up as files, so case matters: 'utc' or 'Europe/paris' are not found.
    return !(resolved !== name && resolved.toLowerCase() === name.toLowerCase());
  } catch {
    return false;
  }
}

