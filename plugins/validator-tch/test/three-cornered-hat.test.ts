import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { classicalThreeCorneredHat, tchProblem, threeCorneredHat } from '../src/three-cornered-hat.js';
import { tripleCollocation } from '../src/triple-collocation.js';
import { covariance } from '../src/linalg.js';
import { readCsvColumns, sharedData } from './shared-data.js';

const data = readCsvColumns(sharedData('vectors/tch_testdata.csv'));
const neg = readCsvColumns(sharedData('vectors/tch_testdata_constrained.csv'));
const p = [data.p1, data.p2, data.p3, data.p4];

function near(actual: ArrayLike<number>, expected: readonly number[], tol: number, label: string): void {
  assert.equal(actual.length, expected.length, label);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${label}[${i}]: ${actual[i]} vs ${expected[i]} (tol ${tol})`);
  }
}
const rel = (a: number, b: number, r: number): boolean => Math.abs(a - b) <= r * Math.abs(b);

describe('three-cornered hat — tch.md §7.1, N = 3 (p1, p2, p3)', () => {
  const res = threeCorneredHat(p.slice(0, 3));
  it('problem set-up: S, det S, K, r0, F(r0), −H(r0)', () => {
    const diffs = [0, 1].map((i) => p[i].map((v, t) => v - p[2][t]));
    const S = covariance(diffs);
    near(S, [0.001222456, 0.00117771, 0.00117771, 0.001718097], 1e-9, 'S');
    const prob = tchProblem(S, 2)!;
    assert.ok(rel(prob.detS, 7.132955917720589e-7, 1e-9));
    assert.ok(rel(prob.K, 8.445682872166459e-4, 1e-9));
    const r0 = prob.initial();
    near(r0, [0, 0, 0.000609517], 1e-9, 'r0');
    assert.ok(rel(prob.objective(r0), 0.4526084847834937, 1e-9));
    assert.ok(rel(prob.margin(r0), 0.36084528757559586, 1e-9));
  });
  it('unconstrained LS is feasible: r = (0, 0, s12), F = 0', () => {
    assert.equal(res.status, 'ok');
    assert.equal(res.constraintActive, false);
    assert.ok(res.objective < 1e-20);
    near([res.covariance[2], res.covariance[5], res.covariance[8]], [0, 0, 0.001177710232], 1e-10, 'r');
  });
  it('σ equals the classical 3CH and the vector', () => {
    near(res.errorStd, [0.006689199, 0.023246215, 0.034317783], 1e-8, 'σ');
    near(res.errorVariance, [...classicalThreeCorneredHat(p[0], p[1], p[2])], 1e-15, 'classical');
    near(classicalThreeCorneredHat(p[0], p[1], p[2]), [4.4745367e-5, 5.4038649e-4, 1.1777103e-3], 5e-11, 'classical variances');
  });
  it('relative uncertainty (%)', () => near(res.relativeUncertainty, [2.671085, 9.065208, 13.648136], 1e-5, 'rel%'));
});

describe('three-cornered hat — tch.md §7.1, N = 4 (constraint active)', () => {
  const res = threeCorneredHat(p);
  it('S, det S, K, r0, F(r0), −H(r0)', () => {
    const S = covariance([0, 1, 2].map((i) => p[i].map((v, t) => v - p[3][t])));
    near(S, [0.002523203, 0.002360589, 0.002739748, 0.002360589, 0.002783107, 0.00262188, 0.002739748, 0.00262188, 0.00417875], 1e-9, 'S');
    const prob = tchProblem(S, 3)!;
    assert.ok(rel(prob.detS, 1.736874553464768e-9, 1e-9));
    assert.ok(rel(prob.K, 1.202050788010748e-3, 1e-9));
    const r0 = prob.initial();
    assert.ok(rel(r0[3], 0.0012175, 1e-4));
    assert.ok(rel(prob.objective(r0), 3.872985702265082, 1e-9));
    assert.ok(rel(prob.margin(r0), 0.506426127409393, 1e-9));
    // the unconstrained LS point of the spec is infeasible, with R11 < 0
    const ls = [2.39037721e-5, 8.28379501e-5, -1.06741722e-4, 2.5740726e-3];
    assert.ok(Math.abs(prob.margin(ls) - -0.02568) < 1e-5);
    assert.ok(Math.abs(prob.fill(ls)[0] - -3.062e-6) < 1e-9);
  });
  it('constrained optimum: on the boundary, F = 0.0265421476, r as the spec', () => {
    assert.equal(res.status, 'ok');
    assert.equal(res.constraintActive, true);
    assert.ok(Math.abs(res.constraintMargin) < 1e-9, `margin ${res.constraintMargin}`);
    assert.ok(rel(res.objective, 0.0265421476, 1e-6), `F ${res.objective}`);
    near([3, 7, 11, 15].map((k) => res.covariance[k]), [3.592201815e-5, 7.956158204e-5, -1.164965364e-4, 2.565304056e-3], 2e-8, 'r');
  });
  it('R matrix', () => {
    near(res.covariance, [
      2.974285923e-5, -8.923130005e-5, 9.386992618e-5, 3.592201815e-5,
      -8.923130005e-5, 3.769263938e-4, 1.964113413e-5, 7.956158204e-5,
      9.386992618e-5, 1.964113413e-5, 1.380452643e-3, -1.164965364e-4,
      3.592201815e-5, 7.956158204e-5, -1.164965364e-4, 2.565304056e-3,
    ], 5e-8, 'R');
  });
  it('σ within 1e-5 (the spec tolerance), relative % and BTCH weights', () => {
    near(res.errorStd, [0.0054537, 0.0194146, 0.0371544, 0.0506488], 1e-5, 'σ');
    near(res.relativeUncertainty, [2.1777, 7.571, 14.7763, 16.9688], 2e-3, 'rel%');
    near(res.weights, [0.89925, 0.07095, 0.01937, 0.01043], 5e-5, 'weights');
  });
  it('does not depend on the reference product', () => {
    for (let ref = 0; ref < 4; ref++) {
      near(threeCorneredHat(p, { reference: ref }).errorStd, [...res.errorStd], 1e-9, `ref ${ref}`);
    }
  });
});

describe('three-cornered hat — tch.md §7.2 (classical variance negative)', () => {
  const x = [neg.p1, neg.p2, neg.p3];
  it('classical 3CH gives a negative variance', () => {
    near(classicalThreeCorneredHat(x[0], x[1], x[2]), [-8.2116204e-4, 9.7212868e-4, 2.5936325e-1], 5e-9, 'classical');
  });
  it('constrained optimum', () => {
    const res = threeCorneredHat(x);
    assert.equal(res.constraintActive, true);
    near([res.covariance[2], res.covariance[5], res.covariance[8]], [0.000362367, -0.00036331, 0.259203786], 5e-6, 'r');
    assert.ok(Math.abs(res.objective - 0.007519673) < 1e-6, `F ${res.objective}`);
    near(res.errorStd, [0.0079393, 0.0201239, 0.5091206], 5e-6, 'σ');
  });
});

describe('three-cornered hat — edge cases (tch.md §4)', () => {
  it('drops time steps with any NaN and reports the count', () => {
    const gappy = p.map((c) => Float64Array.from(c));
    gappy[1][5] = Number.NaN;
    gappy[3][9] = Number.NaN;
    const res = threeCorneredHat(gappy);
    assert.equal(res.samples, 58);
    const keep = [...Array(60).keys()].filter((t) => t !== 5 && t !== 9);
    const manual = threeCorneredHat(p.map((c) => Float64Array.from(keep, (t) => c[t])));
    near(res.errorStd, [...manual.errorStd], 0, 'same as removing the steps');
  });
  it('too few samples → insufficient-data, NaN', () => {
    const res = threeCorneredHat(p.map((c) => c.subarray(0, 20)));
    assert.equal(res.status, 'insufficient-data');
    assert.ok(Number.isNaN(res.errorStd[0]));
  });
  it('identical products → singular', () => {
    assert.equal(threeCorneredHat([p[0], p[0], p[1]]).status, 'singular');
  });
});

describe('triple collocation — tch.md §7.3', () => {
  const tc = tripleCollocation(p[0], p[1], p[2]);
  it('covariance', () => {
    near(tc.covariance, [0.0037721167, 0.0035221973, 0.0041558284, 0.0035221973, 0.0038574097, 0.0039506544, 0.0041558284, 0.0039506544, 0.0057619958], 1e-10, 'C');
  });
  it('error variances and std (native units)', () => {
    near(tc.errorVariance, [6.699694e-5, 5.0910399e-4, 1.1006323e-3], 1e-10, 'var');
    near(tc.errorStd, [0.0081852, 0.0225633, 0.0331758], 1e-7, 'std');
  });
  it('β and error std scaled to p1', () => {
    near(tc.beta, [1, 1.0519342, 0.8915478], 1e-7, 'β');
    near(tc.errorStdScaled, [0.0081852, 0.0237351, 0.0295778], 1e-7, 'scaled');
  });
  it('SNR (dB) and ETC R', () => {
    near(tc.snrDb, [17.427473, 8.180186, 6.268707], 1e-6, 'snr');
    near(tc.etcR, [0.9910797, 0.9316755, 0.8994355], 1e-7, 'R');
  });
});
