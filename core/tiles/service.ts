import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { writeArtifact } from '../pipeline/outputs.js';
import type { Series } from '../model/series.js';
import type { Logger } from '../services/logger.js';
import { silentProgress, type ProgressReporter } from '../services/progress.js';
import { assembleSeries } from './assemble.js';
import { finishedRecord, sha256Hex, spillArray, storePaths, writeStage } from './store.js';
import type { TileExecutor, TileInputSource, TileJob, TileService, TileStage, TileStageRequest } from './types.js';
import { DEFAULT_TILE_SIZE, tileWindows } from './windows.js';

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

/**
 * `context.tiles`: writes each requested stage into the store (inputs spilled once, model, stage file),
 * skips the tiles an interrupted run finished (record and block sha256 matching), runs the rest on
 * the executor, and assembles the outputs into series.
 */
export function createTileService(options: TileServiceOptions): TileService {
  const spilled = options.spilled ?? new WeakMap<Float32Array, Promise<string>>();
  const progress = options.progress ?? silentProgress;
  return {
    async run<Params>(request: TileStageRequest<Params>) {
      const stage = await prepareStage(options, request, spilled);
      const jobs: TileJob[] = [];
      for (let tile = 0; tile < stage.windows.length; tile++) {
        if (!(await finishedRecord(options.store, stage.id, stage.hash, tile))) jobs.push({ run: options.run, store: options.store, stage: stage.id, stageHash: stage.hash, tile });
      }
      const stats: TileStageStats = { stage: stage.id, tiles: stage.windows.length, kept: stage.windows.length - jobs.length, computed: jobs.length };
      if (stats.kept) options.logger?.info(`stage ${stage.id}: ${stats.kept} of ${stats.tiles} tiles kept from the interrupted run`);
      const task = progress.start(`tiles ${stage.id}`, jobs.length);
      await options.executor.run(jobs, () => task.tick());
      task.done();
      options.onStage?.(stats);
      return assembleSeries(options.store, stage);
    },
  };
}

async function prepareStage<Params>(options: TileServiceOptions, request: TileStageRequest<Params>, spilled: WeakMap<Float32Array, Promise<string>>): Promise<TileStage> {
  if (!/^[A-Za-z0-9_.-]+$/.test(request.name)) throw usageError('a tile stage name must be path-safe', { path: 'name', expected: 'letters, digits, _ . -', found: JSON.stringify(request.name) });
  const id = `${options.scope.replace(/[^A-Za-z0-9_.-]/g, '_')}/${request.name}`;
  const inputs: Record<string, TileInputSource> = {};
  for (const [name, input] of Object.entries(request.inputs)) inputs[name] = await spillSeries(options.store, input.series, input.halo ?? 0, spilled);
  let model: TileStage['model'];
  if (request.model) {
    const files = await writeArtifact(join(options.store, id), 'model', request.model);
    const parts = await Promise.all(files.map((f) => readFile(join(options.store, id, f))));
    model = { file: storePaths.model(id), sha256: sha256Hex(Buffer.concat(parts)) };
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
    inputs,
    windows: tileWindows(request.grid, options.tileSize ?? DEFAULT_TILE_SIZE, request.align ?? 1),
  });
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
