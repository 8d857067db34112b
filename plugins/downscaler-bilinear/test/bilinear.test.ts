import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createGrid, createPluginContext, makeSeries, pixelCenter } from '../../../core/index.js';
import { bilinearDownscaler } from '../index.js';

// Coarse 6×5 pixels of 1 km; fine 60×50 pixels of 100 m on the same extent (UTM).
const coarseGrid = createGrid(6, 5, [500000, 1000, 0, 4200000, 0, -1000], 'EPSG:32633');
const fineGrid = createGrid(60, 50, [500000, 100, 0, 4200000, 0, -100], 'EPSG:32633');
const linear = (x: number, y: number): number => 0.2 + 2e-5 * (x - 500000) - 1.5e-5 * (y - 4195000);

function field(grid: typeof coarseGrid, f: (x: number, y: number) => number): Float32Array {
  const out = new Float32Array(grid.width * grid.height);
  for (let r = 0; r < grid.height; r++)
    for (let c = 0; c < grid.width; c++) {
      const [x, y] = pixelCenter(grid, c, r);
      out[r * grid.width + c] = f(x, y);
    }
  return out;
}

describe('downscaler:bilinear', async () => {
  const ds = await bilinearDownscaler.create({}, createPluginContext());
  const coarse = makeSeries({ variable: 'sm', grid: coarseGrid, dates: ['2024-06-01', '2024-06-02'], values: [field(coarseGrid, linear), field(coarseGrid, (x, y) => 2 * linear(x, y))], unit: 'm3/m3' });
  const target = makeSeries({ variable: 'ndvi', grid: fineGrid, dates: [], values: [new Float32Array(3000)] });
  const { product } = await ds.downscale({ coarse, predictors: {}, target: target.grid });

  it('reproduces a linear coarse field exactly at interior fine pixel centres', () => {
    assert.deepEqual(product.dates, coarse.dates);
    assert.equal(product.grid, fineGrid);
    let checked = 0;
    for (let r = 0; r < 50; r++)
      for (let c = 0; c < 60; c++) {
        // interior: centre between the first and last coarse centres (500 m from each edge)
        const [x, y] = pixelCenter(fineGrid, c, r);
        if (x < 500500 || x > 505500 || y > 4199500 || y < 4195500) continue;
        checked++;
        const want = linear(x, y);
        assert.ok(Math.abs(product.values[0][r * 60 + c] - want) < 2e-7, `(${c},${r}) ${product.values[0][r * 60 + c]} vs ${want}`);
        assert.ok(Math.abs(product.values[1][r * 60 + c] - 2 * want) < 4e-7);
      }
    assert.equal(checked, 50 * 40);
  });

  it('outside the hull of coarse centres it replicates the edge (clamped coordinates)', () => {
    // fine column 0 (x = 500050) takes the value at the first coarse centre column (x = 500500)
    const [, y] = pixelCenter(fineGrid, 0, 20);
    assert.ok(Math.abs(product.values[0][20 * 60] - linear(500500, y)) < 2e-7);
  });

  it('uses the predictors\u2019 grid when no target is given; errors when neither', async () => {
    const { product: p } = await ds.downscale({ coarse, predictors: { ndvi: target } });
    assert.deepEqual(p.values[0], product.values[0]);
    await assert.rejects(ds.downscale({ coarse, predictors: {} }), { name: 'SoilscaleError' });
  });
});
