import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resampleToGrid } from '../grid-ops/resample.js';
import { sameGrid, type Grid } from '../model/grid.js';
import type { AssetInfo, Scene } from '../model/scene.js';
import type { Series } from '../model/series.js';
import type { Stations } from '../model/stations.js';
import type { RecordTable } from '../model/table.js';
import type { RunManifest } from '../pipeline/manifest.js';
import { recordsToCsv } from '../pipeline/outputs.js';
import type { Artifact } from '../plugin/artifact.js';
import type { Logger } from '../services/logger.js';
import { silentProgress, type ProgressReporter } from '../services/progress.js';
import { barsSpec, renderVegaLite, scatterSpec, taylorSpec, timeSeriesSpec, type BarValue, type ScatterPoint, type TaylorPoint, type TimePoint } from './charts.js';
import { colourise, cssGradient, displayRange, DIVERGING, VIRIDIS, type ColourMap } from './colour-map.js';
import { comparisonTable, type ComparisonSource } from './comparison.js';
import { escapeHtml, formatNumber, REPORT_CSS, tableHtml } from './html.js';
import { encodePng, pngDataUri } from './png.js';
import { sampleStations } from './station-samples.js';

/** What the report is made from: the run's manifest, outputs, node tables and scenes. */
export interface RunReportInput {
  /** Folder the run writes into (`report.html` and `comparison.csv|json` go here). */
  readonly dir: string;
  readonly manifest: RunManifest;
  /** The pipeline's outputs by name. */
  readonly artifacts: ReadonlyMap<string, Artifact>;
  /** Node report tables by `<node>.<table>` (written under `tables/`). */
  readonly tables?: ReadonlyMap<string, RecordTable>;
  /** Scenes read by the run: inputs, truth and stations for maps and station plots. */
  readonly scenes?: readonly Scene[];
  readonly logger?: Logger;
  readonly progress?: ProgressReporter;
}

/** A product map candidate: a series output (alternatives expanded as `<name>-<alternative>`). */
interface Product {
  readonly name: string;
  readonly series: Series;
}

const MAX_MAPS = 24;
const MAX_PRODUCTS_AT_STATIONS = 8;
const MAX_TAYLOR_DATES = 30;

/**
 * Write `<dir>/report.html`: a self-contained page (no network, no server) with maps of inputs and
 * products (colour bars, units), difference maps against the truth or the coarse input, station scatter
 * plots and time series, the metric tables, the intercomparison table with ranks and a Taylor diagram,
 * variable-importance bars and the run manifest. When the run compared methods, also writes
 * `comparison.csv` and `comparison.json`. Returns the files written, relative to `dir`.
 *
 * @example
 * ```ts
 * // runPipeline writes it unless `report: false`; written again here from the run's result:
 * const { outDir, manifest, artifacts } = await runPipeline('pipelines/baseline.json', { out: 'out/report', params: { demo: smallDemo }, report: false, logger: createMemoryLogger() });
 * const files = await writeRunReport({ dir: outDir, manifest, artifacts });
 * assert.ok(files.includes('report.html'));
 * ```
 */
