import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGrid, createRng, createWorkerPool, isSoilscaleError, makeSeries, resampleSeries } from '../../../core/index.js';
import { blockLayout, blockMeans } from '../../../lib/regression-engine/index.js';
import { downscaler, subGridCorrelation, syntheticScene, testContext } from '../../../test/support/regression-scene.js';
import { lagRegressor, seenTables } from '../../../test/support/lag-regressor.js';
import { builtinTileTask, createLocalExecutor, createTileService } from '../../../host/index.js';

const lagModule = new URL('../../../test/support/lag-regressor.js', import.meta.url).href;

const scene = syntheticScene();

function maxConservationError(product: Float32Array[], coarse: Float32Array[]): number {
  const layout = blockLayout(scene.coarse, scene.fine);
  let max = 0;
  product.forEach((p, d) => blockMeans(p, layout).forEach((m, k) => (max = Math.max(max, Math.abs(m - coarse[d][k])))));
  return max;
}

test('block correction conserves every coarse cell to 1e-6 and beats bilinear in sub-grid correlation', async () => {
  const ds = await downscaler({ residualCorrection: 'block', cv: { scheme: 'kfold', folds: 4 } });
  const rng = createRng(5);
  const noise = makeSeries({ variable: 'noise', grid: scene.fine, dates: [], values: [Float32Array.from({ length: 1600 }, () => rng.normal())] });
  const result = await ds.downscale({ coarse: scene.smCoarse, predictors: { ndvi: scene.ndvi, lst: scene.lst, noise } });
  assert.deepEqual(result.product.dates, scene.dates);
  assert.ok(maxConservationError(result.product.values as Float32Array[], scene.smCoarse.values as Float32Array[]) <= 1e-6);
  const bilinear = resampleSeries(scene.smCoarse, scene.fine, 'bilinear');
  const rProduct = subGridCorrelation(result.product, scene.truth, 5);
  const rBilinear = subGridCorrelation(bilinear, scene.truth, 5);
  assert.ok(rProduct > 0.9 && rProduct > rBilinear + 0.2, `sub-grid r: regression ${rProduct}, bilinear ${rBilinear}`);
  // The conservation table agrees.
  for (const row of result.tables!.conservation.rows) assert.ok((row.maxAbsError as number) <= 1e-6);
  // CV at coarse scale: one row per fold plus the pooled row; the relation is linear, so skill is high.
  const cv = result.tables!.cv;
  assert.equal(cv.rows.length, 5);
  const all = cv.rows.find((r) => r.fold === 'all')!;
  assert.ok((all.r as number) > 0.95 && (all.n as number) === 8 * 8 * 6, JSON.stringify(all));
  // Permutation importance: both real predictors matter, the noise layer does not.
  const imp = Object.fromEntries(result.tables!.importance.rows.map((r) => [r.feature, r.value as number]));
  assert.ok(imp.lst > 100 && imp.ndvi > 100 && Math.abs(imp.noise) < 5, JSON.stringify(imp));
  assert.equal(result.model!.pluginId, 'downscaler:regression');
});

for (const method of ['bilinear-fix', 'atpk', 'ratio'] as const) {
  test(`${method} conserves the coarse mean`, async () => {
    const ds = await downscaler({ residualCorrection: method, cv: { scheme: 'none' }, importance: false });
    const { product, notes } = await ds.downscale({ coarse: scene.smCoarse, predictors: { ndvi: scene.ndvi, lst: scene.lst } });
    assert.ok(maxConservationError(product.values as Float32Array[], scene.smCoarse.values as Float32Array[]) <= 1e-6);
    if (method === 'atpk') assert.ok(notes!.some((n) => /ATPK: point-support exponential range/.test(n)));
  });
}

test('without correction the product is the regression alone and does not conserve exactly', async () => {
  const ds = await downscaler({ residualCorrection: 'none', cv: { scheme: 'none' }, importance: false });
  const { product } = await ds.downscale({ coarse: scene.smCoarse, predictors: { ndvi: scene.ndvi, lst: scene.lst } });
  const err = maxConservationError(product.values as Float32Array[], scene.smCoarse.values as Float32Array[]);
  assert.ok(err > 1e-5, `error ${err}`);
});

