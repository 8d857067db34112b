import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { averageRanks, createRng, pairedMetrics, pairedMetricsOfChunks } from '../../../core/index.js';

/** Reference ranks by definition: rank = 1 + #{smaller} + (#{equal} − 1)/2; NaN → NaN. O(n log n) via a comparator sort. */
function referenceRanks(values: ArrayLike<number>): Float64Array {
  const v = Array.from(values);
  const sorted = v.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const lowerBound = (x: number): number => {
    let lo = 0, hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const upperBound = (x: number): number => {
    let lo = 0, hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return Float64Array.from(v, (x) => (Number.isNaN(x) ? Number.NaN : (lowerBound(x) + 1 + upperBound(x)) / 2));
}

describe('averageRanks', () => {
  it('small input with ties and NaN (SciPy rankdata average)', () => {
    assert.deepEqual([...averageRanks([0.3, 0.1, 0.3, Number.NaN, -2])], [3.5, 2, 3.5, Number.NaN, 1]);
  });

  it('float32 rasters (radix path): negatives, ±0, ties, NaN, ±Infinity, subnormals — equal to the definition', () => {
    const rng = createRng(11);
    const n = 20_000;
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      // Coarse quantisation makes many ties; a spread of magnitudes exercises every radix digit.
      v[i] = u < 0.5 ? Math.round(rng.normal() * 50) / 100 : (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 20 - 10);
    }
    v[5] = Number.NaN;
    v[6] = -0;
    v[7] = 0;
    v[8] = Number.POSITIVE_INFINITY;
    v[9] = Number.NEGATIVE_INFINITY;
    v[10] = 1e-45; // smallest float32 subnormal
    v[11] = -1e-45;
    v[12] = Number.NaN;
    const got = averageRanks(v);
    const want = referenceRanks(v);
    assert.deepEqual([...got], [...want]);
    // The ranks of valid values sum to m(m+1)/2 whatever the ties.
    const m = n - 2;
    assert.equal(got.reduce((s, r) => (Number.isNaN(r) ? s : s + r), 0), (m * (m + 1)) / 2);
  });

  it('non-float32 doubles take the comparison sort and agree with the definition too', () => {
    const rng = createRng(5);
    const v = Float64Array.from({ length: 3000 }, () => Math.round(rng.normal() * 1e6) / 1e6 + 1e-12 * rng.next());
    v[100] = v[200];
    assert.deepEqual([...averageRanks(v)], [...referenceRanks(v)]);
  });
});

describe('rankMetrics: false', () => {
  const rng = createRng(8);
  const o = Float32Array.from({ length: 4000 }, () => 0.1 + 0.3 * rng.next());
  const e = o.map((x) => x + 0.03 * rng.normal());
  it('skips Spearman and KL only; every moment metric is unchanged', () => {
    const full = pairedMetrics(e, o);
    for (const lite of [pairedMetrics(e, o, { rankMetrics: false }), pairedMetricsOfChunks([[e, o]], { rankMetrics: false }), pairedMetricsOfChunks([[e, o]], { rankMetrics: false, maxSample: 100 })]) {
      assert.ok(Number.isNaN(lite.spearman) && Number.isNaN(lite.spearmanPValue) && Number.isNaN(lite.kl));
      for (const k of ['n', 'bias', 'rmse', 'ubrmse', 'r', 'pValue', 'stdProduct', 'stdReference', 'nse', 'd'] as const) {
        assert.ok(Math.abs(lite[k] - full[k]) <= 1e-12 * Math.max(1, Math.abs(full[k])), `${k}: ${lite[k]} vs ${full[k]}`);
      }
    }
    assert.ok(full.spearman > 0.9 && Number.isFinite(full.kl));
  });
});
