import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resampleToGrid } from '../grid-ops/resample.js';
import { pairedMetrics } from '../metrics/paired-metrics.js';
import { median } from '../metrics/summary-stats.js';
import type { Scene } from '../model/scene.js';
import type { Stations } from '../model/stations.js';
import type { RecordTable } from '../model/table.js';
import { recordsToCsv } from '../pipeline/outputs.js';
import type { Logger } from '../services/logger.js';
import { hexbinSpec, metricByDateSpec, renderVegaLite, taylorSpec, type TaylorPoint, type TimePoint } from './charts.js';
import { comparisonTable, methodLabeller, type ComparisonSource } from './comparison.js';
import { escapeHtml, tableHtml } from './html.js';
import { findCoarse, findTruth, temporalSm, thin, type Product } from './products.js';
import { sampleStations } from './station-samples.js';

export interface ComparisonSection {
  readonly html: string | undefined;
  /** The intercomparison table (also written as comparison.csv/json), for the summary. */
  readonly table: RecordTable | undefined;
  readonly files: string[];
}

const PER_DATE_METRICS = ['r', 'ubrmse', 'bias'];
const MAX_HEXBIN_PRODUCTS = 6;
const MAX_BASELINE_DATES = 20;

/**
 * The intercomparison section: the table (written as comparison.csv and .json), the Taylor diagram from
 * the validators' own statistics (so its labels and numbers match the table) with the coarse input as a
 * baseline point, one metric-by-date chart per metric, and product-vs-truth pixel density (hexbins).
 */
