import { usageError } from '../errors.js';
import type { Grid } from '../model/grid.js';
import type { Series } from '../model/series.js';
import type { DownscaleInput } from './kinds.js';

/**
 * The fine grid a downscaler produces: `input.target` when given, else the grid of the predictor
 * named `predictor` (when given), else the grid of the first predictor. Throws a usage error naming
 * `<pluginId>.inputs.target` when there is neither a target nor a predictor.
 *
 * @example
 * ```ts
 * const grid = downscaleTarget(input, 'downscaler:bilinear');
 * const product = resampleSeries(input.coarse, grid, 'bilinear');
 * // DISPATCH prefers the grid of its first LST predictor:
 * const fine = downscaleTarget(input, 'downscaler:dispatch', 'lst');
 * ```
 */
export function downscaleTarget(input: DownscaleInput, pluginId: string, predictor?: string): Grid {
  if (input.target) return input.target;
  const predictors = input.predictors ?? {};
  const chosen = (predictor !== undefined ? predictors[predictor] : undefined) ?? Object.values(predictors)[0];
  if (chosen) return chosen.grid;
  throw usageError('no fine grid to downscale to', {
    path: `${pluginId}.inputs.target`,
    expected: 'a `target` series (its grid is used) or at least one fine predictor',
    found: 'neither',
  });
}

/**
 * The coarse series a downscaler is given, or a usage error naming `<pluginId>.inputs.coarse` when a
 * caller (a script, not a pipeline, whose checker requires it) left it out or gave something else.
 *
 * @example
 * ```ts
 * const coarse = downscaleCoarse(input, 'downscaler:bilinear');
 * ```
 */
export function downscaleCoarse(input: DownscaleInput, pluginId: string): Series {
  const coarse = input.coarse as Series | undefined;
  if (coarse?.kind === 'series') return coarse;
  throw usageError('no coarse series to downscale', {
    path: `${pluginId}.inputs.coarse`,
    expected: 'a series of coarse soil moisture',
    found: coarse === undefined ? 'nothing' : `a ${String((coarse as { kind?: unknown }).kind ?? typeof coarse)}`,
  });
}
