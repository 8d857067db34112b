/**
 * `npm run bench validator-tiles`: the tiled `validator:raster` (two summary stages on the engine's tile
 * service, `--threads` worker threads, default 2 as on this machine) against the whole-raster code it
 * replaced (`whole-raster-validation.ts`, one thread, every raster in memory), on the products the demo
 * validates: `soilscale demo` (`pipelines/mmsdf.json`) is run once, each of its five `validator:raster`
 * nodes' inputs kept, then each validated `--reps` times (default 3, after one warm-up) by both, in turn.
 * Wall seconds (medians) are the figure the goal (tiled ≤ 1.2× the whole-raster code) is about; CPU seconds
 * of all threads and the load average are printed beside them, since the machine is shared. The moment
 * metrics of both are compared as a check (they agree to ~1e-12 relative; ranks use other samples).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryLogger, createPluginContext, createWorkerPool, type PairedMetrics, type Series, type ValidateInput } from '../core/index.js';
import { builtinPlugins, builtinTileTask, createLocalExecutor, createRegistry, createTileService, runPipeline } from '../host/index.js';
import { rasterValidator } from '../plugins/validator-raster/index.js';
import type { BenchArgs } from './main.js';
import { flagValue, measure, printTable, type BenchRow } from './report.js';
import { wholeRasterValidation } from './whole-raster-validation.js';

const MMSDF = fileURLToPath(new URL('../../pipelines/mmsdf.json', import.meta.url));
const PARAMS = { minValidFraction: 0.5, minPairs: 10 } as const;

/** One validation of the demo: its node's inputs, pixels in memory. */
interface Validation {
  readonly product: Series;
  readonly reference: Series;
  readonly coarse: Series;
}

/** Runs the demo with a `validator:raster` that keeps each call's inputs (read into memory, as a reader would). */
async function demoValidations(out: string): Promise<{ validations: Validation[]; nodes: string[] }> {
  const validations: Validation[] = [];
  const keeping = {
    ...rasterValidator,
    async create(params: typeof PARAMS, context: Parameters<typeof rasterValidator.create>[1]) {
      const inner = await rasterValidator.create(params, context);
      return {
        validate(input: ValidateInput) {
          // A spread copy reads a tile-backed series' pixels.
          validations.push({ product: { ...input.product! }, reference: { ...input.reference! }, coarse: { ...input.coarse! } });
          return inner.validate(input);
        },
      };
    },
  };
  const registry = createRegistry(builtinPlugins.map((p) => (p.id === rasterValidator.id ? keeping : p)) as typeof builtinPlugins);
  const { manifest } = await runPipeline(MMSDF, { out, registry, logger: createMemoryLogger(), report: false, tileTask: builtinTileTask });
  const nodes = manifest.nodes.filter((n) => 'plugin' in n && n.plugin === rasterValidator.id).map((n) => n.id);
  return { validations, nodes };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Largest relative difference between the moment metrics of two records (the rank metrics use other samples). */
function momentDifference(tiled: Record<string, unknown>, whole: PairedMetrics): number {
  let worst = 0;
  for (const k of ['n', 'bias', 'rmse', 'ubrmse', 'r', 'mae', 'stdProduct', 'stdReference', 'd'] as const) {
    const a = tiled[k] as number, b = whole[k as keyof PairedMetrics] as number;
    if (Number.isFinite(b)) worst = Math.max(worst, Math.abs(a - b) / Math.max(1e-300, Math.abs(b)));
  }
  return worst;
}

export default async function bench(args: BenchArgs): Promise<void> {
  const reps = flagValue(args.flags, 'reps') ?? 3;
  const threads = flagValue(args.flags, 'threads') ?? 2;
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-bench-validator-'));
  try {
    const { validations, nodes } = await demoValidations(join(dir, 'demo'));
    const pool = createWorkerPool(threads);
    const executor = createLocalExecutor(pool, builtinTileTask);
    // One store for all, as in a run: each input array is spilled once; every call gets its own stage names.
    const spilled = new WeakMap<Float32Array, Promise<string>>();
    let calls = 0;
    const tiled = async (v: Validation) => {
      const tiles = createTileService({ store: join(dir, 'tiles'), run: 'bench', scope: `v${calls++}`, executor, parallelism: pool.size, spilled });
      return (await rasterValidator.create(PARAMS, createPluginContext({ tiles, logger: createMemoryLogger() }))).validate(v);
    };
    const whole = (v: Validation) => wholeRasterValidation(v.product, v.reference, v.coarse, PARAMS.minValidFraction);
    const loadBefore = loadavg();
    const times = validations.map(() => ({ tiled: [] as { wall: number; cpu: number }[], whole: [] as { wall: number; cpu: number }[], difference: 0 }));
    for (let r = 0; r <= reps; r++) {
      for (const [i, v] of validations.entries()) {
        const t = await measure(() => tiled(v));
        const w = await measure(() => whole(v));
        if (r === 0) {
          times[i].difference = Math.max(momentDifference(t.value.tables.summary.rows[0], w.value.summary), ...w.value.perDate.map((m, d) => momentDifference(t.value.tables.perDate.rows[d], m)));
          continue; // warm-up: JIT, workers started, inputs spilled
        }
        times[i].tiled.push(t);
        times[i].whole.push(w);
      }
    }
    await pool.close();
    const loadAfter = loadavg();
    const rows: BenchRow[] = times.map((t, i) => ({
      task: `${nodes[i]} (${validations[i].product.dates.length} dates, ${validations[i].product.grid.width}² px)`,
      ours: median(t.tiled.map((x) => x.wall)),
      peer: median(t.whole.map((x) => x.wall)),
      unit: 'wall s',
      note: `CPU ${median(t.tiled.map((x) => x.cpu)).toFixed(2)} vs ${median(t.whole.map((x) => x.cpu)).toFixed(2)} s; moments ≤ ${t.difference.toExponential(0)} rel.`,
    }));
    const total = (pick: (t: (typeof times)[number]) => { wall: number; cpu: number }[], key: 'wall' | 'cpu') => times.reduce((s, t) => s + median(pick(t).map((x) => x[key])), 0);
    rows.push({ task: 'the five validations', ours: total((t) => t.tiled, 'wall'), peer: total((t) => t.whole, 'wall'), unit: 'wall s', note: `CPU ${total((t) => t.tiled, 'cpu').toFixed(2)} vs ${total((t) => t.whole, 'cpu').toFixed(2)} s` });
    const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ');
    printTable(`validator:raster on the demo's products: tiled (${threads} threads) vs whole-raster (peer); medians of ${reps}; load average ${load(loadBefore)} → ${load(loadAfter)}`, rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
