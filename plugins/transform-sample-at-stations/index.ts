import { definePlugin, type ParamsOf } from '../../core/index.js';

const schema = {
  type: 'object',
  properties: {
    target: { type: 'string', minLength: 1, default: 'sm', description: 'Name of the column of in-situ values.' },
    rows: {
      enum: ['observed', 'all'],
      default: 'observed',
      description: 'observed: a row per station and date with an in-situ value; all: a row per station and predictor date, the target null where not observed.',
    },
  },
  additionalProperties: false,
} as const;

export type SampleAtStationsParams = ParamsOf<typeof schema>;

/**
 * `transform:sample-at-stations` — the predictors at the stations' pixels, per date, as a table
 * (`station, lon, lat, date, <target>, <predictor>…`): from a scene to the station table
 * `model:table` fits on. Dates are those of the temporal predictors (all observation dates when every
 * predictor is static); a predictor without a value on a date is null there, never borrowed from
 * another date.
 *
 * @example
 * ```json
 * { "uses": "transform:sample-at-stations",
 *   "with": { "stations": { "$node": "scene", "output": "stations" },
 *             "predictors": { "ndvi": { "$node": "scene", "output": "ndvi_1km" }, "sm_coarse": { "$node": "scene", "output": "sm_coarse" } } } }
 * ```
 */
export const sampleAtStationsTransform = definePlugin({
  id: 'transform:sample-at-stations',
  version: '1.0.0',
  title: 'Sample predictors at stations',
  description: 'Samples raster predictors (each on its own grid) at the pixel holding each in-situ station, per date, into a station table with the observed value.',
  params: schema,
  inputs: {
    predictors: { type: 'series{}', required: true, description: 'predictors keyed by the column name they get' },
    stations: { type: 'stations', required: true, description: 'in-situ stations (their observations are the target)' },
  },
  outputs: { table: { type: 'records', description: 'one row per station and date: station, lon, lat, date, target, predictors' } },
  create: (params) => ({
    async apply(inputs) {
      const { sampleAtStations } = await import('./src/sample-at-stations.js');
      return sampleAtStations(inputs, params);
    },
  }),
});
