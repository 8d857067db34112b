import type { Tf } from './tf-backend.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type LayerVariable = import('@tensorflow/tfjs').LayerVariable;
type Shape = (number | null)[];

export interface SameConvOptions {
  /** 1 for sequences `[batch, steps, channels]`, 2 for images `[batch, rows, cols, channels]`. */
  readonly rank: 1 | 2;
  readonly filters: number;
  /** Odd kernel size (the same along each axis). */
  readonly kernelSize: number;
  readonly activation?: 'relu' | 'linear';
  readonly name?: string;
}

/**
 * A 'same'-padded, stride-1 convolution layer built from pad, slice, concat and matMul (im2col).
 * Why: the tfjs WebAssembly backend has no `Conv2DBackpropFilter` kernel, so the stock `conv1d` /
 * `conv2d` layers cannot be trained on it; these ops all have WebAssembly kernels and gradients.
 * Weights are Keras-shaped (`[k, C, F]` or `[k, k, C, F]` kernel, `[F]` bias).
 *
 * @example
 * ```ts
 * const conv = sameConv(tf, { rank: 2, filters: 16, kernelSize: 3, activation: 'relu' });
 * const y = conv.apply(x) as tf.SymbolicTensor; // in a functional model
 * ```
 */
export function sameConv(tf: Tf, options: SameConvOptions): import('@tensorflow/tfjs').layers.Layer {
  class SameConv extends tf.layers.Layer {
    static className = 'SoilscaleSameConv';
    private kernel!: LayerVariable;
    private bias!: LayerVariable;
    constructor() {
      super(options.name ? { name: options.name } : {});
    }
    override build(inputShape: Shape | Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      const channels = shape[shape.length - 1] as number;
      const k = options.kernelSize;
      const kernelShape = options.rank === 1 ? [k, channels, options.filters] : [k, k, channels, options.filters];
      this.kernel = this.addWeight('kernel', kernelShape, 'float32', tf.initializers.zeros());
      this.bias = this.addWeight('bias', [options.filters], 'float32', tf.initializers.zeros());
      this.built = true;
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      return [...shape.slice(0, -1), options.filters];
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        const k = options.kernelSize;
        const p = (k - 1) >> 1;
        const kernel = this.kernel.read();
        const channels = x.shape[x.shape.length - 1];
        let y: Tensor;
        if (options.rank === 1) {
          const [b, steps] = x.shape as [number, number, number];
          const padded = tf.pad(x, [[0, 0], [p, k - 1 - p], [0, 0]]);
          const cols = Array.from({ length: k }, (_, d) => tf.slice(padded, [0, d, 0], [b, steps, channels]));
          const patches = k === 1 ? cols[0] : tf.concat(cols, 2);
          y = tf.reshape(tf.matMul(tf.reshape(patches, [b * steps, k * channels]), tf.reshape(kernel, [k * channels, options.filters])), [b, steps, options.filters]);
        } else {
          const [b, h, w] = x.shape as [number, number, number, number];
          const padded = tf.pad(x, [[0, 0], [p, k - 1 - p], [p, k - 1 - p], [0, 0]]);
          const cols: Tensor[] = [];
          for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) cols.push(tf.slice(padded, [0, dy, dx, 0], [b, h, w, channels]));
          const patches = k === 1 ? cols[0] : tf.concat(cols, 3);
          y = tf.reshape(tf.matMul(tf.reshape(patches, [b * h * w, k * k * channels]), tf.reshape(kernel, [k * k * channels, options.filters])), [b, h, w, options.filters]);
        }
        y = tf.add(y, this.bias.read());
        return options.activation === 'relu' ? tf.relu(y) : y;
      });
    }
  }
  return new SameConv();
}
