import { definePlugin } from '../../core/index.js';
import type { WcmParams } from './src/wcm-inverter.js';

export type { WcmParams } from './src/wcm-inverter.js';

const range = (lo: number, hi: number, description: string) =>
  ({
    type: 'array',
    items: { type: 'number' },
    minItems: 2,
    maxItems: 2,
    description: `${description} [lower, upper]; default [${lo}, ${hi}]`,
  }) as const;
const number = { type: 'number' } as const;

/**
 * `inverter:wcm` — the Water Cloud Model for C-band VV σ⁰ (`docs/wcm.md`): calibrated by bounded
 * Levenberg–Marquardt against a reference SM product (e.g. the 1 km regression-downscaled SM; σ⁰
 * aggregated in linear units to its grid) or in-situ stations, then inverted in closed form on the
 * σ⁰ grid on every radar date.
 *
 * @example
 * ```json
 * "wcm": { "uses": "inverter:wcm",
 *          "with": { "observations": { "sigma0_vv": { "$node": "scene", "output": "sigma0_vv_30m" }, "incidence": { "$node": "scene", "output": "incidence_30m" } },
 *                    "auxiliary": { "ndvi": { "$node": "scene", "output": "ndvi_30m" }, "landcover": { "$node": "scene", "output": "landcover_30m" } },
 *                    "reference": { "$node": "downscale", "output": "product" }, "perClass": true } }
 * ```
 */
export const wcmInverter = definePlugin({
  id: 'inverter:wcm',
  version: '1.0.0',
  title: 'Water Cloud Model (C-band σ⁰ → soil moisture)',
  description:
    'Water Cloud Model in linear power units (NDVI/LAI/VWC descriptor, optional exponents, soil term C + D·SM in dB or linear, incidence normalisation or angle-dependent C). ' +
    'Calibrates A, B, C, D by bounded multi-start Levenberg–Marquardt against a reference SM product (σ⁰ aggregated in linear units to its grid) or stations, per land-cover class and/or orbit if asked, ' +
    'with standard errors, RMSE and R²; inverts every radar date in closed form, NaN where vegetation swamps the soil signal. Tables: calibration, inversion.',
  params: {
    type: 'object',
    properties: {
      descriptor: { type: 'string', default: 'ndvi', description: 'Key of the vegetation descriptor in `auxiliary` (V1 = V2): ndvi, lai, vwc.' },
      descriptorMaxGapDays: { type: 'number', minimum: 0, default: 32, description: 'Descriptor interpolated linearly in time to radar dates; farther than this from any valid observation → NaN.' },
      volumeTerm: { enum: ['descriptor', 'constant'], default: 'descriptor', description: 'σ⁰veg = A·V^E·cosθ·(1−γ²) or A·cosθ·(1−γ²).' },
      soilTerm: { enum: ['db', 'linear'], default: 'db', description: 'σ⁰soil = 10^((C + D·SM)/10) (C dB, D dB per m³/m³) or C·exp(D·SM) (linear C).' },
      angle: { enum: ['cosine', 'normalise', 'angle-dependent-c'], default: 'cosine', description: 'θ only through cosθ; σ⁰ normalised to referenceAngle (cos² law); or C(θ) = C + C1·(θ − referenceAngle).' },
      referenceAngle: { type: 'number', minimum: 0, maximum: 89, default: 37, description: 'Reference incidence angle, degrees.' },
      calibration: { enum: ['auto', 'reference', 'stations'], default: 'auto', description: 'Calibration data: the `reference` SM product, in-situ `stations`, or auto (reference when given).' },
      residuals: { enum: ['db', 'linear'], default: 'db', description: 'Least-squares residuals in dB (default) or linear power.' },
      initial: {
        type: 'object',
        description: 'First start and values of fixed parameters (default A 0.05, B 0.2, C −15 dB, D 20, C1 0, E 1, F 1).',
        properties: { A: number, B: number, C: number, D: number, C1: number, E: number, F: number },
        additionalProperties: false,
        default: {},
      },
      bounds: {
        type: 'object',
        description: 'Parameter bounds for the fit.',
        properties: {
          A: range(0, 1, 'A'),
          B: range(0, 2, 'B'),
          C: range(-35, 0, 'C (dB)'),
          D: range(0, 60, 'D (dB per m³/m³)'),
          C1: range(-1, 1, 'C1 (dB/°)'),
          E: range(0.1, 3, 'E'),
          F: range(0.1, 3, 'F'),
        },
        additionalProperties: false,
        default: {},
      },
      fixed: { type: 'array', items: { enum: ['A', 'B', 'C', 'D', 'C1', 'E', 'F'] }, uniqueItems: true, default: [], description: 'Parameters held at their initial value (e.g. B when the descriptor varies little).' },
      fitExponents: { type: 'boolean', default: false, description: 'Also fit the descriptor exponents E and F.' },
      starts: { type: 'integer', minimum: 1, maximum: 100, default: 6, description: 'LM starts: `initial` plus seeded random draws; the best is kept.' },
      perClass: { type: 'boolean', default: false, description: 'One parameter set per land-cover class (needs auxiliary.landcover).' },
      perOrbit: { type: 'boolean', default: false, description: 'One parameter set per orbit (radar dates grouped by mean incidence, orbitBinDeg wide).' },
      orbitBinDeg: { type: 'number', exclusiveMinimum: 0, default: 2.5, description: 'Width of the incidence bins that identify orbits.' },
      minSamples: { type: 'integer', minimum: 5, default: 30, description: 'A class/orbit set with fewer samples falls back to the wider set.' },
      toleranceDays: { type: 'number', minimum: 0, default: 0, description: 'A reference/station value this close to a radar date is paired with it.' },
      minValidFraction: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'Reference calibration: share of usable fine pixels a reference cell needs.' },
      stationWindow: { type: 'integer', minimum: 1, default: 3, description: 'Station calibration: σ⁰ averaged (linear) over this many pixels per side around a station.' },
      smMin: { type: 'number', default: 0, description: 'Lower SM bound (m³/m³); values below are clipped.' },
      smMax: { type: 'number', default: 0.6, description: 'Upper SM bound; a per-pixel `auxiliary.porosity` lowers it.' },
      minTransmissivity: { type: 'number', minimum: 0, maximum: 1, default: 0.3, description: 'Vegetation-swamping criterion: γ² below this (or σ⁰veg ≥ σ⁰) → NaN.' },
      multilook: { type: 'integer', minimum: 1, default: 3, description: 'Odd boxcar window (pixels) averaging σ⁰ in linear units before inversion (speckle).' },
      minIncidence: { type: 'number', default: 15, description: 'Local incidence below this (layover side) is masked.' },
      maxIncidence: { type: 'number', default: 65, description: 'Local incidence above this (shadow side) is masked.' },
      maskClasses: { type: 'array', items: { type: 'number' }, default: [13, 15, 17], description: 'Land-cover classes where the model is invalid (IGBP urban 13, snow/ice 15, water 17).' },
      seed: { type: 'integer', description: 'Seed of the random LM starts; default the run seed.' },
    },
    additionalProperties: false,
  },
  async create(params: WcmParams, context) {
    const { createWcmInverter } = await import('./src/wcm-inverter.js');
    return createWcmInverter(params, context);
  },
});
