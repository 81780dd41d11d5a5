/** SHOW statements (the meta-query family, CARDINALITY forms included). */
import type {
  Dimension,
  Expr,
  ListLiteral,
  Measurement,
  RegexLiteral,
  Source,
  Statement,
  StringLiteral,
  TagKeyOp,
} from './ast.js';
import { tokstr } from './lexer.js';
import { expected } from './parser-base.js';
import { SelectParser } from './parser-select.js';

interface CardinalityParts {
  database: string;
  sources: Source[];
  condition: Expr | null;
  dimensions: Dimension[];
  limit: number;
  offset: number;
}

/** Adds the SHOW statements. */
export class ShowParser extends SelectParser {
  /** `ON db` if present, else ''. */
  protected parseOptionalOn(): string {
    if (this.scanIgnoreWhitespace().tok === 'ON') return this.parseIdent();
    this.unscan();
    return '';
  }

  /** `FROM sources` if present, else []. */
  protected parseOptionalFrom(): Source[] {
    if (this.scanIgnoreWhitespace().tok === 'FROM') return this.parseSources(false);
    this.unscan();
    return [];
  }

  private cardinalityTail(withKey: boolean): CardinalityParts & { key?: [TagKeyOp, TagKeyExpr] } {
    const database = this.parseOptionalOn();
    const sources = this.parseOptionalFrom();
    const key = withKey ? this.parseTagKeyExpr() : undefined;
    const condition = this.parseCondition();
    const dimensions = this.parseDimensions();
    const limit = this.parseOptionalTokenAndInt('LIMIT');
    const offset = this.parseOptionalTokenAndInt('OFFSET');
    return { database, sources, condition, dimensions, limit, offset, ...(key ? { key } : {}) };
  }

  /** After SHOW SERIES. */
  parseShowSeries(): Statement {
    let exact = false;
    if (this.scanIgnoreWhitespace().tok === 'EXACT') exact = true;
    else this.unscan();
    if (this.scanIgnoreWhitespace().tok === 'CARDINALITY') {
      const { key: _k, ...p } = this.cardinalityTail(false);
      return { kind: 'ShowSeriesCardinalityStatement', exact, ...p };
    }
    this.unscan();
    const database = this.parseOptionalOn();
    const sources = this.parseOptionalFrom();
    const condition = this.parseCondition();
    const sortFields = this.parseOrderBy();
    const limit = this.parseOptionalTokenAndInt('LIMIT');
    const offset = this.parseOptionalTokenAndInt('OFFSET');
    return { kind: 'ShowSeriesStatement', database, sources, condition, sortFields, limit, offset };
  }

  /** After SHOW MEASUREMENT EXACT / SHOW MEASUREMENT CARDINALITY. */
  parseShowMeasurementCardinality(exact: boolean): Statement {
    if (exact) {
      const t = this.scanIgnoreWhitespace();
      if (t.tok !== 'CARDINALITY') throw expected(tokstr(t.tok, t.lit), ['CARDINALITY'], t.pos);
    }
    const { key: _k, ...p } = this.cardinalityTail(false);
    return { kind: 'ShowMeasurementCardinalityStatement', exact, ...p };
  }

  /** After SHOW MEASUREMENTS. */
  parseShowMeasurements(): Statement {
    const database = this.parseOptionalOn();
    let source: Measurement | null = null;
    if (this.scanIgnoreWhitespace().tok === 'WITH') {
      this.parseTokens(['MEASUREMENT']);
      const t = this.scanIgnoreWhitespace();
      if (t.tok !== '=' && t.tok !== '=~') throw expected(tokstr(t.tok, t.lit), ['=', '=~'], t.pos);
      source = this.parseSource(false) as Measurement;
    } else {
      this.unscan();
    }
    const condition = this.parseCondition();
    const sortFields = this.parseOrderBy();
    const limit = this.parseOptionalTokenAndInt('LIMIT');
    const offset = this.parseOptionalTokenAndInt('OFFSET');
    return { kind: 'ShowMeasurementsStatement', database, source, condition, sortFields, limit, offset };
  }

  /** After SHOW RETENTION POLICIES. */
  parseShowRetentionPolicies(): Statement {
    return { kind: 'ShowRetentionPoliciesStatement', database: this.parseOptionalOn() };
  }

