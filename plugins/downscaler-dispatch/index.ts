import { definePlugin } from '../../core/index.js';
import type { DispatchParams } from './src/dispatch-downscaler.js';

export type { DispatchParams } from './src/dispatch-downscaler.js';

/**
 * `downscaler:dispatch` — DISPATCH (Merlin et al.; `docs/dispatch.md`): soil evaporative efficiency
 * from the soil temperature separated out of LST in the LST–fv trapezoid, and the first-order
 * relation SM_HR = SM_LR + ∂SM/∂SEE|⟨SEE⟩ · (SEE_HR − ⟨SEE⟩), which conserves each coarse value.
 *
 * @example
 * ```json
 * "dispatch": { "uses": "downscaler:dispatch",
 *               "with": { "coarse": { "$node": "scene", "output": "sm_coarse" },
 *                         "predictors": { "ndvi": { "$node": "scene", "output": "ndvi_1km" }, "lst": { "$node": "scene", "output": "lst_1km" }, "dem": { "$node": "scene", "output": "dem_1km" } },
 *                         "seeModel": "linear", "endmemberScope": "lrWindow" } }
 * ```
 */
export const dispatchDownscaler = definePlugin({
  id: 'downscaler:dispatch',
  version: '1.1.0',
  title: 'DISPATCH (soil evaporative efficiency)',
  description:
    'DISPATCH downscaling: fractional vegetation cover from NDVI, temperature end-members from the LST–fv trapezoid (edge regression or extremes, per scene / LR pixel / LR window, with fallbacks), ' +
    'soil temperature by the hourglass partition, soil evaporative efficiency, linear or cosine SEE(SM) model with SMp per LR pixel, first-order downscaling with the derivative at the LR-mean SEE (conserves the coarse value), ' +
    'ensemble over LST overpasses (`lst`, `lst_<name>`) and neighbouring days. With a `dem` predictor, LST is first corrected for elevation (lapse rate) and illumination (sun at the overpass). ' +
    'Robust by default: dSM/dSEE calibrated per LR cell over time, per-pixel shrinkage against the LST noise, SMp capped, cells the LST–fv space cannot downscale given the coarse value, ' +
    'correction added to a cell-conserving bilinear base. Cloudy/frozen LST gives nodata. Tables: endmembers, see, fallbacks, smp, topography.',
  params: {
    type: 'object',
    properties: {
      ndviSoil: { type: 'number', default: 0.15, description: 'NDVI of bare soil (fv = 0).' },
      ndviVeg: { type: 'number', default: 0.9, description: 'NDVI of full cover (fv = 1).' },
      endmemberScope: { enum: ['scene', 'lrPixel', 'lrWindow', 'fixed'], default: 'scene', description: 'Pixels whose LST–fv scatter gives the end-members of an LR cell.' },
      windowCells: { type: 'integer', minimum: 1, default: 1, description: 'lrWindow: half-width in LR cells (1 → 3×3 cells).' },
      endmemberMethod: { enum: ['edgeRegression', 'extremes'], default: 'edgeRegression', description: 'Edge regression of the dry/wet edges, or min/max LST of soil/vegetation pixels.' },
      fixedEndmembers: {
        type: 'object',
        description: "endmemberScope 'fixed': the corners in K.",
        properties: { tsMin: { type: 'number' }, tsMax: { type: 'number' }, tvMin: { type: 'number' }, tvMax: { type: 'number' } },
        additionalProperties: false,
        default: {},
      },
      fvBinWidth: { type: 'number', exclusiveMinimum: 0, maximum: 0.5, default: 0.05, description: 'Edge regression: fv bin width.' },
      minBins: { type: 'integer', minimum: 2, default: 5, description: 'Edge regression needs this many filled fv bins; otherwise extremes (fallback, reported).' },
      minPixels: { type: 'integer', minimum: 2, default: 30, description: 'Fewest valid pixels a scope needs; otherwise it widens (LR pixel → window → scene; reported).' },
      minTsRange: { type: 'number', minimum: 0, default: 1, description: 'Ts,max − Ts,min below this (K): energy-limited, the LR cell is skipped.' },
      fvMax: { type: 'number', minimum: 0, maximum: 1, default: 0.9, description: 'Pixels with more cover have no soil temperature (treated as zone D).' },
      seeModel: { enum: ['linear', 'cosine'], default: 'linear', description: 'SEE = SM/SMp, or SEE = ½ − ½cos(π·SM/SMp).' },
      derivativeAt: { enum: ['lrMean', 'hr'], default: 'lrMean', description: 'Where ∂SM/∂SEE is taken: the LR-mean SEE (conserves SM_LR) or each HR SEE (non-conserving variant).' },
      seeOutOfRange: { enum: ['mask', 'clip'], default: 'mask', description: 'HR SEE outside [0, 1]: nodata, or clipped.' },
      zoneD: { enum: ['mask', 'tvdi'], default: 'mask', description: 'Vegetation-dominated pixels: nodata, or a TVDI-like index from the scope LST extremes.' },
      minValidFraction: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'Share of an LR cell’s HR pixels with a valid SEE it needs.' },
      minMeanSee: { type: 'number', minimum: 0, default: 0.01, description: 'An LR cell needs ⟨SEE⟩ at least this (SMp explodes as ⟨SEE⟩ → 0).' },
      frozenLst: { type: 'number', default: 273.15, description: 'HR pixels with LST below this (K) are frozen: nodata.' },
      damping: { type: 'number', minimum: 0, default: 1, description: 'Factor on the correction term (JPL code uses 0.5).' },
      smpFixed: { type: 'number', minimum: 0, default: 0, description: 'A fixed SMp (m³/m³, e.g. field capacity); 0 = calibrate per LR pixel and date.' },
      ensembleDays: { type: 'integer', minimum: 0, maximum: 15, default: 1, description: 'Ensemble members also from LST this many days before/after the SM date.' },
      minMembers: { type: 'integer', minimum: 1, default: 1, description: 'Pixels with fewer valid members are nodata.' },
      ndviMaxGapDays: { type: 'number', minimum: 0, default: 16, description: 'Nearest NDVI date used, within this many days.' },
      gapFill: { enum: ['none', 'coarse'], default: 'none', description: 'HR pixels without a value (cloud, zone D): nodata, or the coarse value.' },
      smpMax: { type: 'number', minimum: 0, default: 0.6, description: 'Upper bound on a calibrated SMp, m³/m³ (the SM at SEE = 1 is at most a porosity; as ⟨SEE⟩ → 0 SM_LR/⟨SEE⟩ explodes); 0 = none.' },
      lstNoise: { type: 'number', minimum: 0, default: 1, description: 'LST noise (K): each pixel’s correction is shrunk by signal/(signal + noise) of its SEE; 0 = no shrinkage.' },
      cellFallback: { enum: ['none', 'coarse'], default: 'coarse', description: 'LR cells the LST–fv space cannot downscale (no end-members, energy-limited, too few valid pixels, ⟨SEE⟩ out of range): nodata, or the coarse value (counted in `fallbacks`).' },
      base: { enum: ['cell', 'bilinear'], default: 'bilinear', description: 'What the SEE correction is added to: the LR value, or the cell-conserving bilinear interpolation of the LR field (oversampling, Merlin et al. 2012).' },
      smpCalibration: { enum: ['date', 'temporal'], default: 'temporal', description: '∂SM/∂SEE per LR cell: from each date (SMp = SM_LR/⟨SEE⟩, spec §3.6) or the slope of SM_LR on ⟨SEE⟩ over the cell’s dates within ±calibrationDays (self-calibration, Merlin et al. 2013; table `smp`).' },
      calibrationDays: { type: 'integer', minimum: 1, default: 45, description: 'Temporal calibration: half-width of the time window, days.' },
      minCalibrationDates: { type: 'integer', minimum: 3, default: 10, description: 'Temporal calibration: fewest dates with ⟨SEE⟩ a slope needs; otherwise that date uses the per-date SMp (reported).' },
      topographicCorrection: { type: 'boolean', default: true, description: 'With a `dem` predictor: LST brought to its LR cell’s mean elevation (lapse rate) and illumination (sun at the overpass) before the SEE step.' },
      lapseRate: { type: 'number', minimum: 0, default: 6.5, description: 'Topographic correction: LST lapse rate, K per km.' },
      overpassHour: { type: 'number', minimum: 0, maximum: 24, default: 10.5, description: 'Topographic correction: local solar time of the LST overpass, hours.' },
      minIlluminationSd: { type: 'number', minimum: 0, default: 0.01, description: 'Topographic correction: skip the illumination term where the relative illumination varies less than this (flat terrain).' },
      clip: { type: 'array', items: { type: 'number' }, maxItems: 2, default: [0, 0.6], description: 'Output clipped to [min, max] (after the conservation check); [] = no clipping.' },
    },
    additionalProperties: false,
  },
  async create(params: DispatchParams, context) {
    const { createDispatchDownscaler } = await import('./src/dispatch-downscaler.js');
    return createDispatchDownscaler(params, context);
  },
});
