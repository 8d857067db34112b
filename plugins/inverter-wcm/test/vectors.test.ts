import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fitWcm, type WcmSamples } from '../src/wcm-fit.js';
import { DEFAULT_FORM, invertPixel, wcmForwardDb, wcmTerms, type WcmParameters } from '../src/wcm-model.js';
import { sharedDataPath } from '../../../test/support/shared-data.js';

// Reference vectors of ../shared/docs/methods/wcm.md §8 (our NumPy/SciPy implementation).
const TRUTH: WcmParameters = { A: 0.1, B: 0.4, C: -18, D: 25, C1: 0, E: 1, F: 1 };
const START: WcmParameters = { A: 0.05, B: 0.2, C: -15, D: 20, C1: 0, E: 1, F: 1 };
const BOUNDS = { A: [0, 1], B: [0, 2], C: [-35, 0], D: [0, 60] } as const;
const NO_LIMITS = { smMin: -Infinity, smMax: Infinity, minGamma2: 0 };

function loadCsv(noisy: boolean): WcmSamples & { k: number[] } {
  const lines = readFileSync(sharedDataPath('vectors', 'wcm_testdata.csv'), 'utf8').trim().split('\n').slice(1);
  const rows = lines.map((l) => l.split(',').map(Number));
  return {
    k: rows.map((r) => r[0]),
    v: Float64Array.from(rows, (r) => r[1]),
    theta: Float64Array.from(rows, (r) => r[2]),
    sm: Float64Array.from(rows, (r) => r[3]),
    sigmaDb: Float64Array.from(rows, (r) => (noisy ? r[5] : r[4])),
  };
}

