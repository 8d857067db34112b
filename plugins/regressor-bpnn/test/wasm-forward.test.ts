import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../../core/index.js';
import { forwardRows } from '../src/batch-gradient.js';
import { initTheta, mlpLayout, type MlpShape } from '../src/mlp.js';
import { predictRows, type MlpModel } from '../src/predict-kernel.js';
import { createWasmForward } from '../src/wasm-forward.js';

const rng = createRng(21);

test('the WebAssembly SIMD forward pass gives the bytes of the JS kernels (ReLU nets, widths and row counts off the 4-blocking)', () => {
  const shapes: MlpShape[] = [
    { sizes: [12, 20, 30, 30, 33, 1], activation: 'relu' },
    { sizes: [3, 5, 1], activation: 'relu' },
    { sizes: [1, 7, 2, 1], activation: 'relu' },
    { sizes: [4, 1], activation: 'relu' }, // linear: no hidden layer
  ];
  for (const shape of shapes) {
    const layout = mlpLayout(shape);
    const theta = initTheta(shape, () => rng.next());
    const capacity = 37;
    const net = createWasmForward(shape, layout, theta, capacity);
    assert.ok(net, 'WebAssembly SIMD is available in Node 20');
    const acts = shape.sizes.map((n) => new Float64Array(capacity * n));
    let negatives = 0;
    for (const rows of [1, 2, 3, 4, 5, 31, 37]) {
      const x = Float64Array.from({ length: rows * shape.sizes[0] }, () => 4 * rng.next() - 2);
      acts[0].set(x);
      const expected = forwardRows(shape, layout, theta, acts, rows);
      net.input.set(x);
      net.run(rows);
      for (let r = 0; r < rows; r++) {
        assert.equal(net.output[r * net.outputStride], expected[r], `sizes ${shape.sizes.join('-')}, ${rows} rows, row ${r}`);
        if (expected[r] < 0) negatives++;
      }
    }
    // The output layer is linear (not clipped by the fused ReLU): some outputs are negative.
    assert.ok(negatives > 0, `sizes ${shape.sizes.join('-')}`);
  }
});

test('tanh/logistic nets are left to the JS kernels (only ReLU is fused in WebAssembly)', () => {
  const shape: MlpShape = { sizes: [3, 4, 1], activation: 'tanh' };
  assert.equal(createWasmForward(shape, mlpLayout(shape), initTheta(shape, () => rng.next()), 8), null);
});

test('predictRows: the same bytes with and without WebAssembly, NaN rows kept as NaN', () => {
  const shape: MlpShape = { sizes: [6, 16, 9, 1], activation: 'relu' };
  const model: MlpModel = {
    sizes: shape.sizes,
    activation: 'relu',
    theta: initTheta(shape, () => rng.next()),
    xMean: Float64Array.from({ length: 6 }, () => rng.next()),
    xScale: Float64Array.from({ length: 6 }, () => 0.5 + rng.next()),
    yMean: 0.25,
    yScale: 0.1,
  };
  const rows = 1000; // several 256-row blocks and a partial one
  const x = Float32Array.from({ length: rows * 6 }, () => 3 * rng.next() - 1.5);
  x[6 * 17 + 2] = Number.NaN;
  const fast = predictRows(model, x, rows, true);
  const plain = predictRows(model, x, rows, false);
  assert.deepEqual(Buffer.from(fast.buffer), Buffer.from(plain.buffer));
  assert.ok(Number.isNaN(fast[17]) && Number.isFinite(fast[16]) && Number.isFinite(fast[18]));
});
