import {
  aggregateToGrid,
  checkNesting,
  createRng,
  downscaleCoarse,
  downscaleTarget,
  inputError,
  isStatic,
  makeSeries,
  metricsTableRow,
  nearestDateIndex,
  pairedMetrics,
  recordTable,
  resampleSeries,
  sameGrid,
  usageError,
  type DownscaleInput,
  type DownscaleResult,
  type Downscaler,
  type Grid,
  type PluginContext,
  type Series,
  createSavedModel,
} from '../../../core/index.js';
import { epochReporter, loadTf, seedWeights, trainTf, validationSplit, weightsToBinary, type Tf } from '../../../lib/nn-runtime/index.js';
import type { ResnetParams } from '../index.js';
import { buildResnet, receptiveRadius, type ResnetArchitecture } from './network.js';

const ID = 'downscaler:resnet';
const VERSION = '1.0.0';

type LayersModel = import('@tensorflow/tfjs').LayersModel;
type Tensor = import('@tensorflow/tfjs').Tensor;

/** Predictor arrays per date (index into the coarse dates) on one grid, NaN where missing. */
function predictorOn(series: Series, date: string, toleranceDays: number): Float32Array | undefined {
  if (isStatic(series)) return series.values[0];
  const i = nearestDateIndex(series.dates, date, toleranceDays);
  return i < 0 ? undefined : series.values[i];
}

/** A stack of standardised feature planes `[h·w·F]` (pixel-major, channels last), NaN → 0 (the mean). */
function stack(planes: readonly (Float32Array | undefined)[], n: number, mean: readonly number[], scale: readonly number[], valid: Uint8Array): Float32Array {
  const F = planes.length;
  const out = new Float32Array(n * F);
  valid.fill(1);
  planes.forEach((p, f) => {
    for (let i = 0; i < n; i++) {
      const v = p ? p[i] : Number.NaN;
      if (v === v) out[i * F + f] = (v - mean[f]) / scale[f];
      else valid[i] = 0;
    }
  });
  return out;
}

export function createResnetDownscaler(params: ResnetParams, context: PluginContext): Downscaler {
  return { downscale: (input) => downscale(input, params, context) };
}