export async function writeRunReport(input: RunReportInput): Promise<string[]> {
  const task = (input.progress ?? silentProgress).start('report', 6);
  const files: string[] = [];
  const sections: { id: string; title: string; html: string }[] = [];
  const products = collectProducts(input.artifacts);
  const scene = input.scenes?.find((s) => s.assets().length > 0);
  const stations = scene ? await scene.stations().catch(() => undefined) : undefined;
  // A section that fails (an unreadable scene file, an odd product) leaves a note, not a missing report.
  const guard = async (what: string, build: () => Promise<string | undefined>): Promise<string | undefined> => {
    try {
      return await build();
    } catch (e) {
      input.logger?.warn(`report: ${what} left out: ${(e as Error).message}`);
      return `<p class="note">${escapeHtml(what)} left out: ${escapeHtml((e as Error).message)}</p>`;
    }
  };

  // Intercomparison.
  const comparison = comparisonTable(comparisonSources(input));
  if (comparison) {
    const csv = recordsToCsv(comparison);
    await writeFile(join(input.dir, 'comparison.csv'), csv);
    await writeFile(join(input.dir, 'comparison.json'), JSON.stringify({ columns: comparison.columns, rows: comparison.rows, notes: comparison.notes }, finite, 2) + '\n');
    files.push('comparison.csv', 'comparison.json');
  }
  const taylor = await guard('Taylor diagram', () => taylorSection(products, scene, stations, input.logger));
  if (comparison || taylor) {
    sections.push({
      id: 'comparison',
      title: 'Intercomparison',
      html: (comparison ? tableHtml(comparison, { caption: 'All metrics, one row per method, with ranks', file: 'comparison.csv', maxRows: 200, highlight: 'rank' }) : '') + (taylor ?? ''),
    });
  }
  task.tick(1, 'comparison');

  const maps = await guard('maps', () => mapsSection(products, scene, sceneInputKeys(input.manifest)));
  if (maps) sections.push({ id: 'maps', title: 'Maps', html: maps });
  task.tick(1, 'maps');

  const atStations = stations ? await guard('station plots', () => stationsSection(products, stations)) : undefined;
  if (atStations) sections.push({ id: 'stations', title: 'At the stations', html: atStations });
  task.tick(1, 'stations');

  const importance = await guard('importance bars', () => importanceSection(input));
  if (importance) sections.push({ id: 'importance', title: 'Variable importance', html: importance });
  task.tick(1, 'importance');

  sections.push({ id: 'tables', title: 'Metric tables', html: tablesSection(input) });
  sections.push({ id: 'manifest', title: 'Run manifest', html: manifestSection(input.manifest) });
  task.tick(1, 'tables');

  await writeFile(join(input.dir, 'report.html'), page(input.manifest, sections));
  files.unshift('report.html');
  task.done();
  return files;
}

