/**
 * The tile contract: how a per-pixel stage (regression predict, residual correction, WCM inversion,
 * ESTARFM fusion, DISPATCH, validation) runs window by window on any executor — the in-process
 * worker-thread pool or BullMQ workers on other machines — with byte-identical results.
 *
 * A stage is fitted once where it is today (a model, saved); its per-pixel work is a {@link TileFunction}:
 * pure, deterministic, no I/O. The engine writes a {@link TileStage} (JSON) into the run's tile store on
 * storage every worker sees, cuts the output grid into tiles, and hands executors {@link TileJob}s.
 * A job reads its input windows, calls the function, and writes its block and a completion record
 * atomically, so a job done twice writes the same bytes and a resumed run keeps what was finished.
 */
import type { Grid, PixelWindow } from '../model/grid.js';
import type { Series } from '../model/series.js';
import type { SavedModel } from '../plugin/artifact.js';
import type { FittedRegressor } from '../plugin/kinds.js';
import type { RasterAddress } from '../io/raster-source.js';
import type { WorkerTask } from '../services/worker-task.js';

// ---------------------------------------------------------------------------------------------
// What a plugin writes: the tile function

/** One input's pixels for one tile: the tile's window in the input's grid, grown by the input's halo, clipped. */
export interface TileBlock {
  /** The block's own grid (`windowGrid(inputGrid, window)`). */
  readonly grid: Grid;
  /** Where the block lies in the input's full grid. */
  readonly window: PixelWindow;
  /** `[]` for a static layer. */
  readonly dates: readonly string[];
  /** One array per date (one for a static layer), `window.width × window.height`, row-major, NaN = nodata. */
  readonly values: readonly Float32Array[];
}

/** Loads fitted models inside a tile worker (the worker's registry: built-ins and the pipeline's plugins). */
export interface TileModelLoader {
  regressor(saved: SavedModel): Promise<FittedRegressor>;
}

/** What a tile function is given. */
export interface TileArgs<Params> {
  /** The stage's params: JSON, the same for every tile. */
  readonly params: Params;
  /** The stage's model (fitted once, shipped by reference), decoded; absent when the stage has none. */
  readonly model?: SavedModel;
  readonly models: TileModelLoader;
  /** The tile in the stage's output grid. */
  readonly window: PixelWindow;
  /** `windowGrid(outputGrid, window)`. */
  readonly grid: Grid;
  /** The dates the stage produces (every tile produces every date). */
  readonly dates: readonly string[];
  readonly inputs: Readonly<Record<string, TileBlock>>;
}

/** Output arrays by output name: one per stage date (one if the stage is static), each `window.width × window.height`. */
export type TileOutputs = Readonly<Record<string, readonly Float32Array[]>>;

/**
 * A tile's small non-image result, JSON (finite numbers, strings, arrays, objects): partial sums,
 * counts, per-cell records. Kept in the tile's record and handed back in tile order, so the plugin
 * merges the tiles' statistics in a fixed order (a validator's metrics, DISPATCH's tables).
 */
export type TileSummary = null | boolean | number | string | readonly TileSummary[] | { readonly [key: string]: TileSummary };

/** What a summary stage's function returns: its output arrays (possibly none) and the tile's summary. */
export interface TileResult {
  readonly outputs: TileOutputs;
  readonly summary: TileSummary;
}

/** A stage's per-tile work. Must not depend on the tile size or position beyond its window, nor on anything but its args. */
export type TileFunction<Params = unknown> = (tile: TileArgs<Params>) => TileOutputs | Promise<TileOutputs>;

/** A tile function that also summarises its tile (run with `runWithSummaries`). */
export type TileSummaryFunction<Params = unknown> = (tile: TileArgs<Params>) => TileResult | Promise<TileResult>;

/** A tile function named for executors: declared beside it with `workerTask(import.meta.url, { fn })`. */
export type TileTask<Params = unknown> = WorkerTask<TileFunction<Params>>;
export type TileSummaryTask<Params = unknown> = WorkerTask<TileSummaryFunction<Params>>;

// ---------------------------------------------------------------------------------------------
// What a plugin asks for: context.tiles.run(request)

/** A stage input: a series in memory (spilled once into the tile store), or layers of files read by window. */
export type TileInputRequest = TileSeriesInput | TileRasterInput;

export interface TileSeriesInput {
  readonly series: Series;
  /** Extra pixels of this input around each tile (e.g. 1 for bilinear interpolation of a coarse field); default 0. */
  readonly halo?: number;
}

/**
 * Layers read by window from their files by every tile (`openRasterLayer(...).read(window)`), never
 * loaded whole: a 20,000 × 20,000 px GeoTIFF input. The files must be on storage every worker sees.
 */
export interface TileRasterInput {
  readonly raster: {
    readonly variable: string;
    readonly grid: Grid;
    /** `[]` for a static layer. */
    readonly dates: readonly string[];
    /** One layer per date (one if static). */
    readonly layers: readonly RasterAddress[];
  };
  readonly halo?: number;
}

export interface TileOutputRequest {
  readonly name: string;
  readonly variable: string;
  readonly unit?: string;
}

/** A per-pixel stage to run tile by tile. */
export interface TileStageRequest<Params> {
  /** Unique within the node (`predict`, `invert`): with the node id it names the stage in the tile store. */
  readonly name: string;
  readonly task: TileTask<Params>;
  /** JSON only (it crosses processes and machines). */
  readonly params: Params;
  readonly model?: SavedModel;
  /** The output grid; inputs on other grids must be in the same CRS (windows are mapped by coordinates). */
  readonly grid: Grid;
  /** Output dates; `[]` for a static output. */
  readonly dates: readonly string[];
  readonly inputs: Readonly<Record<string, TileInputRequest>>;
  readonly outputs: readonly TileOutputRequest[];
  /**
   * Tile edges fall on multiples of this many output pixels (e.g. the fine pixels per coarse cell, so a
   * DISPATCH tile holds whole coarse cells); default 1.
   */
  readonly align?: number;
}

