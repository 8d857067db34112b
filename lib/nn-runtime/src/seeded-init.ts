import type { Rng } from '../../../core/index.js';
import type { Tf } from './tf-backend.js';

type LayersModel = import('@tensorflow/tfjs').LayersModel;

/**
 * Re-initialises every weight of a tfjs model from a soilscale `Rng`, so the same seed gives the same
 * starting network (tfjs' own initialisers draw from an unseeded generator). Kernels (dense, conv,
 * recurrent) get Glorot-uniform values (bound √(6/(fanIn+fanOut)), receptive field included), biases
 * and batch-norm shifts/means 0, batch-norm scales/variances 1. Weights are drawn in model order.
 *
 * @example
 * ```ts
 * const model = buildNetwork(tf, shape);
 * seedWeights(tf, model, createRng(seed).fork(3));
 * ```
 */
export function seedWeights(tf: Tf, model: LayersModel, rng: Rng): void {
  const values = model.weights.map((w) => {
    const shape = w.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const name = w.name;
    const data = new Float32Array(size);
    if (/(gamma|moving_variance)/.test(name)) data.fill(1);
    else if (!/(bias|beta|moving_mean)/.test(name)) {
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const fanIn = shape.length >= 2 ? shape[shape.length - 2] * receptive : size;
      const fanOut = shape.length >= 2 ? shape[shape.length - 1] * receptive : size;
      const bound = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < size; i++) data[i] = (2 * rng.next() - 1) * bound;
    }
    return tf.tensor(data, shape);
  });
  model.setWeights(values);
  for (const v of values) v.dispose();
}
