import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createGrid, makeSeries, recordTable } from '../../../core/index.js';
import { formatNumber, hexbinSpec, manifestWarnings, placeLabels, runIndex, writeRunReport, type RunManifest } from '../../../core/host.js';
import { tempDir } from '../pipeline/helpers.js';

function manifest(extra: Record<string, unknown> = {}): RunManifest {
  return {
    format: 'soilscale-run-manifest',
    formatVersion: 1,
    soilscaleVersion: '0.1.0',
    nodeVersion: 'v20',
    pipeline: { id: 'p', sha256: 'x', document: { id: 'p', title: 'Test run', nodes: {} } },
    params: {},
    seed: 3527090649,
    plugins: [],
    nodes: [{ id: 'down', type: 'plugin', plugin: 'downscaler:test', seed: 3527090649, durationMs: 5, skipped: false, notes: [] }],
    inputs: {},
    outputs: { sm: ['sm/2023-05-01.tif', 'sm/2023-05-02.tif'], metrics: ['metrics.csv', 'metrics.json'] },
    files: ['sm/2023-05-01.tif', 'sm/2023-05-02.tif', 'metrics.csv', 'metrics.json', 'tables/check.perDate.csv'],
    notes: [],
    warnings: [],
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:01Z',
    durationMs: 1000,
    ...extra,
  } as RunManifest;
}

const grid = createGrid(6, 5, [500000, 30, 0, 4100000, 0, -30], 'EPSG:32614');
const dates = ['2023-05-01', '2023-05-02'];

async function report(values: (k: number) => Float32Array, m: RunManifest): Promise<string> {
  const dir = tempDir();
  const sm = makeSeries({ variable: 'sm', grid, dates, unit: 'm3/m3', values: dates.map((_, k) => values(k)) });
  await writeRunReport({ dir, manifest: m, artifacts: new Map([['sm', sm]]) });
  return readFileSync(join(dir, 'report.html'), 'utf8');
}

describe('report page: summary, banner, warnings, numbers', () => {
  it('an all-NaN run gets a visible banner; a normal run does not', async () => {
    const nan = await report(() => new Float32Array(30).fill(Number.NaN), manifest());
    assert.match(nan, /<div class="banner" role="alert" data-banner="all-nan"><b>No valid values\.<\/b> Every product of this run is entirely nodata \(sm\)/);
    const ok = await report((k) => Float32Array.from({ length: 30 }, (_, i) => 0.2 + 0.01 * i + k * 0.001), manifest());
    assert.doesNotMatch(ok, /class="banner"/);
    assert.match(ok, /data-warnings="0"/);
  });

  it('one empty date is a warning, not a banner', async () => {
    const html = await report((k) => (k === 1 ? new Float32Array(30).fill(Number.NaN) : new Float32Array(30).fill(0.3)), manifest());
    assert.doesNotMatch(html, /class="banner"/);
    assert.match(html, /<code>report\.empty-dates<\/code>: sm: no valid pixel on 1 date\(s\): 2023-05-02/);
  });

  it('manifest.warnings are listed with code and node; malformed or absent warnings are ignored', async () => {
    const m = manifest({ warnings: [{ code: 'param.default', message: 'trees filled with <100>', node: 'down' }, { nope: 1 }] });
    assert.equal(manifestWarnings(m).length, 1);
    assert.deepEqual(manifestWarnings(manifest()), []);
    const html = await report(() => new Float32Array(30).fill(0.3), m);
    assert.match(html, /data-warnings="1"><b>1 warning<\/b><ul><li><code>param\.default<\/code> \(node <code>down<\/code>\): trees filled with &lt;100&gt;<\/li>/);
  });

  it('seeds print as integers (the page and the node table)', async () => {
    assert.equal(formatNumber(3527090649), '3527090649');
    assert.equal(formatNumber(0.123456), '0.1235');
    assert.equal(formatNumber(-63710.72), '-63710');
    assert.equal(formatNumber(0.00001234), '1.234e-5');
    const html = await report(() => new Float32Array(30).fill(0.3), manifest());
    assert.match(html, /seed 3527090649/);
    assert.match(html, /<td class="num">3527090649<\/td>/);
    assert.doesNotMatch(html, /3\.527e\+9/);
  });
});

describe('report page: run index', () => {
  it('folds per-date GeoTIFFs into one row, names node tables, lists the report files and the manifest', () => {
    const sm = makeSeries({ variable: 'sm', grid, dates, unit: 'm3/m3', values: dates.map(() => new Float32Array(30)) });
    const entries = runIndex(manifest(), new Map<string, never>([['sm', sm as never], ['metrics', recordTable([{ a: 1 }]) as never]]), ['report.html']);
    const by = new Map(entries.map((e) => [e.path, e]));
    assert.equal(by.get('sm/')!.files, 2);
    assert.match(by.get('sm/')!.what, /product: sm \(m3\/m3\) on a 6×5 grid; 2 Cloud-Optimised GeoTIFFs, one per date 2023-05-01 – 2023-05-02/);
    assert.equal(by.get('metrics.csv')!.also, 'metrics.json');
    assert.equal(by.get('metrics.csv')!.files, 2);
    assert.match(by.get('metrics.csv')!.what, /table output 'metrics', as CSV and JSON/);
    assert.equal(by.has('metrics.json'), false, 'the JSON shares the CSV row');
    assert.match(by.get('tables/check.perDate.csv')!.what, /table 'perDate' of node 'check'/);
    assert.ok(by.has('report.html') && by.has('manifest.json'));
  });
});

describe('report charts: hexbin and labels', () => {
  it('hexbin counts every finite pair once, in hexagons no larger than the bin width', () => {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 5000; i++) (x.push((i % 97) / 97), y.push(((i * 31) % 89) / 89));
    x.push(Number.NaN);
    y.push(0.5);
    const spec = hexbinSpec(x, y, { title: 't', xTitle: 'x', yTitle: 'y', bins: 20 }) as { layer: { data: { values: { cx: number; cy: number; n: number }[] } }[] };
    const cells = spec.layer[0].data.values;
    assert.equal(cells.reduce((s, c) => s + c.n, 0), 5000);
    // Every point lies within the circumradius (w/√3) of its cell's centre: re-bin and check.
    const w = (Math.max(...x.filter(Number.isFinite), ...y) - Math.min(...x.filter(Number.isFinite), ...y)) / 20;
    for (let i = 0; i < 5000; i += 37) assert.ok(cells.some((c) => Math.hypot(c.cx - x[i], c.cy - y[i]) <= w / Math.sqrt(3) + 1e-9), `point ${i}`);
  });

  it('labels of coincident points are moved apart', () => {
    const at = placeLabels([{ x: 0.5, y: 0.5 }, { x: 0.5, y: 0.5 }, { x: 0.51, y: 0.5 }, { x: 2, y: 0.5 }], 0.3, 0.05);
    for (let i = 0; i < at.length; i++) for (let j = i + 1; j < at.length; j++) assert.ok(Math.abs(at[i].x - at[j].x) >= 0.3 || Math.abs(at[i].y - at[j].y) >= 0.05 - 1e-12, `${i} and ${j} overlap`);
    assert.equal(at[3].y, 0.5, 'a lone point keeps its label beside it');
  });
});
