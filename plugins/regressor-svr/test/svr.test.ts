import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { createPluginContext, createRng, createTable, createWorkerPool, isSoilscaleError } from '../../../core/index.js';
import { rmse, schemaDefaults, smoothSurface, uniformTable } from '../../../test/support/regressor-fixtures.js';
import { svrPlugin, type SvrParams } from '../index.js';
import { loadLibsvm } from '../src/libsvm-loader.js';
import { decision, KERNEL_CODES, predictSvrRows, type SvrKernelModel } from '../src/svr-kernel.js';

const defaults = schemaDefaults<SvrParams>(svrPlugin);
const inline = createWorkerPool(1);
const threads = createWorkerPool(2);
after(() => Promise.all([inline.close(), threads.close()]));

function svr(params: Partial<SvrParams>, pool = inline) {
  return svrPlugin.create({ ...defaults, seed: 3, ...params }, createPluginContext({ workers: pool, seed: 1 }));
}

describe('regressor:svr', () => {
  it('learns a smooth 2-D function to RMSE < 0.03 (epsilon-SVR and nu-SVR, RBF)', async () => {
    const train = uniformTable(1200, 2, 1, smoothSurface);
    const test = uniformTable(500, 2, 2, smoothSurface);
    for (const type of ['epsilon', 'nu'] as const) {
      const model = await (await svr({ type, C: 10, epsilon: 0.01, gamma: 2 })).fit(train);
      const e = rmse((await model.predict(test)).mean, test.y!);
      assert.ok(e < 0.03, `${type}: rmse ${e}`);
    }
  });

  it('recovers a linear function with the linear kernel and a quadratic with the polynomial kernel', async () => {
    const lin = (x: Float32Array, o: number) => 3 * x[o] - 2 * x[o + 1] + 0.5;
    const test = uniformTable(300, 2, 5, lin);
    const linear = await (await svr({ kernel: 'linear', C: 10, epsilon: 0.001 })).fit(uniformTable(400, 2, 4, lin));
    assert.ok(rmse((await linear.predict(test)).mean, test.y!) < 0.005);
    const quad = (x: Float32Array, o: number) => (x[o] - 0.3) ** 2 + x[o + 1];
    const qtest = uniformTable(300, 2, 7, quad);
    const poly = await (await svr({ kernel: 'polynomial', degree: 2, coef0: 1, gamma: 'auto', C: 100, epsilon: 0.001 })).fit(uniformTable(400, 2, 6, quad));
    const linearOnQuad = await (await svr({ kernel: 'linear', C: 100, epsilon: 0.001 })).fit(uniformTable(400, 2, 6, quad));
    const ePoly = rmse((await poly.predict(qtest)).mean, qtest.y!);
    assert.ok(ePoly < 0.01, `poly rmse ${ePoly}`);
    assert.ok(rmse((await linearOnQuad.predict(qtest)).mean, qtest.y!) > 5 * ePoly);
  });

  it('gives a monotone response to a monotone function', async () => {
    const model = await (await svr({ C: 10, epsilon: 0.01 })).fit(uniformTable(600, 1, 8, (x, o) => 2 * x[o] + x[o] ** 3));
    const grid = createTable(['x0'], 200);
    grid.x.set(Float32Array.from({ length: 200 }, (_, i) => 0.02 + (0.96 * i) / 199));
    const { mean } = await model.predict(grid);
    for (let i = 1; i < 200; i++) assert.ok(mean[i] > mean[i - 1], `not monotone at ${i}: ${mean[i - 1]} ≥ ${mean[i]}`);
    assert.ok(Math.abs(mean[199] - (2 * 0.98 + 0.98 ** 3)) < 0.05);
  });

  it("evaluates the decision function as libsvm does (to 1e-9), with gamma 'scale' as scikit-learn", async () => {
    const train = uniformTable(500, 3, 9, smoothSurface, 0.05);
    const model = await (await svr({ C: 2, epsilon: 0.02 })).fit(train);
    const saved = model.save();
    const data = saved.data as { center: number[]; scale: number[]; rho: number; gamma: number };
    const dims = 3;
    const z = Float64Array.from(train.x, (v, i) => (v - data.center[i % dims]) / data.scale[i % dims]);
    // scikit-learn: gamma = 1 / (n_features · X.var()), X standardised → var 1 up to rounding
    let m = 0;
    for (const v of z) m += v / z.length;
    let v2 = 0;
    for (const v of z) v2 += (v - m) ** 2 / z.length;
    assert.ok(Math.abs(data.gamma - 1 / (dims * v2)) < 1e-12 && Math.abs(data.gamma - 1 / 3) < 1e-6);
    const SVM = await loadLibsvm();
    const ref = new SVM({ type: SVM.SVM_TYPES.EPSILON_SVR, kernel: SVM.KERNEL_TYPES.RBF, gamma: data.gamma, cost: 2, epsilon: 0.02, quiet: true });
    ref.train(Array.from({ length: train.rows }, (_, r) => z.subarray(r * dims, r * dims + dims)), Float64Array.from(train.y!));
    const ours: SvrKernelModel = {
      dims, nSV: saved.binary!.coefficients.length, sv: saved.binary!.supportVectors as Float64Array, coef: saved.binary!.coefficients as Float64Array,
      rho: data.rho, kernel: KERNEL_CODES.rbf, gamma: data.gamma, degree: 3, coef0: 0,
      center: Float64Array.from(data.center), scale: Float64Array.from(data.scale), yCenter: 0, yScale: 1,
    };
    assert.equal(ours.nSV, ref.getSVIndices().length);
    const rng = createRng(10);
    for (let t = 0; t < 200; t++) {
      const q = Float64Array.from({ length: dims }, () => rng.normal() * 1.5);
      assert.ok(Math.abs(decision(ours, q) - ref.predictOne(q)) < 1e-9);
    }
    ref.free();
    // the row-blocked RBF loop of predictions is bit-identical to decision(), also for ragged ends and missing rows
    const rows = 7;
    const x = Float32Array.from({ length: rows * dims }, () => rng.next());
    x[4 * dims + 1] = Number.NaN;
    const pred = predictSvrRows(ours, x, rows);
    for (let r = 0; r < rows; r++) {
      const zr = Float64Array.from({ length: dims }, (_, j) => (x[r * dims + j] - data.center[j]) / data.scale[j]);
      if (r === 4) assert.ok(Number.isNaN(pred[r]));
      else assert.equal(pred[r], Math.fround(decision(ours, zr)));
    }
  });

  it('predicts identically on one or two threads and after save → load', async () => {
    const train = uniformTable(800, 3, 11, smoothSurface, 0.05);
    const test = uniformTable(20000, 3, 12, smoothSurface);
    const a = await (await svr({ epsilon: 0.02, standardizeTarget: true })).fit(train);
    const b = await (await svr({ epsilon: 0.02, standardizeTarget: true }, threads)).fit(train);
    const pa = (await a.predict(test)).mean;
    assert.deepEqual((await b.predict(test)).mean, pa);
    const saved = a.save();
    const roundTrip = { ...JSON.parse(JSON.stringify({ ...saved, binary: undefined })), binary: saved.binary };
    assert.deepEqual((await (await (await svr({}, threads)).load(roundTrip)).predict(test)).mean, pa);
    assert.deepEqual((await (await (await svr({})).load(roundTrip)).predict(test)).mean, pa);
  });

  it("fits the same model with solver 'smo' and 'libsvm'; models saved by either load and predict identically", async () => {
    const train = uniformTable(700, 3, 15, smoothSurface, 0.05);
    const test = uniformTable(2000, 3, 16, smoothSurface);
    for (const params of [{ type: 'epsilon', epsilon: 0.02 }, { type: 'nu', nu: 0.4, kernel: 'polynomial', degree: 2, coef0: 1 }] as const) {
      const ours = await (await svr({ ...params, solver: 'smo', cacheSizeMB: 1 })).fit(train);
      const libsvm = await (await svr({ ...params, solver: 'libsvm' })).fit(train);
      assert.equal(ours.diagnostics!().supportVectors, libsvm.diagnostics!().supportVectors);
      const po = (await ours.predict(test)).mean;
      const pl = (await libsvm.predict(test)).mean;
      for (let i = 0; i < po.length; i++) assert.ok(Math.abs(po[i] - pl[i]) < 1e-4, `${params.type} row ${i}: ${po[i]} vs ${pl[i]}`);
      const saved = libsvm.save();
      assert.match((saved.data as { libsvmModel: string }).libsvmModel, /^svm_type /);
      assert.equal((ours.save().data as { libsvmModel?: string }).libsvmModel, undefined);
      assert.deepEqual((await (await (await svr({ solver: 'smo' })).load(saved)).predict(test)).mean, pl);
    }
  });

  it('subsamples reproducibly from the seed (maxRows)', async () => {
    const train = uniformTable(1000, 2, 13, smoothSurface, 0.1);
    const fit = async (seed: number) => (await (await svr({ maxRows: 300, seed })).fit(train)).save().binary!.coefficients;
    assert.deepEqual(await fit(1), await fit(1));
    assert.notDeepEqual(await fit(1), await fit(2));
    const model = await (await svr({ maxRows: 300 })).fit(train);
    assert.equal(model.diagnostics!().trainingRows, 300);
  });

  it('reports bad saved models and missing columns as input errors naming the field', async () => {
    const model = await (await svr({})).fit(uniformTable(100, 2, 14, smoothSurface));
    await assert.rejects(model.predict(createTable(['x1'], 2)), (e: unknown) => isSoilscaleError(e) && e.details.path === 'columns' && /x0/.test(e.message));
    const saved = model.save();
    await assert.rejects((await svr({})).load({ ...saved, binary: { coefficients: saved.binary!.coefficients } }), (e: unknown) => isSoilscaleError(e) && e.details.path === 'binary.supportVectors');
    await assert.rejects((await svr({})).load({ ...saved, data: { ...(saved.data as object), rho: 'x' } }), (e: unknown) => isSoilscaleError(e) && e.details.path === 'data.rho');
  });
});