function finite(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

function collectProducts(artifacts: ReadonlyMap<string, Artifact>): Product[] {
  const out: Product[] = [];
  for (const [name, a] of artifacts) {
    if (a.kind === 'series') out.push({ name, series: a });
    else if (a.kind === 'alternatives') for (const [alt, v] of a.items) if (v.kind === 'series') out.push({ name: `${name}-${alt}`, series: v });
  }
  return out;
}

function isSm(s: Series): boolean {
  return /^sm(_|$)/.test(s.variable) || s.unit === 'm3/m3' || s.unit === 'm³/m³';
}

function findTruth(scene: Scene | undefined, grid: Grid): AssetInfo | undefined {
  return scene?.assets().find((a) => /truth/.test(a.variable) && sameGrid(a.grid, grid));
}

function findCoarse(scene: Scene | undefined): AssetInfo | undefined {
  const sm = scene?.assets().filter((a) => a.variable === 'sm' && a.dates.length > 0) ?? [];
  return sm.find((a) => a.resolution === 'coarse') ?? sm.sort((a, b) => Math.abs(b.grid.transform[1]) - Math.abs(a.grid.transform[1]))[0];
}

/** The date shown on the maps: the one most temporal products have, nearest the middle of the period. */
function mapDate(products: readonly Product[]): string | undefined {
  const count = new Map<string, number>();
  for (const p of products) for (const d of p.series.dates) count.set(d, (count.get(d) ?? 0) + 1);
  const dates = [...count.keys()].sort();
  if (!dates.length) return undefined;
  const best = Math.max(...count.values());
  const mid = dates[Math.floor(dates.length / 2)];
  return dates.filter((d) => count.get(d) === best).sort((a, b) => Math.abs(Date.parse(a) - Date.parse(mid)) - Math.abs(Date.parse(b) - Date.parse(mid)) || (a < b ? -1 : 1))[0];
}

/** The index of `date` in a series, else of its nearest date; 0 for a static layer. */
function dateIndexNear(s: Series, date: string | undefined): number {
  if (s.dates.length === 0 || date === undefined) return 0;
  const t = Date.parse(date);
  let best = 0;
  s.dates.forEach((d, i) => {
    if (Math.abs(Date.parse(d) - t) < Math.abs(Date.parse(s.dates[best]) - t)) best = i;
  });
  return best;
}

interface MapItem {
  readonly title: string;
  readonly values: Float32Array;
  readonly grid: Grid;
  readonly date?: string;
  readonly unit?: string;
  readonly group: string;
}

function mapFigure(m: MapItem, range: [number, number], cmap: ColourMap): string {
  const { width, height } = m.grid;
  const step = Math.max(1, Math.ceil(Math.max(width, height) / 480));
  const scale = Math.max(1, Math.floor(240 / Math.max(width / step, height / step)));
  const img = colourise(m.values, width, height, range[0], range[1], cmap, { step, scale: Math.min(scale, 8) });
  const uri = pngDataUri(encodePng(img.width, img.height, img.rgba));
  const unit = m.unit ? ` ${escapeHtml(m.unit)}` : '';
  return `<figure class="map" data-map="${escapeHtml(m.title)}"><img alt="${escapeHtml(m.title)}" src="${uri}"><figcaption><b>${escapeHtml(m.title)}</b>${m.date ? ` — ${m.date}` : ''}<br><span class="note">${width}×${height} px, ${formatNumber(Math.abs(m.grid.transform[1]))} m pixels</span>
<div class="colourbar"><span>${formatNumber(range[0])}</span><span class="ramp" style="background:${cssGradient(cmap)}"></span><span>${formatNumber(range[1])}${unit}</span></div></figcaption></figure>`;
}

/**
 * Asset keys the pipeline reads from its source nodes (`{"$node": <source>, "output": <key or $param>}`),
 * in document order: the inputs worth a map.
 */
export function sceneInputKeys(m: RunManifest): string[] {
  const sources = new Set(m.nodes.filter((n) => n.plugin?.startsWith('source:')).map((n) => n.id));
  const keys: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (typeof v !== 'object' || v === null) return;
    const o = v as Record<string, unknown>;
    if (typeof o.$node === 'string' && sources.has(o.$node)) {
      const out = o.output;
      const key = typeof out === 'string' ? out : typeof out === 'object' && out !== null && typeof (out as { $param?: unknown }).$param === 'string' ? m.params[(out as { $param: string }).$param] : undefined;
      if (typeof key === 'string' && key !== 'stations' && key !== 'scene' && !keys.includes(key)) keys.push(key);
      return;
    }
    Object.values(o).forEach(visit);
  };
  visit((m.pipeline.document as { nodes?: unknown } | undefined)?.nodes);
  return keys;
}

const MAX_INPUT_MAPS = 10;

