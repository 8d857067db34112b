import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createRng, pairedMetrics, pairedMetricsOfChunks } from '../../../core/index.js';

const rng = createRng(3);
const chunks = Array.from({ length: 4 }, () => {
  const o = Float32Array.from({ length: 500 }, () => 0.1 + 0.3 * rng.next());
  const e = o.map((v) => v + 0.02 + 0.03 * rng.normal());
  e[7] = Number.NaN;
  o[11] = Number.NaN;
  return [e, o] as const;
});
const concat = (k: 0 | 1) => Float32Array.from(chunks.flatMap((c) => [...c[k]]));
const whole = pairedMetrics(concat(0), concat(1));

describe('pairedMetricsOfChunks', () => {
  it('equals pairedMetrics on the concatenation when under maxSample', () => {
    assert.deepEqual(pairedMetricsOfChunks(chunks), whole);
  });
  it('keeps moment metrics exact when subsampling ranks (maxSample below n)', () => {
    const m = pairedMetricsOfChunks(chunks, { maxSample: 300 });
    assert.equal(m.n, whole.n);
    for (const k of ['bias', 'mae', 'rmse', 'ubrmse', 'r', 'pValue', 'nse', 'd', 'slope', 'mape', 'mseCorr'] as const) {
      assert.ok(Math.abs(m[k] - whole[k]) <= 1e-12 * Math.max(1, Math.abs(whole[k])), `${k}: ${m[k]} vs ${whole[k]}`);
    }
    // Spearman from a 1-in-7 systematic subsample is close to the full value, not identical
    assert.ok(Math.abs(m.spearman - whole.spearman) < 0.05);
    assert.notEqual(m.spearman, whole.spearman);
  });
});
