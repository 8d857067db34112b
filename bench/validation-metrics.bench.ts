/**
 * `npm run bench validation-metrics`: the 30 m raster validation of the default demo's size (297 × 297
 * pixels × 240 dates, 21 M pixel-dates; `mmsdf.json` runs five of them): `validator:raster` end to end,
 * the pooled metrics, and the average ranks behind Spearman ρ — radix sort on float32 keys (what raster
 * values take) against the comparison merge sort (what non-float32 doubles take). CPU seconds beside wall
 * seconds, and a calibration loop's load factor, since the machine is shared.
 */
import { averageRanks, createGrid, createMemoryLogger, createPluginContext, createRng, makeSeries, pairedMetricsOfChunks, type PairChunk } from '../core/index.js';
import { rasterValidator } from '../plugins/validator-raster/index.js';
import type { BenchArgs } from './main.js';
import { flagValue, measure, printTable, type BenchRow } from './report.js';

/** ns per iteration of the calibration loop on a quiet machine of this class (one dependent add per element). */
const QUIET_NS_PER_ITER = 1.0;

function calibrate(): number {
  const a = Float64Array.from({ length: 1 << 20 }, (_, i) => i * 0.5);
  const t0 = performance.now();
  let s = 0;
  for (let r = 0; r < 50; r++) for (let i = 0; i < a.length; i++) s += a[i] * 1.0000001;
  const ns = ((performance.now() - t0) * 1e6) / (50 * a.length);
  if (s === 42) console.log(s);
  return ns / QUIET_NS_PER_ITER;
}

export default async function bench(args: BenchArgs): Promise<void> {
  const side = flagValue(args.flags, 'side') ?? 297;
  const days = flagValue(args.flags, 'days') ?? 240;
  const load = calibrate();
  const rng = createRng(1);
  const grid = createGrid(side, side, [500000, 30, 0, 4000000, 0, -30], 'EPSG:32631');
  const coarseGrid = createGrid(Math.ceil(side / 297), Math.ceil(side / 297), [500000, 8910, 0, 4000000, 0, -8910], 'EPSG:32631');
  const dates = Array.from({ length: days }, (_, d) => new Date(Date.UTC(2023, 0, 1 + d)).toISOString().slice(0, 10));
  const truth = dates.map(() => Float32Array.from({ length: side * side }, () => 0.05 + 0.3 * rng.next()));
  const product = truth.map((t) => t.map((v) => (rng.next() < 0.05 ? Number.NaN : v + 0.03 * rng.normal())));
  const coarse = dates.map((_, d) => Float32Array.from({ length: coarseGrid.width * coarseGrid.height }, () => truth[d][0]));
  const series = (values: Float32Array[], g = grid) => makeSeries({ variable: 'sm', grid: g, dates, values });

  const rows: BenchRow[] = [];
  const context = createPluginContext({ logger: createMemoryLogger() });
  const validator = await rasterValidator.create({ minValidFraction: 0.5, minPairs: 10 }, context);
  const v = await measure(() => validator.validate({ product: series(product), reference: series(truth), coarse: series(coarse, coarseGrid) }));
  rows.push({ task: `validator:raster ${side}² px × ${days} dates`, ours: v.cpu, unit: 'CPU s', note: `wall ${v.wall.toFixed(1)} s; ${(v.value.tables.summary.rows[0].n as number) / 1e6} M pairs` });
  const chunks = product.map((p, i): PairChunk => [p, truth[i]]);
  const pooled = await measure(() => pairedMetricsOfChunks(chunks));
  rows.push({ task: 'pooled metrics (Spearman/KL on 1 M subsample)', ours: pooled.cpu, unit: 'CPU s', note: `wall ${pooled.wall.toFixed(2)} s` });
  const perDate = await measure(() => chunks.map((c) => pairedMetricsOfChunks([c])));
  rows.push({ task: 'per-date metrics (every pair)', ours: perDate.cpu, unit: 'CPU s', note: `wall ${perDate.wall.toFixed(2)} s` });

  const f32 = Float32Array.from(product[0].filter((x) => !Number.isNaN(x)));
  const f64 = Float64Array.from(f32, (x, i) => x + 1e-12 * (i % 7)); // not float32-exact: takes the merge sort
  const reps = 20;
  const radix = await measure(() => {
    for (let r = 0; r < reps; r++) averageRanks(f32);
  });
  const merge = await measure(() => {
    for (let r = 0; r < reps; r++) averageRanks(f64);
  });
  rows.push({ task: `averageRanks of ${f32.length} values: radix (float32)`, ours: (radix.cpu / reps) * 1000, peer: (merge.cpu / reps) * 1000, unit: 'CPU ms', note: 'peer = merge sort (non-float32 doubles)' });
  printTable(`raster validation (load factor ${load.toFixed(1)}× a quiet machine by the calibration loop)`, rows);
}