async function mapsSection(products: readonly Product[], scene: Scene | undefined, inputKeys: readonly string[] = []): Promise<string | undefined> {
  const date = mapDate(products);
  const shown = products.slice(0, MAX_MAPS);
  const inputs: MapItem[] = [];
  if (scene) {
    for (const key of inputKeys) {
      if (inputs.length >= MAX_INPUT_MAPS) break;
      if (!scene.has(key)) continue;
      const info = scene.info(key);
      if (/truth/.test(info.variable) || info.key === findCoarse(scene)?.key) continue;
      const d = info.dates.length ? info.dates[dateIndexNear({ dates: info.dates } as Series, date)] : undefined;
      const s = await scene.load(key, d ? { dates: [d] } : undefined);
      inputs.push({ title: `input: ${key}`, values: s.values[0], grid: s.grid, date: d, unit: s.unit, group: key });
    }
  }
  const items: MapItem[] = [];
  const diffs: MapItem[] = [];
  const coarseInfo = findCoarse(scene);
  let coarse: Series | undefined;
  if (coarseInfo && date) {
    const d = coarseInfo.dates[dateIndexNear({ dates: coarseInfo.dates } as Series, date)];
    coarse = await scene!.load(coarseInfo.key, { dates: [d] });
    items.push({ title: `input: ${coarseInfo.key}`, values: coarse.values[0], grid: coarse.grid, date: d, unit: coarse.unit, group: 'sm' });
  }
  const truthShown = new Set<string>();
  for (const p of shown) {
    const s = p.series;
    const i = dateIndexNear(s, date);
    const d = s.dates[i];
    const group = isSm(s) ? 'sm' : `${p.name}`;
    items.push({ title: p.name, values: s.values[i], grid: s.grid, date: d, unit: s.unit, group });
    if (!isSm(s) || d === undefined) continue;
    const truth = findTruth(scene, s.grid);
    if (truth && truth.dates.includes(d)) {
      const t = await scene!.load(truth.key, { dates: [d] });
      if (!truthShown.has(`${truth.key}/${d}`)) {
        truthShown.add(`${truth.key}/${d}`);
        items.push({ title: `truth: ${truth.key}`, values: t.values[0], grid: t.grid, date: d, unit: t.unit, group: 'sm' });
      }
      diffs.push({ title: `${p.name} − ${truth.key}`, values: subtract(s.values[i], t.values[0]), grid: s.grid, date: d, unit: s.unit, group: 'diff-truth' });
    } else if (coarse && coarse.dates[0] === d) {
      const c = resampleToGrid(coarse.values[0], coarse.grid, s.grid, 'nearest');
      diffs.push({ title: `${p.name} − ${coarseInfo!.key}`, values: subtract(s.values[i], c), grid: s.grid, date: d, unit: s.unit, group: 'diff-coarse' });
    }
  }
  if (!items.length && !inputs.length) return undefined;
  const render = (list: MapItem[], cmap: ColourMap, symmetric: boolean): string => {
    const ranges = new Map<string, [number, number]>();
    for (const g of new Set(list.map((m) => m.group))) ranges.set(g, displayRange(list.filter((m) => m.group === g).map((m) => m.values), symmetric));
    return `<div class="maps">${list.map((m) => mapFigure(m, ranges.get(m.group)!, cmap)).join('\n')}</div>`;
  };
  let html = `<p class="note">Soil-moisture maps share one colour range (2nd–98th percentile); transparent = nodata.${products.length > MAX_MAPS ? ` First ${MAX_MAPS} of ${products.length} products shown.` : ''}</p>`;
  html += `<h3>Soil moisture: coarse input, products and truth</h3>${render(items, VIRIDIS, false)}`;
  if (inputs.length) html += `<h3>Other inputs (own colour ranges)</h3>${render(inputs, VIRIDIS, false)}`;
  if (diffs.length) html += `<h3>Differences (product − truth, or product − coarse input where no truth)</h3>${render(diffs, DIVERGING, true)}`;
  return html;
}

