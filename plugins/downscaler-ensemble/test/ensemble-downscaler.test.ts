import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockLayout, blockMeans } from '../../../lib/regression-engine/index.js';
import { subGridCorrelation, syntheticScene, testContext } from '../../../test/support/regression-scene.js';
import { ensembleDownscaler } from '../index.js';

test('downscaler:ensemble: weights table, conservation exact, intervals around the product', async () => {
  const scene = syntheticScene({ days: 4 });
  const ds = await ensembleDownscaler.create(
    {
      learners: { linear: { uses: 'regressor:linear' }, rf: { uses: 'regressor:rf', with: { trees: 20 } } },
      cv: { scheme: 'blocks', folds: 4, blockSize: 2 },
      intervals: { method: 'conformal', level: 0.9 },
      importance: false,
    },
    testContext(),
  );
  const r = await ds.downscale({ coarse: scene.smCoarse, predictors: { ndvi: scene.ndvi, lst: scene.lst } });
  const weights = r.tables!.weights.rows;
  assert.deepEqual(weights.map((w) => w.learner), ['linear', 'rf']);
  assert.ok(weights.every((w) => (w.weight as number) >= 0));
  // The truth is linear in the predictors: the linear learner carries most of the weight.
  assert.ok((weights[0].weight as number) > (weights[1].weight as number), JSON.stringify(weights));
  const layout = blockLayout(scene.coarse, scene.fine);
  r.product.values.forEach((z, d) => {
    const means = blockMeans(z, layout);
    means.forEach((m, k) => assert.ok(Math.abs(m - scene.smCoarse.values[d][k]) < 1e-6, `date ${d} cell ${k}`));
  });
  assert.ok(subGridCorrelation(r.product, scene.truth, 5) > 0.9);
  // Conformal intervals: product ± one half-width per run (the coarse quantile; no change of support by default), recorded in the intervals table.
  const cal = r.tables!.intervals.rows[0];
  const q = cal.halfWidth as number;
  assert.ok(q > 0 && q === cal.quantile && cal.scale === 1 && cal.changeOfSupport === 'none');
  r.product.values.forEach((z, d) => {
    for (let i = 0; i < z.length; i += 37) {
      assert.ok(Math.abs(r.upper!.values[d][i] - z[i] - q) < 1e-6 && Math.abs(z[i] - r.lower!.values[d][i] - q) < 1e-6);
    }
  });
  assert.equal(r.upper!.variable, 'sm_upper');
});

test('downscaler:ensemble refuses cv.scheme none (stacking needs out-of-fold predictions)', async () => {
  await assert.rejects(
    ensembleDownscaler.create({ learners: { a: { uses: 'regressor:linear' }, b: { uses: 'regressor:rf' } }, cv: { scheme: 'none' } }, testContext()),
    /out-of-fold/,
  );
});
