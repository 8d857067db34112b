import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPluginContext, createRng, createTable, createWorkerPool, isSoilscaleError, type Table } from '../../../core/index.js';
import { bpnnPlugin, type BpnnParams } from '../index.js';

const DEFAULTS: BpnnParams = {
  hidden: [20, 30, 30, 33],
  activation: 'relu',
  solver: 'adam',
  learningRate: 0.001,
  batchSize: 200,
  maxEpochs: 200,
  l2: 0.0001,
  validationFraction: 0.1,
  patience: 10,
  tol: 0.0001,
  standardizeTarget: true,
  lm: { mu: 0.001, muIncrease: 10, muDecrease: 0.1, muMax: 1e10, maxWeights: 1000 },
  seed: 1,
};

/** y = sin(2·a) + b² − 0.5·a·b on [−1.5, 1.5]² (plus a distractor column c). */
function known(rows: number, seed: number): Table {
  const rng = createRng(seed);
  const t = createTable(['a', 'b', 'c'], rows, true);
  for (let r = 0; r < rows; r++) {
    const a = 3 * rng.next() - 1.5;
    const b = 3 * rng.next() - 1.5;
    t.x.set([a, b, 100 + 50 * rng.next()], r * 3);
    t.y![r] = Math.sin(2 * a) + b * b - 0.5 * a * b;
  }
  return t;
}

function rmse(pred: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (pred[i] - y[i]) ** 2;
  return Math.sqrt(s / y.length);
}

const context = (workers = 1) => createPluginContext({ seed: 3, workers: createWorkerPool(workers) });

test('adam: learns a known nonlinear function to RMSE < 0.08 (target std ≈ 1)', async () => {
  const bpnn = await bpnnPlugin.create({ ...DEFAULTS, hidden: [32, 32], learningRate: 0.005, batchSize: 64, maxEpochs: 150 }, context());
  const model = await bpnn.fit(known(3000, 1));
  const test = known(2000, 2);
  const e = rmse((await model.predict(test)).mean, test.y!);
  assert.ok(e < 0.08, `test RMSE ${e}`);
  // A linear fit of the same function cannot get below ~0.5: the network must have learnt the curvature.
  const d = model.diagnostics!();
  assert.ok(Number(d.epochs) >= Number(d.bestEpoch) && Number(d.bestEpoch) >= 1);
});

test('lm: Levenberg–Marquardt fits a small tanh net to sin(2a) + b² to RMSE < 0.03', async () => {
  const bpnn = await bpnnPlugin.create({ ...DEFAULTS, hidden: [10], activation: 'tanh', solver: 'lm', maxEpochs: 150, l2: 0, patience: 6 }, context());
  const model = await bpnn.fit(known(600, 4));
  const test = known(1000, 5);
  const e = rmse((await model.predict(test)).mean, test.y!);
  assert.ok(e < 0.03, `test RMSE ${e}`);
});

test('lm refuses a network above lm.maxWeights with a usage error naming the param', async () => {
  const bpnn = await bpnnPlugin.create({ ...DEFAULTS, solver: 'lm', hidden: [50, 50] }, context());
  await assert.rejects(bpnn.fit(known(100, 1)), (e: unknown) => isSoilscaleError(e) && e.kind === 'usage' && /maxWeights/.test(e.message));
});

test('same seed → same bytes; another seed → another network; thread count does not matter', async () => {
  const params = { ...DEFAULTS, hidden: [16, 16], maxEpochs: 8 };
  const train = known(1500, 6);
  const grid = known(70_000, 7); // above the parallel-prediction threshold
  const a = await (await bpnnPlugin.create(params, context())).fit(train);
  const b = await (await bpnnPlugin.create(params, context(2))).fit(train);
  const c = await (await bpnnPlugin.create({ ...params, seed: 2 }, context())).fit(train);
  const pa = (await a.predict(grid)).mean;
  const pb = (await b.predict(grid)).mean;
  assert.deepEqual(Buffer.from(pa.buffer), Buffer.from(pb.buffer));
  assert.notDeepEqual(Buffer.from(pa.buffer), Buffer.from((await c.predict(grid)).mean.buffer));
});

test('training on two threads (≥ 20k rows: the adaptive one/two-thread gradient) gives the bytes of one thread', async () => {
  const params = { ...DEFAULTS, hidden: [12, 12], maxEpochs: 2, validationFraction: 0.1 };
  const train = known(24_000, 11);
  const one = await (await bpnnPlugin.create(params, context())).fit(train);
  const pool = createWorkerPool(2);
  try {
    const two = await (await bpnnPlugin.create(params, createPluginContext({ seed: 3, workers: pool }))).fit(train);
    assert.ok(Number(two.diagnostics!().twoThreadShare) > 0, 'some batches ran on two threads');
    assert.equal(Number(one.diagnostics!().twoThreadShare), 0);
    assert.deepEqual(Buffer.from((two.save().binary!.theta as Float64Array).buffer), Buffer.from((one.save().binary!.theta as Float64Array).buffer));
  } finally {
    await pool.close();
  }
});

test('save → load → the same predictions; NaN features give NaN', async () => {
  const bpnn = await bpnnPlugin.create({ ...DEFAULTS, hidden: [8], maxEpochs: 5 }, context());
  const model = await bpnn.fit(known(500, 8));
  const test = known(300, 9);
  test.x[4] = Number.NaN; // row 1
  const saved = JSON.parse(JSON.stringify({ ...model.save(), binary: undefined }));
  const again = await bpnn.load({ ...saved, binary: model.save().binary });
  const p1 = (await model.predict(test)).mean;
  const p2 = (await again.predict(test)).mean;
  assert.deepEqual(Buffer.from(p1.buffer), Buffer.from(p2.buffer));
  assert.ok(Number.isNaN(p1[1]) && Number.isFinite(p1[0]));
  await assert.rejects(bpnn.load({ ...model.save(), binary: {} }), (e: unknown) => isSoilscaleError(e) && /binary\.theta/.test(e.message));
});

test('early stopping: patience 1 stops well before maxEpochs and keeps the best epoch', async () => {
  const bpnn = await bpnnPlugin.create({ ...DEFAULTS, hidden: [8], maxEpochs: 500, patience: 1, tol: 0.05 }, context());
  const d = (await bpnn.fit(known(400, 10))).diagnostics!();
  assert.ok(Number(d.epochs) < 500, `epochs ${d.epochs}`);
  assert.equal(Number(d.epochs), Number(d.bestEpoch) + 1);
});
