import { sameConv, type Tf } from '../../../lib/nn-runtime/index.js';

export interface ResnetArchitecture {
  readonly features: number;
  readonly filters: number;
  readonly blocks: number;
  readonly kernelSize: number;
}

/**
 * A fully convolutional residual network: stem conv (ReLU) → `blocks` × [conv ReLU → conv → + skip →
 * ReLU] → 1×1 conv to one channel. Any input size: trained on coarse patches, applied to fine tiles.
 */
export function buildResnet(tf: Tf, a: ResnetArchitecture): import('@tensorflow/tfjs').LayersModel {
  const input = tf.input({ shape: [null, null, a.features] as unknown as number[] });
  const conv = (filters: number, k: number, relu: boolean) => sameConv(tf, { rank: 2, filters, kernelSize: k, activation: relu ? 'relu' : 'linear' });
  let x = conv(a.filters, a.kernelSize, true).apply(input) as import('@tensorflow/tfjs').SymbolicTensor;
  for (let b = 0; b < a.blocks; b++) {
    const h = conv(a.filters, a.kernelSize, true).apply(x) as import('@tensorflow/tfjs').SymbolicTensor;
    const r = conv(a.filters, a.kernelSize, false).apply(h) as import('@tensorflow/tfjs').SymbolicTensor;
    x = tf.layers.activation({ activation: 'relu' }).apply(tf.layers.add().apply([x, r])) as import('@tensorflow/tfjs').SymbolicTensor;
  }
  const out = conv(1, 1, false).apply(x) as import('@tensorflow/tfjs').SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Pixels on each side whose value reaches an output pixel (the receptive-field radius). */
export function receptiveRadius(a: ResnetArchitecture): number {
  return (1 + 2 * a.blocks) * ((a.kernelSize - 1) >> 1);
}
