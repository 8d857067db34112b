import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStacScene, type Series } from '../../../core/index.js';
import { bilinearDownscaler } from '../../downscaler-bilinear/index.js';
import { writeSyntheticScene } from '../../source-synthetic/index.js';
import { blockLayout, blockMeans } from '../../../lib/regression-engine/index.js';
import { downscaler, subGridCorrelation, testContext } from '../../../test/support/regression-scene.js';

// The acceptance test: on the demo scene's truth, regression + residual correction beats
// downscaler:bilinear in sub-grid correlation, and the block method conserves the coarse mean to 1e-6.
const dir = mkdtempSync(join(tmpdir(), 'soilscale-regression-demo-'));
const FACTOR = 6;
const scenePromise = writeSyntheticScene({ days: 12, start: '2023-06-01', coarseCells: [6, 6], coarseFactor: FACTOR, fineFactor: 3, stations: 15, seed: 3 }, dir).then(({ catalogPath }) =>
  readStacScene(catalogPath),
);
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function inputs() {
  const scene = await scenePromise;
  const load = (k: string) => scene.load(k);
  const predictors: Record<string, Series> = {};
  for (const v of ['ndvi', 'lst', 'albedo', 'precip', 'dem', 'twi', 'clay', 'sand']) predictors[v] = await load(`${v}_1km`);
  return { coarse: await load('sm_coarse'), truth: await load('sm_truth_1km'), predictors };
}

function maxConservationError(product: Series, coarse: Series): number {
  const layout = blockLayout(coarse.grid, product.grid);
  let max = 0;
  product.values.forEach((p, d) =>
    blockMeans(p, layout).forEach((m, k) => {
      const e = Math.abs(m - coarse.values[d][k]);
      if (e === e) max = Math.max(max, e);
    }),
  );
  return max;
}

for (const regressor of [{ uses: 'regressor:linear' }, { uses: 'regressor:rf', with: { trees: 60, seed: 5 } }]) {
  test(`demo scene, ${regressor.uses} + block: beats bilinear in sub-grid correlation and conserves to 1e-6`, async () => {
    const { coarse, truth, predictors } = await inputs();
    const ds = await downscaler({ regressor, residualCorrection: 'block', dateFeatures: 'doy', cv: { scheme: 'blocks', folds: 3, blockSize: 2 } }, testContext());
    const result = await ds.downscale({ coarse, predictors });
    const bilinear = await (await bilinearDownscaler.create({}, testContext())).downscale({ coarse, predictors: {}, target: truth.grid });
    const rRegression = subGridCorrelation(result.product, truth, FACTOR);
    const rBilinear = subGridCorrelation(bilinear.product, truth, FACTOR);
    assert.ok(rRegression > rBilinear + 0.15, `sub-grid r: ${regressor.uses} ${rRegression.toFixed(3)}, bilinear ${rBilinear.toFixed(3)}`);
    assert.ok(maxConservationError(result.product, coarse) <= 1e-6);
    if (regressor.uses === 'regressor:rf') assert.ok(result.uncertainty && result.uncertainty.values.some((v) => v.some((x) => x > 0)), 'RF per-tree spread as uncertainty');
  });
}
