import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createRng } from '../../../core/index.js';
import { parseCoefficients } from '../src/libsvm-fit.js';
import { loadLibsvm } from '../src/libsvm-loader.js';
import { kernelRows, kernelValue, type KernelRows } from '../src/kernel-rows.js';
import { solveSvr, type SvrDualParams } from '../src/svr-dual.js';

const dims = 4;

/** Seeded rows: a smooth nonlinear target with noise. */
function dataset(rows: number, seed: number) {
  const rng = createRng(seed);
  const z = Float64Array.from({ length: rows * dims }, () => rng.normal());
  const y = Float64Array.from({ length: rows }, (_, r) => Math.sin(z[r * dims]) + 0.5 * z[r * dims + 1] * z[r * dims + 2] - 0.3 * z[r * dims + 3] + 0.1 * rng.normal());
  return { z, y, rows, rng };
}

/** The ε-SVR / ν-SVR dual in β (double-precision kernel): ½ βᵀKβ − yᵀβ + ε Σ|βᵢ| (ε = 0 for ν). */
function dualObjective(K: KernelRows, y: Float64Array, beta: Float64Array, epsilon: number): number {
  const nz = [...beta.keys()].filter((i) => beta[i] !== 0);
  let quad = 0;
  let linear = 0;
  for (const i of nz) {
    for (const j of nz) quad += beta[i] * beta[j] * kernelValue(K, i, j);
    linear += -y[i] * beta[i] + epsilon * Math.abs(beta[i]);
  }
  return 0.5 * quad + linear;
}

function decisionAt(K: KernelRows, beta: Float64Array, rho: number, x: Float64Array): number {
  const { spec } = K;
  let f = -rho;
  for (let i = 0; i < K.rows; i++) {
    if (beta[i] === 0) continue;
    let d = 0;
    let sq = 0;
    let sx = 0;
    for (let j = 0; j < dims; j++) {
      d += K.x[i * dims + j] * x[j];
      sq += K.x[i * dims + j] ** 2;
      sx += x[j] ** 2;
    }
    f += beta[i] * (spec.kernel === 2 ? Math.exp(-spec.gamma * (sq + sx - 2 * d)) : spec.kernel === 0 ? d : (spec.gamma * d + spec.coef0) ** spec.degree);
  }
  return f;
}

/** SOILSCALE_LONG_TESTS=1 runs the cross-checks on 4× the rows. */
const scale = process.env.SOILSCALE_LONG_TESTS ? 4 : 1;
const cases = [
  { name: 'RBF ε-SVR', kernel: 2, type: 'epsilon', rows: 1200 * scale, C: 2 },
  { name: 'linear ε-SVR', kernel: 0, type: 'epsilon', rows: 1000 * scale, C: 2 },
  { name: 'polynomial ε-SVR', kernel: 1, type: 'epsilon', rows: 800 * scale, C: 0.5 },
  { name: 'RBF ν-SVR', kernel: 2, type: 'nu', rows: 1000 * scale, C: 2 },
] as const;

