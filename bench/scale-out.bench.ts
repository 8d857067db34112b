/**
 * `npm run bench scale-out`: the tile executors compared on this machine.
 * 1. A large regression predict (random forest of 10 trees, `--fine` (3300) px square = 10.9 Mpx from a 30× coarser grid,
 *    3 predictors, 2 dates, tiles of 512 px): tiles per second and wall time of the tiled stages on the in-process pool (2 threads) and on
 *    the BullMQ queue served by 1, 2 and 4 `soilscale worker` processes (one job at a time each).
 * 2. Per-tile overhead: a stage whose tile work is negligible (a copy, 4096 tiles of 32 × 32 px) on the
 *    in-process pool and on the queue: wall time per tile.
 * 3. Peak RSS of a streamed product: a `--stream-size` (20000) px square, `--stream-dates` (10) dates from a
 *    GeoTIFF input read by window, assembled to COGs tile row by tile row, in a child process of its own.
 * 4. The whole MMSDF pipeline (`pipelines/mmsdf.json`: RF to 1 km, WCM inversion at 30 m, ESTARFM daily 30 m) on
 *    its demo scene of `--mmsdf-days` (12) days, run as `soilscale run` runs it (host's `runPipeline`, the tile
 *    executor passed as `--queue` passes it) on the pool and on 1, 2 and 4 queue workers: wall time, tiles per
 *    stage, and the queue's GeoTIFFs checked byte-identical (sha256) to the pool's.
 * Redis is Debian's redis-server on a free loopback port (the test harness's); `--skip-stream` skips part 3,
 * `--skip-mmsdf` part 4, and `--mmsdf` runs part 4 alone.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGrid, createMemoryLogger, createRng, createWorkerPool, makeSeries, type Series, type TileExecutor, type TileJob, type TileRecord } from '../core/index.js';
import { builtinTileTask, createHostContext, createLocalExecutor, createQueueExecutor, createTileService, runPipeline, runTileStage } from '../host/index.js';
import { regressionDownscaler } from '../plugins/downscaler-regression/index.js';
import { startRedis, type TestRedis } from '../test/support/redis.js';
import type { BenchArgs } from './main.js';
import { flagValue, printTable, timed, type BenchRow } from './report.js';
import { copyTileTask } from './scale-out-tiles.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const STREAM = fileURLToPath(new URL('./scale-out-stream.js', import.meta.url));
const MMSDF = fileURLToPath(new URL('../../pipelines/mmsdf.json', import.meta.url));
const FACTOR = 30;

/**
 * Per stage: tiles run, seconds inside the executor (fitting excluded), and CPU seconds of this process
 * meanwhile — its worker threads included, so for the pool it is the tiles' CPU cost, for the queue the
 * coordinator's.
 */
interface StageTiming {
  tiles: number;
  seconds: number;
  cpu: number;
}

function timedExecutor(inner: TileExecutor, stages: Map<string, StageTiming>): TileExecutor {
  return {
    name: inner.name,
    async run(jobs: readonly TileJob[], onDone?: (r: TileRecord) => void) {
      const cpu0 = process.cpuUsage();
      const { seconds } = await timed(() => inner.run(jobs, onDone));
      const used = process.cpuUsage(cpu0);
      const key = jobs[0]?.stage ?? '(none)';
      const s = stages.get(key) ?? { tiles: 0, seconds: 0, cpu: 0 };
      stages.set(key, { tiles: s.tiles + jobs.length, seconds: s.seconds + seconds, cpu: s.cpu + (used.user + used.system) / 1e6 });
    },
    close: () => inner.close(),
  };
}

