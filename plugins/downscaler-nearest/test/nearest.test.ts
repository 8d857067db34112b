import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createGrid, createPluginContext, createRng, makeSeries } from '../../../core/index.js';
import { nearestDownscaler } from '../index.js';

const coarseGrid = createGrid(4, 3, [300000, 900, 0, 5000000, 0, -900], 'EPSG:32631');
// Fine grid of 30 m starting one coarse pixel in, 2 × 2 coarse pixels wide, nested by 30.
const fineGrid = createGrid(60, 60, [300900, 30, 0, 4999100, 0, -30], 'EPSG:32631');

describe('downscaler:nearest', async () => {
  const ds = await nearestDownscaler.create({}, createPluginContext());
  const rng = createRng(11);
  const values = Float32Array.from({ length: 12 }, () => 0.05 + 0.4 * rng.next());
  values[6] = Number.NaN; // coarse (2, 1) is nodata
  const coarse = makeSeries({ variable: 'sm', grid: coarseGrid, dates: ['2024-01-01'], values: [values] });
  const { product } = await ds.downscale({ coarse, predictors: {}, target: fineGrid });

  it('copies each coarse value to every fine pixel of its block (NaN blocks stay NaN)', () => {
    for (let r = 0; r < 60; r++)
      for (let c = 0; c < 60; c++) {
        const coarseIndex = (1 + Math.floor(r / 30)) * 4 + (1 + Math.floor(c / 30));
        const got = product.values[0][r * 60 + c];
        if (Number.isNaN(values[coarseIndex])) assert.ok(Number.isNaN(got));
        else assert.equal(got, values[coarseIndex]);
      }
  });
});
