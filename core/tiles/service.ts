import { join } from 'node:path';
import { runtimeError, usageError } from '../errors.js';
import { writeStageModel } from './model-file.js';
import { seriesLayersOf, type Series } from '../model/series.js';
import type { Logger } from '../services/logger.js';
import { silentProgress, type ProgressReporter } from '../services/progress.js';
import { layerIdentities } from './raster-identity.js';
import { finishedRecord, spillArray, storePaths, tileLabel, writeStage } from './store.js';
import { materialiseStageOutputs, tileBackedOutputs } from './tile-series.js';
import type { TileExecutor, TileInputSource, TileJob, TileRasterInput, TileService, TileStage, TileStageRequest, TileStageResult, TileSummary, TileSummaryStageRequest } from './types.js';
import { DEFAULT_TILE_SIZE, inputWindow, stageWindows } from './windows.js';
import type { Grid, PixelWindow } from '../model/grid.js';

export interface TileServiceOptions {
  /** Absolute path of the tile store (the run's `tiles/` folder, or a scratch folder). */
  readonly store: string;
  /** The run hash jobs carry. */
  readonly run: string;
  /** Prefix of stage ids: the node (`<node>/<name>`). */
  readonly scope: string;
  readonly executor: TileExecutor;
  /** Plugin modules (file URLs) workers register besides the built-ins. */
  readonly plugins?: readonly string[];
  /** Tile edge in output pixels; default 512. */
  readonly tileSize?: number;
  /**
   * Tiles the executor runs at once (the thread count): a grid that would give fewer tiles is cut in
   * smaller ones, so a small product still uses every thread. The product does not depend on it.
   */
  readonly parallelism?: number;
  readonly logger?: Logger;
  readonly progress?: ProgressReporter;
  /** Spilled arrays by identity, shared by the services of one run (each array is hashed and written once). */
  readonly spilled?: WeakMap<Float32Array, Promise<string>>;
  /** Told how many tiles of each stage were kept from an interrupted run and how many computed. */
  readonly onStage?: (stats: TileStageStats) => void;
}

export interface TileStageStats {
  readonly stage: string;
  readonly tiles: number;
  /** Finished by an earlier (interrupted) run, checksums matching: not recomputed. */
  readonly kept: number;
  readonly computed: number;
}

/** A stage request of either kind: what writing the stage needs (the task is only named). */
type AnyStageRequest<Params> = TileStageRequest<Params> | TileSummaryStageRequest<Params>;

/**
 * `context.tiles`: writes each requested stage into the store (inputs spilled once, model, stage file),
 * skips the tiles an interrupted run finished (record and block sha256 matching, and the summary's
 * for a summary stage), runs the rest on the executor, and returns the outputs as series backed by the
 * store (`tileBackedOutputs`: read when a reader asks for their pixels, else streamed to the products).
 */
export function createTileService(options: TileServiceOptions): Required<TileService> {
  const withSpilled = { ...options, spilled: options.spilled ?? new WeakMap<Float32Array, Promise<string>>() };
  return {
    async run<Params>(request: TileStageRequest<Params>) {
      return tileBackedOutputs(options.store, await runTileStage(withSpilled, request));
    },
    async runWithSummaries<Params>(request: TileSummaryStageRequest<Params>): Promise<TileStageResult> {
      const stage = await writeAndRunStage(withSpilled, request, true);
      return { outputs: tileBackedOutputs(options.store, stage), windows: stage.windows, summaries: await stageSummaries(options.store, stage) };
    },
  };
}

/** Every tile's summary from its record, in tile order (a record gone bad since its job finished is an error). */
async function stageSummaries(store: string, stage: TileStage): Promise<TileSummary[]> {
  const summaries: TileSummary[] = [];
  for (let tile = 0; tile < stage.windows.length; tile++) {
    const record = await finishedRecord(store, stage.id, stage.hash, tile, true, 'size'); // kept tiles were hashed before the run
    if (!record) throw runtimeError(`${tileLabel(stage.id, tile)}: its record or block does not match after the tile finished`, { expected: `a record with the block's and summary's sha256 in ${join(store, storePaths.done(stage.id, tile))}`, found: 'missing, or not matching (changed by another process?)' });
    summaries.push(record.summary as TileSummary);
  }
  return summaries;
}

/**
 * Write a stage into the store and run every tile that has no valid record, without assembling the
 * outputs: for products larger than memory, stream them with `streamStageToCogs` afterwards.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { resolve } from 'node:path';
 * import { pathToFileURL } from 'node:url';
 * writeFileSync('out/copy-tile.mjs', 'export function copyTile({ inputs }) { return { ndvi: inputs.ndvi.values }; }');
 * const task: TileTask = { module: pathToFileURL('out/copy-tile.mjs').href, fn: 'copyTile' };
 * const store = resolve('out/tiles');
 * const executor = createLocalExecutor(createWorkerPool(1), builtinTileTask);
 * const stage = await runTileStage({ store, run: 'example', scope: 'example', executor, tileSize: 16 }, {
 *   name: 'copy', task, params: {}, grid: ndvi.grid, dates: ndvi.dates, inputs: { ndvi: { series: ndvi } }, outputs: [{ name: 'ndvi', variable: 'ndvi' }],
 * });
 * const files = await streamStageToCogs(store, stage.id, 'ndvi', 'out/ndvi'); // one COG per date, memory bounded by a tile row
 * assert.equal(files.length, Math.max(1, ndvi.dates.length));
 * ```
 */
export function runTileStage<Params>(options: TileServiceOptions, request: TileStageRequest<Params>): Promise<TileStage> {
  return writeAndRunStage(options, request, false);
}