function subtract(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

/** Evenly spaced subset of at most `max` items. */
function thin<T>(list: readonly T[], max: number): T[] {
  if (list.length <= max) return [...list];
  return Array.from({ length: max }, (_, k) => list[Math.floor((k * list.length) / max)]);
}

async function stationsSection(products: readonly Product[], stations: Stations): Promise<string | undefined> {
  const temporal = products.filter((p) => p.series.dates.length > 0 && isSm(p.series)).slice(0, MAX_PRODUCTS_AT_STATIONS);
  if (!temporal.length) return undefined;
  const samples = temporal.map((p) => ({ product: p, samples: sampleStations(p.series, stations) }));
  const scatter: ScatterPoint[] = [];
  for (const { product, samples: ss } of samples) {
    const all = ss.flatMap((s) => s.pairs);
    for (const q of thin(all, 2500)) scatter.push({ x: q.insitu, y: q.product, series: product.name });
  }
  if (!scatter.length) return undefined;
  const charts: string[] = [await renderVegaLite(scatterSpec(scatter, { title: 'Product vs in situ (all stations, same dates)', xTitle: 'in situ SM (m³/m³)', yTitle: 'product SM (m³/m³)' }))];
  // Stations seen by the most products (e.g. those inside a 30 m sub-area), then by the most pairs.
  const score = new Map<string, [number, number]>();
  for (const { samples: ss } of samples) for (const s of ss) if (s.pairs.length) score.set(s.station, [(score.get(s.station)?.[0] ?? 0) + 1, (score.get(s.station)?.[1] ?? 0) + s.pairs.length]);
  const chosen = [...score].sort((a, b) => b[1][0] - a[1][0] || b[1][1] - a[1][1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3).map(([id]) => id);
  for (const id of chosen) {
    const points: TimePoint[] = [];
    const obs = stations.observations.get(id);
    const first = temporal.reduce((d, p) => (p.series.dates[0] < d ? p.series.dates[0] : d), '9999');
    const last = temporal.reduce((d, p) => (p.series.dates[p.series.dates.length - 1] > d ? p.series.dates[p.series.dates.length - 1] : d), '');
    obs?.dates.forEach((d, i) => {
      if (d >= first && d <= last && Number.isFinite(obs.values[i])) points.push({ date: d, value: obs.values[i], series: 'in situ' });
    });
    for (const { product, samples: ss } of samples) {
      const s = ss.find((x) => x.station === id);
      if (!s) continue;
      product.series.dates.forEach((d, k) => {
        const v = product.series.values[k][s.pixel];
        if (Number.isFinite(v)) points.push({ date: d, value: v, series: product.name });
      });
    }
    charts.push(await renderVegaLite(timeSeriesSpec(points, { title: `Station ${id}`, yTitle: 'SM (m³/m³)' })));
  }
  return `<div class="charts">${charts.map((c) => `<div class="chart" data-chart="stations">${c}</div>`).join('\n')}</div>`;
}

/** Taylor statistics of products against the truth on their grid (sampled dates), else against the stations. */
async function taylorSection(products: readonly Product[], scene: Scene | undefined, stations: Stations | undefined, logger?: Logger): Promise<string | undefined> {
  const temporal = products.filter((p) => p.series.dates.length > 0 && isSm(p.series));
  if (temporal.length < 2) return undefined;
  const charts: string[] = [];
  const byGrid = new Map<string, Product[]>();
  for (const p of temporal) {
    const key = [...byGrid.keys()].find((k) => sameGrid(byGrid.get(k)![0].series.grid, p.series.grid)) ?? p.name;
    byGrid.set(key, [...(byGrid.get(key) ?? []), p]);
  }
  const points: TaylorPoint[] = [];
  let againstTruth = 0;
  for (const group of byGrid.values()) {
    const truth = findTruth(scene, group[0].series.grid);
    for (const p of group) {
      try {
        if (truth) {
          const dates = thin(p.series.dates.filter((d) => truth.dates.includes(d)), MAX_TAYLOR_DATES);
          if (!dates.length) continue;
          const t = await scene!.load(truth.key, { dates });
          const x: number[] = [];
          const y: number[] = [];
          dates.forEach((d, k) => {
            const pv = p.series.values[p.series.dates.indexOf(d)];
            const tv = t.values[k];
            for (let i = 0; i < pv.length; i++) if (Number.isFinite(pv[i]) && Number.isFinite(tv[i])) (x.push(tv[i]), y.push(pv[i]));
          });
          const st = taylorStats(x, y);
          if (st) (points.push({ name: `${p.name} (vs ${truth.key})`, ...st }), againstTruth++);
        } else if (stations) {
          const pairs = sampleStations(p.series, stations).flatMap((s) => s.pairs);
          const st = taylorStats(pairs.map((q) => q.insitu), pairs.map((q) => q.product));
          if (st) points.push({ name: `${p.name} (vs in situ)`, ...st });
        }
      } catch (e) {
        logger?.warn(`report: no Taylor statistics for '${p.name}': ${(e as Error).message}`);
      }
    }
  }
  if (points.length < 2) return undefined;
  charts.push(await renderVegaLite(taylorSpec(points, { title: againstTruth ? 'Taylor diagram against the truth' : 'Taylor diagram against the stations' })));
  const rows = points.map((p) => ({ product: p.name, r: p.r, normalisedStd: p.std, centredRmsd: Math.sqrt(Math.max(0, 1 + p.std * p.std - 2 * p.std * p.r)) }));
  return `<h3>Taylor diagram</h3><div class="charts"><div class="chart" data-chart="taylor">${charts.join('')}</div>${tableHtml({ kind: 'records', columns: ['product', 'r', 'normalisedStd', 'centredRmsd'], rows }, { caption: 'Taylor statistics (std and centred RMSD normalised by the reference std)' })}</div>`;
}

/** Pearson R and std(product)/std(reference) of paired values; undefined with fewer than 3 pairs. */
export function taylorStats(reference: readonly number[], product: readonly number[]): { r: number; std: number } | undefined {
  const n = reference.length;
  if (n < 3) return undefined;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) (mx += reference[i], my += product[i]);
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const a = reference[i] - mx;
    const b = product[i] - my;
    sxx += a * a;
    syy += b * b;
    sxy += a * b;
  }
  if (!(sxx > 0)) return undefined;
  return { r: syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0, std: Math.sqrt(syy / sxx) };
}

