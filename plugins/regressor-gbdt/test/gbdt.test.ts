import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { createPluginContext, createRng, createTable, createWorkerPool, isSoilscaleError, type Table } from '../../../core/index.js';
import { gbdtPlugin, type GbdtParams } from '../index.js';

const defaults = Object.fromEntries(Object.entries(gbdtPlugin.params.properties).map(([k, v]) => [k, v.default])) as unknown as GbdtParams;
const inline = createWorkerPool(1);
const threads = createWorkerPool(2);
after(() => Promise.all([inline.close(), threads.close()]));

async function gbdt(params: Partial<GbdtParams>, pool = inline) {
  return gbdtPlugin.create({ ...defaults, seed: 5, ...params }, createPluginContext({ workers: pool, seed: 1 }));
}

function table(rows: number, cols: number, seed: number, f?: (x: Float32Array, o: number) => number, noise = 0): Table {
  const rng = createRng(seed);
  const t = createTable(Array.from({ length: cols }, (_, i) => `x${i}`), rows, f !== undefined);
  for (let i = 0; i < t.x.length; i++) t.x[i] = rng.next();
  if (f && t.y) for (let r = 0; r < rows; r++) t.y[r] = f(t.x, r * cols) + noise * rng.normal();
  return t;
}

const rmse = (p: Float32Array, y: Float32Array) => Math.sqrt(p.reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / y.length);

