import { boxMean, makeSeries, type PluginContext, type SavedModel, type Series, type TileInputRequest } from '../../../core/index.js';
import type { InversionLimits } from './invert-raster.js';
import { invertTileTask } from './invert-tile.js';
import type { RadarStack } from './radar-stack.js';

/**
 * Invert every radar date of `stack` through `context.tiles`. σ⁰ is multilooked on the whole grid first
 * (a running boxcar: its sums depend on where a row starts, so tiles would not give the same bytes);
 * the inversion itself is per pixel and needs no halo. Returns `sm` and the per-pixel `outcome` codes.
 */
export async function invertTiles(context: PluginContext, stack: RadarStack, model: SavedModel, window: number, limits: InversionLimits): Promise<{ sm: Series; outcome: Series }> {
  const { grid } = stack;
  const dates = stack.dates.map((d) => d.date);
  const series = (variable: string, values: Float32Array[]) => makeSeries({ variable, grid, dates, values });
  const inputs: Record<string, TileInputRequest> = {
    sigma: { series: series('sigma0_linear', stack.dates.map((d) => boxMean(d.sigmaLinear, grid.width, grid.height, window))) },
    descriptor: { series: series('descriptor', stack.dates.map((d) => d.descriptor)) },
    incidence: { series: series('incidence', stack.dates.map((d) => d.incidence)) },
  };
  if (stack.landcover) inputs.landcover = { series: makeSeries({ variable: 'landcover', grid, dates: [], values: [stack.landcover] }) };
  if (stack.porosity) inputs.porosity = { series: makeSeries({ variable: 'porosity', grid, dates: [], values: [stack.porosity] }) };
  const out = await context.tiles.run({
    name: 'invert',
    task: invertTileTask,
    params: { limits, orbits: stack.dates.map((d) => (d.orbit === d.orbit ? d.orbit : null)) },
    model,
    grid,
    dates,
    inputs,
    outputs: [
      { name: 'sm', variable: 'sm', unit: 'm3/m3' },
      { name: 'outcome', variable: 'outcome' },
    ],
  });
  return { sm: out.sm, outcome: out.outcome };
}
