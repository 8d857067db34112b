import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { createRng, createWorkerPool } from '../../../core/index.js';
import { fitBoosting, treesToBinary, type BoostingOptions } from '../index.js';
import { histogramKernel } from '../src/wasm-histogram.js';

const inline = createWorkerPool(1);
const pair = createWorkerPool(2);
after(() => Promise.all([inline.close(), pair.close()]));

/** A noisy nonlinear regression with 3 % missing values. */
function dataset(rows: number, cols: number, seed: number) {
  const rng = createRng(seed);
  const x = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) x[r * cols + c] = rng.next() < 0.03 ? Number.NaN : rng.normal();
    y[r] = Math.sin(2 * (x[r * cols] || 0)) + (x[r * cols + 1] || 0) ** 2 - 0.5 * (x[r * cols + 2] || 0) + 0.1 * rng.normal();
  }
  return { x, y, rows, cols };
}

const base: BoostingOptions = {
  rounds: 25, learningRate: 0.1, growth: 'leaf-wise', numLeaves: 31, maxDepth: Infinity, minDataInLeaf: 20, lambdaL2: 0,
  minGainToSplit: 0, subsample: 1, colsampleByTree: 1, earlyStoppingRounds: 0, maxBins: 255, seed: 3,
};

/** Everything a saved model holds, as bytes and numbers. */
function fingerprint(fit: Awaited<ReturnType<typeof fitBoosting>>) {
  const bin = treesToBinary(fit.trees);
  return { base: fit.base, trees: Object.fromEntries(Object.entries(bin).map(([k, v]) => [k, Buffer.from(v.buffer, v.byteOffset, v.byteLength)])), gain: [...fit.gain], splits: [...fit.splits], trainLoss: fit.trainLoss, validLoss: fit.validLoss };
}

describe('tree-engine boosting on several threads', () => {
  const d = dataset(6000, 6, 21);
  // The pool's worker is spawned and has the modules loaded: a fit's helper then starts within its wait.
  const warm = fitBoosting(d.x, d.y, null, 500, d.cols, { ...base, rounds: 2 }, undefined, undefined, undefined, pair);
  const weight = Float32Array.from({ length: d.rows }, (_, i) => 1 + (i % 4) * 0.25);
  const cases: Array<[string, Partial<BoostingOptions>, Float32Array | null]> = [
    ['leaf-wise, unit weights', {}, null],
    ['depth-wise, row weights, subsample and colsample', { growth: 'depth-wise', maxDepth: 4, subsample: 0.7, colsampleByTree: 0.67, lambdaL2: 1 }, weight],
  ];
  for (const [name, options, w] of cases) {
    it(`grows the same trees on 1 and 2 threads, with the kernel or the JS loops: ${name}`, async () => {
      await warm;
      const o = { ...base, ...options };
      const calls = histogramKernel.calls;
      const one = await fitBoosting(d.x, d.y, w, d.rows, d.cols, o, undefined, undefined, undefined, inline);
      assert.ok(histogramKernel.calls > calls, 'the WebAssembly kernel ran');
      assert.equal(one.threads, 1);
      const two = await fitBoosting(d.x, d.y, w, d.rows, d.cols, o, undefined, undefined, undefined, pair);
      // The helper thread claimed work items: the parallel path ran.
      assert.equal(two.threads, 2);
      const js = await fitBoosting(d.x, d.y, w, d.rows, d.cols, { ...o, wasm: false }, undefined, undefined, undefined, pair);
      assert.equal(js.threads, 2);
      assert.ok(one.trees.length === o.rounds && one.trees.some((t) => t.feature.length > 7), 'the fit grew real trees');
      assert.deepEqual(fingerprint(two), fingerprint(one));
      assert.deepEqual(fingerprint(js), fingerprint(one));
    });
  }

  it('fits: the training loss falls and validation rows are scored', async () => {
    const v = dataset(1000, 6, 22);
    const fit = await fitBoosting(d.x, d.y, null, d.rows, d.cols, { ...base, rounds: 60 }, { x: v.x, y: v.y, rows: v.rows }, undefined, undefined, pair);
    assert.ok(fit.trainLoss[59] < 0.25 * fit.trainLoss[0], `train loss ${fit.trainLoss[0]} → ${fit.trainLoss[59]}`);
    assert.ok(fit.validLoss[59] < 0.5 * fit.validLoss[0], `valid loss ${fit.validLoss[0]} → ${fit.validLoss[59]}`);
  });
});
