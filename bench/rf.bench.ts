/**
 * `npm run bench rf [-- --run-peer]`: regressor:rf against scikit-learn's RandomForestRegressor on the
 * shared benchmark data (80k fit rows × 12 features, 1M prediction rows), same hyperparameters:
 * 150 trees, min leaf 5, 4 of 12 features per split, bootstrap, 2 threads.
 *
 * On a shared machine wall time follows the load, so the table also gives CPU seconds (all threads) and
 * a calibration loop's rate before and after; with `--run-peer` scikit-learn runs at the same time as
 * our side (both under the same load) instead of after it.
 *
 * First, the accuracy check on a real station table (`rf-station-table.ts`; `--station-only` stops there).
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createPluginContext, createWorkerPool } from '../core/index.js';
import { rfPlugin, type RandomForestParams } from '../plugins/regressor-rf/index.js';
import type { BenchArgs } from './main.js';
import { printTable } from './report.js';
import { stationTableBench } from './rf-station-table.js';
import { benchDataDir, cpuSeconds, ensureBenchData, loadBenchGrid, loadBenchTable, PEER_FIGURES, sharedBenchDir, startPython, timeFitAndPredict, type SklearnResult } from './sklearn-peer.js';

/** What the calibration loop does on a quiet machine of this class (M steps/s, one thread). */
const QUIET_STEP_RATE = 175;

/**
 * A calibration loop shaped like tree prediction (dependent table look-ups with a compare), returning
 * its rate in M steps per second of wall and of CPU time: `QUIET_STEP_RATE / wall` estimates the load factor.
 */
function calibrate(): { wall: number; cpu: number } {
  const n = 1 << 14;
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) next[i] = (i * 7919 + 13) & (n - 1);
  const steps = 100_000_000;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let o = 0;
  for (let s = 0; s < steps; s++) o = (next[o] + (o & 1)) & (n - 1);
  const cpu = cpuSeconds(process.cpuUsage(c0));
  const wall = (performance.now() - t0) / 1000;
  if (o === -1) console.log(o); // keeps the loop alive
  return { wall: steps / wall / 1e6, cpu: steps / cpu / 1e6 };
}

/** `bench.py rf N --jobs J` started now, without blocking, so it runs under the same load as our side. */
function startSklearnRf(n: number, jobs: number): Promise<SklearnResult> {
  return startPython<SklearnResult>([join(sharedBenchDir(), 'bench.py'), 'rf', String(n), '--jobs', String(jobs)], { ...process.env, SKBENCH_DATA: benchDataDir() });
}

export default async function rfBench({ flags }: BenchArgs): Promise<void> {
  await stationTableBench(flags);
  if (flags.includes('--station-only')) return;
  const N = 100_000;
  const threads = 2;
  ensureBenchData();
  const { fit, test } = loadBenchTable(N);
  const grid = loadBenchGrid();
  const live = flags.includes('--run-peer');
  const peerRun = live ? startSklearnRf(N, threads) : null;
  const load0 = loadavg()[0];
  const before = calibrate();

  const workers = createWorkerPool(threads);
  const params: RandomForestParams = {
    trees: 150,
    maxFeatures: 4,
    minLeaf: 5,
    maxDepth: null,
    bootstrap: true,
    maxSamples: 1,
    maxBins: 255,
    permutationImportance: false,
    seed: 42,
  };
  const rf = await rfPlugin.create(params, createPluginContext({ workers, seed: 42 }));
  const { fitted, fitCpu, model, r2, predicted, predictCpu, rss } = await timeFitAndPredict(rf, fit, test, grid);
  await workers.close();
  const after = calibrate();
  const load1 = loadavg()[0];

  const peer: (SklearnResult & { source: string }) | undefined = peerRun
    ? { ...(await peerRun), source: `live scikit-learn run concurrent with ours (rf, N=${N}, n_jobs=${threads})` }
    : PEER_FIGURES.rf;
  const calWall = (before.wall + after.wall) / 2;
  const loadFactor = Math.max(1, QUIET_STEP_RATE / calWall);
  const ratio = (a: number, b: number | undefined) => (b ? (a / b).toFixed(3) : '—');
  const peerCpu = peer?.fit_cpu_s !== undefined && peer.predict_cpu_1M_s !== undefined ? peer.fit_cpu_s + peer.predict_cpu_1M_s : undefined;
  const note = `R² ${r2.toFixed(4)} vs ${peer?.r2.toFixed(4) ?? '—'} (target ≥ peer − 0.005); OOB R² ${Number(model.diagnostics!().oobR2).toFixed(4)}`;
  printTable(`regressor:rf vs scikit-learn RandomForestRegressor — N=${N} (fit ${fit.rows} rows), 150 trees, leaf 5, 4/12 features per split, ${threads} threads; peer: ${peer?.source ?? 'none'}`, [
    { task: 'fit', ours: fitted.seconds, peer: peer?.fit_s, unit: 's', note },
    { task: 'predict 1M rows (mean + spread)', ours: predicted.seconds, peer: peer?.predict_1M_s, unit: 's' },
    { task: 'fit + predict', ours: fitted.seconds + predicted.seconds, peer: peer ? peer.fit_s + peer.predict_1M_s : undefined, unit: 's', note: 'target ≤ 0.5 (aim 0.2)' },
    { task: 'fit, CPU (all threads)', ours: fitCpu, peer: peer?.fit_cpu_s as number | undefined, unit: 'CPU-s', note: 'less sensitive to machine load than wall time' },
    { task: 'predict 1M rows, CPU (all threads)', ours: predictCpu, peer: peer?.predict_cpu_1M_s as number | undefined, unit: 'CPU-s' },
    { task: 'fit + predict, CPU (all threads)', ours: fitCpu + predictCpu, peer: peerCpu, unit: 'CPU-s', note: `ratio ${ratio(fitCpu + predictCpu, peerCpu)}` },
    { task: 'fit + predict (wall ÷ load factor)', ours: (fitted.seconds + predicted.seconds) / loadFactor, peer: live ? undefined : peer && peer.fit_s + peer.predict_1M_s, unit: 's', note: 'estimate for a quiet machine' },
    { task: 'peak memory', ours: rss, peer: peer?.peakRssMiB, unit: 'MiB' },
  ]);
  console.log(
    `calibration loop: ${calWall.toFixed(0)} M steps/s wall, ${((before.cpu + after.cpu) / 2).toFixed(0)} M steps/s CPU (≈${QUIET_STEP_RATE} quiet) → load factor ≈ ${loadFactor.toFixed(1)}; load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`,
  );
}
