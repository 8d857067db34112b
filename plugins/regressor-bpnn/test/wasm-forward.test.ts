import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../../core/index.js';
import { batchGradient, createGradientWorkspace, forwardRows } from '../src/batch-gradient.js';
import { createHalvesGradient } from '../src/halves-gradient.js';
import { createWasmGradient } from '../src/wasm-gradient.js';
import { initTheta, mlpLayout, type MlpShape } from '../src/mlp.js';
import { predictRows, type MlpModel } from '../src/predict-kernel.js';
import { createWasmForward, denseKernel } from '../src/wasm-forward.js';
import { assertKernelListing } from '../../../test/support/wasm-kernels.js';

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
  const calls = denseKernel.calls;
  const fast = predictRows(model, x, rows, true);
  // The fast path ran the WebAssembly kernel (a JS fallback would give the same bytes), the plain one did not.
  const afterFast = denseKernel.calls;
  assert.ok(afterFast > calls, 'WebAssembly dense kernel ran for predictRows');
  const plain = predictRows(model, x, rows, false);
  assert.equal(denseKernel.calls, afterFast);
  assert.deepEqual(Buffer.from(fast.buffer), Buffer.from(plain.buffer));
  assert.ok(Number.isNaN(fast[17]) && Number.isFinite(fast[16]) && Number.isFinite(fast[18]));
});

test('the WebAssembly gradient (forward, back-propagation and weight gradient as dense products) gives the bytes of batchGradient', () => {
  for (const sizes of [[12, 20, 30, 30, 33, 1], [3, 5, 1], [2, 1], [5, 3, 6, 1]]) {
    const shape: MlpShape = { sizes, activation: 'relu' };
    const layout = mlpLayout(shape);
    const capacity = 23;
    const wasm = createWasmGradient(shape, layout, capacity);
    assert.ok(wasm);
    const ws = createGradientWorkspace(shape, capacity);
    for (const rows of [1, 3, 4, 23]) {
      const theta = initTheta(shape, () => rng.next());
      const p = sizes[0];
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < p; j++) ws.acts[0][r * p + j] = wasm.input[r * wasm.inputStride + j] = 4 * rng.next() - 2;
        ws.target[r] = wasm.target[r] = rng.next();
      }
      const expected = new Float64Array(layout.parameters);
      const got = new Float64Array(layout.parameters).fill(Number.NaN);
      const sseJs = batchGradient(shape, layout, theta, ws, rows, 1 / rows, expected);
      wasm.setWeights(theta);
      const sseWasm = wasm.compute(rows, 1 / rows, got);
      assert.equal(sseWasm, sseJs, `sizes ${sizes.join('-')}, ${rows} rows`);
      assert.deepEqual(Buffer.from(got.buffer), Buffer.from(expected.buffer), `sizes ${sizes.join('-')}, ${rows} rows`);
      assert.ok(expected.some((v) => v !== 0));
    }
  }
});

test('mini-batch halves: the same gradient bytes on the WebAssembly and the JS engines', () => {
  const shape: MlpShape = { sizes: [4, 9, 6, 1], activation: 'relu' };
  const layout = mlpLayout(shape);
  const rows = 300;
  const data = { x: Float64Array.from({ length: rows * 4 }, () => 2 * rng.next() - 1), y: Float64Array.from({ length: rows }, () => rng.next()) };
  const order = rng.shuffle(Int32Array.from({ length: rows }, (_, i) => i));
  const fast = createHalvesGradient(shape, layout, 33, data, true);
  const plain = createHalvesGradient(shape, layout, 33, data, false);
  const theta = initTheta(shape, () => rng.next());
  for (let b0 = 0; b0 < rows; b0 += 33) {
    const m = Math.min(33, rows - b0);
    const calls = denseKernel.calls;
    assert.equal(fast.compute(theta, order, b0, m), plain.compute(theta, order, b0, m));
    assert.ok(denseKernel.calls > calls, 'WebAssembly dense kernel ran for the gradient');
    assert.deepEqual(Buffer.from(fast.grad.buffer), Buffer.from(plain.grad.buffer));
    for (let i = 0; i < theta.length; i++) theta[i] -= 0.1 * plain.grad[i];
  }
});

test('the dense kernel listing is in step with its bytes', () => {
  assertKernelListing(denseKernel, 'plugins/regressor-bpnn/src/wasm-forward.wat');
});
