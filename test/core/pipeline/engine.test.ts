import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createGrid, isSoilscaleError, makeSeries, mergeByDate, mergeByRegion, timeOwner, type Artifact, type RecordTable, type Series } from '../../../core/index.js';
import { runPipeline } from '../../../core/host.js';
import { emptyRegistry, pipelineFixture, quiet, tempDir, TEST_PLUGINS } from './helpers.js';

const series = (a: Artifact | undefined): Series => {
  assert.ok(a && a.kind === 'series', `expected a series, got ${a?.kind}`);
  return a;
};

const run = (p: string | object, out = join(tempDir(), 'out'), params?: Record<string, unknown>) =>
  runPipeline(p, { out, params, registry: emptyRegistry(), workers: undefined, ...quiet });

const coarseRef = { $node: 'scene', output: 'sm_coarse' };
const targetRef = { $node: 'scene', output: 'ndvi_1km' };

function pipeline(nodes: object, outputs: object): object {
  return { schemaVersion: '1.0', id: 'p', plugins: [TEST_PLUGINS], params: { seed: { type: 'integer', default: 3 } }, nodes: { scene: { uses: 'source:memory' }, ...nodes }, outputs };
}

describe('engine', () => {
  it('runs the basic fixture: product, tsyringe transform, optional skip, layout, manifest', async () => {
    const out = join(tempDir(), 'out');
    const r = await run(pipelineFixture('basic'), out, { factor: '2' });
    const product = series(r.artifacts.get('sm_1km'));
    // nearest coarse value × 2: pixel (0,0) of date 0 lies in coarse cell 0 = 0.1
    assert.ok(Math.abs(product.values[0][0] - 0.2) < 1e-6);
    // coarse cell 3 (bottom right) on date 2: (0.1 + 0.02 + 0.06) × 2
    assert.ok(Math.abs(product.values[2][63] - 0.36) < 1e-6);
    const scaled = series(r.artifacts.get('scaled'));
    for (let i = 0; i < 64; i++) assert.ok(Math.abs(scaled.values[1][i] - (product.values[1][i] * 2 + 0.5)) < 1e-6);
    assert.equal(r.artifacts.has('insitu_metrics'), false);
    // The skipped optional node and its missing output are warnings, in the result and the manifest.
    assert.deepEqual(r.warnings.map((w) => [w.code, w.node]), [['node-skipped', 'insitu'], ['output-skipped', 'insitu']]);
    assert.match(r.warnings[1].message, /^output 'insitu_metrics' not written: node 'insitu' was skipped/);
    assert.deepEqual(r.manifest.warnings, r.warnings);
    const files = readdirSync(out).sort();
    assert.deepEqual(files, ['manifest.json', 'metrics.csv', 'metrics.json', 'model.model.json', 'model.model.weights.bin', 'report.html', 'scaled', 'sm_1km', 'tables']);
    assert.deepEqual(readdirSync(join(out, 'sm_1km')), ['2024-01-15.tif', '2024-04-15.tif', '2024-07-15.tif', '2024-10-15.tif', '2024-12-20.tif']);
    assert.deepEqual(readdirSync(join(out, 'tables')).sort(), ['check.summary.csv', 'check.summary.json', 'down.stats.csv', 'down.stats.json']);
    const weights = new Float32Array(Uint8Array.from(readFileSync(join(out, 'model.model.weights.bin'))).buffer);
    assert.deepEqual([...weights], [2, 0]);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.params.factor, 2);
    assert.equal(manifest.seed, 42);
    const down = manifest.nodes.find((n: { id: string }) => n.id === 'down');
    assert.equal(down.plugin, 'downscaler:test-scale');
    assert.equal(down.version, '1.2.0');
    assert.deepEqual(down.params, { factor: 2, offset: 0, trees: 10 });
    assert.equal(manifest.nodes.find((n: { id: string }) => n.id === 'insitu').skipped, true);
    assert.equal(manifest.pipeline.sha256.length, 64);
    assert.equal(manifest.inputs[manifest.pipeline.path], manifest.pipeline.sha256);
    assert.ok(manifest.plugins.some((p: { id: string; source: string }) => p.id === 'transform:scale-offset' && p.source === 'pipeline'));
    // Node seeds derive from the run seed and the node id: same for the same run seed.
    const again = await run(pipelineFixture('basic'), join(tempDir(), 'out'), { factor: '2' });
    assert.deepEqual(again.manifest.nodes.map((n) => n.seed), r.manifest.nodes.map((n) => n.seed));
    assert.notEqual(r.manifest.nodes[0].seed, r.manifest.nodes[1].seed);
  });

  it('compare: alternatives on identical inputs; a consumer fans out into one table with a method column', async () => {
    const out = join(tempDir(), 'out');
    const r = await run(pipelineFixture('compare'), out);
    const metrics = r.artifacts.get('metrics') as RecordTable;
    assert.equal(metrics.kind, 'records');
    assert.deepEqual(metrics.columns.slice(0, 1), ['method']);
    assert.deepEqual(metrics.rows.map((row) => row.method), ['plain', 'scaled']);
    const plain = r.artifacts.get('plain_metrics') as RecordTable;
    assert.deepEqual({ ...metrics.rows[0], method: undefined }, { ...plain.rows[0], method: undefined });
    assert.notEqual(metrics.rows[0].rmse, metrics.rows[1].rmse);
    assert.ok(readFileSync(join(out, 'metrics.csv'), 'utf8').startsWith('method,n,bias,rmse\nplain,320,'));
    assert.ok(existsSync(join(out, 'sm_1km-plain', '2024-07-15.tif')));
    assert.ok(existsSync(join(out, 'sm_1km-scaled', '2024-07-15.tif')));
    // Both alternatives got the same seed (the node's).
    const stats = readFileSync(join(out, 'tables', 'cmp.stats.csv'), 'utf8').trim().split('\n');
    assert.equal(stats[0], 'method,dates,seed');
    assert.equal(stats[1].split(',')[2], stats[2].split(',')[2]);
  });

  it('season partition with identical parts equals the unpartitioned run', async () => {
    const plainRun = await run(pipeline({ d: { uses: 'downscaler:test-scale', with: { coarse: coarseRef, target: targetRef, factor: 1.3 } } }, { sm: { $node: 'd' } }));
    const parts = Object.fromEntries(['DJF', 'MAM', 'JJA', 'SON'].map((s) => [s, { uses: 'downscaler:test-scale' }]));
    const partRun = await run(
      pipeline({ d: { partition: { by: 'season', parts }, with: { coarse: coarseRef, target: targetRef, factor: 1.3 } } }, { sm: { $node: 'd' }, stats: { $node: 'd', output: 'model' } }),
    );
    const a = series(plainRun.artifacts.get('sm'));
    const b = series(partRun.artifacts.get('sm'));
    assert.deepEqual(b.dates, a.dates);
    a.values.forEach((v, i) => assert.deepEqual([...b.values[i]], [...v]));
    // Each part trained on its own dates only: DJF has 2 dates (Jan, Dec), the others one each.
    const rec = partRun.manifest.nodes.find((n) => n.id === 'd')!;
    assert.deepEqual(Object.keys(rec.parts!), ['DJF', 'MAM', 'JJA', 'SON']);
  });

  it('season partition: per-part plugins own their dates; without "*" uncovered dates are absent with a note', async () => {
    const r = await run(
      pipeline(
        { d: { partition: { by: 'season', parts: { JJA: { uses: 'downscaler:test-scale', with: { offset: 1 } }, DJF: { uses: 'downscaler:test-scale', with: { offset: 2 } } } }, with: { coarse: coarseRef, target: targetRef } } },
        { sm: { $node: 'd' } },
      ),
    );
    const s = series(r.artifacts.get('sm'));
    assert.deepEqual(s.dates, ['2024-01-15', '2024-07-15', '2024-12-20']);
    assert.ok(Math.abs(s.values[0][0] - 2.1) < 1e-6); // DJF, date index 0 in the scene
    assert.ok(Math.abs(s.values[1][0] - (1 + 0.12)) < 1e-6); // JJA, scene date index 2
    const uncovered = r.warnings.filter((w) => w.code === 'partition-dates-uncovered' && w.node === 'd');
    assert.equal(uncovered.length, 1, JSON.stringify(r.warnings));
    assert.match(uncovered[0].message, /^2 dates in no part/);
  });

  it('region partition: identical parts equal the unpartitioned run; per-region plugins own their pixels', async () => {
    const withShared = { coarse: coarseRef, target: targetRef, predictors: { ndvi: targetRef } };
    const plainRun = await run(pipeline({ d: { uses: 'downscaler:test-scale', with: withShared } }, { sm: { $node: 'd' } }));
    const regions = { $node: 'scene', output: 'landcover' };
    const same = await run(
      pipeline({ d: { partition: { by: 'region', regions, parts: { west: { uses: 'downscaler:test-scale', classes: [1] }, '*': { uses: 'downscaler:test-scale' } } }, with: withShared } }, { sm: { $node: 'd' } }),
    );
    const a = series(plainRun.artifacts.get('sm'));
    const b = series(same.artifacts.get('sm'));
    a.values.forEach((v, i) => assert.deepEqual([...b.values[i]], [...v]));
    const diff = await run(
      pipeline(
        {
          d: {
            partition: { by: 'region', regions, parts: { west: { uses: 'downscaler:test-scale', classes: [1], with: { offset: 10 } }, east: { uses: 'downscaler:test-scale', classes: [2], with: { offset: 20 } } } },
            with: withShared,
          },
        },
        { sm: { $node: 'd' } },
      ),
    );
    const c = series(diff.artifacts.get('sm'));
    for (let i = 0; i < 64; i++) {
      const expected = a.values[3][i] + (i % 8 < 4 ? 10 : 20);
      assert.ok(Math.abs(c.values[3][i] - expected) < 1e-5, `pixel ${i}`);
    }
  });

  it('region partition from GeoJSON polygons', async () => {
    const dir = tempDir();
    const file = join(dir, 'regions.geojson');
    // West half of the fine grid (x 500000…500004) in the grid's CRS.
    const square = (x0: number, x1: number) => [[[x0, 4199992], [x1, 4199992], [x1, 4200000], [x0, 4200000], [x0, 4199992]]];
    writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32633' } },
        features: [
          { type: 'Feature', properties: { zone: 'west' }, geometry: { type: 'Polygon', coordinates: square(500000, 500004) } },
          { type: 'Feature', properties: { zone: 'east' }, geometry: { type: 'Polygon', coordinates: square(500004, 500008) } },
        ],
      }),
    );
    const pipelineFile = join(dir, 'p.json');
    writeFileSync(
      pipelineFile,
      JSON.stringify(
        pipeline(
          {
            d: {
              partition: { by: 'region', geojson: 'regions.geojson', property: 'zone', parts: { w: { uses: 'downscaler:test-scale', classes: ['west'], with: { offset: 1 } }, e: { uses: 'downscaler:test-scale', classes: ['east'], with: { offset: 2 } } } },
              with: { coarse: coarseRef, target: targetRef },
            },
          },
          { sm: { $node: 'd' } },
        ),
      ),
    );
    const r = await run(pipelineFile);
    const s = series(r.artifacts.get('sm'));
    assert.ok(Math.abs(s.values[0][0] - 1.1) < 1e-6);
    assert.ok(Math.abs(s.values[0][7] - (2 + 0.12)) < 1e-6);
  });

  it('a failing node leaves neither the output folder nor a staging folder', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    await assert.rejects(run(pipelineFixture('failing'), out), (e) => isSoilscaleError(e) && e.kind === 'runtime' && /node 'boom' \(downscaler:test-fail\) failed: deliberate failure/.test(e.message));
    assert.deepEqual(readdirSync(dir), []);
  });

  it('refuses a non-empty output folder without overwrite, replaces an earlier run with overwrite', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const first = await run(pipelineFixture('compare'), out);
    await assert.rejects(run(pipelineFixture('compare'), out), (e) => isSoilscaleError(e) && e.kind === 'usage' && /output folder is not empty/.test(e.message));
    const second = await runPipeline(pipelineFixture('compare'), { out, overwrite: true, registry: emptyRegistry(), ...quiet });
    assert.notEqual(second.manifest.startedAt, first.manifest.startedAt);
    assert.equal(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).startedAt, second.manifest.startedAt);
    assert.deepEqual(readdirSync(dir), ['out']);
  });

  it('reports an output folder that cannot be written', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    await assert.rejects(run(pipelineFixture('compare'), join(dir, 'file', 'out')), (e) => isSoilscaleError(e) && e.kind === 'usage' && /not writable/.test(e.message));
  });
});

