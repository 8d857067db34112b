import { definePlugin } from '../../core/index.js';

export interface RandomForestParams {
  trees: number;
  maxFeatures: number | 'sqrt' | 'log2' | 'third' | 'all';
  minLeaf: number;
  maxDepth: number | null;
  bootstrap: boolean;
  maxSamples: number;
  maxBins: number;
  permutationImportance: boolean;
  seed: number | null;
}

/**
 * `regressor:rf` — random-forest regression on the soilscale tree engine: histogram splits on
 * pre-binned features, features sampled per split, trees grown on worker threads; out-of-bag R²,
 * impurity and permutation (%IncMSE) importance, and the spread across trees as uncertainty.
 *
 * @example
 * ```ts
 * const rf = await rfPlugin.create({ trees: 50, minLeaf: 5 }, context);
 * const model = await rf.fit(train);
 * const { mean, spread } = await model.predict(test);
 * ```
 */
const ID = 'regressor:rf';
const VERSION = '1.0.0';

export const rfPlugin = definePlugin({
  id: ID,
  version: VERSION,
  title: 'Random forest',
  description:
    'Random-forest regression (Breiman): bootstrap samples, a random subset of features searched at every split, trees grown to leaves of minLeaf rows. ' +
    'Splits are searched on up to maxBins quantile bins per feature. Predicts the mean over trees and their standard deviation as spread. ' +
    'Reports the out-of-bag R², impurity importance and, on request, permutation importance (%IncMSE as R randomForest).',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      trees: { type: 'integer', minimum: 1, maximum: 100000, default: 100, description: 'Number of trees.' },
      maxFeatures: {
        description: "Features searched per split: a fraction in (0, 1) of the features, a count ≥ 1 (1 = one feature), or 'sqrt', 'log2', 'third' (⌊p/3⌋, R's default for regression), 'all'.",
        anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'string', enum: ['sqrt', 'log2', 'third', 'all'] }],
        default: 'third',
      },
      minLeaf: { type: 'integer', minimum: 1, default: 5, description: 'Minimum rows in a leaf (sklearn min_samples_leaf; R nodesize).' },
      maxDepth: { type: ['integer', 'null'], minimum: 1, default: null, description: 'Maximum tree depth; null grows until leaves reach minLeaf.' },
      bootstrap: { type: 'boolean', default: true, description: 'Draw each tree\'s rows with replacement (else without, maxSamples of them).' },
      maxSamples: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'Rows drawn per tree: a fraction (≤ 1) of the training rows or a count (> 1).' },
      maxBins: { type: 'integer', minimum: 2, maximum: 4095, default: 255, description: 'Quantile bins per feature for split search.' },
      permutationImportance: { type: 'boolean', default: false, description: 'Also compute permutation importance on out-of-bag rows (%IncMSE; costs about one extra prediction pass per feature).' },
      seed: { type: ['integer', 'null'], default: null, description: 'Random seed; null takes the run seed.' },
    },
  },
  async create(params: RandomForestParams, context) {
    const { createRandomForest } = await import('./src/random-forest.js');
    return createRandomForest(params, context, { id: ID, version: VERSION });
  },
});
