/**
 * `npm run bench knn [-- --run-peer] [--grid-rows=R]`: regressor:knn against scikit-learn's
 * KNeighborsRegressor (k=10, kd-tree, uniform weights, standardised features) on the shared benchmark
 * data: 80k fit rows × 12 features, the 1M-row grid. Also checks that our neighbours are exactly the
 * brute-force neighbours on a sample of grid rows, and prints the mean grid prediction, which equals
 * scikit-learn's `grid_pred_mean` when the neighbour sets agree. `--search-work` adds where the search's
 * work goes and the least any exact search on this tree must do (`knn-search-work.ts`).
 */
import { createPluginContext, createWorkerPool, fitFeatureScaling, standardiseFeatures, type Table } from '../core/index.js';
import { knnPlugin, type KnnParams } from '../plugins/regressor-knn/index.js';
import { buildSearchTree } from '../plugins/regressor-knn/src/kd-tree.js';
import { forEachNeighbours } from '../plugins/regressor-knn/src/knn-search.js';
import { describeSearchWork, measureSearchWork } from './knn-search-work.js';
import type { BenchArgs } from './main.js';
import { peakRssMiB, printTable, timed } from './report.js';
import { ensureBenchData, loadBenchGridRows, loadBenchTable, peerFor, r2Score, timeGridPrediction } from './sklearn-peer.js';

/** Our neighbours of `sample` grid rows against an exhaustive search (same distance arithmetic). */
function bruteForceAgreement(fit: Table, grid: Table, sample: number, k: number): { same: number; checked: number } {
  const dims = fit.columns.length;
  const scaling = fitFeatureScaling(fit.x, fit.rows, dims, true);
  const z = standardiseFeatures(fit.x, fit.rows, dims, scaling);
  const tree = buildSearchTree(z, fit.rows, dims, 16);
  const stride = Math.floor(grid.rows / sample);
  const rows = Float32Array.from({ length: sample * dims }, (_, i) => grid.x[Math.floor(i / dims) * stride * dims + (i % dims)]);
  let same = 0;
  const q = new Float64Array(dims);
  const d2 = new Float64Array(fit.rows);
  forEachNeighbours(tree, scaling, rows, sample, k, (r, nb) => {
    for (let j = 0; j < dims; j++) q[j] = (rows[r * dims + j] - scaling.center[j]) / scaling.scale[j];
    for (let p = 0; p < fit.rows; p++) {
      let s = 0;
      for (let j = 0; j < dims; j++) s += (q[j] - z[p * dims + j]) ** 2;
      d2[p] = s;
    }
    const order = Array.from({ length: fit.rows }, (_, i) => i).sort((a, b) => d2[a] - d2[b] || a - b).slice(0, k);
    if (nb && order.every((p, i) => nb.index[i] === p)) same++;
  });
  return { same, checked: sample };
}

export default async function knnBench({ flags }: BenchArgs): Promise<void> {
  const N = 100_000;
  const threads = 2;
  ensureBenchData();
  const { fit, test } = loadBenchTable(N);
  const { full, grid } = loadBenchGridRows(flags);
  const gridRows = grid.rows;
  const workers = createWorkerPool(threads);
  const params: KnnParams = { k: 10, weights: 'uniform', bandwidth: null, standardize: true, autoK: false, kCandidates: [10], cvFolds: 5, leafSize: 16, seed: 42 };
  const knn = await knnPlugin.create(params, createPluginContext({ workers, seed: 42 }));
  const fitted = await timed(() => knn.fit(fit));
  const model = fitted.value;
  const r2 = r2Score((await model.predict(test)).mean, test);
  const predicted = await timeGridPrediction(model, grid);
  const rss = peakRssMiB();
  await workers.close();
  const agreement = bruteForceAgreement(fit, full, 40, 10);

  // a live peer predicts as many grid rows as we did (the machine may be loaded: compare like with like)
  const peer = peerFor('knn', N, flags, { jobs: 1, gridRows });
  const peerMean = typeof peer?.grid_pred_mean === 'number' ? ` vs ${peer.grid_pred_mean}` : '';
  printTable(`regressor:knn vs scikit-learn KNeighborsRegressor — N=${N} (fit ${fit.rows} rows × 12), k=10 uniform, kd-tree, ${threads} threads; peer: ${peer?.source ?? 'none'}`, [
    { task: 'fit (standardise + kd-tree)', ours: fitted.seconds, peer: peer?.fit_s, unit: 's', note: `R² ${r2.toFixed(4)} vs ${peer?.r2.toFixed(4) ?? '—'}` },
    { task: `predict 1M grid rows${gridRows < full.rows ? ` (from ${gridRows})` : ''}`, ours: predicted.per1M, peer: peer?.predict_1M_s, unit: 's', note: `target ≤ 0.1; grid mean ${predicted.gridMean.toFixed(4)}${peerMean}` },
    { task: 'predict 1M grid rows, CPU (all threads)', ours: predicted.cpuPer1M, peer: typeof peer?.predict_cpu_1M_s === 'number' ? peer.predict_cpu_1M_s : undefined, unit: 'CPU-s', note: 'independent of machine load, roughly' },
    { task: 'neighbours = brute force', ours: agreement.same, unit: `of ${agreement.checked} grid rows` },
    { task: 'peak memory', ours: rss, peer: peer?.peakRssMiB, unit: 'MiB' },
  ]);
  if (flags.includes('--search-work')) console.log(`\n${describeSearchWork(measureSearchWork(fit, full, 10, params.leafSize, 400_000, 2_000))}`);
}