describe('partition merge', () => {
  const grid = createGrid(4, 3, [0, 1, 0, 3, 0, -1], 'EPSG:32633');
  const dates = ['2024-01-10', '2024-03-10', '2024-06-10', '2024-09-10', '2024-12-10'];
  const full = (offset: number, ds = dates) => makeSeries({ variable: 'sm', grid, dates: ds, values: ds.map((_, d) => Float32Array.from({ length: 12 }, (_, i) => offset + d * 100 + i)) });

  it('by date: each date from exactly the part that owns it', () => {
    const owner = timeOwner('season', [{ name: 'DJF' }, { name: 'JJA' }, { name: '*' }]);
    assert.deepEqual(dates.map(owner), ['DJF', '*', 'JJA', '*', 'DJF']);
    // Every part returns every date (with its own offset); the merge must keep only owned ones.
    const m = mergeByDate([{ part: 'DJF', series: full(1000) }, { part: 'JJA', series: full(2000) }, { part: '*', series: full(3000) }], owner, 'sm');
    assert.deepEqual(m.series.dates, dates);
    assert.deepEqual([...m.assigned], [1, 1, 1, 1, 1]);
    assert.deepEqual(m.series.values.map((v) => v[0]), [1000, 3100, 2200, 3300, 1400]);
    assert.equal(m.dropped, 10);
  });

  it('by region: each pixel of each date assigned exactly once; values preserved', () => {
    const owner = Int32Array.from({ length: 12 }, (_, i) => (i % 4 < 2 ? 0 : i < 8 ? 1 : -1));
    const m = mergeByRegion([{ part: 'a', series: full(0) }, { part: 'b', series: full(0.5) }], owner, ['a', 'b'], 'sm');
    for (let k = 0; k < dates.length; k++) {
      for (let i = 0; i < 12; i++) {
        const expected = owner[i] === 0 ? k * 100 + i : owner[i] === 1 ? 0.5 + k * 100 + i : Number.NaN;
        assert.equal(m.assigned[k * 12 + i], owner[i] >= 0 ? 1 : 0);
        if (Number.isNaN(expected)) assert.ok(Number.isNaN(m.series.values[k][i]));
        else assert.ok(Math.abs(m.series.values[k][i] - expected) < 1e-3);
      }
    }
    assert.equal(m.uncovered, 2);
    // Mass: the sum over owned pixels equals the sum of each part over its own pixels.
    let merged = 0;
    let parts = 0;
    for (let i = 0; i < 12; i++) {
      if (owner[i] < 0) continue;
      merged += m.series.values[2][i];
      parts += (owner[i] === 0 ? full(0) : full(0.5)).values[2][i];
    }
    assert.ok(Math.abs(merged - parts) < 1e-3);
  });

  it('recurring date ranges wrap the new year; dates in two parts are an error', () => {
    const owner = timeOwner('dates', [{ name: 'winter', from: '11-15', to: '02-15' }, { name: 'rest', from: '02-16', to: '11-14' }]);
    assert.deepEqual(['2023-12-31', '2024-02-15', '2024-02-16', '2024-11-14', '2024-11-15'].map(owner), ['winter', 'winter', 'rest', 'rest', 'winter']);
    const bad = timeOwner('dates', [{ name: 'a', from: '2024-01-01', to: '2024-01-31' }, { name: 'b', from: '01-20', to: '02-10' }]);
    assert.throws(() => bad('2024-01-25'), /belongs to parts 'a' and 'b'/);
  });
});
