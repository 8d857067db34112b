import { definePlugin } from '../../core/index.js';

/** Parameters of `regressor:bpnn` (see `docs/neural-downscalers.md`). */
export interface BpnnParams {
  /** Hidden layer widths, input side first (e.g. 20-30-30-33). */
  readonly hidden: readonly number[];
  readonly activation: 'relu' | 'tanh' | 'logistic';
  /** `adam`: mini-batch Adam; `lm`: Levenberg–Marquardt (MATLAB trainlm) for small nets. */
  readonly solver: 'adam' | 'lm';
  readonly learningRate: number;
  readonly batchSize: number;
  readonly maxEpochs: number;
  /** L2 penalty α on weights (scikit-learn's `alpha`: loss + α/2·‖W‖²/n). */
  readonly l2: number;
  /** Fraction of the rows held out for early stopping (0: stop on the training loss). */
  readonly validationFraction: number;
  /** Epochs without a relative improvement of `tol` before stopping. */
  readonly patience: number;
  readonly tol: number;
  readonly standardizeTarget: boolean;
  readonly lm: { readonly mu: number; readonly muIncrease: number; readonly muDecrease: number; readonly muMax: number; readonly maxWeights: number };
  readonly seed: number | null;
}

const ID = 'regressor:bpnn';
const VERSION = '1.1.0';

/**
 * `regressor:bpnn` — a back-propagation neural network (multilayer perceptron): configurable hidden
 * layers and activation, standardised inputs and target, Adam mini-batches or Levenberg–Marquardt,
 * L2 penalty, early stopping on a seeded validation split. With a pool of two or more threads each
 * mini-batch gradient may be split over two threads (chosen by measured speed) and prediction runs on
 * all pool threads; the bytes never depend on the thread count.
 *
 * @example
 * ```ts
 * const bpnn = await bpnnPlugin.create({ hidden: [20, 30, 30, 33], seed: 7 }, context);
 * const model = await bpnn.fit(train);
 * const { mean } = await model.predict(test);
 * const again = await bpnn.load(model.save()); // the same bytes
 * ```
 */
export const bpnnPlugin = definePlugin({
  id: ID,
  version: VERSION,
  title: 'Back-propagation neural network (MLP)',
  description:
    'Multilayer perceptron regression: hidden layers of the given widths with tanh/ReLU/logistic activation and a linear output, inputs and target standardised, ' +
    'trained by Adam mini-batches (scikit-learn MLPRegressor defaults) or Levenberg–Marquardt (MATLAB trainlm, for nets up to lm.maxWeights weights), ' +
    'with an L2 penalty and early stopping on a seeded validation split. Deterministic from the seed.',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      hidden: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 4096 }, minItems: 1, maxItems: 16, default: [20, 30, 30, 33], description: 'Hidden layer widths, input side first.' },
      activation: { enum: ['relu', 'tanh', 'logistic'], default: 'relu', description: 'Activation of the hidden layers (the output is linear).' },
      solver: { enum: ['adam', 'lm'], default: 'adam', description: 'adam: mini-batch Adam; lm: Levenberg–Marquardt (full batch, small nets).' },
      learningRate: { type: 'number', exclusiveMinimum: 0, default: 0.001, description: 'Adam step size.' },
      batchSize: { type: 'integer', minimum: 1, default: 200, description: 'Adam mini-batch rows.' },
      maxEpochs: { type: 'integer', minimum: 1, default: 200, description: 'Maximum epochs (LM: iterations).' },
      l2: { type: 'number', minimum: 0, default: 0.0001, description: 'L2 penalty α on weights (scikit-learn alpha).' },
      validationFraction: { type: 'number', minimum: 0, maximum: 0.9, default: 0.1, description: 'Rows held out (seeded) for early stopping; 0 stops on the training loss.' },
      patience: { type: 'integer', minimum: 1, default: 10, description: 'Epochs without improvement before stopping (MATLAB max_fail, scikit-learn n_iter_no_change).' },
      tol: { type: 'number', minimum: 0, default: 0.0001, description: 'Relative loss improvement that counts as progress.' },
      standardizeTarget: { type: 'boolean', default: true, description: 'Standardise the target (predictions are un-scaled).' },
      lm: {
        type: 'object',
        additionalProperties: false,
        description: 'Levenberg–Marquardt damping (MATLAB trainlm defaults).',
        properties: {
          mu: { type: 'number', exclusiveMinimum: 0, default: 0.001 },
          muIncrease: { type: 'number', exclusiveMinimum: 1, default: 10 },
          muDecrease: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.1 },
          muMax: { type: 'number', exclusiveMinimum: 0, default: 1e10 },
          maxWeights: { type: 'integer', minimum: 1, default: 1000, description: 'Largest network (weights + biases) LM accepts: its cost grows as rows·P².' },
        },
        default: {},
      },
      seed: { type: ['integer', 'null'], default: null, description: 'Random seed (initial weights, validation split, batch order); null takes the run seed.' },
    },
  },
  async create(params: BpnnParams, context) {
    const { createBpnn } = await import('./src/bpnn-regressor.js');
    return createBpnn(params, context, { id: ID, version: VERSION });
  },
});
