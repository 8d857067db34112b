import { sameConv, type Tf } from '../../../lib/nn-runtime/index.js';

/** The architecture of the sequence network: what is saved to rebuild it. */
export interface CnnGruArchitecture {
  readonly steps: number;
  readonly features: number;
  readonly convLayers: number;
  readonly convFilters: number;
  readonly kernelSize: number;
  readonly gruUnits: number;
  readonly denseUnits: number;
}

/**
 * `[steps, features]` → 1D convolutions (ReLU, same padding: local temporal patterns such as a
 * rain pulse followed by drying) → GRU (the memory of antecedent conditions) → dense ReLU → linear output.
 */
export function buildCnnGru(tf: Tf, a: CnnGruArchitecture): import('@tensorflow/tfjs').LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({ inputShape: [a.steps, a.features] }));
  // Odd kernels keep 'same' padding centred.
  const k = Math.max(1, Math.min(a.kernelSize, a.steps) | 1);
  for (let i = 0; i < a.convLayers; i++) model.add(sameConv(tf, { rank: 1, filters: a.convFilters, kernelSize: k, activation: 'relu' }));
  model.add(tf.layers.gru({ units: a.gruUnits, returnSequences: false }));
  if (a.denseUnits > 0) model.add(tf.layers.dense({ units: a.denseUnits, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 1 }));
  return model;
}
