import type { Artifact } from '../plugin/artifact.js';
import type { RunManifest } from '../pipeline/manifest.js';
import { escapeHtml } from './html.js';

/** One row of the run folder's index: a file (or a folder of per-date files) and what it is. */
export interface IndexEntry {
  readonly path: string;
  /** The same content in another format (a table's JSON beside its CSV). */
  readonly also?: string;
  readonly files: number;
  readonly what: string;
}

/**
 * Every file of the run folder with what it is: outputs (per-date GeoTIFF folders folded into one row),
 * node tables, the report's own files and the manifest. `reportFiles` are the files the report writes
 * (not yet in `manifest.files` while it is being written).
 */
export function runIndex(m: RunManifest, artifacts: ReadonlyMap<string, Artifact>, reportFiles: readonly string[]): IndexEntry[] {
  const entries: IndexEntry[] = [];
  const covered = new Set<string>();
  const pluginOf = new Map(m.nodes.map((n) => [n.id, n.plugin ?? n.type]));
  for (const [name, files] of Object.entries(m.outputs)) {
    const a = artifacts.get(name);
    const kind = !a ? 'output' : a.kind === 'series' ? `product: ${a.variable}${a.unit ? ` (${a.unit})` : ''} on a ${a.grid.width}×${a.grid.height} grid` : a.kind === 'records' ? 'table output' : a.kind === 'alternatives' ? 'compared alternatives' : `${a.kind} output`;
    const folders = new Map<string, string[]>();
    for (const f of files) {
      covered.add(f);
      const slash = f.lastIndexOf('/');
      const key = slash >= 0 ? f.slice(0, slash + 1) : f;
      folders.set(key, [...(folders.get(key) ?? []), f]);
    }
    for (const [path, list] of folders) {
      const tifs = list.filter((f) => f.endsWith('.tif'));
      const dated = tifs.map((f) => /(\d{4}-\d{2}-\d{2})\.tif$/.exec(f)?.[1]).filter((d): d is string => !!d).sort();
      const what = tifs.length > 1 ? `${kind}; ${tifs.length} Cloud-Optimised GeoTIFFs${dated.length ? `, one per date ${dated[0]} – ${dated[dated.length - 1]}` : ''}` : path.endsWith('.csv') ? `${kind} '${name}'` : path.endsWith('.json') ? `${kind} '${name}' (JSON, with notes)` : path.endsWith('.tif') ? `${kind}; a Cloud-Optimised GeoTIFF` : kind;
      entries.push({ path, files: list.length, what });
    }
  }
  for (const f of m.files) {
    if (covered.has(f) || f === 'manifest.json') continue;
    const t = /^tables\/([^.]+)\.(.+)\.(csv|json)$/.exec(f);
    entries.push({ path: f, files: 1, what: t ? `table '${t[2]}' of node '${t[1]}' (${pluginOf.get(t[1]) ?? 'node'})` : 'written by a node' });
  }
  const own: Record<string, string> = {
    'report.html': 'this report (self-contained: opens offline, no server)',
    'comparison.csv': 'the intercomparison table: one row per method, every metric, ranks',
    'comparison.json': 'the intercomparison table as JSON, with its notes',
  };
  for (const f of reportFiles) entries.push({ path: f, files: 1, what: own[f] ?? 'written by the report' });
  entries.push({ path: 'manifest.json', files: 1, what: 'run manifest: pipeline, params, plugin versions, input checksums, seeds, timings, warnings, file list' });
  return pairCsvJson(entries);
}

/** A table's CSV and JSON (same name, same description) become one entry. */
function pairCsvJson(entries: readonly IndexEntry[]): IndexEntry[] {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const out: IndexEntry[] = [];
  for (const e of entries) {
    if (e.path.endsWith('.json') && byPath.has(e.path.replace(/\.json$/, '.csv'))) continue;
    const json = e.path.endsWith('.csv') ? byPath.get(e.path.replace(/\.csv$/, '.json')) : undefined;
    out.push(json ? { ...e, also: json.path, files: e.files + json.files, what: `${e.what}, as CSV and JSON` } : e);
  }
  return out;
}

/** The index as a table with relative links (opening one loads nothing until clicked). */
export function runIndexHtml(entries: readonly IndexEntry[]): string {
  const table = (list: readonly IndexEntry[], name: string): string => {
    const rows = list.map((e) => `<tr><td><a href="${escapeHtml(e.path)}">${escapeHtml(e.path)}</a>${e.also ? ` · <a href="${escapeHtml(e.also)}">.json</a>` : ''}</td><td class="num">${e.files}</td><td>${escapeHtml(e.what)}</td></tr>`).join('\n');
    return `<div class="table-wrap"><table data-table="${name}"><thead><tr><th>path</th><th>files</th><th>what it is</th></tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
  };
  const nodeTables = entries.filter((e) => e.path.startsWith('tables/'));
  const rest = entries.filter((e) => !e.path.startsWith('tables/'));
  return `<p class="note">This report is the run folder's index: every file the run wrote, with what it is (paths relative to this page).</p>${table(rest, 'run-index')}${
    nodeTables.length ? `<details><summary>Node tables under <code>tables/</code> (${nodeTables.reduce((n, e) => n + e.files, 0)} files)</summary>${table(nodeTables, 'run-index-tables')}</details>` : ''
  }`;
}