function comparisonSources(input: RunReportInput): ComparisonSource[] {
  const pluginOf = new Map<string, string>();
  for (const n of input.manifest.nodes) if (n.plugin) pluginOf.set(n.id, n.plugin);
  for (const n of input.manifest.nodes) if (n.alternatives || n.parts) pluginOf.set(n.id, Object.values(n.alternatives ?? n.parts ?? {})[0]?.plugin ?? 'compare');
  const out: ComparisonSource[] = [];
  for (const [key, records] of input.tables ?? []) {
    const dot = key.indexOf('.');
    const node = key.slice(0, dot);
    const plugin = pluginOf.get(node) ?? '';
    if (!plugin.startsWith('validator:')) continue;
    out.push({ node, plugin, table: key.slice(dot + 1), records });
  }
  return out;
}

async function importanceSection(input: RunReportInput): Promise<string | undefined> {
  const charts: string[] = [];
  for (const [key, t] of input.tables ?? []) {
    if (!t.columns.includes('feature') || !(t.columns.includes('value') || t.columns.includes('importance'))) continue;
    const valueCol = t.columns.includes('importance') ? 'importance' : 'value';
    // One chart per importance kind or per compared method (their scales differ); bars grouped by part.
    // `alternative` is the compared method when the table's own `method` is the importance kind (see concatTables).
    const splitCols = ['alternative', 'method'].filter((c) => t.columns.includes(c));
    const splitOf = (r: Record<string, unknown>): string => splitCols.map((c) => String(r[c])).join(' — ');
    const groupCols = ['partition', 'part', 'season', 'region'].filter((c) => t.columns.includes(c));
    const rows = t.rows.filter((r) => typeof r[valueCol] === 'number' && Number.isFinite(r[valueCol] as number));
    const splits = splitCols.length ? [...new Set(rows.map(splitOf))].slice(0, 8) : [''];
    const note = (t.notes ?? [])[0]?.replace(/^[^:]*: (?=permutation)/, '') ?? '';
    for (const split of splits) {
      const values: BarValue[] = rows
        .filter((r) => !splitCols.length || splitOf(r) === split)
        .map((r) => ({ label: String(r.feature), value: r[valueCol] as number, group: groupCols.map((c) => String(r[c])).join(' / ') || key }));
      if (!values.length || values.every((v) => v.value === 0)) continue;
      const permutation = /permutation/.test(split) || (!/impurity|gain|split/.test(split) && /IncMSE|permutation/i.test(note));
      const title = split ? `${key} — ${split}` : key;
      charts.push(`<div class="chart" data-chart="importance">${await renderVegaLite(barsSpec(values, { title, xTitle: permutation ? '%IncMSE' : 'importance' }))}</div>`);
    }
  }
  return charts.length ? `<div class="charts">${charts.join('\n')}</div>` : undefined;
}

