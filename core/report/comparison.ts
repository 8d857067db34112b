import type { RecordTable } from '../model/table.js';

/** One node table offered to the comparison, with where it came from. */
export interface ComparisonSource {
  /** Node id that produced the table. */
  readonly node: string;
  /** Plugin of the node (validators of the same plugin are compared with each other). */
  readonly plugin: string;
  /** Table name within the node (`summary`, `stations`…). */
  readonly table: string;
  readonly records: RecordTable;
}

/** Metrics where a higher value is better; lower is better for LOWER; |value| lower is better for ABS (bias; KL in the Yan & Bai form can be negative). */
const HIGHER = new Set(['r', 'r2', 'nse', 'kge', 'd', 'spearman', 'snr', 'snrDb', 'etcR', 'oobR2', 'stdRatioScore']);
const LOWER = new Set(['rmse', 'ubrmse', 'mae', 'mape', 'meanAbsError', 'maxAbsError', 'errorStd', 'errorVariance', 'relativeUncertainty', 'ubrmseSample']);
const ABS = new Set(['bias', 'kl']);
/** Columns that group rows (one comparison row per method and group). */
const GROUP_COLUMNS = ['partition', 'season', 'region', 'split'];
/** Numeric columns that are counts or positions, not metrics. */
const NOT_METRICS = new Set(['n', 'dates', 'cells', 'col', 'row', 'lon', 'lat', 'depth', 'pValue', 'rLower', 'rUpper', 'productDatesWithoutReference', 'stations', 'stationsTotal', 'stationsIncluded', 'q25', 'q75', 'iqr', 'gdownN', 'slope', 'intercept', 'meanProduct', 'meanReference', 'stdProduct', 'stdReference']);
/** A table with more rows than this per method and group is per-date / per-station detail, not a summary. */
const MAX_ROWS_PER_METHOD = 8;

export type MetricDirection = 'higher' | 'lower' | 'abs';

/** Whether a higher, a lower or a smaller absolute value of a metric is better (by its base name). */
export function metricDirection(column: string): MetricDirection | undefined {
  const base = column.slice(column.lastIndexOf('.') + 1).replace(/^(median|mean)_/, '');
  if (HIGHER.has(base)) return 'higher';
  if (LOWER.has(base)) return 'lower';
  if (ABS.has(base)) return 'abs';
  return undefined;
}

/** Average ranks (1 = best) of `values` for a direction; NaN values get NaN. */
export function rankValues(values: readonly number[], direction: MetricDirection): number[] {
  const key = (v: number): number => (direction === 'higher' ? -v : direction === 'abs' ? Math.abs(v) : v);
  const idx = values.map((v, i) => i).filter((i) => Number.isFinite(values[i]));
  idx.sort((a, b) => key(values[a]) - key(values[b]) || a - b);
  const ranks = values.map(() => Number.NaN);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && key(values[idx[j + 1]]) === key(values[idx[i]])) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/** The longest common prefix and suffix (at `_`/`-`/`.` boundaries) of labels, removed: `truth_rf`, `truth_svr` → `rf`, `svr`. */
export function distinctiveLabels(labels: readonly string[]): string[] {
  if (labels.length < 2) return [...labels];
  const split = labels.map((l) => l.split(/(?<=[_.-])/));
  let pre = 0;
  while (split.every((s) => s.length > pre + 1 && s[pre] === split[0][pre])) pre++;
  let suf = 0;
  while (split.every((s) => s.length > pre + suf + 1 && s[s.length - 1 - suf] === split[0][split[0].length - 1 - suf])) suf++;
  const out = split.map((s) => s.slice(pre, s.length - suf).join('').replace(/[_.-]+$/, ''));
  return new Set(out).size === out.length && out.every(Boolean) ? out : [...labels];
}

/**
 * How the comparison names a row of one of several tables of the same validator plugin: the row's
 * `method` (fanned-out compare tables), prefixed by the distinctive part of the node id when several
 * nodes are compared (`truth30_full` → `full`). Other report parts (Taylor diagram, metric-by-date
 * charts) use it so their labels match the intercomparison table.
 */
export function methodLabeller(group: readonly Pick<ComparisonSource, 'node' | 'records'>[]): (index: number, row: Readonly<Record<string, unknown>>) => string {
  const nodeLabels = distinctiveLabels(group.map((s) => s.node));
  return (gi, r) => {
    const m = group[gi].records.columns.includes('method') ? String(r.method) : '';
    return group.length > 1 ? (m ? `${nodeLabels[gi]}.${m}` : nodeLabels[gi]) : m;
  };
}

function isMetricValue(v: unknown): v is number {
  return typeof v === 'number';
}

/**
 * The intercomparison table: one row per method (and per partition/season/region where the tables
 * are partitioned), one column per metric, a mean rank over the metrics whose better direction is known,
 * and the overall rank. Methods are the `method` column of fanned-out compare tables, or — for
 * validators of the same plugin run on different products — the distinctive part of the node ids.
 * Summary tables only: a table with many rows per method (per date, per station) is left out.
 * Returns undefined when there is nothing to compare (fewer than two methods).
 *
 * @example
 * ```ts
 * const table = comparisonTable([{ node: 'check', plugin: 'validator:raster', table: 'summary', records }]);
 * // columns: method, raster.rmse, raster.r, …, meanRank, rank
 * ```
 */
