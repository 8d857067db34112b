/**
 * `npm run bench bpnn [-- --run-peer]`: regressor:bpnn against scikit-learn's
 * `MLPRegressor(hidden_layer_sizes=(20,30,30,33))` on the shared benchmark data (80k fit rows × 12
 * features, 1M prediction rows); the same network trained with tfjs-wasm (why the BPNN kernel is
 * hand-written); and the training throughput of regressor:cnn-gru and downscaler:resnet (samples/s).
 */
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { createPluginContext, createRng, createWorkerPool, createGrid, featureLayout, makeSeries, type Table } from '../core/index.js';
import { loadTf, seedWeights, trainTf, epochReporter } from '../lib/nn-runtime/index.js';
import { bpnnPlugin, type BpnnParams } from '../plugins/regressor-bpnn/index.js';
import { cnnGruPlugin } from '../plugins/regressor-cnn-gru/index.js';
import { resnetDownscaler } from '../plugins/downscaler-resnet/index.js';
import type { BenchArgs } from './main.js';
import { peakRssMiB, printTable, timed } from './report.js';
import { benchDataDir, cpuSeconds, ensureBenchData, loadBenchGrid, loadBenchTable, PEER_FIGURES, r2Score, sharedBenchDir, startPython, type SklearnResult } from './sklearn-peer.js';

/** What a plain JS multiply-add loop does on a quiet machine of this class (M/s, one thread): the load-factor reference. */
const QUIET_MAC_RATE = 1000;

/**
 * A calibration loop: a Float64Array dot product, the same kind of arithmetic as the BPNN kernels.
 * Returns its rate in M multiply-adds per second of wall time and of CPU time; on a shared machine the
 * wall rate falls with the load, so `QUIET_MAC_RATE / wall` estimates the load factor.
 */
function calibrate(): { wall: number; cpu: number } {
  const n = 1000;
  const a = Float64Array.from({ length: n }, (_, i) => i / n);
  const b = Float64Array.from({ length: n }, (_, i) => 1 - i / n);
  let s = 0;
  const reps = 40_000;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) for (let i = 0; i < n; i++) s += a[i] * b[i];
  const cpu = cpuSeconds(process.cpuUsage(c0));
  const wall = (performance.now() - t0) / 1000;
  if (s === 42) console.log(s); // keeps the loop alive
  return { wall: (reps * n) / wall / 1e6, cpu: (reps * n) / cpu / 1e6 };
}

/** `bench.py mlp N` started now, without blocking, so it runs under the same load as our side. */
function startSklearnMlp(n: number): Promise<SklearnResult> {
  return startPython<SklearnResult>([join(sharedBenchDir(), 'bench.py'), 'mlp', String(n), '--jobs', '1'], { ...process.env, SKBENCH_DATA: benchDataDir() });
}

/** Multiply-adds per row of one Adam step: forward, back-propagated deltas (not into the inputs), weight gradients. */
function macsPerTrainingRow(sizes: readonly number[]): number {
  let forward = 0;
  for (let l = 1; l < sizes.length; l++) forward += sizes[l - 1] * sizes[l];
  return 3 * forward - sizes[0] * sizes[1];
}

