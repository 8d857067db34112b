import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSoilscaleError, runtimeError, usageError } from '../errors.js';
import { makeSeries, type Series } from '../model/series.js';
import type { Scene } from '../model/scene.js';
import type { Stations } from '../model/stations.js';
import type { RecordTable } from '../model/table.js';
import { isArtifact, type Alternatives, type Artifact, type GeoJsonArtifact } from '../plugin/artifact.js';
import { createPluginContext } from '../plugin/context.js';
import { callKind, KINDS, portsOf } from '../plugin/kind-record.js';
import type { KindInterfaces, PluginKind } from '../plugin/kinds.js';
import type { PluginContext, PluginSpec } from '../plugin/manifest.js';
import { closeMatches, createRegistry, instantiateSpec, type PluginRegistry, type RunServices } from '../plugin/registry.js';
import { createMemoryCache } from '../services/cache.js';
import { createConsoleLogger, type Logger } from '../services/logger.js';
import { silentProgress, type ProgressReporter } from '../services/progress.js';
import { createWorkerPool, type WorkerPool } from '../services/worker-pool.js';
import { registerCleanup } from '../util/cleanup-on-signal.js';
import { hashString, mixSeed } from '../util/random.js';
import { fileSha256 } from '../util/file-sha256.js';
import type { NodeRecord, RunManifest, UseRecord } from './manifest.js';
import { writeArtifact, writeRecordTable } from './outputs.js';
import { cellIndex, concatTables, conserveCellMeans, filterDates, levelRegions, maskSeries, mergeByDate, mergeByRegion, timeOwner, type PartSeries } from './partition.js';
import { preparePipeline, type InputBinding, type PipelinePlan, type PlannedNode, type PlannedPart, type PlannedUse, type RefBinding } from './plan.js';
import { classRasterRegions, polygonRegions, type ClassAssignment, type RegionMap } from './regions.js';
import { checkDownscalerCrs, checkInputAsset, checkOutputProduct, checkValidatorTables, type AssetOrigin } from './product-checks.js';
import { openRunDir, resumableStaging } from './run-dir.js';
import { createWarningCollector, strictFailure, type RunWarning, type WarningCollector } from './warnings.js';
import { writeNodeModels } from './save-models.js';
import { writeRunReport } from '../report/write-report.js';
import type { TileExecutor } from '../tiles/types.js';
import type { TileJobTask } from '../tiles/core-worker.js';
import type { TileStageStats } from '../tiles/service.js';
import { openTileStore, type RunTileStore } from './run-tiles.js';
import type { StreamedCount } from '../tiles/assemble.js';

export interface RunOptions {
  /** Output folder: must not exist or be empty unless `overwrite`. */
  readonly out: string;
  /** Param overrides (strings are typed by the param's declaration, as from `--param`). */
  readonly params?: Readonly<Record<string, unknown>>;
  readonly overwrite?: boolean;
  /** Plugins available to the pipeline (default here: none; `runPipeline` from `soilscale/host` defaults to the built-ins). */
  readonly registry?: PluginRegistry;
  readonly logger?: Logger;
  readonly progress?: ProgressReporter;
  /** Worker pool (default: one sized to the machine, closed at the end of the run). */
  readonly workers?: WorkerPool;
  /** Run seed; default: the pipeline param `seed`, else 0. */
  readonly seed?: number;
  /** Write `report.html` (and `comparison.csv|json` when methods were compared); default true. */
  readonly report?: boolean;
  /** Fail the run (nothing kept) when it raised any warning. */
  readonly strict?: boolean;
  /** Write every fitted model the nodes produced into `models/` (listed in the manifest's `models`); default false. */
  readonly saveModels?: boolean;
  /** Where tile jobs run (`context.tiles`); default the local executor on `workers`. */
  readonly tileExecutor?: TileExecutor;
  /** The worker task tile jobs run with on `workers` (`soilscale/host` passes one that knows the built-ins); without one, tiles run on the calling thread with the models of `registry`'s plugins. */
  readonly tileTask?: TileJobTask;
  /** Tile edge in output pixels; default 512. */
  readonly tileSize?: number;
  /** Keep the tile store in `<out>.resume` if the run fails or is interrupted, so `resume` can continue it (docs/trustworthy-runs.md). */
  readonly resumable?: boolean;
  /** Continue the interrupted resumable run of `out`: same run hash required; finished tiles whose checksums match are kept. */
  readonly resume?: boolean;
  /**
   * Whether `RunResult.artifacts` holds every output's pixels (default true). With false, a tile-stage
   * output nobody read during the run stays out of memory — streamed from the tile store to its files —
   * and reading its pixels from `artifacts` afterwards is an error naming those files: memory is bounded
   * by the tiles, not the area (`soilscale run` passes false; docs/scale-out.md, "Memory").
   */
  readonly outputsInMemory?: boolean;
}