function assertRel(actual: number, expected: number, rel: number, what: string) {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected} (rel tol ${rel})`);
}

test('forward model matches the spec points (γ², σ⁰veg, σ⁰soil, σ⁰tot dB)', () => {
  const cases = [
    [0.8, 40, 0.25, 0.4336746566, 3.4706430585e-2, 6.6834391757e-2, -11.9592321095],
    [0.2, 35, 0.1, 0.8225681569, 2.9068731394e-3, 2.8183829313e-2, -15.8352602623],
    [0.5, 30, 0.35, 0.6300978115, 1.6017234609e-2, 1.1885022274e-1, -10.4141461829],
    [0.0, 40, 0.2, 1.0, 0, 5.0118723363e-2, -13.0],
  ];
  for (const [v, th, sm, g, veg, soil, db] of cases) {
    const t = wcmTerms(TRUTH, DEFAULT_FORM, v, th, sm);
    assert.ok(Math.abs(t.gamma2 - g) < 1e-9);
    assert.ok(Math.abs(t.veg - veg) < 1e-12);
    assert.ok(Math.abs(t.soil - soil) < 1e-11);
    assert.ok(Math.abs(wcmForwardDb(TRUTH, DEFAULT_FORM, v, th, sm) - db) < 1e-9);
  }
});

test('closed-form inversion matches the spec and flags the vegetation-dominated case', () => {
  assert.ok(Math.abs(invertPixel(TRUTH, DEFAULT_FORM, -12, 0.8, 40, NO_LIMITS).sm - 0.24639628) < 1e-8);
  assert.ok(Math.abs(invertPixel(TRUTH, DEFAULT_FORM, -16, 0.2, 35, NO_LIMITS).sm - 0.09256624) < 1e-8);
  const swamped = invertPixel(TRUTH, DEFAULT_FORM, -25, 0.5, 30, NO_LIMITS);
  assert.ok(Number.isNaN(swamped.sm));
  assert.ok(Math.abs(swamped.soil - -0.02040153) < 1e-8);
});

test('calibration, clean data: LM in dB recovers the truth to 1e-5 relative', () => {
  const fit = fitWcm(loadCsv(false), { form: DEFAULT_FORM, fit: ['A', 'B', 'C', 'D'], initial: START, bounds: BOUNDS, residuals: 'db', starts: 1, seed: 1 });
  for (const name of ['A', 'B', 'C', 'D'] as const) assertRel(fit.parameters[name], TRUTH[name], 1e-5, name);
  assert.ok(fit.rmseDb < 1e-6, `rmse ${fit.rmseDb}`);
});

test('calibration, noisy data: LM in dB matches SciPy parameters, SSE and standard errors', () => {
  const fit = fitWcm(loadCsv(true), { form: DEFAULT_FORM, fit: ['A', 'B', 'C', 'D'], initial: START, bounds: BOUNDS, residuals: 'db', starts: 4, seed: 3 });
  const expected = { A: 0.10667642, B: 0.31012392, C: -17.60855783, D: 22.49988964 };
  for (const [name, value] of Object.entries(expected)) assertRel(fit.parameters[name as 'A'], value, 1e-4, name);
  assertRel(fit.sse, 2.565387, 1e-5, 'SSE');
  assertRel(fit.rmseDb, 0.32694211, 1e-5, 'RMSE');
  const se = { A: 0.0145, B: 0.116, C: 0.258, D: 1.5 };
  for (const [name, value] of Object.entries(se)) assertRel(fit.standardErrors[name as 'A']!, value, 0.01, `SE ${name}`);
  assert.equal(fit.startsAgreeing, 4, 'every start reaches the same minimum');
  // Inverting the noisy σ⁰ with the noisy-fit parameters (spec: first six SM, RMSE vs true SM).
  const data = loadCsv(true);
  const sm = Array.from(data.sm, (_, i) => invertPixel(fit.parameters, DEFAULT_FORM, data.sigmaDb[i], data.v[i], data.theta[i], NO_LIMITS).sm);
  [0.052876, 0.310172, 0.13424, 0.371311, 0.269624, 0.145624].forEach((v, i) => assert.ok(Math.abs(sm[i] - v) < 2e-5, `SM ${i}: ${sm[i]} vs ${v}`));
  const rmse = Math.sqrt(sm.reduce((s, v, i) => s + (v - data.sm[i]) ** 2, 0) / sm.length);
  assert.ok(Math.abs(rmse - 0.0205352) < 2e-6, `SM RMSE ${rmse}`);
});

test('calibration, noisy data: linear residuals give the spec’s (different) parameters', () => {
  const fit = fitWcm(loadCsv(true), { form: DEFAULT_FORM, fit: ['A', 'B', 'C', 'D'], initial: START, bounds: BOUNDS, residuals: 'linear', starts: 1, seed: 3 });
  const expected = { A: 0.1028481, B: 0.32685821, C: -17.25412797, D: 21.53766715 };
  for (const [name, value] of Object.entries(expected)) assertRel(fit.parameters[name as 'A'], value, 1e-4, name);
});

test('forward(invert(σ⁰)) = σ⁰ inside the bounds, over a grid of descriptors, angles and SM', () => {
  const p: WcmParameters = { A: 0.12, B: 0.35, C: -17, D: 28, C1: -0.1, E: 1.2, F: 0.8 };
  const forms = [DEFAULT_FORM, { ...DEFAULT_FORM, soilTerm: 'db', angle: 'angle-dependent-c' }, { ...DEFAULT_FORM, volumeTerm: 'constant' }] as const;
  let checked = 0;
  for (const form of forms) {
    for (let v = 0; v <= 0.9; v += 0.15) for (let th = 25; th <= 45; th += 5) for (let sm = 0.03; sm <= 0.5; sm += 0.07) {
      const db = wcmForwardDb(p, form, v, th, sm);
      const back = invertPixel(p, form, db, v, th, { smMin: 0, smMax: 0.6, minGamma2: 0 });
      assert.ok(Math.abs(back.sm - sm) < 1e-9, `${form.angle}/${form.volumeTerm} v=${v} θ=${th} sm=${sm}: ${back.sm}`);
      assert.ok(Math.abs(wcmForwardDb(p, form, v, th, back.sm) - db) < 1e-9);
      checked++;
    }
  }
  assert.ok(checked > 300);
});
