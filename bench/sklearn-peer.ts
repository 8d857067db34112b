/**
 * The scikit-learn peer for learner benchmarks: generates the shared benchmark data (once, into the
 * gitignored `bench/data/`), loads it as soilscale Tables, and runs the scikit-learn side on the very
 * same files (`../shared/bench/bench.py`, or `bench/sklearn-gbdt.py` for gradient boosting).
 *
 * @example
 * ```ts
 * await ensureBenchData();
 * const { fit, test } = loadBenchTable(100_000);
 * const peer = flags.includes('--run-peer') ? runSklearn('rf', 100_000, { jobs: 2 }) : PEER_FIGURES.rf;
 * ```
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTable, runtimeError, type FittedRegressor, type Regressor, type Table } from '../core/index.js';
import { flagValue, peakRssMiB, timed } from './report.js';

/** The repository root (this file runs from `dist/bench/`). */
const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

/** The benchmark data folder: `$SKBENCH_DATA` or `bench/data/` (gitignored). */
export function benchDataDir(): string {
  return process.env.SKBENCH_DATA ? resolve(process.env.SKBENCH_DATA) : join(repoRoot, 'bench', 'data');
}

/** `../shared/bench` beside the repository (read-only reference scripts). */
export function sharedBenchDir(): string {
  let dir = repoRoot;
  for (;;) {
    const candidate = join(dirname(dir), 'shared', 'bench');
    if (existsSync(join(candidate, 'bench.py'))) return candidate;
    if (dirname(dir) === dir) throw runtimeError('cannot find the shared benchmark scripts', { path: '../shared/bench/bench.py', expected: 'a shared/ folder beside the repository', found: 'none' });
    dir = dirname(dir);
  }
}

interface BenchMeta {
  readonly features: readonly string[];
  readonly grid: { readonly file: string; readonly rows: number; readonly cols: number };
  readonly train: Readonly<Record<string, { readonly file: string; readonly rows: number; readonly cols: number; readonly n_fit: number }>>;
}

const PYTHON = '/usr/bin/python3';

/** Writes the benchmark data with `gen_data.py` unless it is already there (~160 MB, deterministic). */
export function ensureBenchData(): void {
  const dir = benchDataDir();
  if (existsSync(join(dir, 'meta.json')) && existsSync(join(dir, 'grid.bin'))) return;
  const r = spawnSync(PYTHON, [join(sharedBenchDir(), 'gen_data.py')], { env: { ...process.env, SKBENCH_DATA: dir }, encoding: 'utf8' });
  if (r.status !== 0) throw runtimeError('gen_data.py failed', { file: join(sharedBenchDir(), 'gen_data.py'), expected: 'exit 0 (needs python3-numpy)', found: `${r.status}: ${r.stderr?.slice(-500)}` });
}

function meta(): BenchMeta {
  return JSON.parse(readFileSync(join(benchDataDir(), 'meta.json'), 'utf8')) as BenchMeta;
}

function readF32(file: string): Float32Array {
  const buf = readFileSync(file);
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
}

/** User + system CPU seconds of a `process.cpuUsage()` difference (all threads of the process). */
export function cpuSeconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

/** R² of predictions against a table's target. */
export function r2Score(pred: Float32Array, t: Table): number {
  const y = t.y!;
  let mean = 0;
  for (let i = 0; i < t.rows; i++) mean += y[i];
  mean /= t.rows;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < t.rows; i++) {
    sse += (pred[i] - y[i]) ** 2;
    sst += (y[i] - mean) ** 2;
  }
  return 1 - sse / sst;
}

/** `train_<n>.bin` as the fit rows (first 80 %) and the test rows (last 20 %), as bench.py splits it. */
export function loadBenchTable(n: number): { fit: Table; test: Table } {
  const m = meta();
  const tm = m.train[String(n)];
  if (!tm) throw runtimeError('no benchmark table of that size', { file: 'meta.json', path: `train.${n}`, expected: Object.keys(m.train).join(' | '), found: String(n) });
  const a = readF32(join(benchDataDir(), tm.file));
  const nf = m.features.length;
  const part = (r0: number, r1: number): Table => {
    const t = createTable(m.features, r1 - r0, true);
    for (let r = r0; r < r1; r++) {
      t.x.set(a.subarray(r * tm.cols, r * tm.cols + nf), (r - r0) * nf);
      t.y![r - r0] = a[r * tm.cols + nf];
    }
    return t;
  };
  return { fit: part(0, tm.n_fit), test: part(tm.n_fit, tm.rows) };
}