export interface RunResult {
  readonly outDir: string;
  readonly manifest: RunManifest;
  /** The pipeline's outputs by name (skipped outputs absent). */
  readonly artifacts: ReadonlyMap<string, Artifact>;
  /** Decisions the run took on the user's behalf (also in `manifest.warnings`). */
  readonly warnings: readonly RunWarning[];
  /** Per tile stage: tiles in all, kept from an interrupted run, computed. */
  readonly tiles: readonly TileStageStats[];
}

/**
 * Check and run a pipeline, writing its outputs and `manifest.json` into `options.out` atomically
 * (staging folder renamed at the end; nothing left behind on failure).
 *
 * @example
 * ```ts
 * const { outDir, manifest } = await runPipeline('pipelines/example.json', {
 *   out: 'out/example', params: { seed: 7, demo: { days: 30, coarseCells: [3, 3], fineFactor: 11, stations: 15 } }, registry: createRegistry(builtinPlugins),
 * });
 * ```
 */
export async function runPipeline(pathOrObject: string | object, options: RunOptions): Promise<RunResult> {
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw usageError('the run seed must be an integer', { path: 'seed', expected: 'an integer', found: String(options.seed) });
  }
  const registry = options.registry ?? createRegistry([]);
  const plan = await preparePipeline(pathOrObject, { registry, params: options.params });
  const runDir = await openRunDir(options.out, options.overwrite, { resumable: options.resumable, resume: options.resume });
  const ownPool = options.workers === undefined;
  const services: RunServices = {
    logger: options.logger ?? createConsoleLogger('info'),
    progress: options.progress ?? silentProgress,
    workers: options.workers ?? createWorkerPool(),
    cache: createMemoryCache(),
  };
  let tempRoot: string | undefined;
  let tiles: RunTileStore | undefined;
  const unregister = registerCleanup(() => tempRoot && rmSync(tempRoot, { recursive: true, force: true }));
  try {
    tempRoot = await mkdtemp(join(tmpdir(), 'soilscale-run-'));
    const warnings = createWarningCollector(services.logger);
    tiles = await openTileStore(plan, runDir.staging, { ...options, logger: services.logger, progress: services.progress }, runSeedOf(plan, options.seed), soilscaleVersion(), services.workers);
    const run = new Run(plan, registry.child(plan.extraPlugins, services), runDir.staging, tempRoot, options.seed, options.report ?? true, warnings, options.saveModels ?? false, tiles, options.outputsInMemory ?? true);
    const result = await run.execute();
    if (options.strict && result.warnings.length) throw strictFailure(result.warnings);
    await runDir.commit();
    return { ...result, outDir: runDir.out };
  } catch (e) {
    tiles?.release(); // its store goes with the staging folder (or waits for --resume): nothing reads it now
    await runDir.abort();
    if (options.resumable || options.resume) services.logger.error(`the run stopped; its finished tiles are kept in ${resumableStaging(runDir.out)}: continue it with --resume (or remove that folder)`);
    throw e;
  } finally {
    unregister();
    if (tempRoot) await rm(tempRoot, { recursive: true, force: true });
    if (ownPool) await services.workers.close();
  }
}

/** The run seed: given, else the pipeline param `seed`, else 0. */
function runSeedOf(plan: PipelinePlan, seed: number | undefined): number {
  const p = plan.params.seed;
  return seed ?? (typeof p === 'number' ? p : 0);
}

/** What one node produced. */
interface NodeResult {
  readonly outputs: Map<string, Artifact>;
  /** Outputs computed on demand (a source's asset keys). */
  readonly lazy?: (name: string) => Promise<Artifact | undefined>;
  readonly lazyNames?: () => readonly string[];
  readonly primary?: string;
  readonly tables: Map<string, RecordTable>;
  readonly notes: string[];
  readonly files: string[];
  readonly scenes: Scene[];
}

interface Skipped {
  readonly skipped: string;
}

/** An input that could not be provided, and why. */
class Absent {
  constructor(readonly reason: string) {}
}

type Resolved = Artifact | Artifact[] | Record<string, Artifact>;

class Run {
  private readonly results = new Map<string, NodeResult | Skipped>();
  private readonly records: NodeRecord[] = [];
  private readonly runSeed: number;
  private readonly services: RunServices;
  private readonly logger: Logger;

  constructor(
    private readonly plan: PipelinePlan,
    private readonly registry: PluginRegistry,
    private readonly staging: string,
    private readonly tempRoot: string,
    seed: number | undefined,
    private readonly report: boolean,
    private readonly warnings: WarningCollector,
    private readonly saveModels: boolean,
    private readonly tiles: RunTileStore,
    private readonly outputsInMemory: boolean,
  ) {
    this.runSeed = runSeedOf(plan, seed);
    this.services = registry.services()!;
    this.logger = this.services.logger;
  }

