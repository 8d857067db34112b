/**
 * `npm run bench gbdt [-- --run-peer]`: regressor:gbdt against scikit-learn's
 * HistGradientBoostingRegressor on the shared benchmark data, same hyperparameters: 300 rounds,
 * 31 leaves, learning rate 0.1, min 20 rows per leaf, no L2 penalty, 255 bins, no early stopping.
 * No figure for this peer is quoted in the issue, so without `--run-peer` only our side is printed.
 */
import { createPluginContext, createWorkerPool } from '../core/index.js';
import { gbdtPlugin, type GbdtParams } from '../plugins/regressor-gbdt/index.js';
import type { BenchArgs } from './main.js';
import { printTable } from './report.js';
import { ensureBenchData, loadBenchGrid, loadBenchTable, peerFor, timeFitAndPredict } from './sklearn-peer.js';

export default async function gbdtBench({ flags }: BenchArgs): Promise<void> {
  const N = 100_000;
  ensureBenchData();
  const { fit, test } = loadBenchTable(N);
  const grid = loadBenchGrid();
  const workers = createWorkerPool(2);
  const params: GbdtParams = {
    rounds: 300,
    learningRate: 0.1,
    growth: 'leaf-wise',
    numLeaves: 31,
    maxDepth: null,
    minDataInLeaf: 20,
    lambdaL2: 0,
    minGainToSplit: 0,
    subsample: 1,
    colsampleByTree: 1,
    earlyStoppingRounds: 0,
    validationFraction: 0,
    maxBins: 255,
    seed: 42,
  };
  const gbdt = await gbdtPlugin.create(params, createPluginContext({ workers, seed: 42 }));
  const { fitted, fitCpu, model, r2, predicted, predictCpu, rss } = await timeFitAndPredict(gbdt, fit, test, grid);
  await workers.close();

  const peer = peerFor('gbdt', N, flags);
  printTable(`regressor:gbdt vs scikit-learn HistGradientBoostingRegressor — N=${N} (fit ${fit.rows} rows), 300 rounds, 31 leaves, lr 0.1; peer: ${peer?.source ?? 'not quoted (use --run-peer)'}`, [
    { task: 'fit', ours: fitted.seconds, peer: peer?.fit_s, unit: 's', note: `R² ${r2.toFixed(4)} vs ${peer?.r2.toFixed(4) ?? '—'}` },
    { task: 'predict 1M rows', ours: predicted.seconds, peer: peer?.predict_1M_s, unit: 's' },
    { task: 'fit + predict', ours: fitted.seconds + predicted.seconds, peer: peer ? peer.fit_s + peer.predict_1M_s : undefined, unit: 's', note: 'target ≤ 1.0' },
    { task: 'fit, CPU (all threads)', ours: fitCpu, peer: peer?.fit_cpu_s as number | undefined, unit: 'CPU-s', note: 'less sensitive to machine load than wall time' },
    { task: 'predict 1M rows, CPU (all threads)', ours: predictCpu, peer: peer?.predict_cpu_1M_s as number | undefined, unit: 'CPU-s' },
    { task: 'peak memory', ours: rss, peer: peer?.peakRssMiB, unit: 'MiB' },
  ]);
}
