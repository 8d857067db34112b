import { definePlugin } from '../../core/index.js';

/** Parameters of `transform:interval-calibration`. */
export interface IntervalCalibrationParams {
  /** Nominal coverage of the calibrated interval. */
  readonly level: number;
  /** Fewest stations with scores: the calibration is refused below. */
  readonly minStations: number;
  /** Accepted quality flags (observations without a flag are always accepted), as in `validator:insitu`. */
  readonly flags: readonly string[];
  /** Deepest sensor (top depth, m) counted as surface soil moisture. */
  readonly depthMax: number;
}

/**
 * `transform:interval-calibration` — rescales a product's prediction interval `[lower, upper]` so that it
 * covers in-situ observations at the nominal level: normalised conformal scores `|station − product| /
 * half-width` at the station pixels, their quantile pooled over stations (each station weighs 1), and
 * `product ± κ · half-width` everywhere. Node tables: `calibration` (level, stations, samples, κ) and
 * `loso` (each station's coverage by the interval calibrated on the other stations). The guarantee and its
 * assumptions: docs/ensembles.md, "`transform:interval-calibration` — calibrating on stations".
 *
 * @example
 * ```json
 * "calibrated": { "uses": "transform:interval-calibration",
 *   "with": { "product": { "$node": "downscale" }, "lower": { "$node": "downscale", "output": "lower" }, "upper": { "$node": "downscale", "output": "upper" },
 *             "stations": { "$node": "scene", "output": "stations" }, "level": 0.9 } }
 * ```
 */
export const intervalCalibrationTransform = definePlugin({
  id: 'transform:interval-calibration',
  version: '1.0.0',
  title: 'Prediction intervals calibrated on in-situ stations',
  description:
    'Rescales a prediction interval to cover in-situ observations at the nominal level: quantile of |station − product| / half-width at the station pixels (same date), pooled over stations with equal weight per station; leave-one-station-out coverage per station.',
  inputs: {
    product: { type: 'series', required: true, description: 'the product the interval is centred on' },
    lower: { type: 'series', required: true, description: 'lower bound of the product’s interval (its shape: wider where it is wider)' },
    upper: { type: 'series', required: true, description: 'upper bound of the product’s interval' },
    stations: { type: 'stations', required: true, description: 'in-situ stations (the calibration set)' },
  },
  outputs: {
    lower: { type: 'series', description: 'calibrated lower bound (product − κ · half-width)' },
    upper: { type: 'series', description: 'calibrated upper bound (product + κ · half-width)' },
  },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      level: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.9, description: 'Nominal coverage 1 − α.' },
      minStations: { type: 'integer', minimum: 2, default: 5, description: 'Fewest stations with matched observations.' },
      flags: { type: 'array', items: { type: 'string' }, default: ['G'], description: 'Accepted quality flags (unflagged observations are always accepted).' },
      depthMax: { type: 'number', minimum: 0, default: 0.05, description: 'Deepest sensor top depth (m) used; deeper stations are left out.' },
    },
  },
  async create(params: IntervalCalibrationParams, context) {
    const { createIntervalCalibration } = await import('./src/interval-calibration.js');
    return createIntervalCalibration(params, context);
  },
});