/** `n` worker processes on the queue, started and ready (counted by Redis). */
async function startWorkers(redis: TestRedis, n: number): Promise<ChildProcess[]> {
  const workers = Array.from({ length: n }, () => spawn(process.execPath, [CLI, 'worker', '--queue', redis.url, '--concurrency', '1', '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] }));
  const { Queue } = await import('bullmq');
  const queue = new Queue('soilscale-tiles', { connection: { host: '127.0.0.1', port: redis.port } });
  while ((await queue.getWorkersCount()) < n) await new Promise((r) => setTimeout(r, 100));
  await queue.close();
  return workers;
}

async function stopWorkers(workers: readonly ChildProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => new Promise((r) => (w.once('exit', r), w.kill('SIGTERM')))));
}

interface Executors {
  readonly label: string;
  /** Workers to start before (queue executors). */
  readonly workers: number;
  make(redis: TestRedis): TileExecutor;
}

function executors(threads: number): Executors[] {
  const queue = (n: number): Executors => ({ label: `queue, ${n} worker process${n > 1 ? 'es' : ''}`, workers: n, make: (redis) => createQueueExecutor({ url: redis.url }) });
  return [
    { label: `in-process pool, ${threads} thread${threads > 1 ? 's' : ''}`, workers: 0, make: () => createLocalExecutor(createWorkerPool(threads), builtinTileTask) },
    queue(1),
    queue(2),
    queue(4),
  ];
}

function regressionScene(size: number): { coarse: Series; predictors: Record<string, Series> } {
  const fine = createGrid(size, size, [500000, 30, 0, 4300000, 0, -30], 'EPSG:32633');
  const c = size / FACTOR;
  const coarseGrid = createGrid(c, c, [500000, 30 * FACTOR, 0, 4300000, 0, -30 * FACTOR], 'EPSG:32633');
  const rng = createRng(1);
  const dates = ['2024-06-01', '2024-06-02'];
  const layer = (variable: string) => makeSeries({ variable, grid: fine, dates: [], values: [Float32Array.from({ length: size * size }, () => rng.next())] });
  const predictors = { ndvi: layer('ndvi'), lst: layer('lst'), dem: layer('dem') };
  const coarse = makeSeries({ variable: 'sm', grid: coarseGrid, dates, values: dates.map(() => Float32Array.from({ length: c * c }, () => rng.next())) });
  return { coarse, predictors };
}

/** Part 1: the regression downscaler's tiled stages on each executor. */
async function regressionRows(redis: TestRedis, threads: number, fine: number): Promise<BenchRow[]> {
  const scene = regressionScene(fine);
  const mpx = ((fine * fine) / 1e6).toFixed(1);
  const rows: BenchRow[] = [];
  let reference: number | undefined;
  for (const ex of executors(threads)) {
    const workers = ex.workers ? await startWorkers(redis, ex.workers) : [];
    const stages = new Map<string, StageTiming>();
    const executor = timedExecutor(ex.make(redis), stages);
    const store = mkdtempSync(join(tmpdir(), 'soilscale-bench-store-'));
    try {
      const context = createHostContext({
        seed: 1,
        workers: createWorkerPool(threads),
        logger: createMemoryLogger(),
        tiles: createTileService({ store, run: `bench-${Date.now()}`, scope: 'down', executor, tileSize: 512 }),
      });
      const ds = await regressionDownscaler.create({ regressor: { uses: 'regressor:rf', with: { trees: 10, seed: 1 } }, residualCorrection: 'bilinear-fix', cv: { scheme: 'none' }, importance: false } as never, context);
      const { seconds } = await timed(() => ds.downscale(scene));
      const tiles = [...stages.values()].reduce((s, t) => s + t.tiles, 0);
      const inStages = [...stages.values()].reduce((s, t) => s + t.seconds, 0);
      const cpu = [...stages.values()].reduce((s, t) => s + t.cpu, 0);
      reference ??= inStages;
      rows.push({
        task: `regression (rf 10 trees) + bilinear-fix, ${mpx} Mpx × 2 dates: tiled stages, ${ex.label}`,
        ours: inStages,
        unit: 's',
        note: `${tiles} tiles, ${(tiles / inStages).toFixed(2)} tiles/s, ×${(reference / inStages).toFixed(2)} vs pool; CPU of this process ${cpu.toFixed(0)} s (${ex.workers ? 'the coordinator' : 'the tiles'}); whole downscale ${seconds.toFixed(1)} s (${[...stages.keys()].join(', ')})`,
      });
    } finally {
      await executor.close();
      await stopWorkers(workers);
      rmSync(store, { recursive: true, force: true });
    }
  }
  return rows;
}

/** Part 2: wall time per tile of a stage with negligible tile work. */
async function overheadRows(redis: TestRedis, threads: number): Promise<BenchRow[]> {
  const size = 2048;
  const tileSize = 32;
  const grid = createGrid(size, size, [500000, 30, 0, 4300000, 0, -30], 'EPSG:32633');
  const x = makeSeries({ variable: 'x', grid, dates: [], values: [Float32Array.from({ length: size * size }, (_, i) => i % 1000)] });
  const rows: BenchRow[] = [];
  for (const ex of executors(threads).slice(0, 3)) {
    const workers = ex.workers ? await startWorkers(redis, ex.workers) : [];
    const executor = ex.make(redis);
    const store = mkdtempSync(join(tmpdir(), 'soilscale-bench-store-'));
    try {
      const { value: stage, seconds } = await timed(() =>
        runTileStage({ store, run: `bench-${Date.now()}`, scope: 'overhead', executor, tileSize }, { name: 'copy', task: copyTileTask, params: {}, grid, dates: [], inputs: { x: { series: x } }, outputs: [{ name: 'out', variable: 'x' }] }),
      );
      const n = stage.windows.length;
      rows.push({ task: `copy stage, ${n} tiles of ${tileSize} × ${tileSize} px, ${ex.label}`, ours: (seconds / n) * 1000, unit: 'ms/tile', note: `${(n / seconds).toFixed(0)} tiles/s` });
    } finally {
      await executor.close();
      await stopWorkers(workers);
      rmSync(store, { recursive: true, force: true });
    }
  }
  return rows;
}

/** sha256 of every GeoTIFF under `dir`, by path relative to it. */
function tifHashes(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tif')).sort();
  return new Map(files.map((f) => [relative(dir, join(dir, f)), createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]));
}

/** How the queue's GeoTIFFs differ from the pool's: '' when every file is byte-identical. */
function tifDifference(reference: Map<string, string>, found: Map<string, string>): string {
  const names = new Set([...reference.keys(), ...found.keys()]);
  const differing = [...names].filter((n) => reference.get(n) !== found.get(n));
  return differing.length ? `${differing.length} of ${names.size} GeoTIFFs differ from the pool's (${differing.slice(0, 3).join(', ')}${differing.length > 3 ? ', …' : ''})` : '';
}

/** Part 4: the MMSDF pipeline run end to end on each executor. */
async function mmsdfRows(redis: TestRedis, threads: number, days: number): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  let reference: { seconds: number; tifs: Map<string, string> } | undefined;
  for (const ex of executors(threads)) {
    const workers = ex.workers ? await startWorkers(redis, ex.workers) : [];
    const stages = new Map<string, StageTiming>();
    const executor = timedExecutor(ex.make(redis), stages);
    const out = mkdtempSync(join(tmpdir(), 'soilscale-bench-mmsdf-'));
    try {
      const { value: result, seconds } = await timed(() =>
        runPipeline(MMSDF, { out, overwrite: true, seed: 1, params: { demo: { start: '2023-04-15', days } }, workers: createWorkerPool(threads), logger: createMemoryLogger(), tileExecutor: executor }),
      );
      const tifs = tifHashes(out);
      if (tifs.size === 0) throw new Error(`the MMSDF run on ${ex.label} wrote no GeoTIFF into ${out}`);
      reference ??= { seconds, tifs };
      const difference = tifDifference(reference.tifs, tifs);
      if (difference) throw new Error(`MMSDF on ${ex.label}: ${difference}`);
      const tiles = result.tiles.reduce((s, t) => s + t.computed, 0);
      const inStages = [...stages.values()].reduce((s, t) => s + t.seconds, 0);
      const perNode = new Map<string, number>();
      for (const t of result.tiles) perNode.set(t.stage.split('/')[0], (perNode.get(t.stage.split('/')[0]) ?? 0) + t.computed);
      const perStage = [...perNode].map(([node, n]) => `${node} ${n}`).join(', ');
      rows.push({
        task: `MMSDF pipeline (RF 1 km → WCM 30 m → ESTARFM daily 30 m), demo of ${days} days, ${ex.label}: whole run`,
        ours: seconds,
        unit: 's',
        note: `${tiles} tiles in ${result.tiles.length} stages (per node: ${perStage}) in ${inStages.toFixed(1)} s inside the executor, ${(tiles / inStages).toFixed(2)} tiles/s; ×${(reference.seconds / seconds).toFixed(2)} vs pool; ${tifs.size} GeoTIFFs ${ex.workers ? 'byte-identical to the pool\'s' : '(the reference)'}`,
      });
    } finally {
      await executor.close();
      await stopWorkers(workers);
      rmSync(out, { recursive: true, force: true });
    }
  }
  return rows;
}

