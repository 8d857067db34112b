import { definePlugin, stationFilterParams, type StationFilter } from '../../core/index.js';

/** Parameters of `validator:insitu` (and the station filter: `flags`, `depthMax`). */
export interface InsituParams extends StationFilter {
  /** Fewest matched pairs for a station to enter the network summary (metrics.md §1.5). */
  readonly minObservations: number;
  /** Temporal matching window: an in-situ record at most this many days from the product date (0 = same date). */
  readonly maxDaysApart: number;
  /** Stations with p ≥ this are excluded from the summary (metrics.md §1.6). */
  readonly pThreshold: number;
  /** Also exclude stations with R ≤ 0. */
  readonly requirePositiveR: boolean;
}

/**
 * `validator:insitu` — a gridded product against in-situ stations (ISMN practice, metrics.md): the
 * pixel containing each station, pairing by date, per-station metrics, and the network median/IQR
 * over stations with enough pairs and a significant R. With a `coarse` input, also the downscaling
 * gain GDOWN per station.
 *
 * @example
 * ```ts
 * const v = await insituValidator.create({ minObservations: 20 }, context);
 * const { tables } = await v.validate({ product, stations });
 * tables.stations.rows; // id, n, r, pValue, ubrmse, …, included, reason
 * tables.summary.rows;  // metric, median, iqr, stations
 * ```
 */
export const insituValidator = definePlugin({
  id: 'validator:insitu',
  version: '1.1.0',
  title: 'Validation against in-situ stations',
  description:
    'Per-station metrics of a product against in-situ soil moisture (pixel containing the station, nearest record within maxDaysApart, good-flag and depth filters) and the network median and IQR over stations with at least minObservations pairs and p < pThreshold; GDOWN against the coarse input when given. bias = mean(product − in situ).',
  params: {
    type: 'object',
    properties: {
      minObservations: { type: 'integer', minimum: 3, default: 50, description: 'Fewest matched pairs for a station to count in the summary.' },
      maxDaysApart: { type: 'integer', minimum: 0, default: 0, description: 'Temporal matching tolerance in days (0 = same date).' },
      pThreshold: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.05, description: 'Stations with R p-value ≥ this are excluded from the summary.' },
      requirePositiveR: { type: 'boolean', default: false, description: 'Also exclude stations with R ≤ 0.' },
      ...stationFilterParams,
    },
    additionalProperties: false,
  },
  inputs: {
    product: { type: 'series', required: true, description: 'the gridded product to validate' },
    stations: { type: 'stations', required: true, description: 'in-situ stations with their observations' },
    coarse: { type: 'series', required: false, description: 'the non-downscaled coarse product, for GDOWN' },
    lower: { type: 'series', required: false, description: 'lower bound of the product’s prediction interval (with upper: coverage and width per station)' },
    upper: { type: 'series', required: false, description: 'upper bound of the product’s prediction interval' },
  },
  outputs: {
    stations: { type: 'records', description: 'per station: location, pixel, pairs, metrics, included, reason' },
    summary: { type: 'records', description: 'per metric: network median, quartiles and IQR over included stations, with counts' },
    intervals: { type: 'records', description: 'coverage of the in-situ observations by the interval [lower, upper] and its mean width, pooled over included stations (when lower/upper are given)' },
  },
  async create(params: InsituParams, context) {
    const { createInsituValidator } = await import('./src/insitu-validator.js');
    return createInsituValidator(params, context);
  },
});
