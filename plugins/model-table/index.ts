import { definePlugin, type ParamsOf } from '../../core/index.js';

const cell = { type: ['string', 'number', 'boolean'] } as const;

const schema = {
  type: 'object',
  properties: {
    regressor: {
      'x-plugin-kind': 'regressor',
      type: 'object',
      description: 'The regressor to fit: { uses, version?, with }.',
      properties: { uses: { type: 'string', pattern: '^regressor:' }, version: { type: 'string' }, with: { type: 'object' } },
      required: ['uses'],
      additionalProperties: false,
    },
    target: { type: 'string', minLength: 1, description: 'Column to predict (e.g. the in-situ soil moisture).' },
    features: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, description: 'Numeric (or boolean) columns the regressor sees (with the date features, at least one).' },
    groupBy: { type: 'string', minLength: 1, description: 'Column naming each row\'s group (e.g. station): metrics per group; needed by the group splits.' },
    dateColumn: { type: 'string', minLength: 1, description: 'Column of dates (YYYY-MM-DD): needed by dateFeatures and split.testDates.' },
    dateFeatures: { enum: ['none', 'doy', 'season'], default: 'none', description: 'Calendar features from dateColumn added to the features: day of year as sin/cos, or one-hot season.' },
    split: {
      type: 'object',
      description:
        'How rows are held out, one of: {"kfold": k} (rows shuffled into k folds), {"groupKfold": k} (whole groups into k folds), {"leaveGroupOut": true} (one fold per group), {"testWhere": {"column": [values]}} (test on matching rows, train on the rest), {"testDates": {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}} (test on those dates, train on the others).',
      properties: {
        kfold: { type: 'integer', minimum: 2 },
        groupKfold: { type: 'integer', minimum: 2 },
        leaveGroupOut: { const: true },
        testWhere: { type: 'object', minProperties: 1, additionalProperties: { type: 'array', items: cell, minItems: 1 } },
        testDates: {
          type: 'object',
          properties: { from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, to: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } },
          minProperties: 1,
          additionalProperties: false,
        },
      },
      minProperties: 1,
      maxProperties: 1,
      additionalProperties: false,
      default: { kfold: 5 },
    },
    importance: { type: 'boolean', default: true, description: 'Feature importance of the model fitted on every row (the regressor\'s own, else permutation %IncMSE).' },
    seed: { type: 'integer', description: 'Seed of the fold shuffles and permutations; default the run seed.' },
  },
  required: ['regressor', 'target', 'features'],
  additionalProperties: false,
} as const;

export type TableModelParams = ParamsOf<typeof schema>;

/**
 * `model:table` — fits any regressor on a table (station-days with predictors) and evaluates it on
 * held-out rows: k-fold, group k-fold, leave-group-out (e.g. leave-station-out), a `testWhere`
 * selection or a date range. Outputs `predictions` (the held-out rows with `fold` and `predicted`),
 * `metrics` (the validators' metrics, pooled, per fold and per group), `importance`, and `model`: the
 * regressor fitted on every usable row, which `transform:apply-model` applies to rasters or tables.
 *
 * @example
 * ```json
 * "samples": { "uses": "transform:sample-at-stations",
 *   "with": { "stations": { "$node": "scene", "output": "stations" }, "predictors": { "ndvi": { "$node": "scene", "output": "ndvi_1km" }, "lst": { "$node": "scene", "output": "lst_1km" } } } },
 * "fit": { "uses": "model:table",
 *   "with": { "table": { "$node": "samples", "output": "table" }, "regressor": { "uses": "regressor:rf", "with": { "trees": 100 } },
 *             "target": "sm", "features": ["ndvi", "lst"], "groupBy": "station", "split": { "leaveGroupOut": true } } }
 * ```
 */
export const tableModel = definePlugin({
  id: 'model:table',
  version: '1.0.0',
  title: 'Regressor on a table',
  description:
    'Fits a regressor on a table with a seeded held-out split (k-fold, group k-fold, leave-group-out, testWhere, test dates): held-out predictions, pooled/per-fold/per-group metrics, importance and the model fitted on every row.',
  params: schema,
  async create(params, context) {
    const { createTableModel } = await import('./src/table-model.js');
    return createTableModel(params, context);
  },
});
