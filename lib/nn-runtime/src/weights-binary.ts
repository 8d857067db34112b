import { inputError } from '../../../core/index.js';
import type { Tf } from './tf-backend.js';

type LayersModel = import('@tensorflow/tfjs').LayersModel;

/** What a saved model's `data` records about the weights stored in its `binary`. */
export interface WeightsManifest {
  /** Shapes in model order; weight `i` is `binary['w<i>']`. */
  readonly shapes: readonly (readonly number[])[];
}

/**
 * A tfjs model's weights as named `Float32Array`s for `SavedModel.binary` (`w0`, `w1`, … in model
 * order; float32 as trained, so a reloaded model predicts the same bytes).
 *
 * @example
 * ```ts
 * const { binary, manifest } = weightsToBinary(model);
 * return { ...envelope, data: { architecture, weights: manifest }, binary };
 * ```
 */
export function weightsToBinary(model: LayersModel, prefix = 'w'): { binary: Record<string, Float32Array>; manifest: WeightsManifest } {
  const binary: Record<string, Float32Array> = {};
  const shapes: number[][] = [];
  model.getWeights().forEach((t, i) => {
    binary[`${prefix}${i}`] = Float32Array.from(t.dataSync() as Float32Array);
    shapes.push([...t.shape]);
  });
  return { binary, manifest: { shapes } };
}

/**
 * Loads weights written by `weightsToBinary` into a model of the same architecture. A `SoilscaleError`
 * names the saved model and the weight when a shape or array is missing or differs.
 */
export function weightsFromBinary(
  tf: Tf,
  model: LayersModel,
  binary: Readonly<Record<string, ArrayLike<number> & { length: number }>> | undefined,
  manifest: WeightsManifest,
  where: string,
  prefix = 'w',
): void {
  const expected = model.weights.map((w) => w.shape as number[]);
  if (!manifest || !Array.isArray(manifest.shapes) || manifest.shapes.length !== expected.length) {
    throw inputError('saved model does not match the network architecture', { file: where, path: 'data.weights.shapes', expected: `${expected.length} weight arrays`, found: String(manifest?.shapes?.length ?? 'none') });
  }
  const tensors = expected.map((shape, i) => {
    const saved = manifest.shapes[i];
    const values = binary?.[`${prefix}${i}`];
    const size = shape.reduce((a, b) => a * b, 1);
    if (saved.join('x') !== shape.join('x') || !values || values.length !== size || !(values instanceof Float32Array)) {
      throw inputError('saved weight does not match the network architecture', {
        file: where,
        path: `binary.${prefix}${i}`,
        expected: `Float32Array of shape [${shape.join(', ')}]`,
        found: values ? `${values.constructor.name}(${values.length}) of shape [${saved.join(', ')}]` : 'missing',
      });
    }
    return tf.tensor(values, shape);
  });
  model.setWeights(tensors);
  for (const t of tensors) t.dispose();
}
