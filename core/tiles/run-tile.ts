import { join } from 'node:path';
import { readStageModel } from './model-file.js';
import type { SavedModel } from '../plugin/artifact.js';
import { windowGrid } from '../model/grid.js';
import { writeTileBlock, arraysPerOutput } from './block-file.js';
import { readTileInput } from './read-input.js';
import { modelChecksum, readStage, tileError } from './store.js';
import type { TileBlock, TileFunction, TileJob, TileModelLoader, TileOutputs, TileRecord, TileResult, TileStage, TileSummaryFunction } from './types.js';

/** What a tile worker brings: how it loads the fitted models a stage ships (its plugin registry). */
export interface TileWorkerEnv {
  /** The model loader for a stage, given the plugin modules the stage lists. */
  models(plugins: readonly string[]): Promise<TileModelLoader>;
}

interface LoadedStage {
  readonly stage: TileStage;
  readonly fn: TileFunction | TileSummaryFunction;
  readonly model?: SavedModel;
  readonly models: TileModelLoader;
}

/** Stages already read by this process (and thread), by store and id: a worker runs many tiles of one stage. */
const stages = new Map<string, Promise<LoadedStage>>();

/**
 * Run one tile job: the shared worker-side entry of every executor. Reads the stage (once per
 * process), refuses a stage whose hash is not the one queued, reads the input windows, calls the
 * stage's tile function, checks its outputs and writes the block and completion record (with the
 * tile's summary, for a summary stage). Idempotent: run twice, it writes the same bytes.
 */
export async function runTileJob(job: TileJob, env: TileWorkerEnv): Promise<TileRecord> {
  const { stage, fn, model, models } = await loadStage(job, env);
  if (stage.hash !== job.stageHash) {
    throw tileError(job.stage, job.tile, 'the stage in the tile store is not the one this job was queued for', { expected: `stage hash ${job.stageHash}`, found: stage.hash });
  }
  const window = stage.windows[job.tile];
  if (!window) throw tileError(job.stage, job.tile, 'no such tile', { expected: `a tile below ${stage.windows.length}`, found: String(job.tile) });
  const inputs: Record<string, TileBlock> = {};
  for (const [name, source] of Object.entries(stage.inputs)) inputs[name] = await readTileInput(job.store, source, stage.grid, window, stage.id);
  const returned = await fn({ params: stage.params, ...(model ? { model } : {}), models, window, grid: windowGrid(stage.grid, window), dates: stage.dates, inputs });
  if (!stage.summaries) {
    checkOutputs(stage, job.tile, returned as TileOutputs);
    return writeTileBlock(job.store, stage, job.tile, returned as TileOutputs);
  }
  const result = checkResult(stage, job.tile, returned);
  checkOutputs(stage, job.tile, result.outputs);
  return writeTileBlock(job.store, stage, job.tile, result.outputs, result.summary);
}

/** A summary stage's function returns `{ outputs, summary }`, the summary JSON: else an error naming stage and tile. */
function checkResult(stage: TileStage, tile: number, returned: unknown): TileResult {
  const result = returned as Partial<TileResult> | null;
  if (typeof result !== 'object' || result === null || typeof result.outputs !== 'object' || result.outputs === null || !('summary' in result) || result.summary === undefined) {
    throw tileError(stage.id, tile, 'the summary stage\'s tile function did not return { outputs, summary }', { expected: '{ outputs: { <output>: Float32Array[] }, summary: JSON }', found: result === null || typeof result !== 'object' ? String(result) : `keys ${Object.keys(result).join(', ') || 'none'}` });
  }
  return result as TileResult;
}

function loadStage(job: TileJob, env: TileWorkerEnv): Promise<LoadedStage> {
  const key = `${job.store}\0${job.stage}\0${job.stageHash}`;
  let loaded = stages.get(key);
  if (!loaded) {
    loaded = readLoadedStage(job, env);
    loaded.catch(() => stages.delete(key));
    stages.set(key, loaded);
  }
  return loaded;
}

async function readLoadedStage(job: TileJob, env: TileWorkerEnv): Promise<LoadedStage> {
  const stage = await readStage(job.store, job.stage);
  const mod = (await import(stage.task.module)) as Record<string, unknown>;
  const fn = mod[stage.task.fn];
  if (typeof fn !== 'function') throw tileError(job.stage, job.tile, `the tile task module has no function '${stage.task.fn}'`, { expected: `an export '${stage.task.fn}' of ${stage.task.module}`, found: `exports ${Object.keys(mod).join(', ')}` });
  let model: SavedModel | undefined;
  if (stage.model) {
    const file = join(job.store, stage.model.file);
    const sha = await modelChecksum(file);
    if (sha !== stage.model.sha256) throw tileError(job.stage, job.tile, 'the stage model file does not match the stage', { expected: `sha256 ${stage.model.sha256}`, found: sha });
    model = await readStageModel(file);
  }
  // The registry is built on the first model asked for: a stage without one never pays for it.
  let loader: Promise<TileModelLoader> | undefined;
  const models: TileModelLoader = { regressor: async (saved) => (await (loader ??= env.models(stage.plugins))).regressor(saved) };
  return { stage, fn: fn as TileFunction | TileSummaryFunction, model, models };
}

/** Every declared output, nothing else, one array per date, each the tile's size: else an error naming stage, tile and output. */
function checkOutputs(stage: TileStage, tile: number, outputs: TileOutputs): void {
  const n = stage.windows[tile].width * stage.windows[tile].height;
  const per = arraysPerOutput(stage);
  const declared = stage.outputs.map((o) => o.name);
  const extra = Object.keys(outputs ?? {}).filter((k) => !declared.includes(k));
  if (extra.length) throw tileError(stage.id, tile, `the tile function returned undeclared outputs ${extra.join(', ')}`, { expected: declared.join(', '), found: Object.keys(outputs).join(', ') });
  for (const name of declared) {
    const arrays = outputs?.[name];
    if (!Array.isArray(arrays)) throw tileError(stage.id, tile, `output '${name}' is missing`, { expected: `${per} Float32Array(s)`, found: typeof arrays });
    if (arrays.length !== per) throw tileError(stage.id, tile, `output '${name}' has ${arrays.length} arrays`, { expected: `${per} (one per date)`, found: String(arrays.length) });
    arrays.forEach((a, d) => {
      if (!(a instanceof Float32Array) || a.length !== n) throw tileError(stage.id, tile, `output '${name}' date ${stage.dates[d] ?? 'static'} has the wrong size`, { expected: `a Float32Array of ${n} values (${stage.windows[tile].width}×${stage.windows[tile].height})`, found: a instanceof Float32Array ? `${a.length} values` : typeof a });
    });
  }
}