  async execute(): Promise<Omit<RunResult, 'outDir'>> {
    const started = new Date();
    const task = this.services.progress.start('nodes', this.plan.order.length);
    for (const id of this.plan.order) {
      const node = this.plan.nodes.get(id)!;
      const seed = mixSeed(this.runSeed, hashString(id));
      const t0 = performance.now();
      this.logger.info(`running node '${id}'`);
      let result: NodeResult | Skipped;
      try {
        result = await this.runNode(node, seed);
      } catch (e) {
        throw wrapNodeError(e, id, node);
      }
      this.results.set(id, result);
      const durationMs = Math.round(performance.now() - t0);
      this.records.push(nodeRecord(node, seed, durationMs, result));
      if ('skipped' in result) this.warnings.warn('node-skipped', `optional node skipped: ${result.skipped}`, id);
      else if (node.type !== 'partition' && this.isValidator(node)) checkValidatorTables(result.tables, this.warnings, id);
      task.tick(1, id);
    }
    task.done();

    const files: string[] = [];
    const outputs: Record<string, string[]> = {};
    const artifacts = new Map<string, Artifact>();
    // Tile-stage outputs nobody read are streamed from the tile store; the writer counts their values for the check.
    const counted = new Map<Artifact, StreamedCount>();
    for (const [name, ref] of Object.entries(this.plan.outputs)) {
      const a = await this.resolveRef(ref, true);
      if (a instanceof Absent) {
        this.warnings.warn('output-skipped', `output '${name}' not written: ${a.reason}`, ref.node);
        continue;
      }
      artifacts.set(name, a);
      outputs[name] = await writeArtifact(this.staging, name, a, counted);
      checkOutputProduct(name, a, this.warnings, ref.node, counted);
      files.push(...outputs[name]);
    }
    for (const [id, r] of this.results) {
      if ('skipped' in r) continue;
      for (const [t, table] of r.tables) files.push(...(await writeRecordTable(this.staging, `tables/${id}.${t}`, table)));
      files.push(...r.files);
    }
    const models = this.saveModels ? await writeNodeModels(this.staging, [...this.results].flatMap(([id, r]) => ('skipped' in r ? [] : [[id, r.outputs] as const]))) : undefined;
    if (models) files.push(...Object.values(models).flat());
    const finished = new Date();
    let manifest: RunManifest = {
      format: 'soilscale-run-manifest',
      formatVersion: 1,
      soilscaleVersion: soilscaleVersion(),
      nodeVersion: process.version,
      pipeline: { id: this.plan.doc.id, path: this.plan.source.file, sha256: this.plan.source.sha256, document: this.plan.doc },
      params: this.plan.params,
      seed: this.runSeed,
      plugins: this.registry.list().map((m) => ({ id: m.id, version: m.version, source: this.plan.extraPlugins.includes(m) ? 'pipeline' : 'builtin' })),
      nodes: this.records,
      inputs: await this.inputChecksums(),
      outputs,
      ...(models ? { models } : {}),
      files: [...files, 'manifest.json'],
      // Run-level remarks that are not decisions; those are warnings.
      notes: this.tiles.stats.filter((t) => this.tiles.resumed && t.kept > 0).map((t) => `resumed: stage ${t.stage} kept ${t.kept} of ${t.tiles} tiles from the interrupted run (checksums verified), computed ${t.computed}`),
      warnings: this.warnings.list(),
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
    };
    if (this.report) manifest = { ...manifest, files: [...files, ...(await this.writeReport(manifest, artifacts)), 'manifest.json'], warnings: this.warnings.list() };
    await writeFile(join(this.staging, 'manifest.json'), JSON.stringify(manifest, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
    // The tile store is scratch once the products and report are written: the run folder holds only its outputs.
    await this.tiles.remove(this.outputsInMemory ? seriesOf(artifacts.values()) : []);
    return { manifest, artifacts, warnings: manifest.warnings, tiles: this.tiles.stats };
  }

  private isValidator(node: PlannedNode): boolean {
    return node.type === 'plugin' ? node.use.kind === 'validator' : node.type === 'compare' && [...node.alternatives.values()].every((u) => u.kind === 'validator');
  }

  /** The run report (core/report), from the outputs, node tables and scenes; a failure is a note, not a failed run. */
  private async writeReport(manifest: RunManifest, artifacts: ReadonlyMap<string, Artifact>): Promise<string[]> {
    const tables = new Map<string, RecordTable>();
    const scenes: Scene[] = [];
    for (const [id, r] of this.results) {
      if ('skipped' in r) continue;
      for (const [t, table] of r.tables) tables.set(`${id}.${t}`, table);
      scenes.push(...r.scenes);
    }
    try {
      return await writeRunReport({ dir: this.staging, manifest, artifacts, tables, scenes, logger: this.logger, progress: this.services.progress });
    } catch (e) {
      this.warnings.warn('report-failed', `report not written: ${(e as Error).message}`);
      return [];
    }
  }

  /**
   * Checksums of the scene files, started as soon as a source node has loaded its scene (so the
   * manifest describes the inputs the run read, even if a cache folder is cleaned while it runs).
   */
  private readonly fileHashes = new Map<string, Promise<string>>();
  /** Source assets by the series loaded from them, to name the asset and its files in messages. */
  private readonly origins = new WeakMap<Series, AssetOrigin>();

  private hashInputFiles(files: readonly string[]): void {
    for (const f of files) {
      if (this.fileHashes.has(f)) continue;
      const hash = fileSha256(f);
      hash.catch(() => {}); // awaited (and reported) when the manifest is written
      this.fileHashes.set(f, hash);
    }
  }

  private async inputChecksums(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    if (this.plan.source.file) out[this.plan.source.file] = this.plan.source.sha256;
    for (const [f, hash] of this.fileHashes) if (!(f in out)) out[f] = await hash;
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // nodes

  private async runNode(node: PlannedNode, seed: number): Promise<NodeResult | Skipped> {
    if (node.type === 'plugin') {
      const inputs = await this.resolveInputs(node.use);
      if (inputs instanceof Absent) return this.absent(node, inputs);
      return this.runWithFanOut(node.use, inputs, this.context(node.id, seed), node.id);
    }
    if (node.type === 'compare') return this.runCompare(node, seed);
    return this.runPartition(node, seed);
  }

  private absent(node: PlannedNode, a: Absent): Skipped {
    if (node.optional) return { skipped: a.reason };
    throw runtimeError(`node '${node.id}' cannot run: ${a.reason}`, { path: `nodes.${node.id}`, expected: 'every input present (or mark the node "optional": true)', found: 'a missing input' });
  }

  private async runCompare(node: Extract<PlannedNode, { type: 'compare' }>, seed: number): Promise<NodeResult | Skipped> {
    const byAlt = new Map<string, NodeResult>();
    for (const [alt, use] of node.alternatives) {
      const inputs = await this.resolveInputs(use);
      if (inputs instanceof Absent) return this.absent(node, inputs);
      // Same inputs and the same seed for every alternative: the intercomparison is fair.
      byAlt.set(alt, await this.runWithFanOut(use, inputs, this.context(`${node.id}/${alt}`, seed), `${node.id}.${alt}`));
    }
    return combineAlternatives(byAlt, 'method');
  }

  /** Run a use once, or once per alternative when an input is an unselected Alternatives. */
  private async runWithFanOut(use: PlannedUse, inputs: Record<string, Resolved>, context: PluginContext, label: string): Promise<NodeResult> {
    const names = alternativeNames(inputs);
    if (!names) return this.runUse(use, inputs, context, label);
    const byAlt = new Map<string, NodeResult>();
    for (const alt of names) byAlt.set(alt, await this.runUse(use, pickAlternative(inputs, alt, label), context, `${label}[${alt}]`));
    return combineAlternatives(byAlt, 'method');
  }

  private async runPartition(node: Extract<PlannedNode, { type: 'partition' }>, seed: number): Promise<NodeResult | Skipped> {
    const notes: string[] = [];
    const partNames = node.parts.map((p) => p.name);
    const byPart = new Map<string, NodeResult>();
    if (node.by === 'region') {
      const regions = await this.regionMap(node);
      if (regions instanceof Absent) return this.absent(node, regions);
      const conserve = node.conserve ? await this.seriesRef(node, node.conserve, 'conserve') : undefined;
      if (conserve instanceof Absent) return this.absent(node, conserve);
      const levels = node.levels ? await this.seriesRef(node, node.levels, 'levels') : undefined;
      if (levels instanceof Absent) return this.absent(node, levels);
      for (const part of node.parts) {
        const inputs = await this.resolveInputs(part);
        if (inputs instanceof Absent) return this.absent(node, inputs);
        const index = partNames.indexOf(part.name);
        const limit = regions.pixelSize ?? finestPixel(inputs);
        const masked = mapSeries(inputs, (s) => {
          // Inputs about as fine as the regions are cut to the part; coarser ones pass whole.
          if (limit !== undefined && Math.abs(s.grid.transform[1]) > 2 * limit) return s;
          const owner = regions.owner(s.grid);
          return maskSeries(s, (i) => owner[i] === index);
        });
        byPart.set(part.name, await this.runWithFanOut(part, masked, this.context(`${node.id}/${part.name}`, seed), `${node.id}.${part.name}`));
      }
      const result = mergeParts(byPart, notes, (name, list) => {
        const owner = regions.owner(list[0].series.grid);
        const merged = mergeByRegion(list, owner, partNames, name);
        if (merged.uncovered) this.warnings.warn('partition-uncovered', `output '${name}': ${merged.uncovered} pixels in no part's region are NaN`, node.id);
        if (!conserve || name !== 'product') return merged.series;
        return this.conserved(node.id, levels ? this.leveled(node.id, merged.series, levels, owner, conserve, notes) : merged.series, conserve, notes);
      });
      if (conserve && !(result.outputs.get('product')?.kind === 'series')) this.warnings.warn('partition-conserve-unused', `"conserve" given but the parts have no series output 'product': nothing was conserved`, node.id);
      return result;
    }
    const owner = timeOwner(node.by, node.parts);
    const allDates = new Set<string>();
    for (const part of node.parts) {
      const inputs = await this.resolveInputs(part);
      if (inputs instanceof Absent) return this.absent(node, inputs);
      mapSeries(inputs, (s) => (s.dates.forEach((d) => allDates.add(d)), s));
      const filtered = mapSeries(inputs, (s) => filterDates(s, (d) => owner(d) === part.name), (st) => filterDates(st, (d) => owner(d) === part.name));
      const temporal = collectSeries(filtered).filter((s) => s.dates.length > 0 || collectSeries(inputs).some((o) => o.variable === s.variable && o.dates.length > 0));
      if (temporal.length > 0 && temporal.every((s) => s.dates.length === 0)) {
        this.warnings.warn('partition-part-empty', `part '${part.name}': no dates in the inputs, skipped`, node.id);
        continue;
      }
      byPart.set(part.name, await this.runWithFanOut(part, filtered, this.context(`${node.id}/${part.name}`, seed), `${node.id}.${part.name}`));
    }
    const uncovered = [...allDates].filter((d) => owner(d) === undefined).sort();
    if (uncovered.length) this.warnings.warn('partition-dates-uncovered', `${uncovered.length} dates in no part (absent from the outputs): ${uncovered.slice(0, 5).join(', ')}${uncovered.length > 5 ? ', …' : ''}`, node.id);
    if (byPart.size === 0) return { outputs: new Map(), tables: new Map(), notes, files: [], scenes: [] };
    return mergeParts(byPart, notes, (name, list) => {
      if (list.some((p) => p.series.dates.length === 0)) return undefined;
      const merged = mergeByDate(list, owner, name);
      if (merged.dropped) this.warnings.warn('partition-dates-dropped', `output '${name}': ${merged.dropped} dates produced outside their part were dropped`, node.id);
      return merged.series;
    });
  }

  /** A series a region partition's merge needs (`partition.conserve`, `partition.levels`). */
  private async seriesRef(node: Extract<PlannedNode, { type: 'partition' }>, ref: RefBinding, field: string): Promise<Series | Absent> {
    const a = await this.resolveRef(ref);
    if (a instanceof Absent || a.kind === 'series') return a;
    throw runtimeError(`"${field}" of partition node '${node.id}' must be a series`, { path: `nodes.${node.id}.partition.${field}`, expected: 'series', found: a.kind });
  }

  private leveled(id: string, product: Series, levels: Series, owner: Int32Array, coarse: Series, notes: string[]): Series {
    const l = levelRegions(product, levels, owner, cellIndex(product.grid, coarse.grid));
    notes.push(`levels: each region of each coarse cell shifted to the levels product's mean (mean |shift| ${l.meanAbsShift.toPrecision(3)}); ${l.filled} empty pixel-dates filled from it`);
    if (l.datesWithoutLevels.length) this.warnings.warn('partition-levels-dates', `${l.datesWithoutLevels.length} product dates have no levels map and were not levelled: ${l.datesWithoutLevels.slice(0, 5).join(', ')}`, id);
    return l.series;
  }

  private conserved(id: string, product: Series, coarse: Series, notes: string[]): Series {
    const c = conserveCellMeans(product, coarse);
    notes.push(`conserve: merged product shifted per coarse cell and date to the coarse means (mean |shift| ${c.meanAbsShift.toPrecision(3)}, max ${c.maxAbsShift.toPrecision(3)})`);
    if (c.datesWithoutCoarse.length) this.warnings.warn('partition-conserve-dates', `${c.datesWithoutCoarse.length} product dates have no coarse map and were not conserved: ${c.datesWithoutCoarse.slice(0, 5).join(', ')}`, id);
    return c.series;
  }

  private async regionMap(node: Extract<PlannedNode, { type: 'partition' }>): Promise<RegionMap | Absent> {
    const byClass = new Map<string, number>();
    node.parts.forEach((p, i) => p.classes?.forEach((c) => byClass.set(String(c), i)));
    const assign: ClassAssignment = { byClass, fallback: node.parts.findIndex((p) => p.name === '*') };
    if (node.geojson) {
      const data = JSON.parse(readFileSync(node.geojson, 'utf8')) as GeoJsonArtifact['data'] & { crs?: { properties?: { name?: string } } };
      const crs = data.crs?.properties?.name?.replace(/^urn:ogc:def:crs:EPSG::/, 'EPSG:');
      return polygonRegions({ kind: 'geojson', data, crs }, node.property, assign, node.geojson);
    }
    const a = await this.resolveRef(node.regions!);
    if (a instanceof Absent) return a;
    if (a.kind === 'geojson') return polygonRegions(a, node.property, assign);
    if (a.kind === 'series' || a.kind === 'raster') return classRasterRegions(a, assign);
    throw runtimeError(`regions of partition node '${node.id}' must be a class raster, static series or GeoJSON`, { path: `${node.regions!.path}`, expected: 'series, raster or geojson', found: a.kind });
  }

  // -------------------------------------------------------------------------------------------
  // one plugin use

  private context(scope: string, seed: number): PluginContext {
    let tempDir: string | undefined;
    const instantiate = <K extends PluginKind>(spec: PluginSpec, kind: K): Promise<KindInterfaces[K]> =>
      instantiateSpec(this.registry, spec, kind, (m) => this.context(`${scope}/${m.id}`, mixSeed(seed, hashString(m.id))), `nodes.${scope}.${spec.uses}.with`);
    const base = createPluginContext({
      logger: this.services.logger.child(scope),
      progress: this.services.progress,
      workers: this.services.workers,
      cache: this.services.cache,
      seed,
      tempDir: join(this.tempRoot, scope.replace(/[^A-Za-z0-9_.-]/g, '_')),
      tiles: this.tiles.service(scope, () => this.tiles.recordInputs(this.inputChecksums())),
      instantiate,
      warn: (code, message) => this.warnings.warn(code, message, scope),
    });
    // The scratch folder is made on first use only.
    return Object.defineProperty({ ...base }, 'tempDir', {
      get: () => {
        if (tempDir === undefined) {
          tempDir = join(this.tempRoot, scope.replace(/[^A-Za-z0-9_.-]/g, '_'));
          mkdirSync(tempDir, { recursive: true });
        }
        return tempDir;
      },
    });
  }

  /** One plugin call: created with its resolved params, called as its kind's record says. */
  private async runUse(use: PlannedUse, inputs: Record<string, Resolved>, context: PluginContext, label: string): Promise<NodeResult> {
    const spec = KINDS[use.kind];
    if (!spec.call) throw usageError(`plugin '${use.manifest.id}' of kind ${use.kind} cannot be a node (${label})`);
    if (use.kind === 'downscaler') this.checkDownscalerInputs(inputs, label);
    const impl = (await use.manifest.create(use.params, context)) as KindInterfaces[PluginKind];
    const outcome = await callKind(use.kind, impl, inputs, { pluginId: use.manifest.id, outDir: this.staging });
    const result: NodeResult = {
      outputs: new Map(),
      tables: new Map(Object.entries(outcome.tables ?? {})),
      notes: [...(outcome.notes ?? [])],
      files: [...(outcome.files ?? [])],
      scenes: [],
      primary: outcome.primary ?? spec.primary,
    };
    setOutputs(result, outcome.outputs);
    const scene = outcome.scene;
    if (!scene) return result;
    this.hashInputFiles(scene.files?.() ?? []);
    result.scenes.push(scene);
    const loaded = new Map<string, Promise<Artifact | undefined>>();
    const lazy = (name: string): Promise<Artifact | undefined> => {
      if (!loaded.has(name)) {
        const origin: AssetOrigin = { node: label, key: name, files: scene.files?.(name) ?? [] };
        const asset = scene.has(name) ? scene.load(name).then(async (s) => (await checkInputAsset(s, origin), this.origins.set(s, origin), s)) : Promise.resolve(undefined);
        loaded.set(name, name === 'stations' ? scene.stations() : asset);
      }
      return loaded.get(name)!;
    };
    return { ...result, lazy, lazyNames: () => ['scene', 'stations', ...scene.assets().map((a) => a.key)] };
  }

  /** A downscaler's coarse input and predictors in the CRS of the grid it produces (named by asset and file if not). */
  private checkDownscalerInputs(inputs: Record<string, Resolved>, label: string): void {
    const coarse = inputs.coarse as Series | undefined;
    const produced = ((inputs.target as Series | undefined) ?? coarse)?.grid;
    if (!produced) return;
    const predictors = Object.entries((inputs.predictors as Record<string, Series> | undefined) ?? {}).map(([k, s]) => [`predictor '${k}'`, s]);
    checkDownscalerCrs(label, produced, { coarse, ...Object.fromEntries(predictors) }, (s) => this.origins.get(s));
  }

  // -------------------------------------------------------------------------------------------
  // references

  private async resolveInputs(use: PlannedUse): Promise<Record<string, Resolved> | Absent> {
    const out: Record<string, Resolved> = {};
    const ports = portsOf(use.manifest);
    for (const [name, b] of Object.entries(use.inputs)) {
      const r = await this.resolveBinding(b);
      if (r instanceof Absent) return new Absent(`input '${name}': ${r.reason}`);
      const type = ports[name]?.type;
      out[name] = type === undefined || type.startsWith('series') ? asSeriesInput(r, `${use.path}.with.${name}`) : r;
    }
    return out;
  }

  private async resolveBinding(b: InputBinding): Promise<Resolved | Absent> {
    if (b.kind === 'one') return this.resolveRef(b.ref);
    if (b.kind === 'list') {
      const out: Artifact[] = [];
      for (const r of b.refs) {
        const a = await this.resolveRef(r);
        if (a instanceof Absent) return a;
        out.push(a);
      }
      return out;
    }
    const out: Record<string, Artifact> = {};
    for (const [k, r] of Object.entries(b.refs)) {
      const a = await this.resolveRef(r);
      if (a instanceof Absent) return a;
      out[k] = a;
    }
    return out;
  }

  /**
   * The artifact a reference names. A skipped node gives Absent; so does a missing output name, except
   * for the pipeline's `outputs` (`mustExist`), where it is an error: a misspelt output never just vanishes.
   */
  private async resolveRef(ref: RefBinding, mustExist = false): Promise<Artifact | Absent> {
    const r = this.results.get(ref.node);
    if (!r) throw runtimeError(`node '${ref.node}' has not run`, { path: ref.path });
    if ('skipped' in r) return new Absent(`node '${ref.node}' was skipped (${r.skipped})`);
    const name = ref.output ?? r.primary ?? (r.outputs.size === 1 ? [...r.outputs.keys()][0] : undefined);
    if (name === undefined) {
      throw runtimeError(`node '${ref.node}' has several outputs; name one`, { path: ref.path, expected: `"output": one of ${[...r.outputs.keys()].join(', ')}`, found: 'no output name' });
    }
    let a = r.outputs.get(name) ?? (await r.lazy?.(name));
    if (a === undefined) {
      const names = r.lazyNames?.() ?? [...r.outputs.keys()];
      const bands = names.filter((n) => n.startsWith(`${name}.`));
      if (bands.length > 1) {
        throw runtimeError(`node '${ref.node}' produced ${bands.length} bands as '${name}'; name the band you mean`, { path: `${ref.path}.output`, expected: `one of ${bands.join(', ')}`, found: JSON.stringify(name) });
      }
      const close = closeMatches(name, names, 1);
      const reason = `node '${ref.node}' has no output '${name}'${close.length ? `; did you mean '${close[0]}'?` : ''} (outputs: ${names.join(', ') || 'none'})`;
      if (mustExist) throw runtimeError(reason, { path: `${ref.path}.output`, expected: 'an output the node produced', found: JSON.stringify(name) });
      return new Absent(reason);
    }
    if (ref.alternative !== undefined) {
      if (a.kind !== 'alternatives') throw runtimeError(`output '${name}' of node '${ref.node}' has no alternatives`, { path: `${ref.path}.alternative` });
      const picked = a.items.get(ref.alternative);
      if (!picked) return new Absent(`node '${ref.node}' output '${name}' has no alternative '${ref.alternative}' (alternatives: ${[...a.items.keys()].join(', ')})`);
      a = picked;
    }
    return a;
  }
}

// ---------------------------------------------------------------------------------------------
// helpers

function setOutputs(result: NodeResult, outputs: Record<string, Artifact | undefined>): void {
  for (const [k, v] of Object.entries(outputs)) if (v !== undefined) result.outputs.set(k, v);
}

/** Rasters given to series ports become static series; a multi-band raster would lose bands, so it is refused. */
function asSeriesInput(r: Resolved, path: string): Resolved {
  const conv = (a: Artifact): Artifact => {
    if (a.kind !== 'raster') return a;
    if (a.bands.length > 1) {
      const names = a.bands.map((_, i) => a.bandNames?.[i] ?? `band${i + 1}`);
      throw runtimeError(`a ${a.bands.length}-band raster given to a series input would keep only its first band`, { path, expected: 'a single-band raster or a series', found: `bands ${names.join(', ')}` });
    }
    return makeSeries({ variable: a.bandNames?.[0] ?? 'band1', grid: a.grid, dates: [], values: [a.bands[0]], unit: a.unit });
  };
  if (Array.isArray(r)) return r.map(conv);
  if (isArtifact(r)) return conv(r);
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, conv(v)]));
}

