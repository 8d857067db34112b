import { definePlugin } from '../../core/index.js';

/** Parameters of `regressor:cnn-gru`. */
export interface CnnGruParams {
  /** Days of predictors per row (L): the regression downscaler builds rows of this many steps. */
  readonly steps: number;
  readonly convLayers: number;
  readonly convFilters: number;
  readonly kernelSize: number;
  readonly gruUnits: number;
  readonly denseUnits: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly validationFraction: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly seed: number | null;
}

const ID = 'regressor:cnn-gru';
const VERSION = '1.0.0';

/**
 * `regressor:cnn-gru` — a sequence regressor on TensorFlow.js: each row holds the last `steps` days
 * of predictors (a `Table` with `layout`), passed through 1D convolutions, a GRU and a dense layer.
 * Declares `capabilities.sequenceSteps = steps`, so `downscaler:regression` supplies the sequences.
 *
 * @example
 * ```json
 * { "uses": "downscaler:regression",
 *   "with": { "coarse": { "$node": "scene", "output": "sm_coarse" }, "predictors": { "ndvi": { "$node": "scene", "output": "ndvi_1km" }, "precip": { "$node": "scene", "output": "precip_1km" } },
 *             "regressor": { "uses": "regressor:cnn-gru", "with": { "steps": 7, "epochs": 40 } } } }
 * ```
 */
export const cnnGruPlugin = definePlugin({
  id: ID,
  version: VERSION,
  title: 'CNN-GRU sequence network',
  description:
    'Sequence regression on the last L days of predictors per pixel: 1D convolutions (ReLU) → GRU → dense → linear output, on TensorFlow.js (WebAssembly backend). ' +
    'Features and target standardised, Adam with early stopping on a seeded validation split, seeded initial weights and batch order.',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      steps: { type: 'integer', minimum: 1, maximum: 366, default: 7, description: 'Sequence length L in time steps (days) per row.' },
      convLayers: { type: 'integer', minimum: 0, maximum: 4, default: 1, description: '1D convolution layers before the GRU.' },
      convFilters: { type: 'integer', minimum: 1, default: 16, description: 'Filters per convolution layer.' },
      kernelSize: { type: 'integer', minimum: 1, default: 3, description: 'Convolution kernel length in steps.' },
      gruUnits: { type: 'integer', minimum: 1, default: 16, description: 'GRU units.' },
      denseUnits: { type: 'integer', minimum: 0, default: 16, description: 'Dense ReLU layer after the GRU (0: none).' },
      epochs: { type: 'integer', minimum: 1, default: 40, description: 'Maximum epochs.' },
      batchSize: { type: 'integer', minimum: 1, default: 64 },
      learningRate: { type: 'number', exclusiveMinimum: 0, default: 0.003, description: 'Adam step size.' },
      l2: { type: 'number', minimum: 0, default: 0, description: 'L2 penalty on kernels.' },
      validationFraction: { type: 'number', minimum: 0, maximum: 0.9, default: 0.1, description: 'Rows held out (seeded) for early stopping.' },
      patience: { type: 'integer', minimum: 1, default: 6, description: 'Epochs without improvement before stopping.' },
      minDelta: { type: 'number', minimum: 0, default: 0.001, description: 'Relative improvement that counts.' },
      seed: { type: ['integer', 'null'], default: null, description: 'Random seed; null takes the run seed.' },
    },
  },
  async create(params: CnnGruParams, context) {
    const { createCnnGru } = await import('./src/cnn-gru-regressor.js');
    return createCnnGru(params, context, { id: ID, version: VERSION });
  },
});
