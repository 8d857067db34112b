import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { histogramCounts, jensenShannon, klDivergence } from '../../../core/index.js';

// metrics.md §7.2, kl_tv.py / metrics_tv.py
const o = [0.12, 0.15, 0.18, 0.22, 0.25, 0.21, 0.19, 0.16, 0.14, 0.2, 0.27, 0.3];
const e = [0.14, 0.16, 0.17, 0.25, 0.27, 0.24, 0.18, 0.18, 0.15, 0.22, 0.26, 0.33];
const bins = { start: 0.075, width: 0.05, count: 6 };

function close(actual: number, expected: number, rel = 1e-10): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} vs ${expected}`);
}

describe('KL divergence variants', () => {
  it('value-normalised, both directions', () => {
    close(klDivergence(e, o, { method: 'value-normalised' }), 0.0024601368483764875);
    close(klDivergence(e, o, { method: 'value-normalised', reverse: true }), 0.0024163116156445206);
  });
  it('histogram counts on edges 0.075…0.375 (left-closed)', () => {
    assert.deepEqual([...histogramCounts(o, bins)], [1, 3, 5, 2, 1, 0]);
    assert.deepEqual([...histogramCounts(e, bins)], [0, 4, 3, 4, 0, 1]);
  });
  it('histogram KL without smoothing is infinite both ways', () => {
    assert.equal(klDivergence(e, o, { method: 'histogram', bins, epsilon: 0 }), Infinity);
    assert.equal(klDivergence(e, o, { method: 'histogram', bins, epsilon: 0, reverse: true }), Infinity);
  });
  for (const [eps, fwd, back] of [
    [1e-10, 3.8630407833651432, 2.1180575889308026],
    [1e-6, 2.3279841764348825, 1.3505274430589127],
    [0.5, 0.19222544940124142, 0.1828875420371312],
  ] as const) {
    it(`histogram KL, ε = ${eps}`, () => {
      close(klDivergence(e, o, { method: 'histogram', bins, epsilon: eps }), fwd, 1e-8);
      close(klDivergence(e, o, { method: 'histogram', bins, epsilon: eps, reverse: true }), back, 1e-8);
    });
  }
  it('Jensen–Shannon (no smoothing, nats)', () => {
    close(jensenShannon(e, o, { bins }), 0.11431602856261053);
  });
  it('Gaussian closed form with sample std', () => {
    close(klDivergence(e, o, { method: 'gaussian' }), 0.030894371808378396);
  });
  it('bits = nats / ln 2', () => {
    close(klDivergence(e, o, { method: 'gaussian', base: 2 }), 0.030894371808378396 / Math.LN2);
  });
  it('Yan & Bai: min–max normalised Σ o′ ln(o′/e′), computed by hand on a small pair', () => {
    // o′ = (0, 0.5, 1), e′ = (0, 1, 0.25): the o′ = 0 term counts 0.
    const v = klDivergence([1, 5, 2], [0.1, 0.2, 0.3]);
    close(v, 0.5 * Math.log(0.5 / 1) + 1 * Math.log(1 / 0.25), 1e-12);
    // product at its minimum where the reference is not: floored at ε = 1e-6
    const w = klDivergence([0, 1, 2], [0.2, 0.1, 0.3]);
    close(w, 0.5 * Math.log(0.5 / 1e-6) + 1 * Math.log(1 / 1), 1e-12);
  });
  it('Yan & Bai is zero for series with the same shape (any affine rescaling)', () => {
    assert.ok(Math.abs(klDivergence(o.map((v) => 3 * v + 1), o)) < 1e-12);
  });
});
