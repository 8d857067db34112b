/**
 * `npm run bench svr [-- --run-peer] [--grid-rows=R] [--cache-mb=M] [--solver=libsvm]`: regressor:svr against scikit-learn's SVR
 * (RBF, C=1, ε=0.01, gamma 'scale', standardised features) on the shared benchmark data: 16k fit rows
 * × 12 features (N=20000), predictions on the 1M-row grid.
 */
import { createPluginContext, createWorkerPool } from '../core/index.js';
import { svrPlugin, type SvrParams } from '../plugins/regressor-svr/index.js';
import type { BenchArgs } from './main.js';
import { flagValue, peakRssMiB, printTable, timed } from './report.js';
import { cpuSeconds, ensureBenchData, loadBenchGridRows, loadBenchTable, peerFor, r2Score, timeGridPrediction } from './sklearn-peer.js';

export default async function svrBench({ flags }: BenchArgs): Promise<void> {
  const N = 20_000;
  const threads = 2;
  ensureBenchData();
  const { fit, test } = loadBenchTable(N);
  const { full, grid } = loadBenchGridRows(flags);
  const gridRows = grid.rows;
  const workers = createWorkerPool(threads);
  const params: SvrParams = {
    type: 'epsilon', kernel: 'rbf', C: 1, epsilon: 0.01, nu: 0.5, gamma: 'scale', degree: 3, coef0: 0,
    standardize: true, standardizeTarget: false, tolerance: 0.001, cacheSizeMB: flagValue(flags, 'cache-mb') ?? 200, shrinking: true, maxRows: null, seed: 42,
    solver: flags.includes('--solver=libsvm') ? 'libsvm' : 'smo',
  };
  const svr = await svrPlugin.create(params, createPluginContext({ workers, seed: 42 }));
  const fitCpu0 = process.cpuUsage();
  const fitted = await timed(() => svr.fit(fit));
  const fitCpu = process.cpuUsage(fitCpu0);
  const model = fitted.value;
  const r2 = r2Score((await model.predict(test)).mean, test);
  const predicted = await timeGridPrediction(model, grid);
  const rss = peakRssMiB();
  await workers.close();

  // a live peer predicts as many grid rows as we did (the machine may be loaded: compare like with like)
  const peer = peerFor('svr', N, flags, { jobs: 1, gridRows });
  const quoted = { fit_s: 17.3, predict_1M_s: 258 }; // issue 4 figures (the shared README quotes the fit only)
  const peerFit = peer?.fit_s ?? quoted.fit_s;
  const peerPredict = Number.isFinite(peer?.predict_1M_s) ? peer!.predict_1M_s : quoted.predict_1M_s;
  const d = model.diagnostics!();
  const peerMean = typeof peer?.grid_pred_mean === 'number' ? ` vs ${peer.grid_pred_mean}` : '';
  printTable(`regressor:svr vs scikit-learn SVR — N=${N} (fit ${fit.rows} rows × 12), RBF C=1 ε=0.01 gamma=scale, ${threads} threads; peer: ${peer?.source ?? 'none'}`, [
    { task: `fit (${params.solver}, cache ${params.cacheSizeMB} MB)`, ours: fitted.seconds, peer: peerFit, unit: 's', note: `target ≤ 1.0; R² ${r2.toFixed(4)} vs ${peer?.r2.toFixed(4) ?? '—'}; ${d.supportVectors} SVs${typeof peer?.n_support === 'number' ? ` vs ${peer.n_support}` : ''}` },
    { task: `predict 1M grid rows${gridRows < full.rows ? ` (from ${gridRows})` : ''}`, ours: predicted.per1M, peer: peerPredict, unit: 's', note: `target ≤ 1.0; grid mean ${predicted.gridMean.toFixed(4)}${peerMean}` },
    { task: 'fit, CPU', ours: cpuSeconds(fitCpu), peer: typeof peer?.fit_cpu_s === 'number' ? peer.fit_cpu_s : undefined, unit: 'CPU-s' },
    { task: 'predict 1M grid rows, CPU (all threads)', ours: predicted.cpuPer1M, peer: typeof peer?.predict_cpu_1M_s === 'number' ? peer.predict_cpu_1M_s : undefined, unit: 'CPU-s' },
    { task: 'peak memory', ours: rss, peer: peer?.peakRssMiB, unit: 'MiB' },
  ]);
}