export function comparisonTable(sources: readonly ComparisonSource[]): RecordTable | undefined {
  type Cell = Record<string, number | string | null>;
  const rows = new Map<string, Cell>();
  const metricColumns: string[] = [];
  const byPlugin = new Map<string, ComparisonSource[]>();
  for (const s of sources) {
    const k = `${s.plugin}\u0000${s.table}`;
    byPlugin.set(k, [...(byPlugin.get(k) ?? []), s]);
  }
  const groupColumnsUsed = new Set<string>();
  for (const group of byPlugin.values()) {
    const hasMethod = group.some((s) => s.records.columns.includes('method'));
    const label = methodLabeller(group);
    if (!hasMethod && group.length < 2) continue;
    const pluginName = group[0].plugin.slice(group[0].plugin.indexOf(':') + 1);
    const prefix = group[0].table === 'summary' ? pluginName : `${pluginName}.${group[0].table}`;
    group.forEach((s, gi) => {
      const t = s.records;
      const groupCols = GROUP_COLUMNS.filter((c) => t.columns.includes(c));
      const labelOf = (r: Readonly<Record<string, unknown>>): string => label(gi, r);
      // Rows describing everything ("all") stand for the table when it also has per-date/per-scope rows.
      const otherStrings = t.columns.filter((c) => c !== 'method' && !groupCols.includes(c) && t.rows.some((r) => typeof r[c] === 'string'));
      let kept = t.rows.filter((r) => otherStrings.every((c) => !t.rows.some((x) => x[c] === 'all') || r[c] === 'all' || r[c] === null));
      const pivot = t.columns.includes('metric') && t.columns.includes('median');
      const keyOf = (r: Readonly<Record<string, unknown>>): string => [labelOf(r), ...groupCols.map((c) => String(r[c] ?? ''))].join('\u0000');
      const counts = new Map<string, number>();
      for (const r of kept) counts.set(keyOf(r), (counts.get(keyOf(r)) ?? 0) + 1);
      if (!pivot && [...counts.values()].some((n) => n > 1)) {
        // Several rows per method remain: fold a low-cardinality string column into the column names.
        const fold = otherStrings.filter((c) => c !== 'metric' && new Set(kept.map((r) => r[c])).size <= 4);
        if ([...counts.values()].some((n) => n > MAX_ROWS_PER_METHOD) || fold.length !== 1) return;
        kept = kept.map((r) => ({ ...r, __fold: String(r[fold[0]]) }));
      }
      for (const r of kept) {
        const key = keyOf(r);
        let row = rows.get(key);
        if (!row) {
          row = { method: labelOf(r) };
          for (const c of groupCols) {
            row[c] = (r[c] as string | number | null) ?? null;
            groupColumnsUsed.add(c);
          }
          rows.set(key, row);
        }
        const fold = (r as { __fold?: string }).__fold;
        if (pivot) {
          if (isMetricValue(r.median)) {
            const col = `${prefix}.${String(r.metric)}`;
            row[col] = r.median;
            if (!metricColumns.includes(col)) metricColumns.push(col);
          }
          continue;
        }
        for (const c of t.columns) {
          if (c === 'method' || groupCols.includes(c) || NOT_METRICS.has(c) || !isMetricValue(r[c])) continue;
          const col = `${prefix}.${fold ? `${fold}.` : ''}${c}`;
          row[col] = r[c] as number;
          if (!metricColumns.includes(col)) metricColumns.push(col);
        }
      }
    });
  }
  const methods = new Set([...rows.values()].map((r) => r.method));
  if (methods.size < 2) return undefined;
  // Ranks within each group (partition/season/region), over the metrics whose direction is known.
  const groupCols = GROUP_COLUMNS.filter((c) => groupColumnsUsed.has(c));
  const list = [...rows.values()];
  const groups = new Map<string, Cell[]>();
  for (const r of list) {
    const g = groupCols.map((c) => String(r[c] ?? '')).join('\u0000');
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const ranked = metricColumns.filter((c) => metricDirection(c) !== undefined);
  for (const g of groups.values()) {
    const sums = g.map(() => ({ sum: 0, n: 0 }));
    for (const c of ranked) {
      const ranks = rankValues(g.map((r) => (typeof r[c] === 'number' ? (r[c] as number) : Number.NaN)), metricDirection(c)!);
      ranks.forEach((rk, i) => {
        if (Number.isFinite(rk)) {
          sums[i].sum += rk;
          sums[i].n++;
        }
      });
    }
    const mean = sums.map((s) => (s.n ? s.sum / s.n : Number.NaN));
    const overall = rankValues(mean, 'lower');
    g.forEach((r, i) => {
      r.meanRank = Number.isFinite(mean[i]) ? mean[i] : null;
      r.rank = Number.isFinite(overall[i]) ? overall[i] : null;
    });
  }
  const columns = ['method', ...groupCols, ...metricColumns, 'meanRank', 'rank'];
  const out = list.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
  return {
    kind: 'records',
    columns,
    rows: out,
    notes: [`meanRank: mean over ${ranked.length} metrics of the method's rank${groupCols.length ? ` within each ${groupCols.join('/')}` : ''} (1 = best; R, R², NSE, KGE higher; RMSE, ubRMSE, MAE, MAPE lower; |bias|, |KL| lower)`],
  };
}