async function writeAndRunStage<Params>(options: TileServiceOptions, request: AnyStageRequest<Params>, summaries: boolean): Promise<TileStage> {
  // A stage run again under the same id (a fan-out, a reused context) rewrites its blocks: earlier outputs are read first.
  materialiseStageOutputs(options.store, stageId(options.scope, request.name));
  const stage = await prepareStage(options, request, summaries, options.spilled ?? new WeakMap());
  const jobs: TileJob[] = [];
  for (let tile = 0; tile < stage.windows.length; tile++) {
    if (!(await finishedRecord(options.store, stage.id, stage.hash, tile, summaries))) jobs.push({ run: options.run, store: options.store, stage: stage.id, stageHash: stage.hash, tile });
  }
  const stats: TileStageStats = { stage: stage.id, tiles: stage.windows.length, kept: stage.windows.length - jobs.length, computed: jobs.length };
  if (stats.kept) options.logger?.info(`stage ${stage.id}: ${stats.kept} of ${stats.tiles} tiles kept from the interrupted run`);
  const task = (options.progress ?? silentProgress).start(`tiles ${stage.id}`, jobs.length);
  await options.executor.run(jobs, () => task.tick());
  task.done();
  options.onStage?.(stats);
  return stage;
}

async function prepareStage<Params>(options: TileServiceOptions, request: AnyStageRequest<Params>, summaries: boolean, spilled: WeakMap<Float32Array, Promise<string>>): Promise<TileStage> {
  if (!/^[A-Za-z0-9_.-]+$/.test(request.name)) throw usageError('a tile stage name must be path-safe', { path: 'name', expected: 'letters, digits, _ . -', found: JSON.stringify(request.name) });
  const id = stageId(options.scope, request.name);
  const windows = stageWindows(request.grid, options.tileSize ?? DEFAULT_TILE_SIZE, request.align ?? 1, options.parallelism ?? 1);
  const inputs: Record<string, TileInputSource> = {};
  for (const [name, input] of Object.entries(request.inputs)) {
    const halo = input.halo ?? 0;
    inputs[name] = 'series' in input ? await seriesSource(options.store, name, input.series, halo, spilled, () => meanWindowPixels(request.grid, windows, input.series.grid, halo)) : await rasterSource(name, input.raster, halo);
  }
  let model: TileStage['model'];
  if (request.model) {
    model = { file: storePaths.model(id), sha256: await writeStageModel(join(options.store, id), request.model) };
  }
  return writeStage(options.store, {
    format: 'soilscale-tile-stage',
    formatVersion: 1,
    id,
    task: { module: request.task.module, fn: request.task.fn },
    params: request.params,
    ...(model ? { model } : {}),
    plugins: options.plugins ?? [],
    grid: request.grid,
    dates: request.dates,
    outputs: request.outputs.map((o) => ({ name: o.name, variable: o.variable, ...(o.unit ? { unit: o.unit } : {}) })),
    // Only when set: the hashes of plain stages (and so their resumability) stay as they were.
    ...(summaries ? { summaries: true } : {}),
    inputs,
    windows,
  });
}

/** The mean size, in pixels, of the windows the tiles of `output` read from an input on `input` (halo included). */
function meanWindowPixels(output: Grid, windows: readonly PixelWindow[], input: Grid, halo: number): number {
  let sum = 0;
  for (const tile of windows) {
    const w = inputWindow(output, tile, input, halo);
    sum += w.width * w.height;
  }
  return sum / Math.max(1, windows.length);
}

function stageId(scope: string, name: string): string {
  return `${scope.replace(/[^A-Za-z0-9_.-]/g, '_')}/${name}`;
}

/** Layers read by window, identified by path and file identity (size, times: a changed file changes the stage). */
async function rasterSource(name: string, raster: TileRasterInput['raster'], halo: number): Promise<TileInputSource> {
  if (raster.layers.length !== Math.max(1, raster.dates.length)) {
    throw usageError(`tile input '${name}' has ${raster.layers.length} layers for ${raster.dates.length} dates`, { path: `inputs.${name}.raster.layers`, expected: 'one layer per date (one for a static input)', found: String(raster.layers.length) });
  }
  return { kind: 'raster', ...raster, halo, files: await layerIdentities(raster.layers) };
}

/**
 * A tile's window of an input, in pixels, from which a layer-backed input is read from its files by
 * every tile: below it, opening each file for every tile costs more than loading the layers once and
 * spilling them (docs/scale-out.md, Memory).
 */
const FILE_WINDOW_MIN_PIXELS = 256 * 256;

/**
 * A series input: its files read by window when it is a layer-backed series nobody has read (a source's
 * large GeoTIFFs: never loaded, never spilled) and the tiles' windows of it are large enough, else its
 * arrays (read now if they were not) spilled into the store.
 */
function seriesSource(store: string, name: string, series: Series, halo: number, spilled: WeakMap<Float32Array, Promise<string>>, windowPixels: () => number): Promise<TileInputSource> {
  const layers = seriesLayersOf(series);
  if (!layers || windowPixels() < FILE_WINDOW_MIN_PIXELS) return spillSeries(store, series, halo, spilled);
  return rasterSource(name, { variable: series.variable, grid: series.grid, dates: series.dates, layers }, halo);
}

/** A series as raw float32 files in the store, one per date, content-addressed (written once per array per run). */
async function spillSeries(store: string, series: Series, halo: number, spilled: WeakMap<Float32Array, Promise<string>>): Promise<TileInputSource> {
  const files: string[] = [];
  for (const values of series.values) {
    let file = spilled.get(values);
    if (!file) {
      file = spillArray(store, values);
      spilled.set(values, file);
    }
    files.push(await file);
  }
  return { kind: 'raw', variable: series.variable, grid: series.grid, dates: series.dates, files, halo };
}