async function downscale(input: DownscaleInput, params: ResnetParams, context: PluginContext): Promise<DownscaleResult> {
  const names = Object.keys(input.predictors ?? {});
  if (names.length === 0) throw usageError('the ResNet downscaler needs fine predictors', { path: `${ID}.predictors`, expected: 'at least one series (ndvi, lst, dem…)', found: 'none' });
  const coarse = downscaleCoarse(input, ID);
  if (isStatic(coarse)) throw usageError('the coarse input has no dates', { path: `${ID}.coarse`, expected: 'a temporal series', found: `static layer '${coarse.variable}'` });
  const fine = downscaleTarget(input, ID);
  const notes: string[] = [];
  const predictors = names.map((n) => {
    const s = input.predictors[n];
    if (sameGrid(s.grid, fine)) return s;
    context.warn('predictor-resampled', `predictor '${n}' resampled (bilinear) to the fine grid`);
    return resampleSeries(s, fine, 'bilinear');
  });
  checkNesting(coarse.grid, fine);
  const { tf, backend } = await loadTf(context.logger);
  const seed = params.seed ?? context.seed;
  const rng = createRng(seed);
  const F = names.length;
  const cw = coarse.grid.width;
  const ch = coarse.grid.height;
  const nc = cw * ch;
  const dates = coarse.dates;
  const tol = params.dateToleranceDays;

  // Coarse training stacks: predictors aggregated (block means) to the coarse grid, per date.
  const coarsePlanes = dates.map((d) => predictors.map((s) => {
    const v = predictorOn(s, d, tol);
    return v ? aggregateToGrid(v, fine, coarse.grid, { minValidFraction: params.minValidFraction }) : undefined;
  }));
  // Standardisation over all coarse pixels and dates.
  const mean = new Array<number>(F).fill(0);
  const scale = new Array<number>(F).fill(0);
  const count = new Array<number>(F).fill(0);
  for (const planes of coarsePlanes) planes.forEach((p, f) => p?.forEach((v) => v === v && ((mean[f] += v), count[f]++)));
  for (let f = 0; f < F; f++) mean[f] /= Math.max(1, count[f]);
  for (const planes of coarsePlanes) planes.forEach((p, f) => p?.forEach((v) => v === v && (scale[f] += (v - mean[f]) ** 2)));
  for (let f = 0; f < F; f++) scale[f] = Math.sqrt(scale[f] / Math.max(1, count[f])) || 1;
  let yMean = 0;
  let yN = 0;
  let yVar = 0;
  for (const v of coarse.values) for (const x of v) if (x === x) ((yMean += x), yN++);
  yMean /= Math.max(1, yN);
  for (const v of coarse.values) for (const x of v) if (x === x) yVar += (x - yMean) ** 2;
  const yScale = Math.sqrt(yVar / Math.max(1, yN)) || 1;

  const valid = new Uint8Array(nc);
  const xs: Float32Array[] = [];
  const ys: Float32Array[] = [];
  const masks: Float32Array[] = [];
  dates.forEach((_, d) => {
    xs.push(stack(coarsePlanes[d], nc, mean, scale, valid));
    const y = new Float32Array(nc);
    const m = new Float32Array(nc);
    for (let i = 0; i < nc; i++) {
      const v = coarse.values[d][i];
      if (v === v && valid[i]) ((y[i] = (v - yMean) / yScale), (m[i] = 1));
    }
    ys.push(y);
    masks.push(m);
  });
  // Patches (date, row0, col0) covering the coarse grid with the given stride; those with any valid pixel.
  const P = Math.min(params.patchSize, cw, ch);
  const stride = Math.max(1, Math.min(params.patchStride, P));
  const starts = (size: number) => {
    const s: number[] = [];
    for (let o = 0; o + P <= size; o += stride) s.push(o);
    if (s[s.length - 1] !== size - P) s.push(size - P);
    return s;
  };
  const patches: [number, number, number][] = [];
  for (let d = 0; d < dates.length; d++) {
    for (const r0 of starts(ch)) for (const c0 of starts(cw)) {
      let any = false;
      for (let r = r0; r < r0 + P && !any; r++) for (let c = c0; c < c0 + P; c++) if (masks[d][r * cw + c]) { any = true; break; }
      if (any) patches.push([d, r0, c0]);
    }
  }
  if (patches.length < 2) throw inputError('too few coarse patches with valid soil moisture to train', { path: `${ID}.coarse`, expected: `at least 2 ${P}×${P} patches with a valid pixel`, found: String(patches.length) });
  const { train, valid: validIds } = validationSplit(Int32Array.from(patches.keys()), params.validationFraction, rng.fork(1));
  const architecture: ResnetArchitecture = { features: F, filters: params.filters, blocks: params.blocks, kernelSize: params.kernelSize | 1 };
  const model = buildResnet(tf, architecture);
  seedWeights(tf, model, rng.fork(2));
  const B = params.batchSize;
  const xb = new Float32Array(B * P * P * F);
  const yb = new Float32Array(B * P * P);
  const mb = new Float32Array(B * P * P);
  const result = await trainTf(tf, {
    model,
    train,
    valid: validIds,
    batch: (ids) => {
      ids.forEach((id, i) => {
        const [d, r0, c0] = patches[id];
        for (let r = 0; r < P; r++) {
          for (let c = 0; c < P; c++) {
            const src = (r0 + r) * cw + c0 + c;
            const dst = (i * P + r) * P + c;
            for (let f = 0; f < F; f++) xb[dst * F + f] = xs[d][src * F + f];
            yb[dst] = ys[d][src];
            mb[dst] = masks[d][src];
          }
        }
      });
      const n = ids.length;
      return {
        x: tf.tensor4d(xb.slice(0, n * P * P * F), [n, P, P, F]),
        y: tf.tensor4d(yb.slice(0, n * P * P), [n, P, P, 1]),
        mask: tf.tensor4d(mb.slice(0, n * P * P), [n, P, P, 1]),
      };
    },
    epochs: params.epochs,
    batchSize: B,
    learningRate: params.learningRate,
    l2: params.l2,
    patience: params.patience,
    minDelta: params.minDelta,
    rng: rng.fork(3),
    reporter: epochReporter(context, ID, params.epochs),
    signal: context.signal,
  });
  const samplesPerSecond = result.samples / Math.max(1e-9, result.seconds);
  context.logger.debug(`${ID} trained on tfjs-${backend}`, { ...result, samplesPerSecond });

  // Fit at the coarse scale (all patches' valid pixels, whole grid per date).
  const fitPred: number[] = [];
  const fitObs: number[] = [];
  for (let d = 0; d < dates.length; d++) {
    const pred = applyTiled(tf, model, xs[d], cw, ch, F, params.tileSize, receptiveRadius(architecture));
    for (let i = 0; i < nc; i++) if (masks[d][i]) (fitPred.push(pred[i] * yScale + yMean), fitObs.push(coarse.values[d][i]));
  }

  // Apply at fine scale, date by date, in tiles with a halo; then the block residual correction.
  const nf = fine.width * fine.height;
  const fineValid = new Uint8Array(nf);
  const product: Float32Array[] = [];
  const conservation: Record<string, string | number | null>[] = [];
  const task = context.progress.start(`${ID} predict fine pixels`, dates.length);
  for (let d = 0; d < dates.length; d++) {
    const x = stack(predictors.map((s) => predictorOn(s, dates[d], tol)), nf, mean, scale, fineValid);
    const pred = applyTiled(tf, model, x, fine.width, fine.height, F, params.tileSize, receptiveRadius(architecture));
    const z = new Float32Array(nf);
    for (let i = 0; i < nf; i++) z[i] = fineValid[i] ? pred[i] * yScale + yMean : Number.NaN;
    const corrected = params.residualCorrection === 'block' ? blockCorrect(z, fine, coarse.grid, coarse.values[d], params.maskCoarseGaps) : z;
    product.push(corrected);
    conservation.push({ date: dates[d], ...conservationError(corrected, fine, coarse.grid, coarse.values[d]) });
    task.tick();
    await new Promise((r) => setImmediate(r));
  }
  task.done();

  const { binary, manifest } = weightsToBinary(model);
  model.dispose();
  const saved = createSavedModel({ id: ID, version: VERSION }, {
    params: { ...params, seed },
    featureNames: names,
    data: { layout: 1, architecture, xMean: mean, xScale: scale, yMean, yScale, weights: manifest },
    binary,
  });
  notes.push(
    `ResNet (${params.blocks} residual blocks × ${params.filters} filters, ${P}×${P} coarse patches, ${train.length} training / ${validIds.length} validation) trained on tfjs-${backend}: ` +
      `${result.epochs} epochs (best ${result.bestEpoch}), ${samplesPerSecond.toFixed(1)} patches/s; residual correction ${params.residualCorrection}`,
  );
  return {
    product: makeSeries({ variable: coarse.variable || 'sm', grid: fine, dates, values: product, unit: coarse.unit }),
    model: saved,
    tables: {
      fit: recordTable([{ scheme: 'training (coarse scale)', epochs: result.epochs, bestEpoch: result.bestEpoch, patchesPerSecond: samplesPerSecond, ...metricsTableRow(pairedMetrics(fitPred, fitObs)) }]),
      conservation: recordTable(conservation, ['date', 'cells', 'maxAbsError'], ['block mean of the product minus the coarse value, over coarse cells with both']),
    },
    notes,
  };
}

