import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { choleskyFactor, choleskySolve, choleskySubstitute, createRng } from '../../../core/index.js';

describe('Cholesky solves', () => {
  it('solves a known 2×2 system', () => {
    const b = Float64Array.of(2, 1);
    assert.equal(choleskySolve(Float64Array.of(4, 2, 2, 3), b, 2), true);
    assert.ok(Math.abs(b[0] - 0.5) < 1e-15 && Math.abs(b[1]) < 1e-15);
  });

  it('solves random SPD systems (A = MᵀM + I) to round-off, and reuses a factor for several right-hand sides', () => {
    const rng = createRng(11);
    const n = 9;
    const m = Float64Array.from({ length: n * n }, () => rng.normal());
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < n; k++) s += m[k * n + i] * m[k * n + j];
      a[i * n + j] = s;
    }
    const l = a.slice();
    assert.equal(choleskyFactor(l, n), true);
    for (let trial = 0; trial < 3; trial++) {
      const x = Float64Array.from({ length: n }, () => rng.normal());
      const b = Float64Array.from({ length: n }, (_, i) => x.reduce((s, xj, j) => s + a[i * n + j] * xj, 0));
      choleskySubstitute(l, n, b);
      b.forEach((v, i) => assert.ok(Math.abs(v - x[i]) < 1e-10, `x[${i}]: ${v} vs ${x[i]}`));
    }
  });

  it('reports a matrix that is not positive definite', () => {
    assert.equal(choleskySolve(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2), false);
    assert.equal(choleskySolve(Float64Array.of(1, 1, 1, 1), Float64Array.of(1, 1), 2), false);
  });
});
