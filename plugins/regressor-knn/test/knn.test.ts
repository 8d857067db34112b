import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { createPluginContext, createTable, createWorkerPool, isSoilscaleError } from '../../../core/index.js';
import { rmse, schemaDefaults, smoothSurface, uniformTable } from '../../../test/support/regressor-fixtures.js';
import { knnPlugin, type KnnParams } from '../index.js';
import { combineNeighbours } from '../src/neighbour-weights.js';

const defaults = schemaDefaults<KnnParams>(knnPlugin);
const inline = createWorkerPool(1);
const threads = createWorkerPool(2);
after(() => Promise.all([inline.close(), threads.close()]));

function knn(params: Partial<KnnParams>, pool = inline) {
  return knnPlugin.create({ ...defaults, seed: 5, ...params }, createPluginContext({ workers: pool, seed: 1 }));
}

describe('regressor:knn', () => {
  it('learns a smooth 2-D function to RMSE < 0.05 (uniform, distance and Gaussian weights)', async () => {
    const train = uniformTable(6000, 2, 1, smoothSurface);
    const test = uniformTable(1000, 2, 2, smoothSurface);
    for (const weights of ['uniform', 'distance', 'gaussian'] as const) {
      const model = await (await knn({ k: 8, weights })).fit(train);
      const e = rmse((await model.predict(test)).mean, test.y!);
      assert.ok(e < 0.05, `${weights}: rmse ${e}`);
    }
  });

  it('gives a monotone response to a monotone function of one feature', async () => {
    const train = uniformTable(800, 1, 3, (x, o) => 2 * x[o] + x[o] ** 3);
    const model = await (await knn({ k: 7 })).fit(train);
    const grid = createTable(['x0'], 300);
    grid.x.set(Float32Array.from({ length: 300 }, (_, i) => i / 299));
    const { mean } = await model.predict(grid);
    for (let i = 1; i < 300; i++) assert.ok(mean[i] >= mean[i - 1], `not monotone at ${i}: ${mean[i - 1]} > ${mean[i]}`);
    assert.ok(mean[299] - mean[0] > 2.5);
  });

  it('predicts the mean of the k nearest targets, standardising features by the fit rows', async () => {
    // feature 1 has 1000× the spread of feature 0: unstandardised it would decide alone
    const t = createTable(['a', 'b'], 4, true);
    t.x.set([0, 0, 1, 1000, 0, 3000, 1, 2000]);
    t.y!.set([1, 2, 3, 4]);
    const q = createTable(['b', 'a'], 1); // columns are matched by name
    q.x.set([900, 0.1]);
    const std = await (await knn({ k: 2 })).fit(t);
    const raw = await (await knn({ k: 2, standardize: false })).fit(t);
    // standardised (a: mean 0.5 sd 0.5; b: mean 1500 sd 1118.03) the rows are (∓1, ∓1.342 / ±0.447)
    // q (a 0.1, b 900) → (-0.8, -0.537): nearest rows 0 (d² 0.69) and 1 (3.25)
    assert.equal((await std.predict(q)).mean[0], 1.5);
    // raw: distance is all b: rows 1 (100) and 0 (900)
    assert.equal((await raw.predict(q)).mean[0], 1.5);
    // q2 (a 0, b 2100) → (-1, 0.537): standardised, rows 2 (d² 0.65) and 0 (3.53); raw, rows 3 (100²) and 2 (900²)
    const q2 = createTable(['a', 'b'], 1);
    q2.x.set([0, 2100]);
    assert.equal((await raw.predict(q2)).mean[0], 3.5);
    assert.equal((await std.predict(q2)).mean[0], 2);
  });

  it('weights neighbours as documented: 1/d with exact matches taking all weight, Gaussian exp(-d²/2h²)', () => {
    const n = { count: 3, index: Int32Array.of(0, 1, 2), dist2: Float64Array.of(1, 4, 9) };
    const y = Float64Array.of(1, 2, 4);
    const out = { mean: 0, spread: 0 };
    combineNeighbours(n, 3, y, { scheme: 'distance', bandwidth: null }, out);
    assert.ok(Math.abs(out.mean - (1 + 2 / 2 + 4 / 3) / (1 + 1 / 2 + 1 / 3)) < 1e-15);
    combineNeighbours(n, 3, y, { scheme: 'gaussian', bandwidth: 2 }, out);
    const w = [Math.exp(-1 / 8), Math.exp(-4 / 8), Math.exp(-9 / 8)];
    assert.ok(Math.abs(out.mean - (w[0] + 2 * w[1] + 4 * w[2]) / (w[0] + w[1] + w[2])) < 1e-15);
    combineNeighbours(n, 2, y, { scheme: 'uniform', bandwidth: null }, out);
    assert.equal(out.mean, 1.5);
    assert.equal(out.spread, 0.5);
    const exact = { count: 3, index: Int32Array.of(0, 1, 2), dist2: Float64Array.of(0, 0, 9) };
    combineNeighbours(exact, 3, y, { scheme: 'distance', bandwidth: null }, out);
    assert.equal(out.mean, 1.5);
  });

  it('picks a small k on a noise-free function and a larger k on a noisy one, reproducibly from the seed', async () => {
    const step = (x: Float32Array, o: number) => (x[o] > 0.5 ? 1 : 0) + x[o + 1];
    const clean = await (await knn({ autoK: true })).fit(uniformTable(1500, 2, 6, step));
    const noisy = await (await knn({ autoK: true })).fit(uniformTable(1500, 2, 6, (x, o) => 0.3 * x[o], 0.5));
    const kClean = Number(clean.diagnostics!().k);
    const kNoisy = Number(noisy.diagnostics!().k);
    assert.ok(kClean <= 5, `clean k ${kClean}`);
    assert.ok(kNoisy >= 20, `noisy k ${kNoisy}`);
    const again = await (await knn({ autoK: true }, threads)).fit(uniformTable(1500, 2, 6, (x, o) => 0.3 * x[o], 0.5));
    assert.deepEqual(again.diagnostics!(), noisy.diagnostics!());
    const otherSeed = await (await knn({ autoK: true, seed: 99 })).fit(uniformTable(1500, 2, 6, (x, o) => 0.3 * x[o], 0.5));
    assert.notDeepEqual(otherSeed.diagnostics!(), noisy.diagnostics!());
  });

  it('predicts identically on one or two threads and after save → load', async () => {
    const train = uniformTable(3000, 3, 7, smoothSurface, 0.05);
    const test = uniformTable(9000, 3, 8, smoothSurface);
    for (const weights of ['uniform', 'gaussian'] as const) {
      const a = await (await knn({ k: 6, weights })).fit(train);
      const b = await (await knn({ k: 6, weights }, threads)).fit(train);
      const pa = await a.predict(test);
      const pb = await b.predict(test);
      assert.deepEqual(pb.mean, pa.mean);
      assert.deepEqual(pb.spread, pa.spread);
      const saved = JSON.parse(JSON.stringify({ ...a.save(), binary: undefined }));
      const loaded = await (await knn({})).load({ ...saved, binary: a.save().binary });
      assert.deepEqual((await loaded.predict(test)).mean, pa.mean);
    }
  });

  it('leaves out training rows with a missing feature and predicts NaN for such rows', async () => {
    const train = uniformTable(200, 2, 9, smoothSurface);
    train.x[0] = Number.NaN;
    const model = await (await knn({ k: 3 })).fit(train);
    assert.equal(model.diagnostics!().trainingRows, 199);
    const q = createTable(['x0', 'x1'], 2);
    q.x.set([Number.NaN, 0.5, 0.5, 0.5]);
    const { mean } = await model.predict(q);
    assert.ok(Number.isNaN(mean[0]) && Number.isFinite(mean[1]));
  });

  it('names the column, the field and what it expected in errors', async () => {
    const model = await (await knn({})).fit(uniformTable(50, 2, 10, smoothSurface));
    await assert.rejects(model.predict(createTable(['x0'], 3)), (e: unknown) => isSoilscaleError(e) && /x1/.test(e.message) && e.details.path === 'columns');
    const saved = model.save();
    await assert.rejects((await knn({})).load({ ...saved, binary: { y: saved.binary!.y } }), (e: unknown) => isSoilscaleError(e) && e.details.path === 'binary.x');
    await assert.rejects((await knn({})).load({ ...saved, pluginId: 'regressor:rf' }), (e: unknown) => isSoilscaleError(e) && e.details.path === 'pluginId');
  });
});