/** Apply `f` to every Series (and `g` to every Stations) among resolved inputs, lists and maps. */
function mapSeries(inputs: Record<string, Resolved>, f: (s: Series) => Series, g: (s: Stations) => Stations = (s) => s): Record<string, Resolved> {
  const one = (a: Artifact): Artifact =>
    a.kind === 'series' ? f(a) : a.kind === 'stations' ? g(a) : a.kind === 'alternatives' ? { kind: 'alternatives', items: new Map([...a.items].map(([k, v]) => [k, one(v)])) } : a;
  const out: Record<string, Resolved> = {};
  for (const [k, r] of Object.entries(inputs)) {
    out[k] = Array.isArray(r) ? r.map(one) : isArtifact(r) ? one(r) : Object.fromEntries(Object.entries(r).map(([kk, v]) => [kk, one(v)]));
  }
  return out;
}

function collectSeries(inputs: Record<string, Resolved>): Series[] {
  const out: Series[] = [];
  mapSeries(inputs, (s) => (out.push(s), s));
  return out;
}

function finestPixel(inputs: Record<string, Resolved>): number | undefined {
  const sizes = collectSeries(inputs).map((s) => Math.abs(s.grid.transform[1]));
  return sizes.length ? Math.min(...sizes) : undefined;
}

