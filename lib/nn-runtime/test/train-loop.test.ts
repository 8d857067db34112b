import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPluginContext, createRng } from '../../../core/index.js';
import { epochReporter, loadTf, seedWeights, trainTf, weightsFromBinary, weightsToBinary } from '../index.js';

async function run(garbage: number) {
  const { tf } = await loadTf();
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 6, activation: 'tanh' }), tf.layers.dense({ units: 1 })] });
  seedWeights(tf, model, createRng(3));
  const rng = createRng(1);
  const n = 64;
  const x = Float32Array.from({ length: n * 2 }, () => rng.next() * 2 - 1);
  const y = Float32Array.from({ length: n }, (_, i) => (i % 4 === 0 ? garbage : x[2 * i] - x[2 * i + 1]));
  const mask = Float32Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0 : 1));
  const ids = Int32Array.from({ length: n }, (_, i) => i);
  const pick = (a: Float32Array, w: number, s: Int32Array) => Float32Array.from({ length: s.length * w }, (_, k) => a[s[Math.floor(k / w)] * w + (k % w)]);
  await trainTf(tf, {
    model, train: ids, valid: new Int32Array(0),
    batch: (s) => ({ x: tf.tensor2d(pick(x, 2, s), [s.length, 2]), y: tf.tensor1d(pick(y, 1, s)), mask: tf.tensor1d(pick(mask, 1, s)) }),
    epochs: 5, batchSize: 16, learningRate: 0.01, l2: 0, patience: 5, minDelta: 0, rng: createRng(2), reporter: epochReporter(createPluginContext(), 'test', 5),
  });
  return { tf, model };
}

test('masked loss: targets under mask 0 change neither the loss nor the trained weights', async () => {
  const a = weightsToBinary((await run(0)).model).binary;
  const b = weightsToBinary((await run(1000)).model).binary;
  assert.deepEqual(a, b);
  const { tf, model } = await run(0);
  const c = weightsToBinary(model).binary;
  assert.deepEqual(a, c, 'same seed, same weights');
  // And the weights do move: training happened.
  const fresh = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 6, activation: 'tanh' }), tf.layers.dense({ units: 1 })] });
  seedWeights(tf, fresh, createRng(3));
  assert.notDeepEqual(weightsToBinary(fresh).binary, a);
  weightsFromBinary(tf, fresh, a, weightsToBinary(model).manifest, 'test');
  assert.deepEqual(weightsToBinary(fresh).binary, a);
});
