import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Scene } from '../model/scene.js';
import type { RecordTable } from '../model/table.js';
import type { RunManifest } from '../pipeline/manifest.js';
import type { Artifact } from '../plugin/artifact.js';
import type { Logger } from '../services/logger.js';
import { silentProgress, type ProgressReporter } from '../services/progress.js';
import { barsSpec, renderVegaLite, type BarValue } from './charts.js';
import { comparisonSection } from './comparison-section.js';
import type { ComparisonSource } from './comparison.js';
import { escapeHtml, REPORT_CSS, tableHtml } from './html.js';
import { mapsSection, rasterReferenceKey, sceneInputKeys } from './maps-section.js';
import { collectProducts, emptyProductDates } from './products.js';
import { runIndex, runIndexHtml } from './run-index.js';
import { stationsSection, stationVerdicts } from './stations-section.js';
import { summaryHtml, type ReportWarning } from './summary.js';
import { STATION_PICKER_SCRIPT } from './viewer-script.js';

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

/** report.html stays under this many bytes (docs/report.md): the map viewer's overviews are coarsened to fit. */
export const PAGE_BUDGET_BYTES = 15_000_000;
/** Room kept for the summary, which is written last. */
const SUMMARY_ALLOWANCE_BYTES = 64 * 1024;

interface Section {
  readonly id: string;
  readonly title: string;
  readonly html: string;
}

/**
 * Write `<dir>/report.html`: a self-contained page (no network, no server) that opens with a summary
 * (what ran, headline metrics and the best method per metric, the run's warnings, a banner when the
 * products hold no valid value), then the map viewer (docs/report.md), the intercomparison (table,
 * Taylor diagram, metrics by date, pixel density), the stations, variable importance, the metric tables
 * (long ones collapsed, each linked to its CSV), the index of the run folder and the manifest. When the
 * run compared methods, also writes `comparison.csv` and `comparison.json`. Returns the files written,
 * relative to `dir`.
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
  const task = (input.progress ?? silentProgress).start('report', 5);
  const sections: Section[] = [];
  const warnings: ReportWarning[] = [];
  const products = collectProducts(input.artifacts);
  const scene = input.scenes?.find((s) => s.assets().length > 0);
  const stations = scene ? await scene.stations().catch(() => undefined) : undefined;
  // A section that fails (an unreadable scene file, an odd product) leaves a note and a warning, not a missing report.
  const guard = async <T>(what: string, build: () => Promise<T>): Promise<T | string> => {
    try {
      return await build();
    } catch (e) {
      input.logger?.warn(`report: ${what} left out: ${(e as Error).message}`);
      warnings.push({ code: 'report.section-failed', message: `${what} left out: ${(e as Error).message}` });
      return `<p class="note">${escapeHtml(what)} left out: ${escapeHtml((e as Error).message)}</p>`;
    }
  };
  const html = (r: { html?: string } | string): string | undefined => (typeof r === 'string' ? r : r.html);

  const sources = comparisonSources(input);
  const comparison = await guard('intercomparison', () => comparisonSection(input.dir, sources, products, scene, stations, rasterReferenceKey(input.manifest), input.logger));
  if (html(comparison)) sections.push({ id: 'comparison', title: 'Intercomparison', html: html(comparison)! });
  task.tick(1, 'comparison');

  const insituNodes = new Set(input.manifest.nodes.filter((n) => n.plugin === 'validator:insitu').map((n) => n.id));
  const atStations = stations ? await guard('station plots', () => stationsSection(products, stations, stationVerdicts(input.tables ?? new Map(), insituNodes)).then((h) => ({ html: h }))) : undefined;
  if (atStations && html(atStations)) sections.push({ id: 'stations', title: 'At the stations', html: html(atStations)! });
  task.tick(1, 'stations');

  const importance = await guard('importance bars', () => importanceSection(input).then((h) => ({ html: h })));
  if (html(importance)) sections.push({ id: 'importance', title: 'Variable importance', html: html(importance)! });
  task.tick(1, 'importance');

  const files = ['report.html', ...(typeof comparison === 'string' ? [] : comparison.files)];
  sections.push({ id: 'tables', title: 'Metric tables', html: tablesSection(input) });
  sections.push({ id: 'files', title: 'Files in this run', html: runIndexHtml(runIndex(input.manifest, input.artifacts, files)) });
  sections.push({ id: 'manifest', title: 'Run manifest', html: manifestSection(input.manifest) });

  // The maps come first on the page but are built last: they get what the page budget leaves.
  const rest = sections.reduce((n, s) => n + Buffer.byteLength(s.html), SUMMARY_ALLOWANCE_BYTES + REPORT_CSS.length);
  const maps = await guard('maps', () => mapsSection(products, scene, stations, sceneInputKeys(input.manifest), PAGE_BUDGET_BYTES - rest));
  if (html(maps)) sections.unshift({ id: 'maps', title: 'Maps', html: html(maps)! });
  const estimate = rest + Buffer.byteLength(html(maps) ?? '');
  if (estimate > PAGE_BUDGET_BYTES) warnings.push({ code: 'report.over-budget', message: `report.html is about ${(estimate / 1e6).toFixed(1)} MB, over its ${PAGE_BUDGET_BYTES / 1e6} MB budget: the tables and charts alone are that large (the maps are at their smallest)` });
  task.tick(1, 'maps');

  const summary = summaryHtml({
    manifest: input.manifest,
    products,
    comparison: typeof comparison === 'string' ? undefined : comparison.table,
    validatorSummaries: new Map(sources.filter((s) => s.table === 'summary').map((s) => [`${s.node}.summary`, s.records])),
    emptyProductDates: emptyProductDates(products),
    reportWarnings: warnings,
  });
  await writeFile(join(input.dir, 'report.html'), page(input.manifest, summary, sections));
  task.done();
  return files;
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

function page(m: RunManifest, summary: string, sections: readonly Section[]): string {
  const title = (m.pipeline.document as { title?: string } | undefined)?.title ?? m.pipeline.id;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(`soilscale — ${m.pipeline.id}`)}</title><style>${REPORT_CSS}</style>
<script>window.addEventListener('error', function (e) { document.documentElement.dataset.error = String(e.message || e); });</script>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">pipeline <code>${escapeHtml(m.pipeline.id)}</code>${m.pipeline.path ? ` (<code>${escapeHtml(m.pipeline.path)}</code>)` : ''} · seed ${m.seed} · ${escapeHtml(m.startedAt)} · ${(m.durationMs / 1000).toFixed(1)} s · soilscale ${escapeHtml(m.soilscaleVersion)} · node ${escapeHtml(m.nodeVersion)}</p>
<section id="summary"><h2>Summary</h2>
${summary}
</section>
<nav>${sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join('')}</nav>
${sections.map((s) => `<section id="${s.id}"><h2>${escapeHtml(s.title)}</h2>\n${s.html}\n</section>`).join('\n')}
<script>${STATION_PICKER_SCRIPT}</script>
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

function finite(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}
