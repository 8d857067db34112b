import type { DateFeatureMode } from '../../core/index.js';
import type { AtpkOptions } from './src/residual/atpk.js';
import type { ResidualMethod, ResidualType } from './src/residual/correct.js';
import type { GapFill } from './src/predictor-alignment.js';
import type { TemporalFeatureOptions } from './src/temporal-features.js';
import type { ReferenceTraining } from './src/reference-rows.js';

/**
 * Parameters shared by the downscalers built on the regression engine (`downscaler:regression`,
 * `downscaler:ensemble`): everything but how the coarse-scale learner is made.
 */
export interface RegressionEngineParams {
  readonly residualCorrection: ResidualMethod;
  readonly residualType: ResidualType;
  /** Area-to-point kriging; `range` 0 = deconvolve it from the coarse residual variogram. */
  readonly atpk: AtpkOptions;
  readonly dateFeatures: DateFeatureMode;
  readonly minValidFraction: number;
  readonly gapFill: GapFill;
  readonly maxGapDays: number;
  readonly climatologyWindowDays: number;
  readonly dateToleranceDays: number;
  readonly cv: { readonly scheme: 'none' | 'kfold' | 'dates' | 'blocks'; readonly folds: number; readonly blockSize: number };
  readonly multiScale: { readonly levels: readonly number[]; readonly anomalies: boolean; readonly scaleFeature: boolean; readonly context: boolean };
  /** Window sides (odd, fine pixels): each predictor's mean over that window is added as a predictor. */
  readonly windows: readonly number[];
  // --- temporal features (issue 19; src/temporal-features.ts) ---
  /** Features from the time axis of each dynamic predictor: means over consecutive dates, per-pixel statistics over the run. */
  readonly temporal: TemporalFeatureOptions;
  // --- end temporal features ---
  readonly intervals: { readonly method: 'none' | 'conformal' | 'conformal-spread'; readonly level: number; readonly changeOfSupport: 'none' | 'variogram' };
  readonly importance: boolean;
  readonly maskCoarseGaps: boolean;
  /** Fine pixels per prediction tile (rows of the prediction table built at once). */
  readonly tilePixels: number;
  readonly seed?: number;
  // ── campaign (issue 19): the within-cell refit trained on a fine-scale reference (input `reference`) ──
  readonly referenceTraining: ReferenceTraining;
  // ── end campaign ──
}

/** Schema of a list of window sizes (≥ 3; odd, checked where the windows are made) with its `description`. */
function oddSizes<D extends string>(description: D) {
  return { type: 'array', items: { type: 'integer', minimum: 3 }, uniqueItems: true, default: [] as number[], description } as const;
}

