/**
 * A tile service for tests of tile functions: cuts the output grid into `tileSize` tiles (edges on
 * multiples of the request's `align`), gives the function each tile's blocks exactly as the contract
 * describes (window grown by the halo, clipped; other grids mapped by coordinates), and pastes the
 * outputs. No store, no threads: it checks a tile function against its whole-raster result.
 */
import { makeSeries, windowGrid, type Grid, type PixelWindow, type Series } from '../../core/index.js';
import type { TileArgs, TileBlock, TileFunction, TileOutputs, TileResult, TileService, TileStageRequest, TileStageResult, TileSummary } from '../../core/tiles/types.js';

/** Output tiles of `grid`, row-major: edges every `size` pixels rounded up to a multiple of `align`. */
export function tileWindows(grid: Grid, size: number, align = 1): PixelWindow[] {
  const edge = Math.ceil(size / align) * align;
  const out: PixelWindow[] = [];
  for (let y = 0; y < grid.height; y += edge) {
    for (let x = 0; x < grid.width; x += edge) out.push({ x, y, width: Math.min(edge, grid.width - x), height: Math.min(edge, grid.height - y) });
  }
  return out;
}

/** The pixels of `input` covering `window` of `output` (same CRS, north-up), grown by `halo` and clipped. */
export function inputWindow(output: Grid, window: PixelWindow, input: Grid, halo: number): PixelWindow {
  const t = output.transform;
  const u = input.transform;
  const eps = 1e-6;
  const col = (X: number) => (X - u[0]) / u[1];
  const row = (Y: number) => (Y - u[3]) / u[5];
  const x0 = Math.max(0, Math.floor(col(t[0] + window.x * t[1]) + eps) - halo);
  const x1 = Math.min(input.width, Math.ceil(col(t[0] + (window.x + window.width) * t[1]) - eps) + halo);
  const y0 = Math.max(0, Math.floor(row(t[3] + window.y * t[5]) + eps) - halo);
  const y1 = Math.min(input.height, Math.ceil(row(t[3] + (window.y + window.height) * t[5]) - eps) + halo);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function cut(a: Float32Array, width: number, w: PixelWindow): Float32Array {
  const out = new Float32Array(w.width * w.height);
  for (let y = 0; y < w.height; y++) out.set(a.subarray((w.y + y) * width + w.x, (w.y + y) * width + w.x + w.width), y * w.width);
  return out;
}

/**
 * Run a stage request tile by tile in this thread.
 *
 * @example
 * ```ts
 * const outputs = await inlineTiles(37).run(request); // 37-pixel tiles
 * ```
 */
export function inlineTiles(tileSize: number): TileService & { tilesRun: number } {
  const service = {
    tilesRun: 0,
    async run<Params>(request: TileStageRequest<Params>): Promise<Readonly<Record<string, Series>>> {
      return (await service.runWithSummaries(request)).outputs;
    },
    async runWithSummaries<Params>(request: TileStageRequest<Params>): Promise<TileStageResult> {
      const { grid, dates } = request;
      const fn = (await import(request.task.module))[request.task.fn] as TileFunction<Params>;
      const n = grid.width * grid.height;
      const planes = Math.max(1, dates.length);
      const assembled = Object.fromEntries(request.outputs.map((o) => [o.name, Array.from({ length: planes }, () => new Float32Array(n))]));
      const windows = tileWindows(grid, tileSize, request.align ?? 1);
      const summaries: TileSummary[] = [];
      for (const window of windows) {
        const inputs: Record<string, TileBlock> = {};
        for (const [name, { series, halo }] of Object.entries(request.inputs)) {
          const w = inputWindow(grid, window, series.grid, halo ?? 0);
          inputs[name] = { grid: windowGrid(series.grid, w), window: w, dates: series.dates, values: series.values.map((v) => cut(v, series.grid.width, w)) };
        }
        const args: TileArgs<Params> = { params: structuredClone(request.params), model: request.model, models: { regressor: () => Promise.reject(new Error('no models inline')) }, window, grid: windowGrid(grid, window), dates, inputs };
        const result = await fn(args);
        if (request.summaries && !('summary' in result)) throw new Error(`tile ${JSON.stringify(window)}: a summaries stage returned no summary`);
        const outputs = (request.summaries ? (result as TileResult).outputs : result) as TileOutputs;
        // Through JSON, as a tile record keeps it.
        if (request.summaries) summaries.push(JSON.parse(JSON.stringify((result as TileResult).summary)) as TileSummary);
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
    },
  };
  return service;
}
