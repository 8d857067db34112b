/**
 * A tile service for tests of tile functions, summary stages included (which the engine's service does
 * not run yet): the engine's tile windows and input windows, blocks cut from the series in memory,
 * outputs pasted. No store, no threads.
 */
import { makeSeries, windowGrid, type PixelWindow, type Series } from '../../core/index.js';
import { inputWindow, tileWindows } from '../../core/tiles/index.js';
import type { TileArgs, TileBlock, TileFunction, TileResult, TileService, TileStageRequest, TileStageResult, TileSummary, TileSummaryFunction, TileSummaryStageRequest } from '../../core/index.js';

function cut(a: Float32Array, width: number, w: PixelWindow): Float32Array {
  const out = new Float32Array(w.width * w.height);
  for (let y = 0; y < w.height; y++) out.set(a.subarray((w.y + y) * width + w.x, (w.y + y) * width + w.x + w.width), y * w.width);
  return out;
}

/**
 * Run stage requests tile by tile in this thread (summaries through JSON, as a tile record keeps them).
 *
 * @example
 * ```ts
 * const outputs = await inlineTiles(37).run(request); // 37-pixel tiles
 * ```
 */
export function inlineTiles(tileSize: number): TileService & { tilesRun: number; runWithSummaries: NonNullable<TileService['runWithSummaries']> } {
  const service = {
    tilesRun: 0,
    async run<Params>(request: TileStageRequest<Params>): Promise<Readonly<Record<string, Series>>> {
      return (await runTiles(request, async (args) => ({ outputs: await ((await taskOf(request)) as TileFunction<Params>)(args), summary: null }))).outputs;
    },
    async runWithSummaries<Params>(request: TileSummaryStageRequest<Params>): Promise<TileStageResult> {
      const fn = (await taskOf(request)) as TileSummaryFunction<Params>;
      return runTiles(request, fn);
    },
  };
  async function runTiles<Params>(request: Omit<TileStageRequest<Params>, 'task'>, fn: (args: TileArgs<Params>) => Promise<TileResult> | TileResult): Promise<TileStageResult> {
    const { grid, dates } = request;
    const n = grid.width * grid.height;
    const planes = Math.max(1, dates.length);
    const assembled = Object.fromEntries(request.outputs.map((o) => [o.name, Array.from({ length: planes }, () => new Float32Array(n))]));
    const windows = tileWindows(grid, tileSize, request.align ?? 1);
    const summaries: TileSummary[] = [];
    for (const window of windows) {
      const inputs: Record<string, TileBlock> = {};
      for (const [name, input] of Object.entries(request.inputs)) {
        if (!('series' in input)) throw new Error(`inline tiles: input ${name} is not a series in memory`);
        const { series, halo } = input;
        const w = inputWindow(grid, window, series.grid, halo ?? 0);
        inputs[name] = { grid: windowGrid(series.grid, w), window: w, dates: series.dates, values: series.values.map((v) => cut(v, series.grid.width, w)) };
      }
      const params = JSON.parse(JSON.stringify(request.params)) as Params;
      const { outputs, summary } = await fn({ params, model: request.model, models: { regressor: () => Promise.reject(new Error('no models inline')) }, window, grid: windowGrid(grid, window), dates, inputs });
      summaries.push(JSON.parse(JSON.stringify(summary)) as TileSummary);
      service.tilesRun++;
      for (const o of request.outputs) {
        const arrays = outputs[o.name];
        if (arrays?.length !== planes) throw new Error(`tile ${JSON.stringify(window)}: output ${o.name} has ${arrays?.length} arrays, expected ${planes}`);
        arrays.forEach((a, d) => {
          if (a.length !== window.width * window.height) throw new Error(`tile ${JSON.stringify(window)}: output ${o.name}[${d}] has ${a.length} values`);
          for (let y = 0; y < window.height; y++) assembled[o.name][d].set(a.subarray(y * window.width, (y + 1) * window.width), (window.y + y) * grid.width + window.x);
        });
      }
    }
    const outputs = Object.fromEntries(request.outputs.map((o) => [o.name, makeSeries({ variable: o.variable, unit: o.unit, grid, dates, values: assembled[o.name] })]));
    return { outputs, windows, summaries };
  }
  return service;
}

async function taskOf(request: { task: { module: string; fn: string } }): Promise<unknown> {
  return (await import(request.task.module))[request.task.fn];
}
