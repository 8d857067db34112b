import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { createPluginContext, createRng, createTable, createWorkerPool, isSoilscaleError, type Table } from '../../../core/index.js';
import { rfPlugin, type RandomForestParams } from '../index.js';

const defaults = Object.fromEntries(Object.entries(rfPlugin.params.properties).map(([k, v]) => [k, v.default])) as unknown as RandomForestParams;
const inline = createWorkerPool(1);
const threads = createWorkerPool(2);
after(() => Promise.all([inline.close(), threads.close()]));

async function forest(params: Partial<RandomForestParams>, pool = inline) {
  return rfPlugin.create({ ...defaults, seed: 11, ...params }, createPluginContext({ workers: pool, seed: 1 }));
}

/** A table with `cols` uniform features in [0, 1) and target `f(row)`. */
function table(rows: number, cols: number, seed: number, f?: (x: Float32Array, o: number) => number): Table {
  const rng = createRng(seed);
  const t = createTable(Array.from({ length: cols }, (_, i) => `x${i}`), rows, f !== undefined);
  for (let i = 0; i < t.x.length; i++) t.x[i] = rng.next();
  if (f && t.y) for (let r = 0; r < rows; r++) t.y[r] = f(t.x, r * cols);
  return t;
}

const r2 = (pred: Float32Array, y: Float32Array) => {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < y.length; i++) {
    sse += (pred[i] - y[i]) ** 2;
    sst += (y[i] - mean) ** 2;
  }
  return 1 - sse / sst;
};

