import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import { pluginModuleUrls } from '../plugin/third-party.js';
import type { WorkerPool } from '../services/worker-pool.js';
import { createInProcessExecutor, createLocalExecutor } from '../tiles/local-executor.js';
import { instantiatingModelLoader } from '../tiles/model-loader.js';
import { createPluginContext } from '../plugin/context.js';
import { instantiateSpec } from '../plugin/registry.js';
import type { PluginContext } from '../plugin/manifest.js';
import { checkInterruptedRasterInputs } from '../tiles/raster-identity.js';
import { createTileService, type TileStageStats } from '../tiles/service.js';
import { sha256Hex } from '../tiles/store.js';
import { fileSha256 } from '../util/file-sha256.js';
import { releaseTileOutputs } from '../tiles/tile-series.js';
import type { Series } from '../model/series.js';
import type { TileService } from '../tiles/types.js';
import type { RunOptions } from './engine.js';
import type { PipelinePlan } from './plan.js';

/** The run's tile store (`<staging>/tiles`): one per run, a service per plugin use, removed once the outputs are written. */
export interface RunTileStore {
  /** Every stage run so far: tiles, kept from an interrupted run, computed. */
  readonly stats: readonly TileStageStats[];
  /** This run continues an interrupted one (`resume`). */
  readonly resumed: boolean;
  /** `context.tiles` for a node scope; `beforeStage` runs before each stage (the run records its input checksums). */
  service(scope: string, beforeStage: () => Promise<void>): TileService;
  /** Record the input files' checksums beside the run hash, for a resumed run to check. */
  recordInputs(checksums: Promise<Readonly<Record<string, string>>>): Promise<void>;
  /** The tile-backed series in `keep` are read into memory; the others unread can no longer be read (the store goes). */
  release(keep?: Iterable<Series>): void;
  /** `release`, then remove the store. */
  remove(keep?: Iterable<Series>): Promise<void>;
}

/** `<store>/run.json`: what a resumed run must match. */
interface TileRunFile {
  readonly format: 'soilscale-tile-run';
  readonly run: string;
  readonly inputs: Readonly<Record<string, string>>;
}

/**
 * The run hash: pipeline (bytes and document), params, seed, soilscale and plugin versions. The same
 * run resumed has the same hash (tile job ids carry it); the input files are checked by checksum apart.
 */
export function runHash(plan: PipelinePlan, seed: number, soilscaleVersion: string): string {
  const plugins = plan.registry.list().map((m) => `${m.id}@${m.version}`);
  return sha256Hex(JSON.stringify({ pipeline: plan.source.sha256, document: plan.doc, params: plan.params, seed, soilscale: soilscaleVersion, plugins }));
}

/**
 * Open the tile store in the run's staging folder. Resuming, the interrupted run's `run.json` must
 * have the same run hash, and every input file it recorded the same sha256, else a usage error
 * naming what changed (nothing of the interrupted run is reused then).
 */
export async function openTileStore(plan: PipelinePlan, staging: string, options: RunOptions, seed: number, version: string, workers: WorkerPool): Promise<RunTileStore> {
  const store = join(staging, 'tiles');
  const runFile = join(store, 'run.json');
  const run = runHash(plan, seed, version);
  if (options.resume) {
    await checkResumable(runFile, run, options.out);
    await checkInterruptedRasterInputs(store, options.out);
  }
  await writeFileAtomic(runFile, JSON.stringify({ format: 'soilscale-tile-run', run, inputs: {} } satisfies TileRunFile));
  const executor = options.tileExecutor ?? (options.tileTask ? createLocalExecutor(workers, options.tileTask) : createInProcessExecutor(registryModels(plan, workers)));
  const plugins = pluginModuleUrls(plan.doc.plugins ?? [], plan.source.file);
  const stats: TileStageStats[] = [];
  const spilled = new WeakMap<Float32Array, Promise<string>>();
  return {
    stats,
    resumed: options.resume ?? false,
    service(scope, beforeStage) {
      const inner = createTileService({ store, run, scope, executor, plugins, tileSize: options.tileSize, parallelism: workers.size, logger: options.logger, progress: options.progress, spilled, onStage: (s) => stats.push(s) });
      return {
        async run(request) {
          await beforeStage();
          return inner.run(request);
        },
        async runWithSummaries(request) {
          await beforeStage();
          return inner.runWithSummaries(request);
        },
      };
    },
    async recordInputs(checksums) {
      await writeFileAtomic(runFile, JSON.stringify({ format: 'soilscale-tile-run', run, inputs: await checksums } satisfies TileRunFile));
    },
    release: (keep = []) => releaseTileOutputs(store, keep),
    async remove(keep = []) {
      releaseTileOutputs(store, keep);
      await rm(store, { recursive: true, force: true });
    },
  };
}

/** Without a tile worker (core used without `soilscale/host`), tiles run in-process with the models of the run's own registry. */
function registryModels(plan: PipelinePlan, workers: WorkerPool) {
  const context: PluginContext = createPluginContext({ workers, instantiate: (spec, kind) => instantiateSpec(plan.registry, spec, kind, () => context) });
  return instantiatingModelLoader(context.instantiate);
}

async function checkResumable(runFile: string, run: string, out: string): Promise<void> {
  let previous: TileRunFile;
  try {
    previous = JSON.parse(await readFile(runFile, 'utf8')) as TileRunFile;
  } catch {
    return; // the interrupted run stopped before its first tile stage: nothing to keep, nothing to check
  }
  if (previous.run !== run) {
    throw usageError('the run to resume was started with another pipeline, params, seed or soilscale/plugin versions', { file: out, path: '--resume', expected: `run hash ${previous.run} (the interrupted run's)`, found: `run hash ${run}: rerun with the interrupted run's pipeline, --param and --seed, or remove ${out}.resume to start again` });
  }
  for (const [file, sha] of Object.entries(previous.inputs ?? {})) {
    const now = await fileSha256(file).catch((e: NodeJS.ErrnoException) => `unreadable (${e.code ?? e.message})`);
    if (now !== sha) throw usageError('an input file changed since the interrupted run', { file, path: '--resume', expected: `sha256 ${sha}`, found: now });
  }
}
