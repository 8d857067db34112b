import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../../core/index.js';
import { batchGradient, createGradientWorkspace } from '../src/batch-gradient.js';
import { denseForward, denseGradient, transpose } from '../src/dense-kernels.js';
import { backward, forward, initTheta, mlpLayout, mlpWorkspace, type MlpShape } from '../src/mlp.js';

const rng = createRng(11);
const random = (n: number) => Float64Array.from({ length: n }, () => 2 * rng.next() - 1);

test('denseForward equals the plain triple loop bit for bit (and max(0, ·) of it with relu), for every row/output remainder of the 4×3 blocking', () => {
  for (const relu of [false, true]) {
    for (let rows = 0; rows <= 9; rows++) {
      for (let nin = 1; nin <= 4; nin++) {
        for (let nout = 1; nout <= 7; nout++) {
          const x = random(rows * nin);
          const w = random(3 + nout * nin + nout); // 3 leading values: offsets are honoured
          const out = new Float64Array(rows * nout);
          denseForward(x, rows, nin, w, 3, 3 + nout * nin, nout, out, relu);
          for (let r = 0; r < rows; r++) {
            for (let j = 0; j < nout; j++) {
              let s = w[3 + nout * nin + j];
              for (let k = 0; k < nin; k++) s += x[r * nin + k] * w[3 + j * nin + k];
              assert.equal(out[r * nout + j], relu ? Math.max(0, s) : s, `relu ${relu} rows ${rows} nin ${nin} nout ${nout} at (${r}, ${j})`);
            }
          }
        }
      }
    }
  }
});

test('denseGradient equals Σ_rows delta·input (and Σ delta for biases) bit for bit, for every remainder of the 4×2 blocking', () => {
  for (const rows of [1, 2, 5]) {
    for (let nin = 1; nin <= 3; nin++) {
      for (let nout = 1; nout <= 7; nout++) {
        const a = random(rows * nin);
        const d = random(rows * nout);
        const aT = new Float64Array(rows * nin);
        const dT = new Float64Array(rows * nout);
        transpose(a, rows, nin, aT);
        transpose(d, rows, nout, dT);
        const grad = new Float64Array(nout * nin + nout).fill(99); // assigned, not accumulated
        denseGradient(aT, dT, rows, nin, nout, grad, 0, nout * nin);
        for (let j = 0; j < nout; j++) {
          let sb = 0;
          for (let r = 0; r < rows; r++) sb += d[r * nout + j];
          assert.equal(grad[nout * nin + j], sb);
          for (let k = 0; k < nin; k++) {
            let s = 0;
            for (let r = 0; r < rows; r++) s += d[r * nout + j] * a[r * nin + k];
            assert.equal(grad[j * nin + k], s, `rows ${rows} nin ${nin} nout ${nout} at (${j}, ${k})`);
          }
        }
      }
    }
  }
});

const shape: MlpShape = { sizes: [3, 5, 4, 1], activation: 'tanh' };
const layout = mlpLayout(shape);

function halfSse(theta: Float64Array, x: Float64Array, y: Float64Array, rows: number): number {
  const ws = mlpWorkspace(shape, rows);
  ws.acts[0].set(x);
  const out = forward(shape, layout, theta, ws, rows);
  let s = 0;
  for (let r = 0; r < rows; r++) s += 0.5 * (out[r] - y[r]) ** 2;
  return s;
}

test('batchGradient matches central finite differences of ½·scale·Σ(ŷ − y)² (tanh net 3-5-4-1)', () => {
  const rows = 7;
  const theta = initTheta(shape, () => rng.next());
  const x = random(rows * 3);
  const y = random(rows);
  const ws = createGradientWorkspace(shape, rows);
  ws.acts[0].set(x);
  ws.target.set(y);
  const grad = new Float64Array(layout.parameters);
  const sse = batchGradient(shape, layout, theta, ws, rows, 1 / rows, grad);
  assert.ok(Math.abs(sse / 2 - halfSse(theta, x, y, rows)) < 1e-12);
  const h = 1e-6;
  for (let i = 0; i < layout.parameters; i++) {
    const t = theta.slice();
    t[i] += h;
    const up = halfSse(t, x, y, rows);
    t[i] -= 2 * h;
    const down = halfSse(t, x, y, rows);
    const numeric = (up - down) / (2 * h) / rows;
    assert.ok(Math.abs(grad[i] - numeric) < 1e-7 * Math.max(1, Math.abs(numeric)), `parameter ${i}: ${grad[i]} vs ${numeric}`);
  }
});

test('batchGradient agrees with the row-at-a-time back-propagation used by Levenberg–Marquardt (ReLU net)', () => {
  const relu: MlpShape = { sizes: [4, 6, 6, 1], activation: 'relu' };
  const lay = mlpLayout(relu);
  const theta = initTheta(relu, () => rng.next());
  const rows = 13;
  const x = random(rows * 4);
  const y = random(rows);
  const ws = createGradientWorkspace(relu, rows);
  ws.acts[0].set(x);
  ws.target.set(y);
  const fast = new Float64Array(lay.parameters);
  batchGradient(relu, lay, theta, ws, rows, 1, fast);
  const slow = new Float64Array(lay.parameters);
  const one = mlpWorkspace(relu, 1);
  for (let r = 0; r < rows; r++) {
    one.acts[0].set(x.subarray(r * 4, r * 4 + 4));
    const out = forward(relu, lay, theta, one, 1);
    one.deltas[relu.sizes.length - 1][0] = out[0] - y[r];
    backward(relu, lay, theta, one, 1, slow);
  }
  let norm = 0;
  for (let i = 0; i < lay.parameters; i++) norm = Math.max(norm, Math.abs(slow[i]));
  assert.ok(norm > 0.1, 'a non-trivial gradient');
  for (let i = 0; i < lay.parameters; i++) assert.ok(Math.abs(fast[i] - slow[i]) < 1e-12 * Math.max(1, norm), `parameter ${i}: ${fast[i]} vs ${slow[i]}`);
});
