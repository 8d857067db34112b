import type { RecordTable } from '../model/table.js';
import type { RunManifest } from '../pipeline/manifest.js';
import { metricDirection, rankValues } from './comparison.js';
import { escapeHtml, formatNumber, metricNotesFor, tableHtml } from './html.js';
import type { Product } from './products.js';

/** A run warning as the manifest carries it (`manifest.warnings`, added by the engine). */
export interface ReportWarning {
  readonly code: string;
  readonly message: string;
  readonly node?: string;
}

/** `manifest.warnings` when present and well formed (older manifests have none). */
export function manifestWarnings(m: RunManifest): ReportWarning[] {
  const w = (m as { warnings?: unknown }).warnings;
  if (!Array.isArray(w)) return [];
  return w.filter((x): x is ReportWarning => typeof x === 'object' && x !== null && typeof (x as ReportWarning).code === 'string' && typeof (x as ReportWarning).message === 'string');
}

const HEADLINE = ['r', 'ubrmse', 'rmse', 'bias', 'kge', 'nse'];

export interface SummaryInput {
  readonly manifest: RunManifest;
  readonly products: readonly Product[];
  readonly comparison?: RecordTable;
  /** Validator summary tables by `<node>.summary`, for runs without a comparison. */
  readonly validatorSummaries: ReadonlyMap<string, RecordTable>;
  readonly emptyProductDates: ReadonlyMap<string, readonly string[]>;
  /** Warnings the report itself found (stations without a chart, layers left out of the viewer…). */
  readonly reportWarnings: readonly ReportWarning[];
}

/**
 * The top of the report: a red banner when products hold no valid value, what ran, the headline
 * metrics with the best method per metric, and every warning of the run.
 */
export function summaryHtml(s: SummaryInput): string {
  const m = s.manifest;
  const parts: string[] = [];
  const empty = s.products.filter((p) => (s.emptyProductDates.get(p.name)?.length ?? 0) === Math.max(1, p.series.dates.length));
  if (s.products.length && empty.length === s.products.length) {
    parts.push(`<div class="banner" role="alert" data-banner="all-nan"><b>No valid values.</b> Every product of this run is entirely nodata (${empty.map((p) => escapeHtml(p.name)).join(', ')}): the metrics and maps below describe nothing.</div>`);
  } else if (empty.length) {
    parts.push(`<div class="banner" role="alert" data-banner="empty-product"><b>Empty products:</b> ${empty.map((p) => escapeHtml(p.name)).join(', ')} ${empty.length > 1 ? 'are' : 'is'} entirely nodata.</div>`);
  }
  parts.push(`<p>${whatRan(m, s.products)}</p>`);
  const headline = s.comparison ? bestPerMetric(s.comparison) : validatorHeadline(s.validatorSummaries);
  if (headline) parts.push(headline);
  const warnings: ReportWarning[] = [...manifestWarnings(m), ...s.reportWarnings];
  for (const [name, dates] of s.emptyProductDates) {
    if (!empty.some((p) => p.name === name)) warnings.push({ code: 'report.empty-dates', message: `${name}: no valid pixel on ${dates.length} date(s): ${dates.slice(0, 6).join(', ')}${dates.length > 6 ? ', …' : ''}` });
  }
  const list = warnings.map((w) => `<li><code>${escapeHtml(w.code)}</code>${w.node ? ` (node <code>${escapeHtml(w.node)}</code>)` : ''}: ${escapeHtml(w.message)}</li>`);
  const notes = m.notes.map((n) => `<li>${escapeHtml(n)}</li>`);
  parts.push(
    list.length || notes.length
      ? `<div class="warnings" data-warnings="${list.length}"><b>${list.length} warning${list.length === 1 ? '' : 's'}</b>${list.length ? `<ul>${list.join('')}</ul>` : ''}${notes.length ? `<p>Notes:</p><ul>${notes.join('')}</ul>` : ''}</div>`
      : `<p class="note" data-warnings="0">No warnings.</p>`,
  );
  return `<div class="summary">${parts.join('\n')}</div>`;
}