export default async function bpnnBench({ flags }: BenchArgs): Promise<void> {
  const N = 100_000;
  ensureBenchData();
  const { fit, test } = loadBenchTable(N);
  const grid = loadBenchGrid();
  const workers = createWorkerPool(2);
  // Early stopping on a seeded 10 % validation split, patience 1, relative tol 1 %, lr 0.002 (see
  // docs/neural-downscalers.md: scikit-learn's run spends 10 of its 14 epochs on n_iter_no_change).
  const params: BpnnParams = {
    hidden: [20, 30, 30, 33], activation: 'relu', solver: 'adam', learningRate: 0.002, batchSize: 200, maxEpochs: 200, l2: 0.0001,
    validationFraction: 0.1, patience: 1, tol: 0.01, standardizeTarget: true,
    lm: { mu: 0.001, muIncrease: 10, muDecrease: 0.1, muMax: 1e10, maxWeights: 1000 }, seed: 42,
  };
  const live = flags.includes('--run-peer');
  const peerRun = live ? startSklearnMlp(N) : null;
  peerRun?.catch(() => undefined);
  const load0 = loadavg()[0];
  const before = calibrate();
  const bpnn = await bpnnPlugin.create(params, createPluginContext({ workers, seed: 42 }));
  let c0 = process.cpuUsage();
  const fitted = await timed(() => bpnn.fit(fit));
  const fitCpu = cpuSeconds(process.cpuUsage(c0));
  const model = fitted.value;
  const r2 = r2Score((await model.predict(test)).mean, test);
  c0 = process.cpuUsage();
  const predicted = await timed(() => model.predict(grid));
  const predictCpu = cpuSeconds(process.cpuUsage(c0));
  const after = calibrate();
  const load1 = loadavg()[0];
  const peer: (SklearnResult & { fit_cpu_s?: number; predict_cpu_1M_s?: number; n_iter?: number }) | undefined = peerRun ? await peerRun : PEER_FIGURES.mlp;
  const d = model.diagnostics!();
  const epochs = Number(d.epochs);
  const sizes = [fit.columns.length, ...params.hidden, 1];
  const trainMacs = macsPerTrainingRow(sizes) * Number(d.trainRows) * epochs;
  const forwardMacs = (macsPerTrainingRow(sizes) + sizes[0] * sizes[1]) / 3;
  const calWall = (before.wall + after.wall) / 2;
  const calCpu = (before.cpu + after.cpu) / 2;
  const loadFactor = QUIET_MAC_RATE / calWall;
  printTable(
    `regressor:bpnn vs scikit-learn MLPRegressor(20,30,30,33) — N=${N} (fit ${fit.rows} rows); peer: ${peer ? (live ? 'live scikit-learn run, concurrent with ours' : peer.source) : 'none'}\n` +
      `calibration loop: ${calWall.toFixed(0)} M/s wall, ${calCpu.toFixed(0)} M/s CPU (≈${QUIET_MAC_RATE} quiet) → load factor ≈ ${loadFactor.toFixed(1)}; load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`,
    [
      { task: 'fit (wall)', ours: fitted.seconds, peer: peer?.fit_s, unit: 's', note: `R² ${r2.toFixed(4)} vs ${peer?.r2.toFixed(4) ?? '—'}; ${epochs} epochs (best ${d.bestEpoch}) vs ${peer?.n_iter ?? 14}; two-thread batches ${(100 * Number(d.twoThreadShare)).toFixed(0)} %` },
      { task: 'fit (CPU, all threads)', ours: fitCpu, peer: peer?.fit_cpu_s, unit: 's', note: `${(trainMacs / fitCpu / 1e6).toFixed(0)} M multiply-add/s of CPU over the whole fit` },
      { task: 'fit: our CPU vs quoted quiet wall', ours: fitCpu, peer: PEER_FIGURES.mlp.fit_s, unit: 's', note: 'our CPU seconds bound our quiet wall time from above (≤ 2 threads); target ratio ≤ 2' },
      { task: 'predict 1M rows (2 threads, wall)', ours: predicted.seconds, peer: peer?.predict_1M_s, unit: 's' },
      { task: 'predict 1M rows (CPU, all threads)', ours: predictCpu, peer: peer?.predict_cpu_1M_s, unit: 's', note: `${((forwardMacs * grid.rows) / predictCpu / 1e6).toFixed(0)} M multiply-add/s of CPU` },
      { task: 'predict: our CPU vs quoted quiet wall', ours: predictCpu, peer: PEER_FIGURES.mlp.predict_1M_s, unit: 's', note: 'target ratio ≤ 2' },
      { task: 'fit + predict (wall)', ours: fitted.seconds + predicted.seconds, peer: peer ? peer.fit_s + peer.predict_1M_s : undefined, unit: 's', note: 'target ratio ≤ 2' },
      { task: 'peak memory', ours: peakRssMiB(), peer: peer?.peakRssMiB, unit: 'MiB' },
    ],
  );
  if (flags.includes('--bpnn-only')) {
    await workers.close();
    return;
  }

  // The same MLP in tfjs-wasm: one epoch, to compare per-epoch cost with the hand-written kernel.
  const { tf, backend } = await loadTf();
  const net = tf.sequential({ layers: [tf.layers.dense({ inputShape: [12], units: 20, activation: 'relu' }), ...[30, 30, 33].map((u) => tf.layers.dense({ units: u, activation: 'relu' })), tf.layers.dense({ units: 1 })] });
  seedWeights(tf, net, createRng(1));
  const ids = Int32Array.from({ length: fit.rows }, (_, i) => i);
  const xb = new Float32Array(200 * 12);
  const yb = new Float32Array(200);
  const tfEpoch = await trainTf(tf, {
    model: net, train: ids, valid: new Int32Array(0),
    batch: (s) => {
      s.forEach((r, i) => { xb.set(fit.x.subarray(r * 12, r * 12 + 12), i * 12); yb[i] = fit.y![r]; });
      return { x: tf.tensor2d(xb.slice(0, s.length * 12), [s.length, 12]), y: tf.tensor1d(yb.slice(0, s.length)) };
    },
    epochs: 1, batchSize: 200, learningRate: 0.001, l2: 0, patience: 1, minDelta: 0, rng: createRng(2), reporter: epochReporter(createPluginContext(), 'tfjs-mlp', 1),
  });
  const ourEpoch = Number(d.fitSeconds) / Number(d.epochs);
  printTable(`one Adam epoch of the 12-20-30-30-33-1 MLP on ${fit.rows} rows, batch 200`, [
    { task: `tfjs-${backend}`, ours: tfEpoch.seconds, unit: 's' },
    { task: 'hand-written (regressor:bpnn, incl. validation pass)', ours: ourEpoch, unit: 's' },
  ]);

  // Throughput of the tfjs models.
  const rows = 4000;
  const rng = createRng(3);
  const lay = featureLayout(fit.columns.slice(0, 4), 'none', 7);
  const seq: Table = { kind: 'table', columns: lay.columns, rows, x: Float32Array.from({ length: rows * lay.columns.length }, () => rng.next()), y: Float32Array.from({ length: rows }, () => rng.next()), layout: { steps: 7, features: lay.features } };
  const cg = await cnnGruPlugin.create({ steps: 7, convLayers: 1, convFilters: 16, kernelSize: 3, gruUnits: 16, denseUnits: 16, epochs: 2, batchSize: 64, learningRate: 0.003, l2: 0, validationFraction: 0, patience: 5, minDelta: 0, seed: 1 }, createPluginContext({ workers }));
  const cgModel = await cg.fit(seq);
  const W = 96;
  const fineGrid = createGrid(W, W, [0, 100, 0, W * 100, 0, -100], 'EPSG:32633');
  const coarseGrid = createGrid(W / 4, W / 4, [0, 400, 0, W * 100, 0, -400], 'EPSG:32633');
  const dates = Array.from({ length: 10 }, (_, i) => `2024-05-${String(i + 1).padStart(2, '0')}`);
  const predictors = Object.fromEntries(['a', 'b', 'c'].map((v) => [v, makeSeries({ variable: v, grid: fineGrid, dates: [], values: [Float32Array.from({ length: W * W }, () => rng.next())] })]));
  const coarse = makeSeries({ variable: 'sm', grid: coarseGrid, dates, values: dates.map(() => Float32Array.from({ length: (W / 4) ** 2 }, () => rng.next())) });
  const rs = await resnetDownscaler.create({ patchSize: 8, patchStride: 4, filters: 16, blocks: 2, kernelSize: 3, epochs: 2, batchSize: 16, learningRate: 0.003, l2: 0, validationFraction: 0, patience: 5, minDelta: 0, minValidFraction: 0.5, dateToleranceDays: 0, residualCorrection: 'block', maskCoarseGaps: true, tileSize: 256, seed: 1 }, createPluginContext({ workers }));
  const rsOut = await rs.downscale({ coarse, predictors });
  printTable(`tfjs-${backend} training throughput`, [
    { task: 'regressor:cnn-gru (7 steps × 4 features, 16-16-16)', ours: Number(cgModel.diagnostics!().samplesPerSecond), unit: 'rows/s' },
    { task: 'downscaler:resnet (8×8 patches × 3 features, 2 blocks × 16)', ours: Number(rsOut.tables!.fit.rows[0].patchesPerSecond), unit: 'patches/s', note: `${(Number(rsOut.tables!.fit.rows[0].patchesPerSecond) * 64).toFixed(0)} pixels/s` },
  ]);
  await workers.close();
}