function tablesSection(input: RunReportInput): string {
  const seen = new Set<RecordTable>();
  const parts: string[] = [];
  for (const [name, a] of input.artifacts) {
    if (a.kind !== 'records') continue;
    seen.add(a);
    parts.push(tableHtml(a, { caption: name, file: `${name}.csv` }));
  }
  for (const [key, t] of input.tables ?? []) {
    if (seen.has(t)) continue;
    parts.push(tableHtml(t, { caption: key, file: `tables/${key}.csv` }));
  }
  return parts.length ? parts.join('\n') : '<p class="note">This run produced no tables.</p>';
}

function manifestSection(m: RunManifest): string {
  const nodes = {
    kind: 'records' as const,
    columns: ['node', 'type', 'plugin', 'version', 'seed', 'seconds', 'skipped', 'notes'],
    rows: m.nodes.map((n) => ({
      node: n.id,
      type: n.type,
      plugin: n.plugin ?? Object.entries(n.alternatives ?? n.parts ?? {}).map(([k, u]) => `${k}: ${u.plugin}`).join(', '),
      version: n.version ?? '',
      seed: n.seed,
      seconds: n.durationMs / 1000,
      skipped: n.skipped,
      notes: n.notes.join(' | '),
    })),
  };
  const params = { kind: 'records' as const, columns: ['param', 'value'], rows: Object.entries(m.params).map(([k, v]) => ({ param: k, value: typeof v === 'string' ? v : JSON.stringify(v) })) };
  return `${tableHtml(params, { caption: 'Params' })}${tableHtml(nodes, { caption: 'Nodes', maxRows: 500 })}<details><summary>manifest.json</summary><pre>${escapeHtml(JSON.stringify(m, finite, 2))}</pre></details>`;
}

function page(m: RunManifest, sections: readonly { id: string; title: string; html: string }[]): string {
  const title = (m.pipeline.document as { title?: string } | undefined)?.title ?? m.pipeline.id;
  const notes = m.notes.length ? `<ul class="note">${m.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(`soilscale — ${m.pipeline.id}`)}</title><style>${REPORT_CSS}</style>
<script>window.addEventListener('error', function (e) { document.documentElement.dataset.error = String(e.message || e); });</script>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">pipeline <code>${escapeHtml(m.pipeline.id)}</code>${m.pipeline.path ? ` (<code>${escapeHtml(m.pipeline.path)}</code>)` : ''} · seed ${m.seed} · ${escapeHtml(m.startedAt)} · ${(m.durationMs / 1000).toFixed(1)} s · soilscale ${escapeHtml(m.soilscaleVersion)} · node ${escapeHtml(m.nodeVersion)}</p>
${notes}
<nav>${sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join('')}</nav>
${sections.map((s) => `<section id="${s.id}"><h2>${escapeHtml(s.title)}</h2>\n${s.html}\n</section>`).join('\n')}
<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.querySelectorAll('figure.map img'));
  var broken = imgs.filter(function (i) { return !(i.naturalWidth > 0); }).length;
  var b = document.body.dataset;
  b.maps = String(imgs.length);
  b.charts = String(document.querySelectorAll('.chart svg').length);
  b.tables = String(document.querySelectorAll('table').length);
  b.broken = String(broken);
  b.ok = broken === 0 && !document.documentElement.dataset.error ? 'true' : 'false';
});
</script>
</body></html>
`;
}
