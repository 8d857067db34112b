/**
 * Summary stages (tile functions that also summarise their tile: a validator's partial sums,
 * DISPATCH's per-cell records) on `context.tiles`: through `runWithSummaries` when the tile service
 * has it, otherwise as one tile covering the whole grid in this thread: the same function and, since a
 * summary stage's result does not depend on its tiling, the same result.
 */
import { openRasterLayer } from '../io/raster-source.js';
import { makeSeries, type Series } from '../model/series.js';
import type { TileBlock, TileService, TileStageResult, TileSummary, TileSummaryFunction, TileSummaryStageRequest } from '../tiles/types.js';

/** Run a summary stage on `tiles` (a plugin passes `context.tiles`): the outputs and each tile's summary, in tile order. */
export function runSummaryStage<Params>(tiles: TileService, request: TileSummaryStageRequest<Params>): Promise<TileStageResult> {
  return tiles.runWithSummaries ? tiles.runWithSummaries(request) : runSummaryStageInThread(request);
}

/**
 * Run a summary stage as one tile covering the whole grid, in this thread (no tile store): for stages whose
 * summaries are as large as their inputs, where writing them into tile records costs more than it saves.
 */
export async function runSummaryStageInThread<Params>(request: TileSummaryStageRequest<Params>): Promise<TileStageResult> {
  const { grid, dates } = request;
  const fn = (await import(request.task.module))[request.task.fn] as TileSummaryFunction<Params>;
  const whole = (g: { width: number; height: number }) => ({ x: 0, y: 0, width: g.width, height: g.height });
  const inputs: Record<string, TileBlock> = {};
  for (const [name, input] of Object.entries(request.inputs)) {
    if ('series' in input) {
      inputs[name] = { grid: input.series.grid, window: whole(input.series.grid), dates: input.series.dates, values: input.series.values };
    } else {
      const { grid: g, dates: d, layers } = input.raster;
      inputs[name] = { grid: g, window: whole(g), dates: d, values: await Promise.all(layers.map(async (a) => (await (await openRasterLayer(a)).read(whole(g))).values)) };
    }
  }
  const window = whole(grid);
  const result = await fn({
    // As a tile worker gets them: through JSON.
    params: JSON.parse(JSON.stringify(request.params)) as Params,
    ...(request.model ? { model: request.model } : {}),
    models: { regressor: () => Promise.reject(new Error(`tile stage '${request.name}' run as one tile: no model loader`)) },
    window,
    grid,
    dates,
    inputs,
  });
  const outputs: Record<string, Series> = {};
  for (const o of request.outputs) outputs[o.name] = makeSeries({ variable: o.variable, unit: o.unit, grid, dates, values: [...result.outputs[o.name]] });
  return { outputs, windows: [window], summaries: [JSON.parse(JSON.stringify(result.summary)) as TileSummary] };
}