/** Part 3: peak RSS of the streamed product (its own process). */
function streamRows(size: number, dates: number, threads: number): BenchRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-bench-stream-'));
  const child = (...args: string[]) => {
    const r = spawnSync(process.execPath, [STREAM, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`${STREAM} ${args.join(' ')} exited with ${r.status}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
  };
  try {
    const input = child('input', dir, String(size));
    const product = child('product', dir, String(size), String(dates), String(threads));
    const mpx = (size * size) / 1e6;
    return [
      {
        task: `streamed product ${size} × ${size} px (${mpx.toFixed(0)} Mpx) × ${dates} dates, GeoTIFF input read by window, ${threads} threads: peak RSS`,
        ours: product.maxRssMiB,
        unit: 'MiB',
        note: `${product.tiles} tiles in ${product.tileSeconds.toFixed(0)} s, ${product.files} COGs (${(product.bytes / 2 ** 30).toFixed(1)} GiB) in ${product.streamSeconds.toFixed(0)} s; one date in memory would be ${((size * size * 4) / 2 ** 20).toFixed(0)} MiB; writing the input: ${input.maxRssMiB.toFixed(0)} MiB`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function run(args: BenchArgs): Promise<void> {
  const threads = 2;
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(1)).join(', ')} (other processes share the ${availableParallelism()} cores)`);
  const mmsdfOnly = args.flags.includes('--mmsdf');
  const redis = await startRedis();
  try {
    if (!mmsdfOnly) {
      printTable('Scale-out: tiled regression stages per executor (this machine: 2 cores shared by every process)', await regressionRows(redis, threads, flagValue(args.flags, 'fine') ?? 3300));
      printTable('Scale-out: per-tile overhead (tile work negligible)', await overheadRows(redis, threads));
    }
    if (mmsdfOnly || !args.flags.includes('--skip-mmsdf')) {
      printTable('Scale-out: the MMSDF pipeline end to end per executor', await mmsdfRows(redis, threads, flagValue(args.flags, 'mmsdf-days') ?? 12));
    }
  } finally {
    await redis.stop();
  }
  if (!mmsdfOnly && !args.flags.includes('--skip-stream')) {
    printTable('Scale-out: bounded memory', streamRows(flagValue(args.flags, 'stream-size') ?? 20_000, flagValue(args.flags, 'stream-dates') ?? 10, threads));
  }
}