export async function comparisonSection(dir: string, sources: readonly ComparisonSource[], products: readonly Product[], scene: Scene | undefined, stations: Stations | undefined, referenceKey: string | undefined, logger?: Logger): Promise<ComparisonSection> {
  const files: string[] = [];
  const table = comparisonTable(sources);
  let html = '';
  if (table) {
    await writeFile(join(dir, 'comparison.csv'), recordsToCsv(table));
    await writeFile(join(dir, 'comparison.json'), JSON.stringify({ columns: table.columns, rows: table.rows, notes: table.notes }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
    files.push('comparison.csv', 'comparison.json');
    html += tableHtml(table, { caption: 'All metrics, one row per method, with ranks', file: 'comparison.csv', maxRows: 200, highlight: 'rank', open: true, metricNotes: true });
  }
  const taylor = taylorPoints(sources);
  if (taylor.points.length) {
    const baseline = await baselinePoint(taylor.against, referenceKey, products, scene, stations).catch((e: Error) => (logger?.warn(`report: no coarse-input point on the Taylor diagram: ${e.message}`), undefined));
    const points = baseline ? [...taylor.points, baseline] : taylor.points;
    const reference = taylor.against === 'truth' ? 'truth (reference)' : 'in situ (reference)';
    const svg = await renderVegaLite(taylorSpec(points, { title: `Taylor diagram against the ${taylor.against === 'truth' ? 'truth' : 'stations (median over stations)'}`, reference }));
    const rows = points.map((p) => ({ method: p.name, r: p.r, normalisedStd: p.std, centredRmsd: Math.sqrt(Math.max(0, 1 + p.std * p.std - 2 * p.std * p.r)) }));
    html += `<h3>Taylor diagram</h3><div class="charts"><div class="chart" data-chart="taylor">${svg}</div>${tableHtml({ kind: 'records', columns: ['method', 'r', 'normalisedStd', 'centredRmsd'], rows }, { caption: 'Taylor statistics (std and centred RMSD normalised by the reference std)' })}</div>`;
  }
  const byDate = await metricByDateCharts(sources);
  if (byDate) html += `<h3>Metrics by date</h3><div class="charts">${byDate}</div>`;
  const density = await densityCharts(products, scene);
  if (density) html += `<h3>Product vs truth, every pixel (density)</h3><div class="charts">${density}</div>`;
  return { html: html || undefined, table, files };
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number.NaN;
}

/** Groups of same-plugin, same-table validator tables, as the comparison groups them. */
function group(sources: readonly ComparisonSource[], plugin: string, table: string): ComparisonSource[] {
  return sources.filter((s) => s.plugin === plugin && s.table === table);
}

function labelled(g: readonly ComparisonSource[], gi: number, row: Readonly<Record<string, unknown>>): string {
  const label = methodLabeller(g)(gi, row) || g[gi].node;
  const part = ['partition', 'season', 'region'].map((c) => row[c]).find((v) => typeof v === 'string' && v !== 'all');
  return part ? `${label} (${part})` : label;
}

/** Taylor points from the raster validators' summaries (r, stdProduct/stdReference), else the in-situ per-station medians. */
export function taylorPoints(sources: readonly ComparisonSource[]): { points: TaylorPoint[]; against: 'truth' | 'stations' } {
  const raster = group(sources, 'validator:raster', 'summary');
  const points: TaylorPoint[] = [];
  raster.forEach((s, gi) => {
    for (const r of s.records.rows) {
      if (s.records.columns.includes('scope') && r.scope !== 'all') continue;
      const std = num(r.stdProduct) / num(r.stdReference);
      if (Number.isFinite(std) && Number.isFinite(num(r.r))) points.push({ name: labelled(raster, gi, r), r: num(r.r), std });
    }
  });
  if (points.length) return { points, against: 'truth' };
  const insitu = group(sources, 'validator:insitu', 'stations');
  insitu.forEach((s, gi) => {
    const byMethod = new Map<string, { r: number[]; std: number[] }>();
    for (const row of s.records.rows) {
      if (row.included === false) continue;
      const std = num(row.stdProduct) / num(row.stdReference);
      if (!Number.isFinite(std) || !Number.isFinite(num(row.r))) continue;
      const name = labelled(insitu, gi, row);
      const m = byMethod.get(name) ?? { r: [], std: [] };
      m.r.push(num(row.r));
      m.std.push(std);
      byMethod.set(name, m);
    }
    for (const [name, m] of byMethod) points.push({ name, r: median(m.r), std: median(m.std) });
  });
  return { points, against: 'stations' };
}

/** The coarse input itself (nearest-neighbour on the reference's pixels, or at the stations' pixels) as a Taylor point. */
async function baselinePoint(against: 'truth' | 'stations', referenceKey: string | undefined, products: readonly Product[], scene: Scene | undefined, stations: Stations | undefined): Promise<TaylorPoint | undefined> {
  const coarseInfo = findCoarse(scene);
  if (!scene || !coarseInfo) return undefined;
  const name = 'coarse input (nearest)';
  if (against === 'truth') {
    // The raster validators' own reference, else the truth on a product's grid.
    const truth = referenceKey && scene.has(referenceKey) ? scene.info(referenceKey) : temporalSm(products).map((p) => findTruth(scene, p.series.grid)).find((t) => t !== undefined);
    if (!truth) return undefined;
    const dates = thin(truth.dates.filter((d) => coarseInfo.dates.includes(d)), MAX_BASELINE_DATES);
    if (!dates.length) return undefined;
    const [t, c] = await Promise.all([scene.load(truth.key, { dates }), scene.load(coarseInfo.key, { dates })]);
    const x: number[] = [];
    const y: number[] = [];
    dates.forEach((_, k) => {
      const cv = resampleToGrid(c.values[k], c.grid, t.grid, 'nearest');
      for (let i = 0; i < cv.length; i++) if (Number.isFinite(cv[i]) && Number.isFinite(t.values[k][i])) (x.push(t.values[k][i]), y.push(cv[i]));
    });
    const st = taylorStats(x, y);
    return st && { name, ...st, kind: 'baseline' };
  }
  if (!stations) return undefined;
  const coarse = await scene.load(coarseInfo.key);
  const per = sampleStations(coarse, stations)
    .map((s) => taylorStats(s.pairs.map((p) => p.insitu), s.pairs.map((p) => p.product)))
    .filter((s): s is { r: number; std: number } => s !== undefined);
  return per.length ? { name, r: median(per.map((s) => s.r)), std: median(per.map((s) => s.std)), kind: 'baseline' } : undefined;
}

/**
 * Pearson R and std(product)/std(reference) of paired values, as the validators define them
 * (`pairedMetrics`: population std); undefined with fewer than 3 pairs or a constant reference.
 */
export function taylorStats(reference: readonly number[], product: readonly number[]): { r: number; std: number } | undefined {
  if (reference.length < 3) return undefined;
  const m = pairedMetrics(product, reference, { rankMetrics: false });
  if (!(m.stdReference > 0)) return undefined;
  return { r: m.stdProduct > 0 ? m.r : 0, std: m.stdProduct / m.stdReference };
}

/** One chart per metric (r, ubRMSE, bias) over dates, a line per method, from the raster validators' per-date tables. */
async function metricByDateCharts(sources: readonly ComparisonSource[]): Promise<string | undefined> {
  const perDate = group(sources, 'validator:raster', 'perDate');
  if (!perDate.length) return undefined;
  const charts: string[] = [];
  for (const metric of PER_DATE_METRICS) {
    const points: TimePoint[] = [];
    perDate.forEach((s, gi) => {
      if (!s.records.columns.includes(metric) || !s.records.columns.includes('date')) return;
      for (const r of s.records.rows) if (Number.isFinite(num(r[metric]))) points.push({ date: String(r.date), value: num(r[metric]), series: labelled(perDate, gi, r) });
    });
    if (points.length) charts.push(`<div class="chart" data-chart="metric-by-date">${await renderVegaLite(metricByDateSpec(points, { title: `${metric} by date (against the truth)`, yTitle: metric }))}</div>`);
  }
  return charts.length ? charts.join('\n') : undefined;
}

/** Hexbin density of product vs truth over every pixel of up to 8 dates, per soil-moisture product with a truth. */
async function densityCharts(products: readonly Product[], scene: Scene | undefined): Promise<string | undefined> {
  if (!scene) return undefined;
  const charts: string[] = [];
  for (const p of temporalSm(products)) {
    if (charts.length >= MAX_HEXBIN_PRODUCTS) break;
    const truth = findTruth(scene, p.series.grid);
    if (!truth) continue;
    const dates = thin(p.series.dates.filter((d) => truth.dates.includes(d)), 8);
    if (!dates.length) continue;
    const t = await scene.load(truth.key, { dates });
    const x: number[] = [];
    const y: number[] = [];
    dates.forEach((d, k) => {
      const pv = p.series.values[p.series.dates.indexOf(d)];
      for (let i = 0; i < pv.length; i++) if (Number.isFinite(pv[i]) && Number.isFinite(t.values[k][i])) (x.push(t.values[k][i]), y.push(pv[i]));
    });
    if (!x.length) continue;
    const svg = await renderVegaLite(hexbinSpec(x, y, { title: `${p.name} vs ${truth.key} (${x.length} pixels, ${dates.length} dates)`, xTitle: `${truth.key} (m³/m³)`, yTitle: `${p.name} (m³/m³)` }));
    charts.push(`<div class="chart" data-chart="hexbin" title="${escapeHtml(p.name)}">${svg}</div>`);
  }
  return charts.length ? charts.join('\n') : undefined;
}