describe('regressor:gbdt', () => {
  it('recovers a step function exactly in one round at learning rate 1', async () => {
    const step = (x: Float32Array, o: number) => (x[o] > 0.5 ? 3 : x[o] > 0.2 ? 1 : -1);
    const train = table(1000, 2, 1, step);
    for (const growth of ['leaf-wise', 'depth-wise'] as const) {
      // maxBins above the distinct values: every value has its own bin, so the steps fall on bin edges.
      const model = await (await gbdt({ rounds: 1, learningRate: 1, numLeaves: 3, minDataInLeaf: 1, maxBins: 1024, growth })).fit(train);
      const test = table(300, 2, 2, step);
      const { mean, spread } = await model.predict(test);
      assert.equal(spread, undefined);
      for (let r = 0; r < test.rows; r++) {
        const x0 = test.x[r * 2];
        if (Math.abs(x0 - 0.5) < 0.01 || Math.abs(x0 - 0.2) < 0.01) continue;
        assert.ok(Math.abs(mean[r] - test.y![r]) < 1e-5, `${growth}: x0=${x0} → ${mean[r]}, want ${test.y![r]}`);
      }
    }
  });

  it('gives a monotone response to a monotone function', async () => {
    const train = table(2000, 1, 3, (x, o) => Math.exp(x[o]));
    const model = await (await gbdt({ rounds: 100, minDataInLeaf: 5 })).fit(train);
    const grid = createTable(['x0'], 500);
    grid.x.set(Float32Array.from({ length: 500 }, (_, i) => i / 499));
    const { mean } = await model.predict(grid);
    for (let i = 1; i < 500; i++) assert.ok(mean[i] >= mean[i - 1] - 1e-6, `not monotone at ${i}: ${mean[i - 1]} > ${mean[i]}`);
  });

  it('learns a smooth function to RMSE < 0.05, better with more rounds', async () => {
    const f = (x: Float32Array, o: number) => Math.sin(2 * Math.PI * x[o]) + 0.5 * x[o + 1] ** 2 + x[o + 2] * x[o];
    const train = table(5000, 4, 4, f);
    const test = table(2000, 4, 5, f);
    const short = await (await gbdt({ rounds: 20 })).fit(train);
    const long = await (await gbdt({ rounds: 300 })).fit(train);
    const eShort = rmse((await short.predict(test)).mean, test.y!);
    const eLong = rmse((await long.predict(test)).mean, test.y!);
    assert.ok(eLong < 0.05, `rmse ${eLong}`);
    assert.ok(eLong < eShort / 2, `${eLong} vs ${eShort}`);
    const gain = long.importance!()[0];
    assert.equal(gain.method, 'gain');
    assert.ok(gain.values.x0 > gain.values.x1 && gain.values.x1 > gain.values.x3, JSON.stringify(gain.values));
  });

  it('stops early on a validation split and keeps the best round', async () => {
    const f = (x: Float32Array, o: number) => x[o];
    const train = table(600, 3, 6, f, 0.3);
    const model = await (await gbdt({ rounds: 500, learningRate: 0.3, earlyStoppingRounds: 10, validationFraction: 0.25 })).fit(train);
    const d = model.diagnostics!();
    assert.ok(Number(d.roundsKept) < 100, `kept ${d.roundsKept}`);
    const valid = table(400, 3, 7, f, 0.3);
    const explicit = await (await gbdt({ rounds: 500, learningRate: 0.3, earlyStoppingRounds: 10 })).fit(train, { validation: valid });
    assert.ok(Number(explicit.diagnostics!().roundsKept) < 100);
    assert.equal(explicit.save().binary!.treeSizes.length, explicit.diagnostics!().roundsKept);
  });

  it('is reproducible from the seed with subsampling, on 1 and 2 threads', async () => {
    const f = (x: Float32Array, o: number) => x[o] * x[o + 1] - x[o + 2];
    const train = table(3000, 3, 8, f, 0.05);
    const test = table(50_000, 3, 9);
    const p = { rounds: 40, subsample: 0.7, colsampleByTree: 0.67 };
    // A first fit spawns the pool's worker and loads the modules: the next fit's helper then starts within its wait.
    await (await gbdt({ rounds: 1 }, threads)).fit(table(500, 3, 8, f));
    const a = await (await gbdt(p, inline)).fit(train);
    const b = await (await gbdt(p, threads)).fit(train);
    // The second fit really ran on two threads, and saved the same model byte for byte.
    assert.equal(a.diagnostics!().fitThreads, 1);
    assert.equal(b.diagnostics!().fitThreads, 2);
    assert.deepEqual(a.save(), b.save());
    const pa = await a.predict(test);
    const pb = await b.predict(test);
    assert.deepEqual(Buffer.from(pa.mean.buffer), Buffer.from(pb.mean.buffer));
    const c = await (await gbdt({ ...p, seed: 6 })).fit(train);
    assert.notDeepEqual(c.save().binary, a.save().binary);
  });

  it('save → load gives identical predictions, also with missing values', async () => {
    const train = table(1500, 3, 10, (x, o) => (x[o] !== x[o] ? 2 : x[o]) + x[o + 1]);
    for (let r = 0; r < 1500; r += 5) {
      train.x[r * 3] = NaN;
      train.y![r] = 2 + train.x[r * 3 + 1];
    }
    const g = await gbdt({ rounds: 60 });
    const model = await g.fit(train);
    const saved = model.save();
    const copy = { ...JSON.parse(JSON.stringify({ ...saved, binary: undefined })), binary: Object.fromEntries(Object.entries(saved.binary!).map(([k, v]) => [k, v.slice()])) };
    const loaded = await g.load(copy);
    const test = table(2000, 3, 11);
    for (let r = 0; r < 2000; r += 7) test.x[r * 3] = NaN;
    const p0 = await model.predict(test);
    const p1 = await loaded.predict(test);
    assert.deepEqual(Buffer.from(p1.mean.buffer), Buffer.from(p0.mean.buffer));
    const nanRow = test.x.subarray(0, 3);
    assert.ok(Math.abs(p0.mean[0] - (2 + nanRow[1])) < 0.1, `missing row → ${p0.mean[0]}`);
  });

  it('treats uniform row weights like no weights (same trees, same bytes)', async () => {
    const train = table(2000, 3, 12, (x, o) => x[o] + Math.sin(5 * x[o + 1]), 0.05);
    const test = table(500, 3, 13);
    const plain = await (await gbdt({ rounds: 30 })).fit(train);
    const weighted = await (await gbdt({ rounds: 30 })).fit({ ...train, weights: new Float32Array(train.rows).fill(2) });
    assert.deepEqual(Buffer.from((await weighted.predict(test)).mean.buffer), Buffer.from((await plain.predict(test)).mean.buffer));
  });

  it('reports bad input as SoilscaleErrors', async () => {
    const g = await gbdt({ rounds: 2 });
    await assert.rejects(g.fit(table(10, 2, 1)), (e) => isSoilscaleError(e) && /y/.test(e.message));
    const model = await g.fit(table(50, 2, 1, (x, o) => x[o]));
    await assert.rejects(model.predict(createTable(['x1'], 1)), (e) => isSoilscaleError(e) && /x0/.test(e.message));
    await assert.rejects(g.load({ ...model.save(), data: { layout: 99 } }), (e) => isSoilscaleError(e) && /layout/.test(e.message));
  });
});
