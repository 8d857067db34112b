import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateToGrid, createGrid, createPluginContext, createRng, createWorkerPool, makeSeries, type Series } from '../../../core/index.js';
import { resnetDownscaler, type ResnetParams } from '../index.js';

const PARAMS: ResnetParams = {
  patchSize: 8, patchStride: 4, filters: 12, blocks: 1, kernelSize: 3, epochs: 30, batchSize: 8, learningRate: 0.01, l2: 0,
  validationFraction: 0.15, patience: 10, minDelta: 0.001, minValidFraction: 0.5, dateToleranceDays: 0, residualCorrection: 'block',
  maskCoarseGaps: true, tileSize: 32, seed: 4,
};

/**
 * Fine truth sm = 0.25 + 0.08·tanh(2a) + 0.04·b² with a static field `a` and a daily field `b`;
 * the coarse input is its exact 4×4 block mean, with two coarse cells missing on every date.
 */
function scene() {
  const rng = createRng(9);
  const W = 48;
  const fine = createGrid(W, W, [0, 100, 0, 4800, 0, -100], 'EPSG:32633');
  const coarse = createGrid(12, 12, [0, 400, 0, 4800, 0, -400], 'EPSG:32633');
  const dates = ['2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04', '2024-05-05', '2024-05-06'];
  const a = Float32Array.from({ length: W * W }, (_, p) => Math.sin((p % W) / 4) * Math.cos(Math.floor(p / W) / 5) + 0.2 * rng.normal());
  const b = dates.map((_, d) => Float32Array.from({ length: W * W }, (_, p) => Math.sin((p % W) / 6 + d) + Math.cos(Math.floor(p / W) / 3 - d) * 0.5 + 0.1 * rng.normal()));
  const truth = b.map((bd) => Float32Array.from(bd, (v, p) => 0.25 + 0.08 * Math.tanh(2 * a[p]) + 0.04 * v * v));
  const sm = truth.map((t) => {
    const c = aggregateToGrid(t, fine, coarse);
    c[5] = Number.NaN;
    c[77] = Number.NaN;
    return c;
  });
  return {
    coarse: makeSeries({ variable: 'sm', grid: coarse, dates, values: sm }),
    predictors: { a: makeSeries({ variable: 'a', grid: fine, dates: [], values: [a] }), b: makeSeries({ variable: 'b', grid: fine, dates, values: b }) } as Record<string, Series>,
    truth,
  };
}

const context = () => createPluginContext({ seed: 1, workers: createWorkerPool(1) });

test('learns a known nonlinear predictor→SM function at coarse scale: fine RMSE < 0.7× the block-constant product; conserves; masks gaps', async () => {
  const { coarse, predictors, truth } = scene();
  const ds = await resnetDownscaler.create(PARAMS, context());
  const result = await ds.downscale({ coarse, predictors });
  let se = 0;
  let seBlock = 0;
  let n = 0;
  result.product.values.forEach((p, d) => {
    for (let i = 0; i < p.length; i++) {
      const k = Math.floor(Math.floor(i / 48) / 4) * 12 + Math.floor((i % 48) / 4);
      if (Number.isNaN(coarse.values[d][k])) {
        assert.ok(Number.isNaN(p[i]), 'fine pixels of a missing coarse cell are NaN');
        continue;
      }
      se += (p[i] - truth[d][i]) ** 2;
      seBlock += (coarse.values[d][k] - truth[d][i]) ** 2;
      n++;
    }
  });
  const rmse = Math.sqrt(se / n);
  const rmseBlock = Math.sqrt(seBlock / n);
  assert.ok(rmse < 0.7 * rmseBlock, `RMSE ${rmse.toFixed(4)} vs block-constant ${rmseBlock.toFixed(4)}`);
  for (const row of result.tables!.conservation.rows) assert.ok((row.maxAbsError as number) < 1e-5, `conservation ${row.maxAbsError}`);
  assert.equal(result.model?.pluginId, 'downscaler:resnet');
});

test('same seed → same bytes; the prediction tile size does not change them', async () => {
  const { coarse, predictors } = scene();
  const quick = { ...PARAMS, epochs: 2 };
  const a = await (await resnetDownscaler.create(quick, context())).downscale({ coarse, predictors });
  const b = await (await resnetDownscaler.create({ ...quick, tileSize: 16 }, context())).downscale({ coarse, predictors });
  a.product.values.forEach((v, d) => assert.deepEqual(Buffer.from(v.buffer), Buffer.from(b.product.values[d].buffer)));
  assert.deepEqual(a.model!.binary, b.model!.binary);
});
