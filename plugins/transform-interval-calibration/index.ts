import { definePlugin, stationFilterParams, type StationFilter } from '../../core/index.js';
import type { AreaSelection } from './src/calibration-area.js';

/** Parameters of `transform:interval-calibration` (with stations, the station filter: `flags`, `depthMax`). */
export interface IntervalCalibrationParams extends StationFilter {
  /** Nominal coverage of the calibrated interval. */
  readonly level: number;
  /** Fewest stations with scores: the calibration is refused below. */
  readonly minStations: number;
  /** With a `reference`: which coarse cells calibrate (the rest of the reference is held out). */
  readonly area: AreaSelection;
  /** With a `reference` and area `random-cells` or `block`: share of the coarse cells in the area. */
  readonly areaFraction: number;
  /** Seed of the area choice; the run's seed when absent. */
  readonly seed?: number;
  /** With a `reference`: the exchangeable unit the scores are grouped by. */
  readonly unit: 'cell-date' | 'cell';
  /** With a `reference`: fewest units with scores; the calibration is refused below. */
  readonly minBlocks: number;
}

/**
 * `transform:interval-calibration` — rescales a product's prediction interval `[lower, upper]` to
 * `product ± κ · half-width` so that it covers a reference at the nominal level, κ being the split-conformal
 * quantile of the normalised scores `|reference − product| / half-width`. Two references:
 * - `stations`: scores at the station pixels, pooled with each station weighing 1; tables `calibration`
 *   and `loso` (each station's coverage by the interval calibrated on the other stations);
 * - `reference` (with `coarse`): a fine-scale map on the product's grid over part of the domain (an airborne
 *   or field campaign; NaN elsewhere), scores grouped by coarse cell × date (or cell), over the calibration
 *   `area` (the reference's coverage, or a seeded share of its cells, scattered or in one block); table
 *   `calibration` with the held-out coverage on the reference outside the area, output `area` (1 = calibrating pixel).
 * Guarantees and assumptions: docs/ensembles.md, "`transform:interval-calibration`".
 *
 * @example
 * ```json
 * "calibrated": { "uses": "transform:interval-calibration",
 *   "with": { "product": { "$node": "downscale" }, "lower": { "$node": "downscale", "output": "lower" }, "upper": { "$node": "downscale", "output": "upper" },
 *             "stations": { "$node": "scene", "output": "stations" }, "level": 0.9 } }
 * ```
 *
 * @example
 * ```json
 * "campaign": { "uses": "transform:interval-calibration",
 *   "with": { "product": { "$node": "downscale" }, "lower": { "$node": "downscale", "output": "lower" }, "upper": { "$node": "downscale", "output": "upper" },
 *             "reference": { "$node": "scene", "output": "sm_campaign_1km" }, "coarse": { "$node": "scene", "output": "sm_coarse" }, "level": 0.9 } }
 * ```
 */
export const intervalCalibrationTransform = definePlugin({
  id: 'transform:interval-calibration',
  version: '1.1.0',
  title: 'Prediction intervals calibrated on in-situ stations or a fine-scale reference',
  description:
    'Rescales a prediction interval to cover a reference at the nominal level: split-conformal quantile of |reference − product| / half-width, either at the station pixels (same date; each station weighing 1; leave-one-station-out coverage) or at the pixels of a fine-scale campaign map over a calibration area (each coarse cell × date weighing 1; coverage of the map outside the area).',
  inputs: {
    product: { type: 'series', required: true, description: 'the product the interval is centred on' },
    lower: { type: 'series', required: true, description: 'lower bound of the product’s interval (its shape: wider where it is wider)' },
    upper: { type: 'series', required: true, description: 'upper bound of the product’s interval' },
    stations: { type: 'stations', required: false, description: 'in-situ stations (the calibration set), unless a reference is given' },
    reference: { type: 'series', required: false, description: 'fine-scale reference on the product’s grid (a campaign map; NaN outside its area and dates): the calibration set instead of stations' },
    coarse: { type: 'series', required: false, description: 'the coarse input (with a reference: its cells are the exchangeable blocks and the area units)' },
  },
  outputs: {
    lower: { type: 'series', description: 'calibrated lower bound (product − κ · half-width)' },
    upper: { type: 'series', description: 'calibrated upper bound (product + κ · half-width)' },
    area: { type: 'series', description: 'with a reference: the calibration area (static; 1 = pixel of a calibrating coarse cell, 0 = held out or outside the reference)' },
  },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      level: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.9, description: 'Nominal coverage 1 − α.' },
      minStations: { type: 'integer', minimum: 2, default: 5, description: 'Fewest stations with matched observations.' },
      ...stationFilterParams,
      area: {
        type: 'string',
        enum: ['coverage', 'random-cells', 'block'],
        default: 'coverage',
        description: 'With a reference: coverage = every coarse cell the reference covers; random-cells = areaFraction of those cells drawn by seed; block = one contiguous rectangle of about areaFraction of the coarse cells placed by seed. Reference pixels outside the area are held out (coverage in the calibration table).',
      },
      areaFraction: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.25, description: 'With area random-cells or block: share of the coarse cells.' },
      seed: { type: 'integer', description: 'Seed of the area choice (default: the run seed).' },
      unit: { type: 'string', enum: ['cell-date', 'cell'], default: 'cell-date', description: 'With a reference: the exchangeable unit each weighing 1 in the quantile — one coarse cell on one date, or one coarse cell over all dates (exact when cells are exchangeable; needs level/(1 − level) cells).' },
      minBlocks: { type: 'integer', minimum: 1, default: 20, description: 'With a reference: fewest units (see unit) with scores.' },
    },
  },
  async create(params: IntervalCalibrationParams, context) {
    const { createIntervalCalibration } = await import('./src/interval-calibration.js');
    return createIntervalCalibration(params, context);
  },
});