/** JSON Schema properties of {@link RegressionEngineParams}: spread into each engine-based manifest's `params`. */
export const regressionEngineParamProperties = {
  residualCorrection: {
    enum: ['none', 'block', 'bilinear', 'bilinear-fix', 'atpk', 'ratio'],
    default: 'block',
    description: 'Coarse→fine residual operator. block, bilinear-fix, atpk and ratio conserve the coarse mean (with the conservation residual); bilinear and none do not.',
  },
  residualType: {
    enum: ['conservation', 'model'],
    default: 'conservation',
    description: 'conservation: Z_C − mean(Ẑ_F) (mass-conserving); model: Z_C − f(X_C) (regression kriging; not conserving for non-linear f).',
  },
  atpk: {
    type: 'object',
    description: 'Area-to-point kriging of the residuals.',
    properties: {
      model: { enum: ['exponential', 'gaussian', 'spherical'], default: 'exponential' },
      range: { type: 'number', minimum: 0, default: 0, description: 'Point covariance scale in coarse cells; 0 = deconvolved from the residual variogram.' },
      radius: { type: 'integer', minimum: 0, maximum: 4, default: 2, description: 'Neighbourhood half-width in coarse cells.' },
      kriging: { enum: ['ordinary', 'simple'], default: 'ordinary' },
      discretisation: { type: 'integer', minimum: 1, maximum: 32, default: 10, description: 'Max block discretisation points per axis.' },
      lattice: { type: 'integer', minimum: 1, maximum: 64, default: 16, description: 'Max distinct in-block weight positions per axis.' },
    },
    additionalProperties: false,
    default: {},
  },
  dateFeatures: { enum: ['none', 'doy', 'season'], default: 'none', description: 'Calendar features added to every row: day of year as sin/cos, or one-hot season.' },
  minValidFraction: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'A coarse cell enters training only when at least this fraction of its fine pixels is valid for every predictor.' },
  gapFill: { enum: ['interpolate', 'climatology', 'none'], default: 'interpolate', description: 'How NaN pixels of temporal predictors are filled.' },
  maxGapDays: { type: 'number', minimum: 0, default: 16, description: 'interpolate: farthest observation used, in days.' },
  climatologyWindowDays: { type: 'number', minimum: 0, default: 15, description: 'climatology: ± window in days of year.' },
  dateToleranceDays: { type: 'number', minimum: 0, default: 4, description: 'A predictor date this close to a coarse date stands in for it.' },
  cv: {
    type: 'object',
    description: 'Cross validation at the coarse scale (also the folds of stacking and of conformal intervals).',
    properties: {
      scheme: { enum: ['none', 'kfold', 'dates', 'blocks'], default: 'kfold' },
      folds: { type: 'integer', minimum: 2, default: 5 },
      blockSize: { type: 'integer', minimum: 1, default: 4, description: 'blocks: spatial block side in coarse cells.' },
    },
    additionalProperties: false,
    default: {},
  },
  multiScale: {
    type: 'object',
    description:
      'Multi-scale training: besides the coarse rows, rows from sub-blocks of levels × levels fine pixels inside each coarse cell, their targets from a first-pass model (coarse rows only) whose fine product is block-corrected to the coarse values; the final model is refitted on all rows.',
    properties: {
      levels: { type: 'array', items: { type: 'integer', minimum: 1 }, default: [], description: 'Sub-block sides in fine pixels (e.g. [2, 3, 4]); [] = coarse rows only.' },
      anomalies: { type: 'boolean', default: false, description: 'Targets and predictors as deviations from the parent coarse cell (coarse rows, all zero, are left out); the fine prediction is the coarse value plus the predicted anomaly.' },
      scaleFeature: { type: 'boolean', default: false, description: 'Add a column `scale` (block side in fine pixels: the cell size for coarse rows, 1 when predicting).' },
      context: {
        type: 'boolean',
        default: false,
        description:
          'With anomalies: add the cell context as columns of the refit — every predictor’s coarse-cell mean (`<name>_cell`) and the cell’s coarse value (`coarse_cell`) — so the within-cell relation may depend on the cell’s state (the first pass never sees them). Adds one fine raster per predictor and date in memory for the prediction.',
      },
    },
    additionalProperties: false,
    default: {},
  },
  windows: oddSizes(
    'Neighbourhood features: for every side s (odd, in fine pixels), each predictor averaged over the s × s window around the pixel (valid pixels only; NaN where the pixel is) is added as predictor `<name>_w<s>`, after gap filling; with multiScale.anomalies it enters as its within-cell anomaly like any predictor. Averaging suppresses pixel noise of the predictors (texture, NDVI, LST) and carries the surroundings; each window adds one fine raster per predictor and date in memory. [] = none.',
  ),
  // --- temporal features (issue 19) ---
  temporal: {
    type: 'object',
    description:
      'Features from the time axis of every dynamic predictor, after alignment and gap filling, over the run’s dates (its coarse dates), no fine target involved; they enter the engine as any predictor (coarse aggregates, sub-block rows, within-cell anomalies). The aligned series of each dynamic predictor is held in memory for the whole run.',
    properties: {
      windows: oddSizes(
        'For every odd count n: each dynamic predictor averaged over the n consecutive run dates centred on each date (cut at the first and last date; valid values only; NaN where the pixel is) as predictor `<name>_t<n>` — averages per-day observation noise without spatial blurring; uses dates after the date too. [] = none.',
      ),
      statistics: {
        type: 'array',
        items: { enum: ['mean', 'sd'] },
        uniqueItems: true,
        default: [],
        description: 'Per-pixel statistics of each dynamic predictor over all the run’s dates, as static predictors `<name>_tmean`, `<name>_tsd` (persistently cool, green or bright places). [] = none.',
      },
    },
    additionalProperties: false,
    default: {},
  },
  // --- end temporal features ---
  intervals: {
    type: 'object',
    description:
      'Per-pixel prediction intervals (outputs lower/upper): conformal = product ± the conformal quantile of the out-of-fold absolute residuals at the coarse scale; conformal-spread = the same on residuals divided by the regressor’s spread (RF per-tree std), scaled back per pixel. Needs cv.scheme ≠ none.',
    properties: {
      method: { enum: ['none', 'conformal', 'conformal-spread'], default: 'none' },
      level: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.9, description: 'Nominal coverage 1 − α.' },
      changeOfSupport: {
        enum: ['none', 'variogram'],
        default: 'none',
        description:
          'none: the interval is calibrated for coarse-cell means (fine pixels under-cover by their within-cell error); variogram: the half-width is rescaled to the fine support with the within-cell error variance deconvolved from the variogram of the coarse residuals (point covariance family atpk.model) — only as good as that variogram resolves sub-cell structure (docs/ensembles.md). For intervals calibrated at the fine scale use transform:interval-calibration with stations.',
      },
    },
    additionalProperties: false,
    default: {},
  },
  importance: { type: 'boolean', default: true, description: 'Report feature importance (the regressor’s own, else permutation %IncMSE at the coarse scale).' },
  maskCoarseGaps: { type: 'boolean', default: true, description: 'Fine pixels of coarse cells without a value are NaN.' },
  tilePixels: { type: 'integer', minimum: 1024, default: 262144, description: 'Fine pixels per prediction tile.' },
  seed: { type: 'integer', description: 'Seed for CV folds and permutations; default the run seed.' },
  // ── campaign (issue 19): the within-cell refit trained on a fine-scale reference (input `reference`) ──
  referenceTraining: {
    type: 'object',
    description:
      'With the input `reference` (a fine-scale map on the product grid over part of the domain and some dates, NaN elsewhere: an airborne or field campaign) and multiScale.anomalies: the refit is trained on the reference’s within-cell anomalies (reference − its mean over the cell’s covered pixels) at its pixels, with the refit’s features (docs/regression-downscaling.md).',
    properties: {
      rows: { enum: ['add', 'replace'], default: 'add', description: 'add: the reference rows beside the first-pass sub-block rows (every date and cell keeps rows); replace: the reference rows only.' },
      minCellCoverage: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.8, description: 'A coarse cell enters on a date when the reference covers at least this share of its fine pixels (the reference mean then stands for the cell mean).' },
      minCells: { type: 'integer', minimum: 1, default: 4, description: 'Distinct coarse cells the reference must cover (input error otherwise).' },
      calibrateIntervals: {
        type: 'boolean',
        default: true,
        description:
          'With intervals.method conformal: the interval is calibrated at the fine support on out-of-fold predictions of the reference pixels (folds over the reference’s cells: no pixel scored by a model trained on its cell), split-conformal over cell-date units, instead of on the coarse residuals.',
      },
      folds: { type: 'integer', minimum: 2, default: 4, description: 'Folds over the reference’s coarse cells for calibrateIntervals.' },
      referenceErrorSd: {
        type: 'number',
        minimum: 0,
        default: 0,
        description:
          'The reference’s own error sd (its retrieval error, e.g. 0.04 m³/m³ for an airborne radiometer map), removed from the calibration scores: half-width × √(1 − sd² / mean score²), assuming Gaussian errors. 0: none (the interval then covers the reference, conservative for the truth).',
      },
    },
    additionalProperties: false,
    default: {},
  },
  // ── end campaign ──
} as const;
