import { definePlugin } from '../../core/index.js';

/** Parameters of `regressor:linear`. */
export interface LinearParams {
  /** L2 penalty on the standardised coefficients (0 = ordinary least squares). */
  readonly ridge: number;
  readonly fitIntercept: boolean;
  /** Centre and scale features before fitting, so `ridge` treats every feature alike. */
  readonly standardize: boolean;
}

/**
 * `regressor:linear` — multiple linear regression by least squares, with optional ridge penalty.
 * The baseline most downscaling papers report (MLR), and a fast regressor for tests.
 *
 * @example
 * ```ts
 * const linear = await linearRegressor.create({}, createPluginContext());
 * const model = await linear.fit(train);           // rows with any NaN are skipped
 * const { mean } = await model.predict(test);      // NaN where a feature is NaN
 * ```
 */
export const linearRegressor = definePlugin({
  id: 'regressor:linear',
  version: '1.0.0',
  title: 'Linear regression (OLS / ridge)',
  description:
    'Multiple linear regression fitted by least squares on the complete rows of the table; optional ridge (L2) penalty on standardised coefficients. Deterministic, no seed.',
  params: {
    type: 'object',
    properties: {
      ridge: { type: 'number', minimum: 0, default: 0, description: 'L2 penalty λ on standardised coefficients (0 = OLS).' },
      fitIntercept: { type: 'boolean', default: true, description: 'Fit an intercept term.' },
      standardize: { type: 'boolean', default: true, description: 'Centre and scale features before fitting (coefficients are reported on the original scale).' },
    },
    additionalProperties: false,
  },
  async create(params: LinearParams) {
    const { createLinearRegressor } = await import('./src/linear-regressor.js');
    return createLinearRegressor(params);
  },
});
