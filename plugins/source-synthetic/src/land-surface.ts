import type { FlowNetwork } from './terrain.js';

/**
 * A daily single-layer bucket model of the surface soil (depth `ROOT_DEPTH_MM`), run per pixel on typed arrays.
 *
 * Per day and pixel, in this order:
 * 1. vegetation: NDVI = min + (max − min)·phenology(doy)·(0.35 + 0.65·stress), stress = 12-day memory of β_t;
 * 2. radiation: Rs = (0.25 + 0.5·(1 − cloud))·Ra·terrain factor (Ångström–Prescott, FAO-56 eq. 35),
 *    Rn = (1 − albedo)·Rs − Rnl (FAO-56 eq. 39), albedo from vegetation and soil wetness;
 * 3. infiltration: capacity = Ksat·storm hours·(1 + 2(φ − θ)/φ), limited by the free pore space; the excess
 *    is routed downslope along the multiple-flow-direction network and may re-infiltrate (run-on);
 * 4. drainage above field capacity: D = min(S − S_fc, Ksat,day·(θ/φ)^(2b+3)·f_TWI);
 * 5. evapotranspiration: ET = PET·(f_v·β_t + (1 − f_v)·β_e), PET Priestley–Taylor, β_e = (θ − θ_wp)/(θ_fc − θ_wp)
 *    (soil evaporative efficiency), β_t the same with 0.75·θ_fc; ET never takes θ below the wilting point;
 * 6. clear-sky surface temperature: soil and canopy temperatures above the air by an amount ∝ Rn·(1 − β),
 *    mixed linearly by vegetation cover.
 *
 * Water balance per pixel, exactly: ΔS = P − ET − Q − D, with Q the net surface runoff (outflow − run-on).
 */
export const ROOT_DEPTH_MM = 100;

/** Static properties of every pixel. */
export interface SurfaceStatics {
  readonly n: number;
  readonly porosity: Float64Array;
  readonly fieldCapacity: Float64Array;
  readonly wiltingPoint: Float64Array;
  /** mm/h */
  readonly ksat: Float64Array;
  /** Clapp–Hornberger b. */
  readonly b: Float64Array;
  /** Drainage multiplier from the wetness index (< 1 in convergent areas). */
  readonly drainFactor: Float64Array;
  /** Terrain illumination factor on shortwave radiation. */
  readonly radFactor: Float64Array;
  readonly elevation: Float64Array;
  readonly ndviMin: Float64Array;
  readonly ndviMax: Float64Array;
  readonly peakDoy: Float64Array;
  readonly peakWidth: Float64Array;
  readonly albedoVeg: Float64Array;
  readonly network: FlowNetwork;
}

/** The weather of one day on the model grid. */
export interface DayForcing {
  readonly doy: number;
  /** mm/day per pixel. */
  readonly precip: ArrayLike<number>;
  /** Cloud fraction per pixel, 0–1. */
  readonly cloud: ArrayLike<number>;
  /** Daily mean air temperature (°C) at `refElevation`. */
  readonly tair: number;
  readonly refElevation: number;
  /** Dew-point depression (K): air humidity. */
  readonly dewDepression: number;
  /** Extraterrestrial radiation, MJ m⁻² day⁻¹. */
  readonly ra: number;
  /** Duration of the day's rain, hours (short convective storms make infiltration excess). */
  readonly stormHours: number;
}

/** What one day produces (arrays of length n, overwritten every day). */
export interface DayOutputs {
  readonly theta: Float64Array;
  readonly et: Float64Array;
  readonly runoff: Float64Array;
  readonly drainage: Float64Array;
  readonly ndvi: Float64Array;
  /** Clear-sky land-surface temperature, K. */
  readonly lst: Float64Array;
  readonly albedo: Float64Array;
}

export interface SurfaceModel {
  readonly statics: SurfaceStatics;
  readonly out: DayOutputs;
  step(forcing: DayForcing): void;
}

const LAMBDA = 2.45; // MJ/kg
const SIGMA = 4.903e-9; // MJ K⁻⁴ m⁻² day⁻¹
const NDVI_SOIL = 0.12;
const NDVI_VEG = 0.88;

/** Saturation vapour pressure, kPa (FAO-56 eq. 11). */
export function satVapour(tC: number): number {
  return 0.6108 * Math.exp((17.27 * tC) / (tC + 237.3));
}

/** Vegetation cover fraction from NDVI (linear scaling between bare-soil and full-cover NDVI). */
export function coverFraction(ndvi: number): number {
  const f = (ndvi - NDVI_SOIL) / (NDVI_VEG - NDVI_SOIL);
  return f < 0 ? 0 : f > 1 ? 1 : f;
}