function alternativeNames(inputs: Record<string, Resolved>): string[] | undefined {
  let names: string[] | undefined;
  const visit = (a: Artifact): void => {
    if (a.kind === 'alternatives' && !names) names = [...a.items.keys()];
  };
  for (const r of Object.values(inputs)) (Array.isArray(r) ? r : isArtifact(r) ? [r] : Object.values(r)).forEach(visit);
  return names;
}

function pickAlternative(inputs: Record<string, Resolved>, alt: string, label: string): Record<string, Resolved> {
  const pick = (a: Artifact): Artifact => {
    if (a.kind !== 'alternatives') return a;
    const v = a.items.get(alt);
    if (!v) throw runtimeError(`fan-out of '${label}': an input has no alternative '${alt}' (it has ${[...a.items.keys()].join(', ')})`, { expected: 'inputs with the same alternatives', found: 'different alternatives' });
    return v;
  };
  const out: Record<string, Resolved> = {};
  for (const [k, r] of Object.entries(inputs)) out[k] = Array.isArray(r) ? r.map(pick) : isArtifact(r) ? pick(r) : Object.fromEntries(Object.entries(r).map(([kk, v]) => [kk, pick(v)]));
  return out;
}

/** Results of alternatives (or fanned-out runs) → one result: Alternatives outputs, tables merged with a `column`. */
function combineAlternatives(byAlt: ReadonlyMap<string, NodeResult>, column: string): NodeResult {
  const outputs = new Map<string, Artifact>();
  const names = [...new Set([...byAlt.values()].flatMap((r) => [...r.outputs.keys()]))];
  for (const name of names) {
    const items = new Map<string, Artifact>();
    for (const [alt, r] of byAlt) {
      const a = r.outputs.get(name);
      if (a) items.set(alt, a);
    }
    const list = [...items.values()];
    outputs.set(name, list.every((a) => a.kind === 'records') ? concatTables([...items] as [string, RecordTable][], column) : ({ kind: 'alternatives', items } satisfies Alternatives));
  }
  const tables = new Map<string, RecordTable>();
  const tableNames = [...new Set([...byAlt.values()].flatMap((r) => [...r.tables.keys()]))];
  for (const t of tableNames) {
    tables.set(t, concatTables([...byAlt].filter(([, r]) => r.tables.has(t)).map(([alt, r]) => [alt, r.tables.get(t)!] as const), column));
  }
  const first = [...byAlt.values()][0];
  return {
    outputs,
    tables,
    primary: first?.primary,
    notes: [...byAlt].flatMap(([alt, r]) => r.notes.map((n) => `${alt}: ${n}`)),
    files: [...byAlt.values()].flatMap((r) => r.files),
    scenes: [...byAlt.values()].flatMap((r) => r.scenes),
  };
}

