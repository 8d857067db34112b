import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterDates, maskSeries, mergeByDate, mergeByRegion, timeOwner, type Series } from '../../../core/index.js';
import { blockLayout, blockMeans } from '../../../lib/regression-engine/index.js';
import { downscaler, syntheticScene } from '../../../test/support/regression-scene.js';

// What the engine's partition construct does with a downscaler node: region parts get fine inputs
// masked to their region (the coarse input whole), time parts get their dates; results are merged.
const scene = syntheticScene({ size: 40, factor: 5, days: 4, seed: 3 });

function maxConservationError(product: Series): number {
  const layout = blockLayout(scene.coarse, scene.fine);
  let max = 0;
  product.values.forEach((p, d) => blockMeans(p, layout).forEach((m, k) => (max = Math.max(max, Math.abs(m - scene.smCoarse.values[d][k])))));
  return max;
}

test('per-region models with different regressors merge into a product that still conserves every cell', async () => {
  // Region boundary at column 17: it cuts coarse cells 3 (cols 15–19) in two.
  const owner = Int32Array.from({ length: 1600 }, (_, p) => (p % 40 < 17 ? 0 : 1));
  const specs = [{ uses: 'regressor:linear' }, { uses: 'regressor:linear', with: { ridge: 0.5 } }];
  const parts = [];
  for (const [i, regressor] of specs.entries()) {
    const ds = await downscaler({ regressor, residualCorrection: 'block', minValidFraction: 0.3, cv: { scheme: 'none' }, importance: false });
    const mask = (s: Series) => maskSeries(s, (p) => owner[p] === i);
    const { product } = await ds.downscale({ coarse: scene.smCoarse, predictors: { ndvi: mask(scene.ndvi), lst: mask(scene.lst) } });
    parts.push({ part: `r${i}`, series: product });
  }
  const merged = mergeByRegion(parts, owner, ['r0', 'r1'], 'product').series;
  assert.ok(merged.values.every((v) => v.every(Number.isFinite)));
  assert.ok(maxConservationError(merged) <= 1e-6);
});

test('per-season parts each train on their own dates and together cover every date', async () => {
  const owner = timeOwner('dates', [
    { name: 'early', from: scene.dates[0], to: scene.dates[1] },
    { name: 'late', from: scene.dates[2], to: scene.dates[3] },
  ]);
  const parts = [];
  for (const name of ['early', 'late']) {
    const ds = await downscaler({ residualCorrection: 'bilinear-fix', cv: { scheme: 'dates', folds: 2 }, importance: false });
    const keep = (d: string) => owner(d) === name;
    const { product } = await ds.downscale({ coarse: filterDates(scene.smCoarse, keep), predictors: { ndvi: scene.ndvi, lst: filterDates(scene.lst, keep) } });
    parts.push({ part: name, series: product });
  }
  const merged = mergeByDate(parts, owner, 'product').series;
  assert.deepEqual(merged.dates, scene.dates);
  assert.ok(maxConservationError(merged) <= 1e-6);
});
