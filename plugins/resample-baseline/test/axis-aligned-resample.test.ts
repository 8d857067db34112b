import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createGrid, createRng, makeSeries, resampleSeries, type Grid } from '../../../core/index.js';
import { resampleAxisAligned } from '../axis-aligned-resample.js';

const coarseGrid = createGrid(7, 5, [1000, 250, 0, 9000, 0, -250], 'EPSG:3035');
const rng = createRng(5);
const values = Float32Array.from({ length: 35 }, () => rng.next());
values[8] = Number.NaN;
values[20] = Number.NaN;
const coarse = makeSeries({ variable: 'sm', grid: coarseGrid, dates: ['2024-01-01'], values: [values] });

const targets: Record<string, Grid> = {
  'nested, same extent': createGrid(70, 50, [1000, 25, 0, 9000, 0, -25], 'EPSG:3035'),
  'non-integer ratio, offset, partly outside': createGrid(33, 29, [1080, 60, 0, 9100, 0, -45], 'EPSG:3035'),
  'coarser than the source': createGrid(3, 2, [1000, 600, 0, 9000, 0, -600], 'EPSG:3035'),
};

describe('resampleAxisAligned equals core resampleSeries', () => {
  for (const [name, grid] of Object.entries(targets)) {
    for (const method of ['nearest', 'bilinear'] as const) {
      it(`${method}: ${name}`, () => {
        const fast = resampleAxisAligned(coarse, grid, method)!;
        const ref = resampleSeries(coarse, grid, method);
        assert.deepEqual(fast.values[0], ref.values[0]);
        assert.ok(fast.values[0].some((v) => !Number.isNaN(v)));
      });
    }
  }
  it('declines rotated grids (callers fall back to core)', () => {
    assert.equal(resampleAxisAligned(coarse, createGrid(10, 10, [1000, 25, 1, 9000, 0, -25], 'EPSG:3035'), 'nearest'), undefined);
  });
});