export function createSurfaceModel(statics: SurfaceStatics): SurfaceModel {
  const n = statics.n;
  const theta = new Float64Array(n);
  const stress = new Float64Array(n).fill(0.8);
  for (let k = 0; k < n; k++) {
    theta[k] = statics.wiltingPoint[k] + 0.8 * (statics.fieldCapacity[k] - statics.wiltingPoint[k]);
  }
  const out: DayOutputs = {
    theta,
    et: new Float64Array(n),
    runoff: new Float64Array(n),
    drainage: new Float64Array(n),
    ndvi: new Float64Array(n),
    lst: new Float64Array(n),
    albedo: new Float64Array(n),
  };
  const runon = new Float64Array(n);
  const Z = ROOT_DEPTH_MM;
  const s = statics;

  const step = (f: DayForcing): void => {
    const { order, offsets, targets, fractions } = s.network;
    // 3. infiltration and routing of the excess, from the highest pixel down.
    runon.fill(0);
    let anyRain = false;
    for (let k = 0; k < n && !anyRain; k++) anyRain = f.precip[k] > 0;
    if (anyRain) {
      for (let o = 0; o < n; o++) {
        const k = order[o];
        const water = f.precip[k] + runon[k];
        if (water === 0) {
          out.runoff[k] = 0;
          continue;
        }
        const phi = s.porosity[k];
        const capacity = Math.min(s.ksat[k] * f.stormHours * (1 + (2 * (phi - theta[k])) / phi), (phi - theta[k]) * Z);
        const infil = water < capacity ? water : Math.max(capacity, 0);
        const excess = water - infil;
        theta[k] = Math.min(theta[k] + infil / Z, phi);
        if (excess > 0) for (let l = offsets[k]; l < offsets[k + 1]; l++) runon[targets[l]] += excess * fractions[l];
        out.runoff[k] = excess - runon[k];
      }
    } else {
      out.runoff.fill(0);
    }
    // Humidity, psychrometric and longwave terms vary little across the domain: once per day at the
    // reference elevation (the lapse rate still shifts each pixel's surface temperature).
    const gamma = 0.000665 * 101.3 * ((293 - 0.0065 * f.refElevation) / 293) ** 5.26;
    const es = satVapour(f.tair);
    const delta = (4098 * es) / (f.tair + 237.3) ** 2;
    const ptFactor = (1.26 * delta) / ((delta + gamma) * LAMBDA);
    const ea = satVapour(f.tair - f.dewDepression);
    const rnlFactor = SIGMA * (f.tair + 273.16) ** 4 * (0.34 - 0.14 * Math.sqrt(ea));
    const { porosity, fieldCapacity, wiltingPoint, ksat, b, drainFactor, radFactor, elevation, ndviMin, ndviMax, peakDoy, peakWidth, albedoVeg } = s;
    const { et: etOut, drainage: drainOut, ndvi: ndviOut, lst: lstOut, albedo: albedoOut } = out;
    const cloud = f.cloud;
    for (let k = 0; k < n; k++) {
      const phi = porosity[k];
      const fc = fieldCapacity[k];
      const wp = wiltingPoint[k];
      let th = theta[k];
      // 4. drainage
      let drain = 0;
      if (th > fc) {
        drain = Math.min((th - fc) * Z, ksat[k] * 24 * (th / phi) ** (2 * b[k] + 3) * drainFactor[k]);
        th -= drain / Z;
      }
      drainOut[k] = drain;
      // 1. vegetation
      const d = (f.doy - peakDoy[k]) / peakWidth[k];
      const phen = Math.exp(-0.5 * d * d);
      const ndvi = ndviMin[k] + (ndviMax[k] - ndviMin[k]) * phen * (0.35 + 0.65 * stress[k]);
      const fv = coverFraction(ndvi);
      ndviOut[k] = ndvi;
      // 2. radiation
      const tC = f.tair - 0.0065 * (elevation[k] - f.refElevation);
      const wet = clamp01((th - wp) / (phi - wp));
      const albedo = fv * albedoVeg[k] + (1 - fv) * (0.32 - 0.14 * wet);
      albedoOut[k] = albedo;
      const rso = (0.75 + 2e-5 * elevation[k]) * f.ra;
      const rs = (0.25 + 0.5 * (1 - cloud[k])) * f.ra * radFactor[k];
      const rsRatio = rs / rso;
      const rnl = rnlFactor * (1.35 * (rsRatio < 1 ? rsRatio : 1) - 0.35);
      const rnRaw = (1 - albedo) * rs - rnl;
      const rn = rnRaw > 0 ? rnRaw : 0;
      // 5. evapotranspiration
      const pet = ptFactor * rn;
      const betaE = clamp01((th - wp) / (fc - wp));
      const betaT = clamp01((th - wp) / Math.max(0.75 * fc - wp, 0.01));
      const et = Math.min(pet * (fv * betaT + (1 - fv) * betaE), Math.max(th - wp, 0) * Z);
      th -= et / Z;
      theta[k] = th;
      etOut[k] = et;
      stress[k] += (betaT - stress[k]) / 12;
      // 6. clear-sky surface temperature (~10:30 overpass: air 4 K above the daily mean)
      const rnClear = Math.max((1 - albedo) * rso * radFactor[k] - rnlFactor, 0) / 15;
      const tSoil = tC + 4 + (3 + 20 * (1 - betaE)) * rnClear;
      const tVeg = tC + 4 + (-1.5 + 8 * (1 - betaT)) * rnClear;
      lstOut[k] = 273.15 + fv * tVeg + (1 - fv) * tSoil;
    }
  };
  return { statics, out, step };
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
