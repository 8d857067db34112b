import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPluginContext, createRng, createWorkerPool, featureLayout, isSoilscaleError, type Table } from '../../../core/index.js';
import { cnnGruPlugin, type CnnGruParams } from '../index.js';

const DEFAULTS: CnnGruParams = {
  steps: 4,
  convLayers: 1,
  convFilters: 8,
  kernelSize: 3,
  gruUnits: 12,
  denseUnits: 12,
  epochs: 25,
  batchSize: 64,
  learningRate: 0.01,
  l2: 0,
  validationFraction: 0.15,
  patience: 8,
  minDelta: 0.001,
  seed: 5,
};

/**
 * Rows of 4 steps × (u, v): y = 0.8·u[t] + 0.6·tanh(2·v[t−1]) + 0.5·u[t−3]·v[t−2]. The target
 * depends on old steps and on a product across steps: the network has to use the sequence.
 */
function sequences(rows: number, seed: number): Table {
  const rng = createRng(seed);
  const layout = featureLayout(['u', 'v'], 'none', 4);
  const x = new Float32Array(rows * 8);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < 8; c++) x[r * 8 + c] = 2 * rng.next() - 1;
    const at = (s: number, f: number) => x[r * 8 + s * 2 + f]; // s = 3 is t, s = 0 is t−3
    y[r] = 0.8 * at(3, 0) + 0.6 * Math.tanh(2 * at(2, 1)) + 0.5 * at(0, 0) * at(1, 1);
  }
  return { kind: 'table', columns: layout.columns, rows, x, y, layout: { steps: 4, features: layout.features } };
}

const stdOf = (y: Float32Array) => {
  const m = y.reduce((a, b) => a + b, 0) / y.length;
  return Math.sqrt(y.reduce((a, b) => a + (b - m) ** 2, 0) / y.length);
};
const rmse = (p: Float32Array, y: Float32Array) => Math.sqrt(p.reduce((a, v, i) => a + (v - y[i]) ** 2, 0) / y.length);
const context = () => createPluginContext({ seed: 1, workers: createWorkerPool(1) });

test('learns a known function of the sequence (test RMSE < 0.2·σ(y)); declares its sequence length', async () => {
  const regressor = await cnnGruPlugin.create(DEFAULTS, context());
  assert.equal(regressor.capabilities?.sequenceSteps, 4);
  const model = await regressor.fit(sequences(1200, 1));
  const test = sequences(1000, 2);
  const e = rmse((await model.predict(test)).mean, test.y!);
  assert.ok(e < 0.2 * stdOf(test.y!), `RMSE ${e.toFixed(4)} vs σ ${stdOf(test.y!).toFixed(4)}`);
});

test('same seed → same bytes; save → load → same bytes; another seed differs', async () => {
  const params = { ...DEFAULTS, epochs: 3 };
  const train = sequences(400, 3);
  const test = sequences(300, 4);
  const a = await (await cnnGruPlugin.create(params, context())).fit(train);
  const b = await (await cnnGruPlugin.create(params, context())).fit(train);
  const c = await (await cnnGruPlugin.create({ ...params, seed: 6 }, context())).fit(train);
  const pa = (await a.predict(test)).mean;
  assert.deepEqual(Buffer.from(pa.buffer), Buffer.from((await b.predict(test)).mean.buffer));
  assert.notDeepEqual(Buffer.from(pa.buffer), Buffer.from((await c.predict(test)).mean.buffer));
  const reloaded = await (await cnnGruPlugin.create(params, context())).load(a.save());
  assert.deepEqual(Buffer.from(pa.buffer), Buffer.from((await reloaded.predict(test)).mean.buffer));
});

test('a table without the sequence layout is refused, naming the layout and the steps', async () => {
  const regressor = await cnnGruPlugin.create({ ...DEFAULTS, epochs: 1 }, context());
  const t = sequences(50, 1);
  const plain: Table = { kind: 'table', columns: t.columns, rows: t.rows, x: t.x, y: t.y };
  await assert.rejects(regressor.fit(plain), (e: unknown) => isSoilscaleError(e) && /layout/.test(e.message) && /4 steps/.test(e.message));
});
