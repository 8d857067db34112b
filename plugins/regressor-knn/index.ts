import { definePlugin } from '../../core/index.js';

export interface KnnParams {
  k: number;
  weights: 'uniform' | 'distance' | 'gaussian';
  bandwidth: number | null;
  standardize: boolean;
  autoK: boolean;
  kCandidates: readonly number[];
  cvFolds: number;
  leafSize: number;
  seed: number | null;
}

const ID = 'regressor:knn';
const VERSION = '1.0.0';

/**
 * `regressor:knn` — k-nearest-neighbour regression with an exact kd-tree search (typed-array nodes,
 * bounded heap, queries ordered so consecutive ones share neighbours, parallel over worker threads).
 * Uniform, inverse-distance or Gaussian-kernel weights; features standardised with the mean and
 * standard deviation of the fit rows; optional choice of k by seeded k-fold cross-validation.
 *
 * @example
 * ```ts
 * const knn = await knnPlugin.create({ k: 10, weights: 'gaussian' }, context);
 * const model = await knn.fit(train);
 * const { mean, spread } = await model.predict(test); // spread: weighted sd of the neighbours' targets
 * ```
 */
export const knnPlugin = definePlugin({
  id: ID,
  version: VERSION,
  title: 'k-nearest neighbours',
  description:
    'k-nearest-neighbour regression: the prediction is the (weighted) mean target of the k training rows nearest in standardised feature space (exact search, ties broken by row order). ' +
    'Weights: uniform, inverse distance (exact matches take all the weight, as scikit-learn), or a Gaussian kernel (kernel-weighted KNN as in SOMOSPIE). ' +
    'Optionally picks k among candidates by k-fold cross-validation. The spread is the weighted standard deviation of the neighbours\' targets.',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      k: { type: 'integer', minimum: 1, default: 10, description: 'Number of neighbours (unused when autoK picks k).' },
      weights: { type: 'string', enum: ['uniform', 'distance', 'gaussian'], default: 'uniform', description: 'How neighbours are weighted: equally, by 1/distance, or by exp(-d²/2h²).' },
      bandwidth: {
        type: ['number', 'null'],
        exclusiveMinimum: 0,
        default: null,
        description: 'Gaussian bandwidth h in standardised feature units; null = per query, the distance of its k-th neighbour.',
      },
      standardize: { type: 'boolean', default: true, description: 'Scale each feature to zero mean and unit variance (fit-row statistics) before measuring distances.' },
      autoK: { type: 'boolean', default: false, description: 'Choose k among kCandidates by cross-validated mean squared error.' },
      kCandidates: {
        type: 'array',
        items: { type: 'integer', minimum: 1 },
        minItems: 1,
        default: [1, 2, 3, 5, 7, 10, 15, 20, 30, 50],
        description: 'Values of k tried when autoK is on.',
      },
      cvFolds: { type: 'integer', minimum: 2, maximum: 100, default: 5, description: 'Folds of the cross-validation for autoK.' },
      leafSize: { type: 'integer', minimum: 1, maximum: 1024, default: 16, description: 'Points per kd-tree leaf (speed only: results do not depend on it).' },
      seed: { type: ['integer', 'null'], default: null, description: 'Seed of the cross-validation folds; null takes the run seed.' },
    },
  },
  async create(params: KnnParams, context) {
    const { createKnnRegressor } = await import('./src/knn-regressor.js');
    return createKnnRegressor(params, context, { id: ID, version: VERSION });
  },
});
