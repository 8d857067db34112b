import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNesting, createGrid, createPluginContext, createWorkerPool, makeSeries } from '../../../core/index.js';
import { dispatchDownscaler } from '../index.js';
import { dispatchParams, SPEC } from './params.js';
import { cellLayout, dispatchMember, type DispatchOptions } from '../src/dispatch-member.js';
import { crossingCover, soilEvaporativeEfficiency, soilTemperature, vegetationCover, Zone } from '../src/hourglass.js';
import { seeDerivative, soilMoistureParameter } from '../src/see-model.js';

// The test vector of ../shared/docs/methods/dispatch.md §7 (our NumPy implementation of §3.1–3.7).
const E = { tsMin: 295, tsMax: 325, tvMin: 293, tvMax: 305 };
const NDVI = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.2, 0.3, 0.4, 0.85];
const LST = [318, 312, 305, 300, 316, 309, 303, 298.5, 312, 306, 301, 299, 299, 320, 297, 302];
const ZONES = 'AAAABAACBBCCABCD';
const TS = [319.357143, 314, 306.5, 300.363636, 323.25, 315.666667, 306.5, 299.892857, 323.75, 316.5, 309, 309, 299, 324.375, 297, NaN];
const SEE = [0.188095, 0.366667, 0.616667, 0.821212, 0.058333, 0.311111, 0.616667, 0.836905, 0.041667, 0.283333, 0.533333, 0.533333, 0.866667, 0.020833, 0.933333, NaN];
const SM_LINEAR = [0.080289, 0.156513, 0.263227, 0.350538, 0.0249, 0.132799, 0.263227, 0.357237, 0.017786, 0.120942, 0.227656, 0.227656, 0.369941, 0.008893, 0.398397, NaN];
const SM_COSINE = [0.125455, 0.17292, 0.239372, 0.293741, 0.090963, 0.158153, 0.239372, 0.297913, 0.086533, 0.15077, 0.217221, 0.217221, 0.305824, 0.080996, 0.323544, NaN];
const MEAN_SEE = 0.46854377104377215;

const near = (a: number, b: number, tol: number) => (Number.isNaN(b) ? Number.isNaN(a) : Math.abs(a - b) <= tol);


function memberOptions(over: Partial<DispatchOptions> = {}): DispatchOptions {
  return { ...dispatchParams(SPEC), endmemberScope: 'fixed', fixedEndmembers: E, minValidFraction: 0, ...over } as DispatchOptions;
}

function run(over: Partial<DispatchOptions> = {}) {
  const fine = createGrid(4, 4, [0, 1, 0, 4, 0, -1], 'EPSG:32633');
  const coarse = createGrid(1, 1, [0, 4, 0, 4, 0, -4], 'EPSG:32633');
  const layout = cellLayout(4, 4, 1, 1, checkNesting(coarse, fine));
  const fv = Float32Array.from(NDVI, (v) => vegetationCover(v, 0.15, 0.9));
  return dispatchMember(fv, Float32Array.from(LST), Float32Array.of(0.2), layout, memberOptions(over));
}

test('hourglass: fv, crossing point, zones, Ts and SEE match the spec vector', () => {
  assert.ok(Math.abs(crossingCover(E) - 0.7142857) < 1e-7);
  NDVI.forEach((ndvi, i) => {
    const fv = vegetationCover(ndvi, 0.15, 0.9);
    const st = soilTemperature(LST[i], fv, E, crossingCover(E));
    assert.equal(st.zone, { A: Zone.A, B: Zone.B, C: Zone.C, D: Zone.D }[ZONES[i] as 'A'], `zone of pixel ${i}`);
    assert.ok(near(st.ts, TS[i], 1e-6), `Ts ${i}: ${st.ts} vs ${TS[i]}`);
    assert.ok(near(soilEvaporativeEfficiency(st.ts, E), SEE[i], 1e-6), `SEE ${i}`);
  });
  // Edge cases of §7: zone B above the dry edge, bare soil above the dry corner (negative SEE).
  const b = soilTemperature(330, 0.1, E, crossingCover(E));
  assert.equal(b.zone, Zone.B);
  assert.ok(Math.abs(b.tv * 0.1 - 34) < 1e-9 && Math.abs(b.ts - 328.888889) < 1e-6);
  assert.ok(Math.abs(soilEvaporativeEfficiency(b.ts, E) - -0.12963) < 1e-5);
  assert.ok(Math.abs(soilEvaporativeEfficiency(soilTemperature(327, 0, E, crossingCover(E)).ts, E) - -0.066667) < 1e-6);
});

