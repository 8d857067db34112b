import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createGrid, downscaleTarget, isSoilscaleError, makeSeries, type Grid, type Series } from '../../../core/index.js';

const coarse = createGrid(2, 2, [0, 100, 0, 200, 0, -100], 'EPSG:32633');
const fine10 = createGrid(20, 20, [0, 10, 0, 200, 0, -10], 'EPSG:32633');
const fine20 = createGrid(10, 10, [0, 20, 0, 200, 0, -20], 'EPSG:32633');
const target = createGrid(40, 40, [0, 5, 0, 200, 0, -5], 'EPSG:32633');

function staticOn(variable: string, grid: Grid): Series {
  return makeSeries({ variable, grid, dates: [], values: [new Float32Array(grid.width * grid.height)] });
}

const sm = makeSeries({ variable: 'sm_coarse', grid: coarse, dates: ['2020-01-01'], values: [new Float32Array(4)] });

describe('downscaleTarget', () => {
  it('prefers the explicit target over any predictor', () => {
    const grid = downscaleTarget({ coarse: sm, predictors: { ndvi: staticOn('ndvi', fine10) }, target }, 'downscaler:toy', 'ndvi');
    assert.equal(grid, target);
  });

  it('falls back to the first predictor, in key order', () => {
    const predictors = { ndvi: staticOn('ndvi', fine20), lst: staticOn('lst', fine10) };
    assert.equal(downscaleTarget({ coarse: sm, predictors }, 'downscaler:toy'), fine20);
  });

  it('uses the named predictor when asked, the first one when that name is absent', () => {
    const predictors = { ndvi: staticOn('ndvi', fine20), lst: staticOn('lst', fine10) };
    assert.equal(downscaleTarget({ coarse: sm, predictors }, 'downscaler:toy', 'lst'), fine10);
    assert.equal(downscaleTarget({ coarse: sm, predictors }, 'downscaler:toy', 'dem'), fine20);
  });

  it('names the plugin input when there is neither a target nor a predictor', () => {
    assert.throws(
      () => downscaleTarget({ coarse: sm, predictors: {} }, 'downscaler:toy'),
      (e: unknown) => isSoilscaleError(e) && e.kind === 'usage' && e.details.path === 'downscaler:toy.inputs.target' && e.details.found === 'neither',
    );
  });
});