/** The 1,000,000-row prediction grid (`grid.bin`) as a Table without target. */
export function loadBenchGrid(): Table {
  const m = meta();
  const x = readF32(join(benchDataDir(), m.grid.file));
  return { kind: 'table', columns: [...m.features], rows: m.grid.rows, x };
}

/** The prediction grid (`full`) and its first `--grid-rows=R` rows (`grid`; all rows without the flag). */
export function loadBenchGridRows(flags: readonly string[]): { full: Table; grid: Table } {
  const full = loadBenchGrid();
  const rows = Math.min(full.rows, flagValue(flags, 'grid-rows') ?? full.rows);
  return { full, grid: { ...full, rows, x: full.x.subarray(0, rows * full.columns.length) } };
}

/** A timed prediction over the grid, with wall and CPU time scaled to 1M rows. */
export interface GridPrediction {
  readonly seconds: number;
  /** Wall seconds per 1,000,000 rows. */
  readonly per1M: number;
  /** CPU seconds of the whole process (main thread and workers) per 1,000,000 rows. */
  readonly cpuPer1M: number;
  /** Mean prediction over the grid rows (equals the peer's `grid_pred_mean` when the models agree). */
  readonly gridMean: number;
}

/** Predicts every grid row with `model`, timing it (wall and CPU) and averaging the predictions. */
export async function timeGridPrediction(model: FittedRegressor, grid: Table): Promise<GridPrediction> {
  const cpu0 = process.cpuUsage();
  const predicted = await timed(() => model.predict(grid));
  const cpuPer1M = cpuSeconds(process.cpuUsage(cpu0)) * (1_000_000 / grid.rows);
  let gridMean = 0;
  for (const v of predicted.value.mean) gridMean += v;
  gridMean /= grid.rows;
  return { seconds: predicted.seconds, per1M: (predicted.seconds * 1_000_000) / grid.rows, cpuPer1M, gridMean };
}

/** What the scikit-learn side prints on its `RESULT` line, plus its peak memory. */
/** Fit on `fit`, score R² on `test`, predict `grid`: wall and CPU seconds (all threads) of fit and predict, and peak memory. */
export async function timeFitAndPredict(regressor: Regressor, fit: Table, test: Table, grid: Table) {
  const cpu0 = process.cpuUsage(); // whole process: main thread and workers
  const fitted = await timed(() => regressor.fit(fit));
  const fitCpu = cpuSeconds(process.cpuUsage(cpu0));
  const model = fitted.value;
  const r2 = r2Score((await model.predict(test)).mean, test);
  const cpu1 = process.cpuUsage();
  const predicted = await timed(() => model.predict(grid));
  const predictCpu = cpuSeconds(process.cpuUsage(cpu1));
  return { fitted, fitCpu, model, r2, predicted, predictCpu, rss: peakRssMiB() };
}

/**
 * Starts `/usr/bin/python3 args` without blocking (so it runs under the same load as our side), under
 * `/usr/bin/time -v` when present for its peak memory; resolves to the JSON of its `RESULT ` line.
 */
export function startPython<T>(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<T & { peakRssMiB?: number }> {
  const timeBin = existsSync('/usr/bin/time');
  return new Promise((resolve, reject) => {
    const child = spawn(timeBin ? '/usr/bin/time' : PYTHON, timeBin ? ['-v', PYTHON, ...args] : [...args], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`${args.join(' ')} failed (exit ${code}): ${err.slice(-500)}`));
      else {
        const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
        resolve({ ...(JSON.parse(line.slice('RESULT '.length)) as T), peakRssMiB: rss ? Number(rss[1]) / 1024 : undefined });
      }
    });
  });
}

