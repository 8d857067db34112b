import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPluginContext, createRng, createTable, type Rng, type Table } from '../../../core/index.js';
import { linearRegressor } from '../../../plugins/regressor-linear/index.js';
import { conformalQuantile, conformalScores, crossValidate, intervalBounds } from '../index.js';

/** i.i.d. rows: y = 0.2 + 0.5·x1 − 0.3·x2 + N(0, 0.02²). */
function iidTable(rows: number, rng: Rng): Table {
  const t = createTable(['x1', 'x2'], rows, true);
  for (let r = 0; r < rows; r++) {
    t.x[2 * r] = rng.normal();
    t.x[2 * r + 1] = rng.normal();
    t.y![r] = 0.2 + 0.5 * t.x[2 * r] - 0.3 * t.x[2 * r + 1] + 0.02 * rng.normal();
  }
  return { ...t, index: { date: new Int32Array(rows), pixel: Int32Array.from({ length: rows }, (_, r) => r), group: Int32Array.from({ length: rows }, (_, r) => r) } };
}

test('conformal quantile: rank ⌈(n+1)·level⌉, infinite when n is too small', () => {
  const scores = Float64Array.from({ length: 19 }, (_, i) => 19 - i); // 19 … 1
  assert.deepEqual(conformalQuantile(scores, 0.9), { quantile: 18, n: 19 }); // ⌈20·0.9⌉ = 18th smallest
  assert.equal(conformalQuantile([1, 2, 3, Number.NaN], 0.9).quantile, Number.POSITIVE_INFINITY); // ⌈4·0.9⌉ = 4 > 3
  assert.throws(() => conformalScores(Float32Array.of(0, 0, 0), Float32Array.of(1, 2, 3), undefined, 0.9, 'x.intervals'), /too few out-of-fold residuals/);
});

test('CV conformal intervals of regressor:linear cover i.i.d. data at the nominal 90 % (within binomial bounds)', async () => {
  const regressor = await linearRegressor.create({}, createPluginContext({ seed: 1 }));
  const level = 0.9;
  const n = 300;
  const testRows = 4000;
  const replications = 40;
  let covered = 0;
  for (let rep = 0; rep < replications; rep++) {
    const rng = createRng(100 + rep);
    const train = iidTable(n, rng);
    const { oof } = await crossValidate(regressor, train, 'kfold', 5, rng.fork(1));
    const cal = conformalScores(oof, train.y!, undefined, level, 'test');
    const model = await regressor.fit(train);
    const fresh = iidTable(testRows, rng.fork(2));
    const { lower, upper } = intervalBounds((await model.predict(fresh)).mean, undefined, cal);
    for (let r = 0; r < testRows; r++) if (fresh.y![r] >= lower[r] && fresh.y![r] <= upper[r]) covered++;
  }
  const coverage = covered / (replications * testRows);
  // Per replication, coverage given the calibration set is Beta(k, n+1−k)-distributed with mean
  // k/(n+1) ∈ [0.9, 0.9 + 1/(n+1)] and sd ≈ √(0.09/n) ≈ 0.017; over 40 replications the mean's sd is
  // ≈ 0.0028 (+ the binomial noise of 4000 test rows, ≈ 0.0008): ±4 sd.
  const sd = Math.sqrt(Math.sqrt(level * (1 - level) / n) ** 2 / replications + (level * (1 - level)) / (replications * testRows));
  assert.ok(coverage >= level - 4 * sd && coverage <= level + 1 / (n + 1) + 4 * sd, `coverage ${coverage} (sd ${sd})`);
});

test('an in-sample quantile of a flexible learner under-covers: the out-of-fold residuals are what make the guarantee', async () => {
  const { rfPlugin } = await import('../../../plugins/regressor-rf/index.js');
  const rf = await rfPlugin.create({ trees: 30, minLeaf: 1 } as never, createPluginContext({ seed: 1 }));
  const rng = createRng(7);
  const train = iidTable(300, rng);
  const fresh = iidTable(3000, rng.fork(2));
  const model = await rf.fit(train);
  const inSample = conformalScores((await model.predict(train)).mean, train.y!, undefined, 0.9, 'test');
  const { oof } = await crossValidate(rf, train, 'kfold', 5, rng.fork(1));
  const outOfFold = conformalScores(oof, train.y!, undefined, 0.9, 'test');
  const pred = (await model.predict(fresh)).mean;
  const coverage = (q: typeof inSample) => {
    const { lower, upper } = intervalBounds(pred, undefined, q);
    return fresh.y!.filter((y, r) => y >= lower[r] && y <= upper[r]).length / fresh.rows;
  };
  assert.ok(coverage(inSample) < 0.8, `in-sample ${coverage(inSample)}`);
  assert.ok(coverage(outOfFold) > 0.85, `out-of-fold ${coverage(outOfFold)}`);
});
