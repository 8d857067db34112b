import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createGrid, pixelCenter, pixelContaining } from '../../../core/index.js';

describe('pixelContaining', () => {
  const grid = createGrid(100, 80, [500000, 30, 0, 4200000, 0, -30], 'EPSG:32633');

  it('finds the pixel whose cell holds the point (its centre and corners inside)', () => {
    assert.deepEqual(pixelContaining(grid, ...pixelCenter(grid, 7, 3)), [7, 3]);
    assert.deepEqual(pixelContaining(grid, 500000, 4200000), [0, 0]); // the outer corner belongs to pixel 0
    assert.deepEqual(pixelContaining(grid, 500000 + 30 * 99 + 29.9, 4200000 - 30 * 79 - 29.9), [99, 79]);
  });

  it('is undefined outside the grid and for non-finite coordinates', () => {
    assert.equal(pixelContaining(grid, 499999.9, 4199985), undefined);
    assert.equal(pixelContaining(grid, 500000 + 30 * 100, 4199985), undefined); // east edge is outside
    assert.equal(pixelContaining(grid, 500015, 4200000.1), undefined);
    assert.equal(pixelContaining(grid, 500015, 4200000 - 30 * 80), undefined); // south edge is outside
    assert.equal(pixelContaining(grid, Number.NaN, 4199985), undefined);
    assert.equal(pixelContaining(grid, 500015, Number.POSITIVE_INFINITY), undefined);
  });
});