describe('regressor:svr SMO solver against libsvm (libsvm-js)', () => {
  for (const [n, c] of cases.entries()) {
    it(`${c.name}, ${c.rows} rows: same dual objective (1e-6 rel.), support vectors, ρ and predictions (1e-4)`, async () => {
      const SVM = await loadLibsvm();
      const { z, y, rows, rng } = dataset(c.rows, 20 + n);
      const spec = { kernel: c.kernel, gamma: 0.25, degree: 3, coef0: 1 } as const;
      const K = kernelRows(spec, z, rows, dims);
      const params: SvrDualParams = { type: c.type, C: c.C, epsilon: 0.05, nu: 0.3, eps: 1e-3, shrinking: true, cacheBytes: 2 ** 20 };
      const ours = solveSvr(K, y, params);
      assert.ok(!ours.reachedMaxIterations);
      const svm = new SVM({
        type: c.type === 'nu' ? SVM.SVM_TYPES.NU_SVR : SVM.SVM_TYPES.EPSILON_SVR,
        kernel: [SVM.KERNEL_TYPES.LINEAR, SVM.KERNEL_TYPES.POLYNOMIAL, SVM.KERNEL_TYPES.RBF][c.kernel],
        gamma: spec.gamma, degree: spec.degree, coef0: spec.coef0, cost: c.C, epsilon: 0.05, nu: 0.3, tolerance: 1e-3, quiet: true,
      });
      try {
        svm.train(Array.from({ length: rows }, (_, r) => z.subarray(r * dims, r * dims + dims)), y);
        const indices = svm.getSVIndices();
        const coef = parseCoefficients(svm.serializeModel(), indices.length);
        const beta = new Float64Array(rows);
        indices.forEach((r, i) => (beta[r] = coef[i]));
        // both solvers stop at the same KKT tolerance, so the objectives agree far below what eps permits
        const epsilon = c.type === 'epsilon' ? 0.05 : 0;
        const objRef = dualObjective(K, y, beta, epsilon);
        const objOurs = dualObjective(K, y, ours.beta, epsilon);
        assert.ok(Math.abs(objOurs - objRef) <= 1e-6 * Math.abs(objRef), `objective ${objOurs} vs ${objRef}`);
        // support vectors: equal sets, except a boundary case (a row on the tube's edge) whose |β| ≤ 1e-6·C in the solver that kept it
        const oursSv = new Set([...ours.beta.keys()].filter((i) => ours.beta[i] !== 0));
        const refSv = new Set(indices);
        for (const i of oursSv) if (!refSv.has(i)) assert.ok(Math.abs(ours.beta[i]) <= 1e-6 * c.C, `row ${i} only ours, β ${ours.beta[i]}`);
        for (const i of refSv) if (!oursSv.has(i)) assert.ok(Math.abs(beta[i]) <= 1e-6 * c.C, `row ${i} only libsvm's, β ${beta[i]}`);
        assert.ok(Math.abs(oursSv.size - refSv.size) <= Math.ceil(0.002 * rows));
        for (let t = 0; t < 100; t++) {
          const x = Float64Array.from({ length: dims }, () => 1.2 * rng.normal());
          const d = decisionAt(K, ours.beta, ours.rho, x) - svm.predictOne(x);
          assert.ok(Math.abs(d) < 1e-4, `prediction differs by ${d}`);
        }
      } finally {
        svm.free();
      }
    });
  }

  it('meets the KKT conditions of ε-SVR to the tolerance (independent of libsvm)', () => {
    const { z, y, rows } = dataset(1500, 30);
    const K = kernelRows({ kernel: 2, gamma: 0.5, degree: 3, coef0: 0 }, z, rows, dims);
    const C = 1;
    const epsilon = 0.1;
    const eps = 1e-3;
    const s = solveSvr(K, y, { type: 'epsilon', C, epsilon, nu: 0.5, eps, shrinking: true, cacheBytes: 2 ** 20 });
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += s.beta[i];
    assert.ok(Math.abs(sum) < 1e-9, `Σβ = ${sum}`);
    // with f = Σβⱼ K(·, xⱼ) − ρ and r = y − f: β = 0 → |r| ≤ ε; 0 < β < C → r = ε; β = C → r ≥ ε (mirrored for β < 0), each to eps
    let free = 0;
    for (let i = 0; i < rows; i++) {
      let f = -s.rho;
      for (let j = 0; j < rows; j++) if (s.beta[j] !== 0) f += s.beta[j] * kernelValue(K, i, j);
      const r = y[i] - f;
      const b = s.beta[i];
      assert.ok(Math.abs(b) <= C + 1e-12);
      if (b === 0) assert.ok(Math.abs(r) <= epsilon + eps, `row ${i}: β = 0, residual ${r}`);
      else if (Math.abs(b) < C) {
        free++;
        assert.ok(Math.abs(r - Math.sign(b) * epsilon) <= eps, `row ${i}: free β ${b}, residual ${r}`);
      } else assert.ok(Math.sign(b) * r >= epsilon - eps, `row ${i}: β at bound ${b}, residual ${r}`);
    }
    assert.ok(free > 10);
  });

  it('gives the same solution with a two-row cache, a full cache and without shrinking (to the tolerance)', () => {
    const { z, y, rows } = dataset(800, 31);
    const K = kernelRows({ kernel: 2, gamma: 0.25, degree: 3, coef0: 0 }, z, rows, dims);
    const base: SvrDualParams = { type: 'epsilon', C: 2, epsilon: 0.05, nu: 0.5, eps: 1e-3, shrinking: true, cacheBytes: 2 ** 30 };
    const full = solveSvr(K, y, base);
    const tiny = solveSvr(K, y, { ...base, cacheBytes: 1 });
    assert.equal(tiny.cacheRows, 2);
    assert.equal(full.cacheRows, rows);
    assert.ok(full.kernelRowsComputed <= rows); // each row at most once
    assert.ok(tiny.kernelRowsComputed > 10 * rows);
    // the cache changes what is recomputed, never a value: bit-identical solutions
    assert.deepEqual(tiny.beta, full.beta);
    assert.equal(tiny.rho, full.rho);
    const unshrunk = solveSvr(K, y, { ...base, shrinking: false });
    const rel = Math.abs(unshrunk.objective - full.objective) / Math.abs(full.objective);
    assert.ok(rel < 1e-4, `objective ${unshrunk.objective} vs ${full.objective}`);
  });
});