test('SMp and the derivative at the LR mean match the spec for both SEE models', () => {
  assert.ok(Math.abs(soilMoistureParameter('linear', 0.2, MEAN_SEE) - 0.4268544634676526) < 1e-12);
  const smp = soilMoistureParameter('cosine', 0.2, MEAN_SEE);
  assert.ok(Math.abs(smp - 0.4167004290244276) < 1e-12);
  assert.ok(Math.abs(seeDerivative('cosine', smp, MEAN_SEE) - 0.2658062814270759) < 1e-12);
});

for (const [model, expected] of [['linear', SM_LINEAR], ['cosine', SM_COSINE]] as const) {
  test(`one LR pixel, ${model} SEE model: HR SM matches the spec and its valid mean equals SM_LR exactly`, () => {
    const r = run({ seeModel: model });
    r.sm.forEach((v, i) => assert.ok(near(v, expected[i], 2e-6), `SM ${i}: ${v} vs ${expected[i]}`));
    assert.ok(Math.abs(r.meanSee - MEAN_SEE) < 1e-6);
    const valid = Array.from(r.sm).filter((v) => v === v);
    assert.equal(valid.length, 15);
    assert.ok(Math.abs(valid.reduce((s, v) => s + v, 0) / valid.length - 0.2) < 1e-6);
    assert.ok(r.conservationError < 1e-6);
  });
}

test('the derivative-at-HR-SEE variant (a public port’s bug) breaks conservation as the spec says; the default does not use it', () => {
  const r = run({ seeModel: 'cosine', derivativeAt: 'hr' });
  const valid = Array.from(r.sm).filter((v) => v === v);
  assert.ok(Math.abs(valid.reduce((s, v) => s + v, 0) / valid.length - 0.1745303) < 1e-6);
  assert.ok(near(r.sm[13], -0.21578, 1e-5), `row 4 col 2: ${r.sm[13]}`);
  assert.equal(dispatchParams().derivativeAt, 'lrMean');
});

test('downscaler: end-to-end on the vector through the plugin (fixed end-members, no clipping) conserves SM_LR', async () => {
  const fine = createGrid(4, 4, [0, 1, 0, 4, 0, -1], 'EPSG:32633');
  const coarse = createGrid(1, 1, [0, 4, 0, 4, 0, -4], 'EPSG:32633');
  const dates = ['2024-07-01'];
  const ds = await dispatchDownscaler.create(dispatchParams({ ...SPEC, endmemberScope: 'fixed', fixedEndmembers: E, minValidFraction: 0, clip: [] }), createPluginContext({ workers: createWorkerPool(1) }));
  const { product, tables } = await ds.downscale({
    coarse: makeSeries({ variable: 'sm', grid: coarse, dates, values: [Float32Array.of(0.2)] }),
    predictors: { ndvi: makeSeries({ variable: 'ndvi', grid: fine, dates: [], values: [Float32Array.from(NDVI)] }), lst: makeSeries({ variable: 'lst', grid: fine, dates, values: [Float32Array.from(LST)] }) },
  });
  product.values[0].forEach((v, i) => assert.ok(near(v, SM_LINEAR[i], 2e-6)));
  assert.equal(tables!.see.rows[0].zoneD, 1);
  assert.ok((tables!.see.rows[0].conservationError as number) < 1e-6);
});
