/**
 * `nn-runtime`: what soilscale's neural-network plugins share (not a plugin itself) — TensorFlow.js
 * loading with the WebAssembly backend (CPU fallback), seeded weight initialisation, a seeded
 * mini-batch training loop with masked loss, early stopping and per-epoch progress, weights in and
 * out of `SavedModel.binary`, column standardisation and validation splits.
 *
 * Import `loadTf` etc. only from inside a plugin's `create` (lazily): this file itself does not load
 * tfjs — only the functions that receive `tf` use it.
 */
export { loadTf, type Tf, type TfBackendName } from './src/tf-backend.js';
export { seedWeights } from './src/seeded-init.js';
export { weightsFromBinary, weightsToBinary, type WeightsManifest } from './src/weights-binary.js';
export { maskedMse, trainTf, type TfBatch, type TfTrainOptions, type TfTrainResult } from './src/train-loop.js';
export { epochReporter, type EpochReporter, type EpochStats } from './src/epoch-reporter.js';
export { completeRows, fitScaler, fitTargetScaler, type ColumnScaler } from './src/standardize.js';
export { validationSplit } from './src/validation-split.js';
export { sameConv, type SameConvOptions } from './src/same-conv.js';
