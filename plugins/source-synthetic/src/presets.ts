import type { SyntheticClimate } from './options.js';

/** Land-cover classes, IGBP codes. */
export const LANDCOVER = { forest: 4, shrubland: 7, grassland: 10, cropland: 12 } as const;

/** Vegetation of each class: NDVI range, phenology peak (day of year) and width (days), canopy albedo. */
export interface ClassVegetation {
  readonly ndviMin: number;
  readonly ndviMax: number;
  readonly peakDoy: number;
  readonly peakWidth: number;
  readonly albedoVeg: number;
}

export function classVegetation(code: number, climate: SyntheticClimate): ClassVegetation {
  const wet = climate === 'humid' ? 1.1 : 1;
  switch (code) {
    case LANDCOVER.forest:
      return { ndviMin: 0.3, ndviMax: Math.min(0.86 * wet, 0.9), peakDoy: 195, peakWidth: 70, albedoVeg: 0.15 };
    case LANDCOVER.shrubland:
      return { ndviMin: 0.15, ndviMax: 0.38 * wet, peakDoy: 150, peakWidth: 55, albedoVeg: 0.2 };
    case LANDCOVER.grassland:
      return { ndviMin: 0.18, ndviMax: 0.62 * wet, peakDoy: 165, peakWidth: 45, albedoVeg: 0.2 };
    default:
      return { ndviMin: 0.17, ndviMax: Math.min(0.8 * wet, 0.88), peakDoy: 200, peakWidth: 32, albedoVeg: 0.21 };
  }
}

/** Weather statistics of a climate preset. */
export interface ClimatePreset {
  /** Wet-day probability: base·(1 + amplitude·cos(2π(doy − peak)/365)), + persistence after a wet day. */
  readonly wetBase: number;
  readonly wetAmplitude: number;
  readonly wetPeakDoy: number;
  readonly wetPersistence: number;
  /** Mean rain depth of a wet day at a rain-cell centre, mm. */
  readonly meanDepth: number;
  /** Annual mean and seasonal amplitude of daily air temperature, °C, warmest day of year. */
  readonly tMean: number;
  readonly tAmplitude: number;
  readonly tPeakDoy: number;
  readonly dewDepression: number;
  /** Mean cloudiness of dry days. */
  readonly cloudBase: number;
  /** Median late-morning wind speed at 2 m, m/s (lognormal day to day). */
  readonly windMedian: number;
}

export function climatePreset(climate: SyntheticClimate): ClimatePreset {
  return climate === 'humid'
    ? { wetBase: 0.33, wetAmplitude: 0.25, wetPeakDoy: 150, wetPersistence: 0.2, meanDepth: 11, tMean: 13, tAmplitude: 12, tPeakDoy: 200, dewDepression: 4, cloudBase: 0.4, windMedian: 2.8 }
    : { wetBase: 0.17, wetAmplitude: 0.6, wetPeakDoy: 160, wetPersistence: 0.15, meanDepth: 12, tMean: 14, tAmplitude: 13, tPeakDoy: 200, dewDepression: 10, cloudBase: 0.2, windMedian: 4 };
}

/** Water Cloud Model parameters of the synthetic σ⁰ (the test-vector set of `docs/methods/wcm.md` §8). */
export const WCM_TRUTH = { A: 0.1, B: 0.4, C: -18, D: 25 } as const;
/** Equivalent number of looks of the 30 m σ⁰ (speckle: σ⁰·Gamma(L, 1/L); ≈ 1.1 dB standard deviation). */
export const SAR_LOOKS = 16;
