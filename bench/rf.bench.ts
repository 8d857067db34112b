/**
 * `npm run bench rf [-- --run-peer]`: regressor:rf against scikit-learn's RandomForestRegressor on the
 * shared benchmark data (80k fit rows × 12 features, 1M prediction rows), same hyperparameters:
 * 150 trees, min leaf 5, 4 of 12 features per split, bootstrap, 2 threads.
 */
import { createPluginContext, createWorkerPool } from '../core/index.js';
import { rfPlugin, type RandomForestParams } from '../plugins/regressor-rf/index.js';
import type { BenchArgs } from './main.js';
import { peakRssMiB, printTable, timed } from './report.js';
import { ensureBenchData, loadBenchGrid, loadBenchTable, cpuSeconds, peerFor, r2Score } from './sklearn-peer.js';

export default async function rfBench({ flags }: BenchArgs): Promise<void> {
  const N = 100_000;
  const threads = 2;
  ensureBenchData();
  const { fit, test } = loadBenchTable(N);
  const grid = loadBenchGrid();
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
  const cpu0 = process.cpuUsage(); // whole process: main thread and workers
  const fitted = await timed(() => rf.fit(fit));
  const fitCpu = cpuSeconds(process.cpuUsage(cpu0));
  const model = fitted.value;
  const r2 = r2Score((await model.predict(test)).mean, test);
  const cpu1 = process.cpuUsage();
  const predicted = await timed(() => model.predict(grid));
  const predictCpu = cpuSeconds(process.cpuUsage(cpu1));
  const rss = peakRssMiB();
  await workers.close();

  const peer = peerFor('rf', N, flags, { jobs: threads });
  const note = `R² ${r2.toFixed(4)} vs ${peer?.r2.toFixed(4) ?? '—'}; OOB R² ${Number(model.diagnostics!().oobR2).toFixed(4)}`;
  printTable(`regressor:rf vs scikit-learn RandomForestRegressor — N=${N} (fit ${fit.rows} rows), 150 trees, leaf 5, 4/12 features per split, ${threads} threads; peer: ${peer?.source ?? 'none'}`, [
    { task: 'fit', ours: fitted.seconds, peer: peer?.fit_s, unit: 's', note },
    { task: 'predict 1M rows (mean + spread)', ours: predicted.seconds, peer: peer?.predict_1M_s, unit: 's' },
    { task: 'fit + predict', ours: fitted.seconds + predicted.seconds, peer: peer ? peer.fit_s + peer.predict_1M_s : undefined, unit: 's', note: 'target ≤ 0.5 (aim 0.2)' },
    { task: 'fit, CPU (all threads)', ours: fitCpu, peer: peer?.fit_cpu_s as number | undefined, unit: 'CPU-s', note: 'less sensitive to machine load than wall time' },
    { task: 'predict 1M rows, CPU (all threads)', ours: predictCpu, peer: peer?.predict_cpu_1M_s as number | undefined, unit: 'CPU-s' },
    { task: 'peak memory', ours: rss, peer: peer?.peakRssMiB, unit: 'MiB' },
  ]);
}
