import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, createTable, type Table } from '../../../core/index.js';
import { columnLearner, memoriser } from './learners.js';
import { nnlsNormal } from '../src/nnls.js';
import { createStacking, stackWeights } from '../src/stacking.js';

/** Rows with two "learner prediction" columns a, b and y = 0.3·a + 0.7·b + noise; 100 spatial groups. */
function mixtureTable(rows: number, noise: number, seed: number): Table {
  const rng = createRng(seed);
  const t = createTable(['a', 'b'], rows, true);
  const group = new Int32Array(rows);
  const date = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const common = rng.normal();
    t.x[2 * r] = 0.25 + 0.05 * (common + rng.normal());
    t.x[2 * r + 1] = 0.25 + 0.05 * (common + rng.normal());
    t.y![r] = 0.3 * t.x[2 * r] + 0.7 * t.x[2 * r + 1] + noise * rng.normal();
    group[r] = r % 100;
    date[r] = Math.floor(r / 100);
  }
  return { ...t, index: { group, date, pixel: group } };
}

test('NNLS (Lawson–Hanson) equals the best non-negative subset solution', () => {
  const rng = createRng(3);
  for (let trial = 0; trial < 20; trial++) {
    const k = 4;
    const rows = 30;
    const a = Array.from({ length: rows }, () => Array.from({ length: k }, () => rng.normal()));
    const b = Array.from({ length: rows }, () => rng.normal());
    const gram = new Float64Array(k * k);
    const atb = new Float64Array(k);
    for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) ((atb[i] += a[r][i] * b[r]), a[r].forEach((v, j) => (gram[i * k + j] += a[r][i] * v)));
    const w = nnlsNormal(gram, atb, k);
    const loss = (x: ArrayLike<number>) => a.reduce((s, row, r) => s + (row.reduce((t, v, j) => t + v * x[j], 0) - b[r]) ** 2, 0);
    assert.ok(Array.from(w).every((v) => v >= 0));
    // Brute force: unconstrained least squares on every column subset, kept when non-negative.
    let best = loss(new Float64Array(k));
    for (let mask = 1; mask < 1 << k; mask++) {
      const cols = [...Array(k).keys()].filter((i) => mask & (1 << i));
      const sub = new Float64Array(cols.length ** 2);
      const rhs = Float64Array.from(cols, (i) => atb[i]);
      cols.forEach((i, p) => cols.forEach((j, q) => (sub[p * cols.length + q] = gram[i * k + j])));
      const x = nnlsNormal(sub, rhs, cols.length);
      const full = new Float64Array(k);
      cols.forEach((i, p) => (full[i] = x[p]));
      best = Math.min(best, loss(full));
    }
    assert.ok(Math.abs(loss(w) - best) <= 1e-9 * Math.max(1, best), `trial ${trial}: ${loss(w)} vs ${best}`);
  }
  // A column that only hurts gets weight exactly 0.
  assert.deepEqual(Array.from(nnlsNormal(Float64Array.from([1, 0, 0, 1]), Float64Array.from([2, -1]), 2)), [2, 0]);
});

test('stacking recovers the weights of a known mixture of two learners', async () => {
  const table = mixtureTable(2000, 0.002, 5);
  const stacking = createStacking(
    [
      { name: 'a', regressor: columnLearner(0) },
      { name: 'b', regressor: columnLearner(1) },
    ],
    { method: 'nnls', ridge: 0 },
    { scheme: 'blocks', folds: 5, rng: createRng(1) },
  );
  const { oof } = await stacking.outOfFold(table, 'blocks', 5, createRng(2));
  const weights = stacking.weightsTable()!.rows.filter((r) => r.learner !== 'ensemble').map((r) => r.weight as number);
  assert.ok(Math.abs(weights[0] - 0.3) < 0.02 && Math.abs(weights[1] - 0.7) < 0.02, `weights ${weights}`);
  // The refitted ensemble predicts with the same weights.
  const model = await stacking.regressor.fit(table);
  const { mean } = await model.predict(table);
  for (let r = 0; r < 50; r++) assert.ok(Math.abs(mean[r] - (weights[0] * table.x[2 * r] + weights[1] * table.x[2 * r + 1])) < 1e-6);
  for (let r = 0; r < 50; r++) assert.ok(Math.abs(oof[r] - mean[r]) < 1e-6);
  // Noise-free: exact to solver precision.
  const exact = stackWeights([Float32Array.from({ length: 500 }, (_, r) => table.x[2 * r]), Float32Array.from({ length: 500 }, (_, r) => table.x[2 * r + 1])], Float32Array.from({ length: 500 }, (_, r) => 0.3 * table.x[2 * r] + 0.7 * table.x[2 * r + 1]), { method: 'nnls', ridge: 0 });
  assert.ok(Math.abs(exact[0] - 0.3) < 1e-4 && Math.abs(exact[1] - 0.7) < 1e-4, `exact ${exact}`);
});

test('out-of-fold stacking gives no weight to a learner that only memorises its training rows', async () => {
  const table = mixtureTable(1000, 0.002, 9);
  const stacking = createStacking(
    [
      { name: 'memoriser', regressor: memoriser },
      { name: 'b', regressor: columnLearner(1) },
    ],
    { method: 'nnls', ridge: 0 },
    { scheme: 'blocks', folds: 5, rng: createRng(1) },
  );
  await stacking.outOfFold(table, 'blocks', 5, createRng(2));
  const [wMem, wB] = stacking.weightsTable()!.rows.filter((r) => r.learner !== 'ensemble').map((r) => r.weight as number);
  // In sample the memoriser is exact (weight 1, b 0); out of fold it only knows the training mean (a constant).
  assert.ok(wMem < 0.25 && wB > 0.75, `memoriser ${wMem}, b ${wB}`);
});