export interface SklearnResult {
  readonly fit_s: number;
  readonly predict_s: number;
  /** Prediction time for 1M rows (extrapolated when `extrapolated`). */
  readonly predict_1M_s: number;
  readonly r2: number;
  readonly rmse: number;
  readonly jobs?: number;
  readonly extrapolated?: boolean;
  /** Peak resident memory of the Python process (from `/usr/bin/time -v`), MiB. */
  readonly peakRssMiB?: number;
  /** CPU seconds of all threads (bench.py for rf, sklearn-gbdt.py), when the script reports them. */
  readonly fit_cpu_s?: number;
  readonly predict_cpu_1M_s?: number;
  readonly [key: string]: unknown;
}

/**
 * Runs the scikit-learn side live: `bench.py MODEL N --jobs J [--grid-rows R]` for rf | svr | knn | mlp,
 * `bench/sklearn-gbdt.py N` for gbdt, under `/usr/bin/time -v` for its peak memory.
 */
export function runSklearn(model: 'rf' | 'svr' | 'knn' | 'mlp' | 'gbdt', n: number, options: { jobs?: number; gridRows?: number; extra?: readonly string[] } = {}): SklearnResult {
  ensureBenchData();
  const script = model === 'gbdt' ? join(repoRoot, 'bench', 'sklearn-gbdt.py') : join(sharedBenchDir(), 'bench.py');
  const args = model === 'gbdt' ? [script, String(n)] : [script, model, String(n), '--jobs', String(options.jobs ?? 1)];
  if (options.gridRows) args.push('--grid-rows', String(options.gridRows));
  if (options.extra) args.push(...options.extra);
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const r = spawnSync(timeBin ?? PYTHON, timeBin ? ['-v', PYTHON, ...args] : args, { env: { ...process.env, SKBENCH_DATA: benchDataDir() }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const line = r.stdout?.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || !line) throw runtimeError('scikit-learn benchmark failed', { file: script, expected: 'a RESULT line (needs python3-sklearn)', found: `exit ${r.status}: ${r.stderr?.slice(-500)}` });
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  return { ...(JSON.parse(line.slice('RESULT '.length)) as SklearnResult), peakRssMiB: rss ? Number(rss[1]) / 1024 : undefined };
}

/**
 * Peer figures quoted in the issues (this machine class, 2 cores, quiet), printed by default;
 * `--run-peer` measures them live instead. `undefined` fields were not quoted.
 */
export const PEER_FIGURES: Readonly<Record<string, SklearnResult & { readonly source: string }>> = {
  rf: { source: 'issue 4: RandomForestRegressor n_jobs=2, N=100000', fit_s: 20.0, predict_s: 4.0, predict_1M_s: 4.0, r2: 0.964, rmse: Number.NaN, jobs: 2 },
  'rf-1job': { source: 'issue 4: RandomForestRegressor n_jobs=1, N=100000', fit_s: 36.6, predict_s: 8.8, predict_1M_s: 8.8, r2: 0.964, rmse: Number.NaN, jobs: 1 },
  knn: { source: 'shared/bench README: KNN k=10, N=100000 (extrapolated from 250k)', fit_s: Number.NaN, predict_s: 241, predict_1M_s: 241, r2: 0.954, rmse: Number.NaN },
  svr: { source: 'shared/bench README: SVR N=20000', fit_s: 17.3, predict_s: Number.NaN, predict_1M_s: Number.NaN, r2: 0.977, rmse: Number.NaN },
  mlp: { source: 'shared/bench README: MLP N=100000', fit_s: 2.6, predict_s: 1.4, predict_1M_s: 1.4, r2: 0.975, rmse: Number.NaN },
};

/** The peer for a benchmark: measured live with `--run-peer`, else the quoted figures (if any). */
export function peerFor(model: 'rf' | 'svr' | 'knn' | 'mlp' | 'gbdt', n: number, flags: readonly string[], options: { jobs?: number; gridRows?: number } = {}): (SklearnResult & { source: string }) | undefined {
  if (flags.includes('--run-peer')) return { ...runSklearn(model, n, options), source: `live scikit-learn run (${model}, N=${n}${options.jobs ? `, n_jobs=${options.jobs}` : ''})` };
  return PEER_FIGURES[model];
}