/**
 * The network on a `w × h` stack in tiles of `tile` pixels plus a `halo` of context on each side
 * (zero-padded at the image edge, as in training): bounded memory on large fine grids.
 */
export function applyTiled(tf: Tf, model: LayersModel, x: Float32Array, w: number, h: number, F: number, tile: number, halo: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let r0 = 0; r0 < h; r0 += tile) {
    for (let c0 = 0; c0 < w; c0 += tile) {
      const r1 = Math.min(h, r0 + tile);
      const c1 = Math.min(w, c0 + tile);
      const R0 = Math.max(0, r0 - halo);
      const C0 = Math.max(0, c0 - halo);
      const R1 = Math.min(h, r1 + halo);
      const C1 = Math.min(w, c1 + halo);
      const th = R1 - R0;
      const tw = C1 - C0;
      const buf = new Float32Array(th * tw * F);
      for (let r = 0; r < th; r++) buf.set(x.subarray(((R0 + r) * w + C0) * F, ((R0 + r) * w + C1) * F), r * tw * F);
      const y = tf.tidy(() => model.predict(tf.tensor4d(buf, [1, th, tw, F])) as Tensor);
      const v = y.dataSync();
      y.dispose();
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[r * w + c] = v[(r - R0) * tw + (c - C0)];
    }
  }
  return out;
}

/** z + (coarse − block mean of z) in every coarse cell: the product's block means equal the coarse values. */
function blockCorrect(z: Float32Array, fine: Grid, coarse: Grid, coarseValues: Float32Array, maskGaps: boolean): Float32Array {
  const means = aggregateToGrid(z, fine, coarse, { minValidFraction: 0 });
  const n = checkNesting(coarse, fine);
  const out = new Float32Array(z.length);
  for (let r = 0; r < fine.height; r++) {
    const cr = Math.floor((r + n.offsetRow) / n.factorY);
    for (let c = 0; c < fine.width; c++) {
      const cc = Math.floor((c + n.offsetCol) / n.factorX);
      const k = cr * coarse.width + cc;
      const i = r * fine.width + c;
      const cv = cr < coarse.height && cc < coarse.width ? coarseValues[k] : Number.NaN;
      out[i] = cv === cv ? z[i] + (cv - means[k]) : maskGaps ? Number.NaN : z[i];
    }
  }
  return out;
}

function conservationError(product: Float32Array, fine: Grid, coarse: Grid, coarseValues: Float32Array): { cells: number; maxAbsError: number | null } {
  const agg = aggregateToGrid(product, fine, coarse, { minValidFraction: 0 });
  let n = 0;
  let max = 0;
  for (let k = 0; k < agg.length; k++) {
    const e = Math.abs(agg[k] - coarseValues[k]);
    if (e === e) ((n += 1), (max = Math.max(max, e)));
  }
  return { cells: n, maxAbsError: n ? max : null };
}