test('cloud gaps in LST are interpolated in time and reported in the coverage table', async () => {
  const values = scene.lst.values.map((v) => v.slice());
  for (let p = 0; p < 400; p++) values[2][p] = Number.NaN; // top 10 rows cloudy on the third date
  const cloudy = makeSeries({ ...scene.lst, values });
  const ds = await downscaler({ cv: { scheme: 'none' }, importance: false, gapFill: 'interpolate', maxGapDays: 4 });
  const { product, tables } = await ds.downscale({ coarse: scene.smCoarse, predictors: { ndvi: scene.ndvi, lst: cloudy } });
  const row = tables!.coverage.rows.find((r) => r.variable === 'lst' && r.date === scene.dates[2])!;
  assert.equal(row.validBefore, 0.75);
  assert.equal(row.validAfter, 1);
  assert.ok(product.values[2].every((v) => Number.isFinite(v)));
  const none = await (await downscaler({ cv: { scheme: 'none' }, importance: false, gapFill: 'none' })).downscale({ coarse: scene.smCoarse, predictors: { ndvi: scene.ndvi, lst: cloudy } });
  assert.ok(Number.isNaN(none.product.values[2][0]) && Number.isFinite(none.product.values[2][1599]));
});

test('leave-dates-out and spatial-block CV keep their units together', async () => {
  for (const scheme of ['dates', 'blocks'] as const) {
    const ds = await downscaler({ cv: { scheme, folds: 3, blockSize: 4 }, importance: false });
    const { tables } = await ds.downscale({ coarse: scene.smCoarse, predictors: { ndvi: scene.ndvi, lst: scene.lst } });
    const folds = tables!.cv.rows.filter((r) => r.fold !== 'all');
    assert.equal(folds.length, scheme === 'dates' ? 3 : 3);
    // 6 dates × 64 cells: date folds hold whole dates (multiples of 64 rows); block folds whole 4×4-cell blocks × 6 dates.
    const unit = scheme === 'dates' ? 64 : 16 * 6;
    for (const f of folds) assert.equal((f.n as number) % unit, 0, `${scheme} fold of ${f.n} rows`);
  }
});

test('a sequence regressor receives the last L dates of predictors per row', async () => {
  // The tile workers load the fitted model from its plugin module, like a pipeline's own plugin.
  const tiles = createTileService({ store: mkdtempSync(join(tmpdir(), 'soilscale-lag-')), run: 'test', scope: 'lag', plugins: [lagModule], executor: createLocalExecutor(createWorkerPool(1), builtinTileTask) });
  const ds = await downscaler({ regressor: { uses: 'regressor:lag' }, cv: { scheme: 'none' }, importance: false }, testContext({ 'regressor:lag': () => lagRegressor.create({}, undefined as never) }, { tiles }));
  seenTables.length = 0;
  await ds.downscale({ coarse: scene.smCoarse, predictors: { lst: scene.lst } });
  const [train, ...predicted] = seenTables;
  assert.deepEqual(train.columns, ['lst[t-1]', 'lst[t-0]']);
  assert.deepEqual(train.layout, { steps: 2, features: ['lst'] });
  // A fine prediction row on date 3 holds LST of date 2 then date 3 at its pixel.
  const day3 = predicted[predicted.length - 3];
  assert.equal(day3.rows, 1600);
  assert.equal(day3.x[0], scene.lst.values[2][0]);
  assert.equal(day3.x[1], scene.lst.values[3][0]);
});

test('grids that do not nest and missing predictors are usage errors naming the inputs', async () => {
  const ds = await downscaler({ cv: { scheme: 'none' } });
  const shifted = createGrid(8, 8, [500250, 500, 0, 4000000, 0, -500], 'EPSG:32633');
  const bad = makeSeries({ ...scene.smCoarse, grid: shifted });
  await assert.rejects(ds.downscale({ coarse: bad, predictors: { lst: scene.lst } }), (e) => isSoilscaleError(e) && /coarse\/predictors/.test(e.message));
  await assert.rejects(ds.downscale({ coarse: scene.smCoarse, predictors: {} }), (e) => isSoilscaleError(e) && e.kind === 'usage' && /predictors/.test(e.message));
});

test('results do not depend on the tile size', async () => {
  const a = await (await downscaler({ cv: { scheme: 'none' }, importance: false, tilePixels: 1024 })).downscale({ coarse: scene.smCoarse, predictors: { ndvi: scene.ndvi, lst: scene.lst } });
  const b = await (await downscaler({ cv: { scheme: 'none' }, importance: false, tilePixels: 1 << 20 })).downscale({ coarse: scene.smCoarse, predictors: { ndvi: scene.ndvi, lst: scene.lst } });
  assert.deepEqual(a.product.values, b.product.values);
});
