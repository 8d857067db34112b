import { definePlugin } from '../../core/index.js';

export interface GbdtParams {
  rounds: number;
  learningRate: number;
  growth: 'leaf-wise' | 'depth-wise';
  numLeaves: number;
  maxDepth: number | null;
  minDataInLeaf: number;
  lambdaL2: number;
  minGainToSplit: number;
  subsample: number;
  colsampleByTree: number;
  earlyStoppingRounds: number;
  validationFraction: number;
  maxBins: number;
  seed: number | null;
}

const ID = 'regressor:gbdt';
const VERSION = '1.0.0';

/**
 * `regressor:gbdt` — gradient-boosted regression trees, LightGBM-style (L2 loss, histogram bins,
 * leaf-wise or depth-wise growth, row/feature subsampling, early stopping), on the soilscale tree engine.
 *
 * @example
 * ```ts
 * const gbdt = await gbdtPlugin.create({ rounds: 300 }, context);
 * const model = await gbdt.fit(train, { validation });
 * const { mean } = await model.predict(test);
 * ```
 */
export const gbdtPlugin = definePlugin({
  id: ID,
  version: VERSION,
  title: 'Gradient-boosted trees',
  description:
    'Gradient boosting of regression trees with L2 loss (LightGBM-style): histogram split search on up to maxBins bins per feature, ' +
    'leaf-wise (best gain first, up to numLeaves) or depth-wise growth, shrinkage by learningRate, L2 leaf penalty, row subsampling per round, ' +
    'feature subsampling per tree and early stopping on a validation split. Reports gain and split-count importance.',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      rounds: { type: 'integer', minimum: 1, maximum: 100000, default: 300, description: 'Boosting rounds (trees).' },
      learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.1, description: 'Shrinkage applied to every tree.' },
      growth: { type: 'string', enum: ['leaf-wise', 'depth-wise'], default: 'leaf-wise', description: 'Expand the leaf with the largest gain first, or level by level.' },
      numLeaves: { type: 'integer', minimum: 2, default: 31, description: 'Maximum leaves per tree.' },
      maxDepth: { type: ['integer', 'null'], minimum: 1, default: null, description: 'Maximum depth; null for none (depth-wise growth then stops at numLeaves).' },
      minDataInLeaf: { type: 'integer', minimum: 1, default: 20, description: 'Minimum rows in a leaf.' },
      lambdaL2: { type: 'number', minimum: 0, default: 0, description: 'L2 penalty on leaf values.' },
      minGainToSplit: { type: 'number', minimum: 0, default: 0, description: 'Minimum decrease of squared error for a split.' },
      subsample: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 1, description: 'Fraction of rows drawn (without replacement) each round.' },
      colsampleByTree: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 1, description: 'Fraction of features each tree may use.' },
      earlyStoppingRounds: { type: 'integer', minimum: 0, default: 0, description: 'Stop when the validation loss has not improved for this many rounds; 0 disables.' },
      validationFraction: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.1, description: 'Training rows held out (at random) for early stopping when no validation table is given.' },
      maxBins: { type: 'integer', minimum: 2, maximum: 4095, default: 255, description: 'Quantile bins per feature.' },
      seed: { type: ['integer', 'null'], default: null, description: 'Random seed; null takes the run seed.' },
    },
  },
  async create(params: GbdtParams, context) {
    const { createGbdt } = await import('./src/gbdt.js');
    return createGbdt(params, context, { id: ID, version: VERSION });
  },
});
