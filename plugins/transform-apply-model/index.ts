import { definePlugin, type ParamsOf } from '../../core/index.js';

const schema = {
  type: 'object',
  properties: {
    path: { type: 'string', minLength: 1, description: 'The saved model: a <name>.model.json a run wrote (model:table\'s `model`, or models/ of `soilscale run --save-models`), relative to the working directory.' },
    dateColumn: { type: 'string', minLength: 1, default: 'date', description: 'table input: the column of dates, for models with date features.' },
    tilePixels: { type: 'integer', minimum: 1024, default: 262144, description: 'Pixels predicted at once.' },
  },
  required: ['path'],
  additionalProperties: false,
} as const;

export type ApplyModelParams = ParamsOf<typeof schema>;

/**
 * `transform:apply-model` — applies a saved regressor model to new data without refitting: to
 * predictor rasters (one prediction per pixel of the finest predictor grid and date — a coarser predictor
 * gives each pixel its containing cell's value, a pixel with a missing predictor is NaN) or to
 * a table (its rows plus `predicted`). The model is a regressor's own (`model:table`'s `model`
 * output) or `downscaler:regression`'s (its regression f(X) only: no residual correction, which needs
 * the coarse product). Features are matched by name to the predictor keys or table columns; date
 * features (doy_sin, …) are computed from the dates. The model's plugin checks that its version can read it.
 *
 * @example
 * ```json
 * { "uses": "transform:apply-model",
 *   "with": { "path": "runs/stations/model.model.json",
 *             "predictors": { "ndvi": { "$node": "scene", "output": "ndvi_1km" }, "lst": { "$node": "scene", "output": "lst_1km" } } } }
 * ```
 */
export const applyModelTransform = definePlugin({
  id: 'transform:apply-model',
  version: '1.0.0',
  title: 'Apply a saved model',
  description: 'Loads a saved regressor model (by path) and applies it to predictor rasters or to a table, without refitting; version-checked by the model\'s plugin.',
  params: schema,
  inputs: {
    predictors: { type: 'series{}', description: 'predictors keyed by the model\'s feature names; the product is on the finest of their grids' },
    table: { type: 'records', description: 'a table with the model\'s feature columns' },
  },
  outputs: {
    product: { type: 'series', description: 'the prediction on the predictors\' grid and dates' },
    predictions: { type: 'records', description: 'the table rows with `predicted`' },
  },
  create: (params, context) => ({
    async apply(inputs) {
      const { applySavedModel } = await import('./src/apply-model.js');
      return applySavedModel(inputs, params, context);
    },
  }),
});