function whatRan(m: RunManifest, products: readonly Product[]): string {
  const plugins = new Map<string, number>();
  for (const n of m.nodes) for (const p of n.plugin ? [n.plugin] : Object.values(n.alternatives ?? n.parts ?? {}).map((u) => u.plugin)) plugins.set(p, (plugins.get(p) ?? 0) + 1);
  const dates = products.flatMap((p) => p.series.dates).sort();
  const productList = products
    .map((p) => {
      const g = p.series.grid;
      return `<code>${escapeHtml(p.name)}</code> (${g.width}×${g.height} px of ${formatNumber(Math.abs(g.transform[1]))} ${/4326|GEOGCS|GEOGCRS/.test(g.crs) ? '°' : 'm'}, ${p.series.dates.length || 'static'}${p.series.dates.length ? ' dates' : ''})`;
    })
    .join(', ');
  return `Pipeline <code>${escapeHtml(m.pipeline.id)}</code> ran ${m.nodes.length} nodes (${[...plugins].map(([p, n]) => `${escapeHtml(p)}${n > 1 ? ` ×${n}` : ''}`).join(', ')}) in ${(m.durationMs / 1000).toFixed(1)} s with seed ${m.seed}${dates.length ? `, over ${dates[0]} – ${dates[dates.length - 1]}` : ''}. Products: ${productList || 'none'}.`;
}

/** For each metric with a known direction: the best method (per partition/season/region where the table has one). */
function bestPerMetric(t: RecordTable): string {
  const groupCols = t.columns.filter((c) => ['partition', 'season', 'region', 'split'].includes(c));
  const metrics = t.columns.filter((c) => metricDirection(c) !== undefined && c !== 'meanRank');
  const groups = new Map<string, typeof t.rows>();
  for (const r of t.rows) {
    const g = groupCols.map((c) => String(r[c] ?? '')).join(' / ');
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const rows: Record<string, string | number | null>[] = [];
  for (const [g, list] of groups) {
    for (const c of metrics) {
      const values = list.map((r) => (typeof r[c] === 'number' ? (r[c] as number) : Number.NaN));
      const ranks = rankValues(values, metricDirection(c)!);
      const best = ranks.findIndex((rk) => rk === Math.min(...ranks.filter(Number.isFinite)));
      rows.push({ ...(groupCols.length ? { group: g } : {}), metric: c, best: best >= 0 ? String(list[best].method) : 'none (no value)', value: best >= 0 ? values[best] : null, better: { higher: 'higher', lower: 'lower', abs: 'closer to 0' }[metricDirection(c)!] });
    }
  }
  const columns = [...(groupCols.length ? ['group'] : []), 'metric', 'best', 'value', 'better'];
  const isHeadline = (r: Record<string, unknown>): boolean => HEADLINE.includes(String(r.metric).slice(String(r.metric).lastIndexOf('.') + 1));
  const overall = t.rows.filter((r) => r.rank === 1).map((r) => `${escapeHtml(String(r.method))}${groupCols.length ? ` (${escapeHtml(groupCols.map((c) => String(r[c])).join(' / '))})` : ''}`);
  return `<p><b>Best overall</b> (mean rank over all ranked metrics): ${overall.join(', ') || 'none'}. See the <a href="#comparison">intercomparison</a>.</p>
${tableHtml({ kind: 'records', columns, rows: rows.filter(isHeadline), notes: metricNotesFor(rows.filter(isHeadline).map((r) => String(r.metric))) }, { caption: 'Headline metrics: the best method for each', open: true })}
<details><summary>Best method for every ranked metric (${rows.length})</summary>${tableHtml({ kind: 'records', columns, rows, notes: metricNotesFor(rows.map((r) => String(r.metric))) }, { caption: 'Best method per metric', maxRows: 500, open: true })}</details>`;
}

/** Without a comparison: each validator's headline metrics (raster `scope=all` row, in-situ medians). */
function validatorHeadline(summaries: ReadonlyMap<string, RecordTable>): string | undefined {
  const rows: Record<string, string | number | null>[] = [];
  for (const [key, t] of summaries) {
    const node = key.slice(0, key.indexOf('.'));
    if (t.columns.includes('metric') && t.columns.includes('median')) {
      for (const r of t.rows) if (HEADLINE.includes(String(r.metric))) rows.push({ validator: node, metric: String(r.metric), value: typeof r.median === 'number' ? r.median : null, over: 'median over stations' });
      continue;
    }
    const all = t.rows.find((r) => r.scope === 'all') ?? (t.rows.length === 1 ? t.rows[0] : undefined);
    if (all) for (const c of HEADLINE) if (t.columns.includes(c)) rows.push({ validator: node, metric: c, value: typeof all[c] === 'number' ? (all[c] as number) : null, over: 'all pairs' });
  }
  return rows.length ? tableHtml({ kind: 'records', columns: ['validator', 'metric', 'value', 'over'], rows, notes: metricNotesFor(rows.map((r) => String(r.metric))) }, { caption: 'Headline metrics', open: true }) : undefined;
}
