import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, createWorkerPool } from '../../../core/index.js';
import { createAdaptiveGradient, createHalvesGradient, createThreadedHalvesGradient } from '../src/halves-gradient.js';
import { initTheta, mlpLayout, type MlpShape } from '../src/mlp.js';

test('the worker-thread half-batch gradient gives the same bytes as both halves on one thread, batch after batch', async () => {
  const rng = createRng(5);
  const shape: MlpShape = { sizes: [5, 8, 6, 1], activation: 'relu' };
  const layout = mlpLayout(shape);
  const rows = 500;
  const data = { x: Float64Array.from({ length: rows * 5 }, () => rng.next() * 2 - 1), y: Float64Array.from({ length: rows }, () => rng.next()) };
  const order = rng.shuffle(Int32Array.from({ length: rows }, (_, i) => i));
  const batch = 51; // odd: unequal halves
  const pool = createWorkerPool(2);
  try {
    const inline = createHalvesGradient(shape, layout, batch, data);
    const threaded = await createThreadedHalvesGradient(shape, layout, batch, data, pool);
    const a = initTheta(shape, () => rng.next());
    const b = a.slice();
    let steps = 0;
    for (let b0 = 0; b0 < rows; b0 += batch) {
      const m = Math.min(batch, rows - b0); // the last batch is short
      const sa = inline.compute(a, order, b0, m);
      const sb = threaded.compute(b, order, b0, m);
      assert.equal(sb, sa, `batch at ${b0}: squared error`);
      assert.deepEqual(Buffer.from(threaded.grad.buffer), Buffer.from(inline.grad.buffer), `batch at ${b0}: gradient`);
      for (let i = 0; i < a.length; i++) {
        a[i] -= 0.1 * inline.grad[i];
        b[i] -= 0.1 * threaded.grad[i];
      }
      steps++;
    }
    assert.equal(steps, 10);
    // The gradient is not trivially zero: the test compares real arithmetic.
    assert.ok(inline.grad.some((g) => Math.abs(g) > 1e-6));
    await threaded.close();
  } finally {
    await pool.close();
  }
});

test('the adaptive engine (probing one and two threads per window of 100 batches) trains to the same bytes as one thread', async () => {
  const rng = createRng(8);
  const shape: MlpShape = { sizes: [3, 6, 1], activation: 'tanh' };
  const layout = mlpLayout(shape);
  const rows = 400;
  const batch = 4;
  const data = { x: Float64Array.from({ length: rows * 3 }, () => rng.next() * 2 - 1), y: Float64Array.from({ length: rows }, () => rng.next()) };
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  const pool = createWorkerPool(2);
  try {
    const reference = createHalvesGradient(shape, layout, batch, data);
    const adaptive = createAdaptiveGradient(createHalvesGradient(shape, layout, batch, data), await createThreadedHalvesGradient(shape, layout, batch, data, pool));
    const a = initTheta(shape, () => rng.next());
    const b = a.slice();
    for (let epoch = 0; epoch < 3; epoch++) {
      for (let b0 = 0; b0 < rows; b0 += batch) {
        reference.compute(a, order, b0, batch);
        adaptive.compute(b, order, b0, batch);
        for (let i = 0; i < a.length; i++) {
          a[i] -= 0.05 * reference.grad[i];
          b[i] -= 0.05 * adaptive.grad[i];
        }
      }
    }
    assert.equal(adaptive.batches, 300);
    assert.ok(adaptive.threadedBatches >= 3 * 4, `each window probes two threads (${adaptive.threadedBatches})`);
    assert.deepEqual(Buffer.from(b.buffer), Buffer.from(a.buffer));
    await adaptive.close();
  } finally {
    await pool.close();
  }
});