/** A stage whose function summarises each tile; its `outputs` may be `[]`. */
export interface TileSummaryStageRequest<Params> extends Omit<TileStageRequest<Params>, 'task'> {
  readonly task: TileSummaryTask<Params>;
}

/** What `runWithSummaries` gives: the outputs (as `run` gives them), and each tile's window and summary, in tile order. */
export interface TileStageResult {
  readonly outputs: Readonly<Record<string, Series>>;
  readonly windows: readonly PixelWindow[];
  readonly summaries: readonly TileSummary[];
}

/** Runs per-pixel stages tile by tile on the run's executor (`context.tiles`). */
export interface TileService {
  /** Run every tile (skipping those a resumed run finished and whose checksums still match); the outputs, as series read from the tile store on first access (core/tiles/tile-series.ts). */
  run<Params>(request: TileStageRequest<Params>): Promise<Readonly<Record<string, Series>>>;
  /**
   * `run` for a summary stage: the outputs and every tile's summary (kept in its record, so a resumed
   * run has them too). Optional for third-party services: `runSummaryStage` then runs the stage as one tile.
   */
  runWithSummaries?<Params>(request: TileSummaryStageRequest<Params>): Promise<TileStageResult>;
}

// ---------------------------------------------------------------------------------------------
// What crosses to executors: the stage file, jobs and their results

/** What every stage input states, wherever its pixels are. */
interface TileInputCommon {
  readonly variable: string;
  readonly grid: Grid;
  readonly dates: readonly string[];
  readonly halo: number;
}

/** Where a stage input's pixels are, for any worker: raw float32 files in the tile store, or the original rasters. */
export type TileInputSource =
  | (TileInputCommon & {
      readonly kind: 'raw';
      /** One file per date (one if static), relative to the tile store: float32 little-endian, row-major. */
      readonly files: readonly string[];
    })
  | (TileInputCommon & {
      readonly kind: 'raster';
      /** One layer per date (one if static), read by window with `openRasterLayer`. */
      readonly layers: readonly RasterAddress[];
      /** Each layer's file as the stage was written (tiles and `--resume` refuse a changed file); absent in older stage files. */
      readonly files?: readonly TileFileIdentity[];
    });

/** A raster input file's identity without reading it (`core/tiles/raster-identity.ts` says why these fields). */
export interface TileFileIdentity {
  readonly size: number;
  /** Local file: modification and status-change times, ms. */
  readonly mtimeMs?: number;
  readonly ctimeMs?: number;
  /** Remote file: sha256 of its first 64 KiB. */
  readonly headSha256?: string;
}

/** `<store>/<stage id>/stage.json`: everything a worker needs to run any tile of the stage. */
export interface TileStage {
  readonly format: 'soilscale-tile-stage';
  readonly formatVersion: 1;
  /** `<node>/<name>` (path-safe). */
  readonly id: string;
  /** sha256 of the stage file's own content without this field: a job checks it still runs the stage it was queued for. */
  readonly hash: string;
  readonly task: { readonly module: string; readonly fn: string };
  readonly params: unknown;
  /** The model file, relative to the tile store, and its sha256. */
  readonly model?: { readonly file: string; readonly sha256: string };
  /** Plugin modules (file URLs) the worker registers besides the built-ins, to load the model. */
  readonly plugins: readonly string[];
  readonly grid: Grid;
  readonly dates: readonly string[];
  readonly outputs: readonly TileOutputRequest[];
  /** A summary stage: the function returns a {@link TileResult}, whose summary goes into the tile's record. */
  readonly summaries?: boolean;
  readonly inputs: Readonly<Record<string, TileInputSource>>;
  /** Output tiles, row-major over the grid: tile i is `windows[i]`. */
  readonly windows: readonly PixelWindow[];
}

/** One unit of work for an executor. Its id is deterministic: `<run hash>:<stage id>:<tile>`. */
export interface TileJob {
  /** The run's hash (pipeline, params, seed, input checksums): the same run resumed has the same hash. */
  readonly run: string;
  /** Absolute path of the tile store (shared storage). */
  readonly store: string;
  readonly stage: string;
  /** The stage's hash, as queued. */
  readonly stageHash: string;
  readonly tile: number;
}

/**
 * `<store>/<stage>/done/<tile>.json`, written after the block: the block file's sha256 and size.
 * A resumed run keeps a tile whose record matches its block; anything else is redone.
 */
export interface TileRecord {
  readonly tile: number;
  readonly stageHash: string;
  readonly block: string;
  readonly sha256: string;
  readonly bytes: number;
  /** The tile's summary (stages with `summaries: true`). */
  readonly summary?: TileSummary;
  /** sha256 of the summary's JSON: a resumed run redoes a tile whose record was edited or damaged. */
  readonly summarySha256?: string;
}

/** Runs tile jobs somewhere: threads of this process, or a queue served by other processes and machines. */
export interface TileExecutor {
  readonly name: 'local' | 'queue';
  /**
   * Run the jobs (any order, any parallelism) and resolve when every one has its record, or reject with
   * the first job that failed for good (after the executor's retries), naming the stage and tile.
   */
  run(jobs: readonly TileJob[], onDone?: (record: TileRecord) => void): Promise<void>;
  close(): Promise<void>;
}
