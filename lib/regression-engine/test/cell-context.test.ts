import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGrid, createTable, isSoilscaleError, makeSeries } from '../../../core/index.js';
import { blockLayout, blockMeans } from '../index.js';
import { multiScaleTable } from '../src/multi-scale-table.js';
import { downscaler, subGridCorrelation, syntheticScene, testContext } from '../../../test/support/regression-scene.js';

const fine = createGrid(40, 40, [500000, 100, 0, 4000000, 0, -100], 'EPSG:32633');
const coarse = createGrid(8, 8, [500000, 500, 0, 4000000, 0, -500], 'EPSG:32633');
const layout = blockLayout(coarse, fine);

test('multi-scale table with cell context: the context columns of every row are its parent cell’s coarse means and coarse value', async () => {
  const a = Float32Array.from({ length: 1600 }, (_, p) => Math.sin(p / 7));
  const t = Float32Array.from({ length: 1600 }, (_, p) => 0.3 + 0.01 * Math.cos(p / 5));
  const coarseA = blockMeans(a, layout);
  const coarseT = Float64Array.from({ length: 64 }, (_, k) => 0.2 + 0.001 * k);
  const train = { ...createTable(['a'], 64, true), index: { date: new Int32Array(64), pixel: Int32Array.from({ length: 64 }, (_, k) => k) } };
  const params = { multiScale: { levels: [5], anomalies: true, scaleFeature: false, context: true }, dateFeatures: 'none', minValidFraction: 0.5 } as never;
  const table = await multiScaleTable({
    train, layout, dates: ['2024-06-01'], params, groupOf: (k) => k, scaleColumn: false, anomalies: true, context: true,
    coarseFeatureAt: () => coarseA,
    coarseTarget: () => coarseT,
    fineAt: async () => ({ arrays: [a], target: t }),
  });
  assert.deepEqual(table.columns, ['a', 'a_cell', 'coarse_cell']);
  assert.equal(table.rows, 64);
  for (let r = 0; r < table.rows; r++) {
    const k = table.index!.pixel![r];
    assert.ok(Math.abs(table.x[r * 3] - 0) < 1e-6, 'a cell-sized sub-block has no anomaly');
    assert.ok(Math.abs(table.x[r * 3 + 1] - coarseA[k]) < 1e-6 && Math.abs(table.x[r * 3 + 2] - coarseT[k]) < 1e-6, `row ${r}`);
  }
});

test('cell context without anomaly targets is a usage error', async () => {
  const scene = syntheticScene({ days: 2 });
  const ds = await downscaler({ cv: { scheme: 'none' }, importance: false, multiScale: { levels: [5], context: true } });
  await assert.rejects(ds.downscale({ coarse: scene.smCoarse, predictors: { ndvi: scene.ndvi } }), (e: unknown) => isSoilscaleError(e) && /cell-context/.test((e as Error).message));
});

/**
 * Truth = 0.3 + 0.02·x², x smooth over both signs: the within-cell slope 0.04·x̄ flips sign between cells, which
 * anomalies alone cannot tell; with the cell context (x̄) the refit can. Conservation stays exact.
 */
test('downscaler:regression with cell context: columns reach the prediction, exact conservation, higher sub-grid r where the slope depends on the cell', async () => {
  const x = Float32Array.from({ length: 1600 }, (_, p) => 2 * Math.sin((p % 40) / 9) + 1.5 * Math.cos(Math.floor(p / 40) / 8));
  const dates = ['2024-06-01', '2024-06-03', '2024-06-05'];
  const truth = dates.map((_, d) => Float32Array.from(x, (v) => 0.3 + 0.02 * v * v + 0.01 * d));
  const sm = makeSeries({ variable: 'sm', grid: coarse, dates, values: truth.map((t) => Float32Array.from(blockMeans(t, layout))) });
  const predictors = { x: makeSeries({ variable: 'x', grid: fine, dates: [], values: [x] }) };
  const truthSeries = makeSeries({ variable: 'sm', grid: fine, dates, values: truth });
  const run = async (context: boolean) => {
    const ds = await downscaler({ regressor: { uses: 'regressor:rf', with: { trees: 20, seed: 1 } }, cv: { scheme: 'none' }, importance: false, multiScale: { levels: [1, 3], anomalies: true, context } }, testContext());
    return ds.downscale({ coarse: sm, predictors });
  };
  const plain = await run(false);
  const withContext = await run(true);
  assert.deepEqual(withContext.model!.featureNames, ['x', 'x_cell', 'coarse_cell']);
  assert.equal(withContext.tables!.multiScale.rows[0].context, true);
  withContext.product.values.forEach((z, d) => blockMeans(z, layout).forEach((m, k) => assert.ok(Math.abs(m - sm.values[d][k]) < 1e-6, `date ${d} cell ${k}`)));
  const rPlain = subGridCorrelation(plain.product, truthSeries, 5);
  const rContext = subGridCorrelation(withContext.product, truthSeries, 5);
  assert.ok(rContext > rPlain + 0.1, `sub-grid r: context ${rContext}, none ${rPlain}`);
});
