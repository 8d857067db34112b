import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { completeRows, fitFeatureScaling, standardiseFeatures } from '../../../core/index.js';

describe('feature scaling', () => {
  // columns: a = 1, 2, 3, 6 (mean 3, population sd √3.5); b constant 7
  const x = Float32Array.of(1, 7, 2, 7, 3, 7, 6, 7);

  it('fits the column mean and population standard deviation; constant columns keep scale 1', () => {
    const s = fitFeatureScaling(x, 4, 2, true);
    assert.deepEqual([...s.center], [3, 7]);
    assert.ok(Math.abs(s.scale[0] - Math.sqrt(3.5)) < 1e-15);
    assert.equal(s.scale[1], 1);
  });

  it('is the identity when standardisation is off or there are no rows', () => {
    for (const s of [fitFeatureScaling(x, 4, 2, false), fitFeatureScaling(x, 0, 2, true)]) {
      assert.deepEqual([...s.center], [0, 0]);
      assert.deepEqual([...s.scale], [1, 1]);
    }
  });

  it('standardises to zero mean and unit variance', () => {
    const s = fitFeatureScaling(x, 4, 2, true);
    const z = standardiseFeatures(x, 4, 2, s);
    const a = [z[0], z[2], z[4], z[6]];
    assert.ok(Math.abs(a.reduce((p, v) => p + v, 0)) < 1e-12);
    assert.ok(Math.abs(a.reduce((p, v) => p + v * v, 0) / 4 - 1) < 1e-12);
    assert.ok(Math.abs(z[0] + 2 / Math.sqrt(3.5)) < 1e-12);
    assert.deepEqual([z[1], z[3], z[5], z[7]], [0, 0, 0, 0]);
  });

  it('keeps the rows whose features are all finite', () => {
    const m = Float32Array.of(1, 2, Number.NaN, 4, 5, 6, 7, Number.POSITIVE_INFINITY, 9, 10);
    assert.deepEqual(completeRows(m, 5, 2), [0, 2, 4]);
    assert.deepEqual(completeRows(m, 5, 0), [0, 1, 2, 3, 4]);
  });
});