  /** After SHOW TAG KEY / SHOW FIELD KEY (cardinality forms). */
  parseShowKeyCardinality(which: 'tag' | 'field'): Statement {
    let exact = false;
    let required = ['EXACT', 'CARDINALITY'];
    if (this.scanIgnoreWhitespace().tok === 'EXACT') {
      exact = true;
      required = ['CARDINALITY'];
    } else {
      this.unscan();
    }
    const t = this.scanIgnoreWhitespace();
    if (t.tok !== 'CARDINALITY') throw expected(tokstr(t.tok, t.lit), required, t.pos);
    const { key: _k, ...p } = this.cardinalityTail(false);
    return which === 'tag'
      ? { kind: 'ShowTagKeyCardinalityStatement', exact, ...p }
      : { kind: 'ShowFieldKeyCardinalityStatement', exact, ...p };
  }

  /** After SHOW TAG KEYS. */
  parseShowTagKeys(): Statement {
    const database = this.parseOptionalOn();
    const sources = this.parseOptionalFrom();
    const condition = this.parseCondition();
    const sortFields = this.parseOrderBy();
    const limit = this.parseOptionalTokenAndInt('LIMIT');
    const offset = this.parseOptionalTokenAndInt('OFFSET');
    const sLimit = this.parseOptionalTokenAndInt('SLIMIT');
    const sOffset = this.parseOptionalTokenAndInt('SOFFSET');
    return { kind: 'ShowTagKeysStatement', database, sources, condition, sortFields, limit, offset, sLimit, sOffset };
  }

  /** After SHOW TAG VALUES. */
  parseShowTagValues(): Statement {
    const t = this.scanIgnoreWhitespace();
    if (t.tok === 'EXACT' || t.tok === 'CARDINALITY') {
      const exact = t.tok === 'EXACT';
      if (exact) {
        const c = this.scanIgnoreWhitespace();
        if (c.tok !== 'CARDINALITY') throw expected(tokstr(c.tok, c.lit), ['CARDINALITY'], c.pos);
      }
      const { key, ...p } = this.cardinalityTail(true);
      return { kind: 'ShowTagValuesCardinalityStatement', exact, ...p, op: key![0], tagKeyExpr: key![1] };
    }
    this.unscan();
    const database = this.parseOptionalOn();
    const sources = this.parseOptionalFrom();
    const [op, tagKeyExpr] = this.parseTagKeyExpr();
    const condition = this.parseCondition();
    const sortFields = this.parseOrderBy();
    const limit = this.parseOptionalTokenAndInt('LIMIT');
    const offset = this.parseOptionalTokenAndInt('OFFSET');
    return {
      kind: 'ShowTagValuesStatement', database, sources, op, tagKeyExpr, condition, sortFields, limit, offset,
    };
  }

  /** `WITH KEY = k | != k | =~ /re/ | !~ /re/ | IN (a, b)`. */
  private parseTagKeyExpr(): [TagKeyOp, TagKeyExpr] {
    this.parseTokens(['WITH', 'KEY']);
    const t = this.scanIgnoreWhitespace();
    if (t.tok === 'IN') {
      const lp = this.scanIgnoreWhitespace();
      if (lp.tok !== '(') throw expected(tokstr(lp.tok, lp.lit), ['('], lp.pos);
      const values = this.parseIdentList();
      const rp = this.scanIgnoreWhitespace();
      if (rp.tok !== ')') throw expected(tokstr(rp.tok, rp.lit), [')'], rp.pos);
      return ['IN', { kind: 'ListLiteral', values }];
    }
    if (t.tok === '=' || t.tok === '!=') {
      return [t.tok, { kind: 'StringLiteral', value: this.parseIdent() }];
    }
    if (t.tok === '=~' || t.tok === '!~') {
      const re = this.parseRegex();
      if (re === null) {
        const n = this.scanIgnoreWhitespace();
        throw expected(tokstr(n.tok, n.lit), ['regex'], n.pos);
      }
      return [t.tok, re];
    }
    throw expected(tokstr(t.tok, t.lit), ['IN', '=', '=~'], t.pos);
  }

  /** After SHOW FIELD KEYS. */
  parseShowFieldKeys(): Statement {
    const database = this.parseOptionalOn();
    const sources = this.parseOptionalFrom();
    const sortFields = this.parseOrderBy();
    const limit = this.parseOptionalTokenAndInt('LIMIT');
    const offset = this.parseOptionalTokenAndInt('OFFSET');
    return { kind: 'ShowFieldKeysStatement', database, sources, sortFields, limit, offset };
  }

  /** After SHOW STATS / SHOW DIAGNOSTICS: optional `FOR 'module'`. */
  protected parseOptionalForModule(): string {
    if (this.scanIgnoreWhitespace().tok === 'FOR') return this.parseString();
    this.unscan();
    return '';
  }
}

type TagKeyExpr = StringLiteral | RegexLiteral | ListLiteral;
