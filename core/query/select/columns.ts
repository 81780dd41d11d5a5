import type { FieldType } from '../../model/point.js';
import type { Call, Expr, Field, VarRef } from '../ast.js';
import { compileRegex } from './eval.js';
import { isMathFunction } from './math.js';

/** The schema a SELECT sees across its sources: fields with types, and tag keys. */
export interface SourceSchema {
  fields: Map<string, FieldType>;
  tagKeys: Set<string>;
}

/** An output column: its name and the expression producing it (wildcards expanded). */
export interface Column {
  name: string;
  expr: Expr;
}

const NUMERIC_ONLY = new Set(['mean', 'sum', 'median', 'spread', 'stddev', 'percentile', 'integral', 'derivative', 'non_negative_derivative', 'difference', 'non_negative_difference', 'moving_average', 'cumulative_sum']);

/** InfluxDB's derived column name of an expression (before de-duplication). */
export function exprName(e: Expr): string {
  switch (e.kind) {
    case 'VarRef':
      return e.name;
    case 'Call':
      return e.name;
    case 'ParenExpr':
      return exprName(e.expr);
    case 'BinaryExpr': {
      const l = exprName(e.lhs);
      const r = exprName(e.rhs);
      if (l === '') return r;
      if (r === '') return l;
      return `${l}_${r}`;
    }
    case 'Distinct':
      return 'distinct';
    default:
      return '';
  }
}

function varRef(name: string): VarRef {
  return { kind: 'VarRef', name, dataType: '' };
}

function fieldMatches(fn: string, type: FieldType): boolean {
  if (NUMERIC_ONLY.has(fn) || isMathFunction(fn)) return type === 'float' || type === 'integer';
  return true;
}

/**
 * Expands `*`, `*::field`, `/regex/` in the field list (raw: fields and tags sorted together) and in
 * the first argument of calls (tags grouped by are left out of wildcards) (`count(*)` -> `count_<field>` per field), then names every column and
 * de-duplicates names as InfluxDB does (`mean`, `mean_1`...).
 */
export function expandColumns(fields: readonly Field[], schema: SourceSchema, groupByTags: ReadonlySet<string> = new Set()): Column[] {
  const out: Column[] = [];
  const fieldNames = [...schema.fields.keys()].sort();
  // Tags the query groups by are in the series' tags, not among the wildcard's columns.
  const tagNames = [...schema.tagKeys].filter((t) => !groupByTags.has(t)).sort();
  for (const f of fields) {
    const e = f.expr;
    if (e.kind === 'Wildcard' || e.kind === 'RegexLiteral') {
      const rx = e.kind === 'RegexLiteral' ? compileRegex(e.pattern) : null;
      const names: Array<{ name: string; tag: boolean }> = [];
      if (e.kind === 'RegexLiteral' || e.type !== 'tag') for (const n of fieldNames) names.push({ name: n, tag: false });
      if (e.kind === 'RegexLiteral' || e.type !== 'field') for (const n of tagNames) names.push({ name: n, tag: true });
      names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const n of names) {
        if (rx !== null && !rx.test(n.name)) continue;
        out.push({ name: n.name, expr: { kind: 'VarRef', name: n.name, dataType: n.tag ? 'tag' : 'field' } });
      }
      continue;
    }
    if (e.kind === 'Call' && e.args.length > 0) {
      const a0 = e.args[0] as Expr;
      if (a0.kind === 'Wildcard' || a0.kind === 'RegexLiteral') {
        const rx = a0.kind === 'RegexLiteral' ? compileRegex(a0.pattern) : null;
        for (const n of fieldNames) {
          if (rx !== null && !rx.test(n)) continue;
          if (!fieldMatches(e.name, schema.fields.get(n) as FieldType)) continue;
          const call: Call = { ...e, args: [varRef(n), ...e.args.slice(1)] };
          out.push({ name: f.alias !== '' ? f.alias : `${e.name}_${n}`, expr: call });
        }
        continue;
      }
    }
    out.push({ name: f.alias !== '' ? f.alias : exprName(e), expr: e });
  }
  const used = new Set<string>();
  for (const c of out) {
    if (!used.has(c.name)) {
      used.add(c.name);
      continue;
    }
    for (let i = 1; ; i++) {
      const n = `${c.name}_${i}`;
      if (!used.has(n)) {
        c.name = n;
        used.add(n);
        break;
      }
    }
  }
  return out;
}