describe('regressor:rf', () => {
  it('recovers a step function exactly away from the step, with zero spread there', async () => {
    const step = (x: Float32Array, o: number) => (x[o] > 0.5 ? 3 : 1);
    const train = table(2000, 3, 1, step);
    const model = await (await forest({ trees: 30, minLeaf: 1, maxFeatures: 'all' })).fit(train);
    const test = table(500, 3, 2, step);
    const { mean, spread } = await model.predict(test);
    let checked = 0;
    for (let r = 0; r < test.rows; r++) {
      if (Math.abs(test.x[r * 3] - 0.5) < 0.02) continue;
      assert.equal(mean[r], test.y![r]);
      assert.equal(spread![r], 0);
      checked++;
    }
    assert.ok(checked > 450);
  });

  it('gives a monotone response to a monotone function', async () => {
    const train = table(1500, 1, 3, (x, o) => 2 * x[o] + x[o] ** 3);
    const model = await (await forest({ trees: 40, maxFeatures: 'all' })).fit(train);
    const grid = createTable(['x0'], 400);
    grid.x.set(Float32Array.from({ length: 400 }, (_, i) => i / 399));
    const { mean } = await model.predict(grid);
    for (let i = 1; i < 400; i++) assert.ok(mean[i] >= mean[i - 1], `not monotone at ${i}: ${mean[i - 1]} > ${mean[i]}`);
    assert.ok(mean[399] - mean[0] > 2.5);
  });

  it('learns a smooth function to RMSE < 0.06 and reports a sane out-of-bag R²', async () => {
    const f = (x: Float32Array, o: number) => Math.sin(2 * Math.PI * x[o]) + 0.5 * x[o + 1] ** 2;
    const train = table(4000, 4, 4, f);
    const model = await (await forest({ trees: 60, minLeaf: 2, maxFeatures: 0.5 })).fit(train);
    const test = table(2000, 4, 5, f);
    const { mean } = await model.predict(test);
    let sse = 0;
    for (let r = 0; r < test.rows; r++) sse += (mean[r] - test.y![r]) ** 2;
    const rmse = Math.sqrt(sse / test.rows);
    assert.ok(rmse < 0.06, `rmse ${rmse}`);
    const d = model.diagnostics!();
    const testR2 = r2(mean, test.y!);
    assert.ok(Number(d.oobR2) > 0.95 && Math.abs(Number(d.oobR2) - testR2) < 0.03, `oob ${d.oobR2} vs test ${testR2}`);
    assert.ok(Number(d.oobRows) > 0.99 * train.rows);
  });

  it('ranks informative features above noise (permutation %IncMSE and impurity)', async () => {
    const train = table(1500, 4, 6, (x, o) => 3 * x[o] + Math.sin(6 * x[o + 1]) + 0.1 * createRng(o).normal());
    const model = await (await forest({ trees: 60, permutationImportance: true })).fit(train);
    const [impurity, permutation] = model.importance!();
    assert.equal(impurity.method, 'impurity');
    assert.equal(permutation.method, 'permutation');
    for (const imp of [impurity.values, permutation.values]) {
      assert.ok(Math.min(imp.x0, imp.x1) > Math.max(imp.x2, imp.x3), JSON.stringify(imp));
    }
    assert.ok(Math.abs(Object.values(impurity.values).reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.ok(permutation.values.x0 > 10, `%IncMSE of x0: ${permutation.values.x0}`);
  });

  it('is reproducible from the seed: same bytes with 1 and 2 worker threads', async () => {
    const f = (x: Float32Array, o: number) => x[o] * x[o + 1] + x[o + 2];
    const train = table(3000, 3, 7, f);
    const test = table(40_000, 3, 8);
    const a = await (await forest({ trees: 12, permutationImportance: true }, inline)).fit(train);
    const b = await (await forest({ trees: 12, permutationImportance: true }, threads)).fit(train);
    const pa = await a.predict(test);
    const pb = await b.predict(test);
    assert.deepEqual(Buffer.from(pa.mean.buffer), Buffer.from(pb.mean.buffer));
    assert.deepEqual(Buffer.from(pa.spread!.buffer), Buffer.from(pb.spread!.buffer));
    assert.deepEqual(a.save(), b.save());
    assert.deepEqual(a.diagnostics!(), b.diagnostics!());
    const c = await (await forest({ trees: 12, seed: 12 })).fit(train);
    assert.notDeepEqual(Buffer.from((await c.predict(test)).mean.buffer), Buffer.from(pa.mean.buffer));
  });

  it('save → load gives identical predictions', async () => {
    const train = table(1000, 3, 9, (x, o) => x[o] - x[o + 2]);
    const rf = await forest({ trees: 10 });
    const model = await rf.fit(train);
    const saved = model.save();
    assert.equal(saved.pluginId, 'regressor:rf');
    // Survive a JSON trip of the data part and copies of the binary arrays, as a model file would.
    const copy = { ...JSON.parse(JSON.stringify({ ...saved, binary: undefined })), binary: Object.fromEntries(Object.entries(saved.binary!).map(([k, v]) => [k, v.slice()])) };
    const loaded = await rf.load(copy);
    const test = table(3000, 3, 10);
    const p0 = await model.predict(test);
    const p1 = await loaded.predict(test);
    assert.deepEqual(Buffer.from(p1.mean.buffer), Buffer.from(p0.mean.buffer));
    assert.deepEqual(Buffer.from(p1.spread!.buffer), Buffer.from(p0.spread!.buffer));
    assert.deepEqual(loaded.importance!(), model.importance!());
  });

  it('predicts by column name and handles missing values without crashing', async () => {
    const train = table(800, 2, 11, (x, o) => (x[o] !== x[o] ? 5 : x[o]));
    for (let r = 0; r < 800; r += 4) train.x[r * 2] = NaN;
    for (let r = 0; r < 800; r += 4) train.y![r] = 5;
    const model = await (await forest({ trees: 20, maxFeatures: 'all' })).fit(train);
    const test = createTable(['x1', 'x0', 'extra'], 2);
    test.x.set([0.3, NaN, 9, 0.3, 0.2, 9]);
    const { mean } = await model.predict(test);
    assert.ok(Math.abs(mean[0] - 5) < 0.05, `missing → ${mean[0]}`);
    assert.ok(Math.abs(mean[1] - 0.2) < 0.05, `x0=0.2 → ${mean[1]}`);
  });

  it('treats uniform row weights like no weights (same trees, same bytes)', async () => {
    const train = table(1500, 3, 13, (x, o) => x[o] + x[o + 1] * x[o + 2]);
    const test = table(500, 3, 14);
    const plain = await (await forest({ trees: 8 })).fit(train);
    const weighted = await (await forest({ trees: 8 })).fit({ ...train, weights: new Float32Array(train.rows).fill(2) });
    assert.deepEqual(Buffer.from((await weighted.predict(test)).mean.buffer), Buffer.from((await plain.predict(test)).mean.buffer));
  });

  it('reports bad input as SoilscaleErrors naming the field', async () => {
    const rf = await forest({ trees: 2 });
    await assert.rejects(rf.fit(table(10, 2, 1)), (e) => isSoilscaleError(e) && /y/.test(e.message));
    const bad = table(10, 2, 1, () => 1);
    bad.y![3] = NaN;
    await assert.rejects(rf.fit(bad), (e) => isSoilscaleError(e) && /y\[3\]/.test(e.message));
    const model = await rf.fit(table(50, 2, 1, (x, o) => x[o]));
    await assert.rejects(model.predict(createTable(['x0'], 1)), (e) => isSoilscaleError(e) && /x1/.test(e.message));
    const saved = model.save();
    await assert.rejects(rf.load({ ...saved, binary: { ...saved.binary, left: new Int32Array(1) } }), (e) => isSoilscaleError(e) && /binary\.left/.test(e.message));
    await assert.rejects(rf.load({ ...saved, pluginId: 'regressor:gbdt' }), (e) => isSoilscaleError(e) && /pluginId/.test(e.message));
  });
});
