import { sunPosition, type Rng, type SunPosition } from '../../../core/index.js';
import { clamp, smoothField } from './fields.js';
import type { ClimatePreset } from './presets.js';

/** The weather of one day on the "1 km" grid. */
export interface DayWeather {
  readonly wet: boolean;
  readonly precip: Float64Array;
  readonly cloud: Float64Array;
  readonly tair: number;
  readonly stormHours: number;
  readonly dewDepression: number;
  readonly ra: number;
  /** The sun at the ~10:30 overpass. */
  readonly sunOverpass: SunPosition;
  /** Late-morning wind speed at 2 m, m/s, uniform over the domain. */
  readonly wind: number;
}

/** Extraterrestrial radiation, MJ m⁻² day⁻¹ (FAO-56 eq. 21). */
export function extraterrestrialRadiation(doy: number, latDeg: number): number {
  const phi = (latDeg * Math.PI) / 180;
  const dr = 1 + 0.033 * Math.cos((2 * Math.PI * doy) / 365);
  const decl = 0.409 * Math.sin((2 * Math.PI * doy) / 365 - 1.39);
  const ws = Math.acos(clamp(-Math.tan(phi) * Math.tan(decl), -1, 1));
  return ((24 * 60) / Math.PI) * 0.082 * dr * (ws * Math.sin(phi) * Math.sin(decl) + Math.cos(phi) * Math.cos(decl) * Math.sin(ws));
}

/** Local solar time of the thermal overpass, hours (a MODIS Terra-like ~10:30). */
export const OVERPASS_HOUR = 10.5;

/**
 * Stochastic daily weather: a Markov wet/dry sequence with a seasonal wet-day probability; wet days are
 * either convective (1–5 Gaussian rain cells of 3–13 km radius, short storms) or stratiform (a smooth field,
 * long rain); cloud cover is a smooth field around a daily mean that is high on wet days; air temperature is a
 * seasonal cycle plus an AR(1) anomaly, cooler under clouds; wind speed is lognormal with persistence.
 */
export function createWeather(width: number, height: number, cellSize: number, latDeg: number, climate: ClimatePreset, rng: Rng) {
  let prevWet = false;
  let anomaly = 0;
  let windAnomaly = 0;
  // Wind draws from its own stream, so adding it left the rain, cloud and temperature sequences unchanged.
  const windRng = rng.fork(30000);
  const n = width * height;
  return (doy: number): DayWeather => {
    const season = Math.cos((2 * Math.PI * (doy - climate.wetPeakDoy)) / 365);
    let pWet = climate.wetBase * (1 + climate.wetAmplitude * season);
    if (prevWet) pWet = Math.min(0.9, pWet + climate.wetPersistence);
    const wet = rng.next() < pWet;
    prevWet = wet;
    const precip = new Float64Array(n);
    let stormHours = 0;
    if (wet) {
      const summer = 0.5 + 0.5 * Math.cos((2 * Math.PI * (doy - 200)) / 365);
      if (rng.next() < 0.3 + 0.5 * summer) {
        const cells = 1 + Math.floor(rng.next() * 5);
        for (let m = 0; m < cells; m++) {
          const cx = (-0.2 + 1.4 * rng.next()) * width;
          const cy = (-0.2 + 1.4 * rng.next()) * height;
          const radius = ((3 + 10 * rng.next()) * 1000) / cellSize;
          const peak = -climate.meanDepth * 2 * Math.log(1 - rng.next());
          for (let r = 0; r < height; r++) {
            for (let c = 0; c < width; c++) {
              const d2 = ((c + 0.5 - cx) ** 2 + (r + 0.5 - cy) ** 2) / (radius * radius);
              if (d2 < 16) precip[r * width + c] += peak * Math.exp(-0.5 * d2);
            }
          }
        }
        stormHours = 1 + 3 * rng.next();
      } else {
        const depth = -climate.meanDepth * 0.8 * Math.log(1 - rng.next());
        const f = smoothField(width, height, rng.fork(doy), { scale: 20, octaves: 2 });
        for (let k = 0; k < n; k++) precip[k] = depth * Math.max(0.2, 1 + 0.4 * f[k]);
        stormHours = 6 + 8 * rng.next();
      }
      for (let k = 0; k < n; k++) if (precip[k] < 0.2) precip[k] = 0;
    }
    const meanCloud = wet ? 0.65 + 0.2 * rng.next() : climate.cloudBase * (0.4 + 1.2 * rng.next());
    const cf = smoothField(width, height, rng.fork(10000 + doy), { scale: 12, octaves: 2 });
    const cloud = new Float64Array(n);
    for (let k = 0; k < n; k++) cloud[k] = clamp(meanCloud + 0.25 * cf[k] + 0.03 * precip[k], 0, 1);
    anomaly = 0.7 * anomaly + 2.5 * Math.sqrt(1 - 0.49) * rng.normal();
    // Wind: lognormal with day-to-day persistence (AR(1), ρ 0.5, σ of ln u 0.35); calmer under rain clouds.
    windAnomaly = 0.5 * windAnomaly + 0.35 * Math.sqrt(1 - 0.25) * windRng.normal();
    const wind = climate.windMedian * Math.exp(windAnomaly) * (wet ? 0.85 : 1);
    const tair = climate.tMean + climate.tAmplitude * Math.cos((2 * Math.PI * (doy - climate.tPeakDoy)) / 365) + anomaly - 5 * (meanCloud - 0.3);
    return {
      wet,
      precip,
      cloud,
      tair,
      stormHours,
      dewDepression: wet ? climate.dewDepression * 0.4 : climate.dewDepression,
      ra: extraterrestrialRadiation(doy, latDeg),
      sunOverpass: sunPosition(latDeg, doy, OVERPASS_HOUR),
      wind,
    };
  };
}
