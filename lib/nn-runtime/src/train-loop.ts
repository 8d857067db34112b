import type { Rng } from '../../../core/index.js';
import type { EpochReporter } from './epoch-reporter.js';
import type { Tf } from './tf-backend.js';

type LayersModel = import('@tensorflow/tfjs').LayersModel;
type Tensor = import('@tensorflow/tfjs').Tensor;

/** One mini-batch: inputs, targets, and an optional 0/1 mask of the targets that count in the loss. */
export interface TfBatch {
  readonly x: Tensor;
  readonly y: Tensor;
  readonly mask?: Tensor;
}

export interface TfTrainOptions {
  readonly model: LayersModel;
  /** Training sample ids (rows, patches), shuffled each epoch. */
  readonly train: Int32Array;
  /** Held-out sample ids for early stopping (may be empty). */
  readonly valid: Int32Array;
  /** Builds the tensors of the samples `ids` (the caller's layout: sequences, patches…). */
  readonly batch: (ids: Int32Array) => TfBatch;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** L2 penalty on kernels (weights whose name contains `kernel`). */
  readonly l2: number;
  /** Epochs without a validation improvement larger than `minDelta` (relative) before stopping. */
  readonly patience: number;
  readonly minDelta: number;
  readonly rng: Rng;
  readonly reporter: EpochReporter;
  readonly signal?: AbortSignal;
}

export interface TfTrainResult {
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly loss: number;
  readonly validationLoss?: number;
  readonly samples: number;
  readonly seconds: number;
}

/**
 * Mini-batch Adam on a tfjs model with a (masked) mean-squared-error loss: the loss of a batch is
 * Σ mask·(ŷ − y)² / Σ mask, so invalid pixels (mask 0, any finite placeholder in `y`) change neither
 * the loss nor the gradients. Batches come in a seeded order; with a validation set the best epoch's
 * weights are restored at the end (early stopping).
 *
 * @example
 * ```ts
 * const result = await trainTf(tf, { model, train, valid, batch: (ids) => makeTensors(ids), epochs: 50,
 *   batchSize: 64, learningRate: 1e-3, l2: 0, patience: 8, minDelta: 1e-4, rng, reporter });
 * ```
 */
export async function trainTf(tf: Tf, o: TfTrainOptions): Promise<TfTrainResult> {
  const t0 = performance.now();
  const optimizer = tf.train.adam(o.learningRate);
  const variables = o.model.trainableWeights.map((w) => w.read() as import('@tensorflow/tfjs').Variable);
  const kernels = variables.filter((v) => /kernel/.test(v.name));
  const order = o.train.slice();
  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = -1;
  let bestWeights: Tensor[] | undefined;
  let stale = 0;
  let epoch = 0;
  let lastLoss = Number.NaN;
  let lastValid: number | undefined;
  let samples = 0;
  for (; epoch < o.epochs; epoch++) {
    if (o.signal?.aborted) break;
    o.rng.shuffle(order);
    let sum = 0;
    let count = 0;
    for (let b = 0; b < order.length; b += o.batchSize) {
      const ids = order.subarray(b, Math.min(order.length, b + o.batchSize));
      const batch = o.batch(ids);
      const cost = optimizer.minimize(
        () => {
          const pred = o.model.apply(batch.x, { training: true }) as Tensor;
          let loss = maskedMse(tf, pred, batch.y, batch.mask);
          if (o.l2 > 0) for (const k of kernels) loss = tf.add(loss, tf.mul(o.l2, tf.sum(tf.square(k))));
          return loss as import('@tensorflow/tfjs').Scalar;
        },
        true,
        variables,
      );
      sum += cost!.dataSync()[0] * ids.length;
      count += ids.length;
      cost!.dispose();
      batch.x.dispose();
      batch.y.dispose();
      batch.mask?.dispose();
      samples += ids.length;
      // Let the event loop breathe (progress rendering, abort signals) between batches.
      if ((b / o.batchSize) % 64 === 63) await new Promise((r) => setImmediate(r));
    }
    lastLoss = sum / Math.max(1, count);
    lastValid = o.valid.length > 0 ? evaluate(tf, o) : undefined;
    o.reporter.epoch(epoch, { loss: lastLoss, validationLoss: lastValid });
    const score = lastValid ?? lastLoss;
    if (score < best * (1 - o.minDelta) || bestEpoch < 0) {
      best = score;
      bestEpoch = epoch;
      stale = 0;
      if (o.valid.length > 0) {
        bestWeights?.forEach((t) => t.dispose());
        bestWeights = o.model.getWeights().map((t) => t.clone());
      }
    } else if (++stale >= o.patience) {
      epoch++;
      break;
    }
  }
  if (bestWeights) {
    o.model.setWeights(bestWeights);
    bestWeights.forEach((t) => t.dispose());
  }
  optimizer.dispose();
  return { epochs: epoch, bestEpoch: bestEpoch + 1, loss: lastLoss, validationLoss: o.valid.length > 0 ? best : undefined, samples, seconds: (performance.now() - t0) / 1000 };
}

/** Σ mask·(p − y)² / max(1, Σ mask), or the plain mean without a mask. */
export function maskedMse(tf: Tf, pred: Tensor, y: Tensor, mask?: Tensor): Tensor {
  const sq = tf.square(tf.sub(tf.reshape(pred, y.shape), y));
  if (!mask) return tf.mean(sq);
  return tf.div(tf.sum(tf.mul(sq, mask)), tf.maximum(tf.sum(mask), 1));
}

function evaluate(tf: Tf, o: TfTrainOptions): number {
  let sum = 0;
  let weight = 0;
  for (let b = 0; b < o.valid.length; b += o.batchSize) {
    const ids = o.valid.subarray(b, Math.min(o.valid.length, b + o.batchSize));
    const batch = o.batch(ids);
    const [s, w] = tf.tidy(() => {
      const pred = o.model.apply(batch.x, { training: false }) as Tensor;
      const sq = tf.square(tf.sub(tf.reshape(pred, batch.y.shape), batch.y));
      return batch.mask ? [tf.sum(tf.mul(sq, batch.mask)), tf.sum(batch.mask)] : [tf.sum(sq), tf.scalar(batch.y.size)];
    });
    sum += s.dataSync()[0];
    weight += w.dataSync()[0];
    s.dispose();
    w.dispose();
    batch.x.dispose();
    batch.y.dispose();
    batch.mask?.dispose();
  }
  return sum / Math.max(1, weight);
}