/** Merge part results: series through `mergeSeries` (undefined → kept per part), tables concatenated with `partition`. */
function mergeParts(byPart: ReadonlyMap<string, NodeResult>, notes: string[], mergeSeries: (name: string, list: PartSeries[]) => Series | undefined): NodeResult {
  const combined = combineAlternatives(byPart, 'partition');
  for (const [name, a] of combined.outputs) {
    if (a.kind !== 'alternatives') continue;
    const list = [...a.items].map(([part, s]) => ({ part, series: s as Series }));
    if (list.every((p) => p.series.kind === 'series')) {
      const merged = mergeSeries(name, list);
      if (merged) combined.outputs.set(name, merged);
    }
  }
  return { ...combined, notes: [...notes, ...combined.notes] };
}

/** The series among outputs (alternatives expanded). */
function seriesOf(artifacts: Iterable<Artifact>): Series[] {
  const out: Series[] = [];
  for (const a of artifacts) {
    if (a.kind === 'series') out.push(a);
    else if (a.kind === 'alternatives') out.push(...seriesOf(a.items.values()));
  }
  return out;
}

function nodeRecord(node: PlannedNode, seed: number, durationMs: number, result: NodeResult | Skipped): NodeRecord {
  const useRecord = (u: PlannedUse): UseRecord => ({ plugin: u.manifest.id, version: u.manifest.version, params: u.params });
  const skipped = 'skipped' in result;
  const notes = skipped ? [`skipped: ${result.skipped}`] : result.notes;
  const base = { id: node.id, type: node.type, seed, durationMs, skipped, notes };
  if (node.type === 'plugin') return { ...base, plugin: node.use.manifest.id, version: node.use.manifest.version, params: node.use.params };
  if (node.type === 'compare') return { ...base, alternatives: Object.fromEntries([...node.alternatives].map(([k, u]) => [k, useRecord(u)])) };
  return { ...base, parts: Object.fromEntries(node.parts.map((p: PlannedPart) => [p.name, useRecord(p)])) };
}

function wrapNodeError(e: unknown, id: string, node: PlannedNode): Error {
  if (isSoilscaleError(e)) {
    if (e.message.includes(`'${id}'`) || e.message.startsWith(`nodes.${id}`)) return e;
    const wrapped = runtimeError(`node '${id}' failed: ${e.message}`);
    (wrapped as { cause?: unknown }).cause = e;
    return wrapped;
  }
  const plugin = node.type === 'plugin' ? ` (${node.use.manifest.id})` : '';
  const wrapped = runtimeError(`node '${id}'${plugin} failed: ${(e as Error)?.message ?? String(e)}`);
  (wrapped as { cause?: unknown }).cause = e;
  return wrapped;
}

let version: string | undefined;
/** soilscale's version, from its package.json. */
export function soilscaleVersion(): string {
  if (version === undefined) {
    for (const rel of ['../../../package.json', '../../package.json']) {
      try {
        const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'soilscale') {
          version = pkg.version ?? '0.0.0';
          break;
        }
      } catch {
        // try the next candidate
      }
    }
    version ??= '0.0.0';
  }
  return version;
}
