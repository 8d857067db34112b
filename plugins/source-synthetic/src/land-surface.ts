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
 * 5. evapotranspiration: ET = PET·(f_v·β_t + (1 − f_v)·SEE), PET Priestley–Taylor; transpiration is limited by
 *    plant-available water, β_t = (θ − θ_wp)/(0.75·θ_fc − θ_wp); soil evaporation by the soil evaporative
 *    efficiency SEE(θ/θ_sat, PET) (`soilEvaporativeEfficiency`); ET never takes θ below the wilting point;
 * 6. clear-sky surface temperature at the ~10:30 overpass: soil and canopy temperatures from a linearised energy
 *    balance each (`surfaceExcess`), driven by the realised SEE and β_t, wind-dependent aerodynamic resistances,
 *    air temperature with a lapse rate; LST mixes the two as radiances, LST⁴ = f_v·T_v⁴ + (1 − f_v)·T_s⁴.
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
  readonly precip: Float64Array;
  /** Cloud fraction per pixel, 0–1. */
  readonly cloud: Float64Array;
  /** Daily mean air temperature (°C) at `refElevation`. */
  readonly tair: number;
  readonly refElevation: number;
  /** Dew-point depression (K): air humidity. */
  readonly dewDepression: number;
  /** Extraterrestrial radiation, MJ m⁻² day⁻¹. */
  readonly ra: number;
  /** Extraterrestrial irradiance on a horizontal surface at the ~10:30 overpass, W m⁻². */
  readonly raOverpass: number;
  /** Duration of the day's rain, hours (short convective storms make infiltration excess). */
  readonly stormHours: number;
  /** Late-morning wind speed at 2 m, m/s (sets the aerodynamic resistances of the energy balance). */
  readonly wind: number;
}

/** What one day produces (arrays of length n, overwritten every day). */
export interface DayOutputs {
  readonly theta: Float64Array;
  readonly et: Float64Array;
  readonly runoff: Float64Array;
  readonly drainage: Float64Array;
  readonly ndvi: Float64Array;
  /** Clear-sky land-surface temperature at the ~10:30 overpass, K. */
  readonly lst: Float64Array;
  readonly albedo: Float64Array;
  /** Soil evaporative efficiency actually realised (soil evaporation / potential soil evaporation), 0–1. */
  readonly see: Float64Array;
}

export interface SurfaceModel {
  readonly statics: SurfaceStatics;
  readonly out: DayOutputs;
  step(forcing: DayForcing): void;
}

const LAMBDA = 2.45; // MJ/kg
const SIGMA = 4.903e-9; // MJ K⁻⁴ m⁻² day⁻¹
const SIGMA_W = 5.67e-8; // W m⁻² K⁻⁴
const NDVI_SOIL = 0.12;
const NDVI_VEG = 0.88;
/** Volumetric heat capacity of air ρ·c_p, J m⁻³ K⁻¹. */
const RHO_CP = 1200;
/** Ground heat flux as a fraction of net radiation: bare soil, full canopy (Kustas & Daughtry 1990). */
const G_SOIL = 0.35;
const G_CANOPY = 0.05;
/** Air at the overpass is warmer than the daily mean (a quarter of a ~12 K diurnal range). */
const OVERPASS_TAIR = 3;
/**
 * Aerodynamic resistance to heat × wind speed (m), neutral: ln(z/z0m)·ln(z/z0h)/k² at z = 2 m, z0h = z0m/10;
 * bare soil z0m = 5 mm; canopies z0m = 0.1 m above a displacement height of 0.5 m.
 */
const RA_SOIL_U = 296;
const RA_CANOPY_U = 80;

/** SEE model: relative wetness at SEE = ½ (plus a rise per mm/day of PET) and the e-folding width in W. */
const SEE_HALF = 0.3;
const SEE_DEMAND = 0.02;
const SEE_WIDTH = 0.07;

/**
 * Soil evaporative efficiency (actual / potential soil evaporation) of the surface layer, after the
 * resistance form of Sellers et al. (1992) and Merlin et al. (2016): r_ss = r_ref·exp(−W/w_e) with the
 * relative wetness W = θ/θ_sat, so SEE = r_a/(r_a + r_ss) = 1/(1 + exp((W½ − W)/w_e)). The wetness at which
 * SEE = ½ rises with the evaporative demand (a drying surface crust forms sooner under a strong demand).
 *
 * @example
 * ```ts
 * soilEvaporativeEfficiency(0.27, 0.45, 6); // ≈ 0.93: a loam at field capacity on a summer day
 * soilEvaporativeEfficiency(0.14, 0.45, 6); // ≈ 0.17: the same loam near its wilting point
 * ```
 */
export function soilEvaporativeEfficiency(theta: number, porosity: number, petMm: number): number {
  const half = SEE_HALF + SEE_DEMAND * petMm;
  return 1 / (1 + Math.exp((half - theta / porosity) / SEE_WIDTH));
}

/** Saturation vapour pressure, kPa (FAO-56 eq. 11). */
export function satVapour(tC: number): number {
  return 0.6108 * Math.exp((17.27 * tC) / (tC + 237.3));
}

/** Vegetation cover fraction from NDVI (linear scaling between bare-soil and full-cover NDVI). */
export function coverFraction(ndvi: number): number {
  const f = (ndvi - NDVI_SOIL) / (NDVI_VEG - NDVI_SOIL);
  return f < 0 ? 0 : f > 1 ? 1 : f;
}

/**
 * Surface minus air temperature (K) of a surface in the linearised energy balance
 * Rn(1 − Γ) = H + LE with H = ρc_p(T − T_a)/r_a, LE = efficiency·LE_p, LE_p Priestley–Taylor of the available
 * energy (`ptFraction` = α·Δ/(Δ + γ)), and the extra longwave emission of a warmer surface (4σT_a³ per kelvin).
 *
 * @example
 * ```ts
 * surfaceExcess(450, 0.35, 0, 0.95, 74, 303);   // ≈ 14.4 K: dry bare soil, 4 m/s wind, summer late morning
 * surfaceExcess(450, 0.35, 0.9, 0.95, 74, 303); // ≈ 2.1 K: wet bare soil
 * ```
 */
export function surfaceExcess(rn: number, groundFraction: number, efficiency: number, ptFraction: number, ra: number, tAirK: number): number {
  return rn * excessPerRn(groundFraction, efficiency, ptFraction, ra, tAirK);
}

/** `surfaceExcess` per W m⁻² of net radiation. */
function excessPerRn(groundFraction: number, efficiency: number, ptFraction: number, ra: number, tAirK: number): number {
  return excessScale(groundFraction, ra, tAirK) * (1 - efficiency * Math.min(ptFraction, 1.1));
}

/** (1 − Γ)·(r_a/ρc_p) / (1 + 4σT³(1 − Γ)·r_a/ρc_p): kelvin per W m⁻² of sensible heat source. */
function excessScale(groundFraction: number, ra: number, tAirK: number): number {
  const k = ((1 - groundFraction) * ra) / RHO_CP;
  return k / (1 + 4 * SIGMA_W * tAirK * tAirK * tAirK * k);
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
    see: new Float64Array(n),
  };
  const runon = new Float64Array(n);
  const Z = ROOT_DEPTH_MM;
  const s = statics;
  // Phenology depends on the class only: one Gaussian per distinct (peak, width) a day, not one per pixel.
  const phenologyKeys: string[] = [];
  const phenologyClass = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const key = `${s.peakDoy[k]}/${s.peakWidth[k]}`;
    let c = phenologyKeys.indexOf(key);
    if (c < 0) c = phenologyKeys.push(key) - 1;
    phenologyClass[k] = c;
  }
  const phenologyPeak = Float64Array.from(phenologyKeys, (key) => Number(key.split('/')[0]));
  const phenologyWidth = Float64Array.from(phenologyKeys, (key) => Number(key.split('/')[1]));
  const phenology = new Float64Array(phenologyKeys.length);

  const step = (f: DayForcing): void => {
    const { order, offsets, targets, fractions } = s.network;
    const precip = f.precip;
    // 3. infiltration and routing of the excess, from the highest pixel down.
    let anyRain = false;
    for (let k = 0; k < n && !anyRain; k++) anyRain = precip[k] > 0;
    if (anyRain) {
      runon.fill(0);
      const { ksat, porosity } = s;
      const hours = f.stormHours;
      for (let o = 0; o < n; o++) {
        const k = order[o];
        const water = precip[k] + runon[k];
        if (water === 0) {
          out.runoff[k] = 0;
          continue;
        }
        const phi = porosity[k];
        const th = theta[k];
        const capacity = Math.min(ksat[k] * hours * (1 + (2 * (phi - th)) / phi), (phi - th) * Z);
        const infil = water < capacity ? water : Math.max(capacity, 0);
        const excess = water - infil;
        theta[k] = Math.min(th + infil / Z, phi);
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
    const ptFraction = (1.26 * delta) / (delta + gamma);
    const ptFactor = ptFraction / LAMBDA;
    const ea = satVapour(f.tair - f.dewDepression);
    const rnlFactor = SIGMA * (f.tair + 273.16) ** 4 * (0.34 - 0.14 * Math.sqrt(ea));
    // Clear-sky net longwave at the overpass, W m⁻² (FAO-56 eq. 39 as a flux, clear-sky factor 1).
    const lnOverpass = SIGMA_W * (f.tair + OVERPASS_TAIR + 273.16) ** 4 * (0.34 - 0.14 * Math.sqrt(ea));
    // Energy-balance coefficients at the reference air temperature (the longwave feedback hardly varies in space).
    const tAirRef = f.tair + OVERPASS_TAIR + 273.15;
    const soilScale = excessScale(G_SOIL, RA_SOIL_U / Math.max(f.wind, 0.5), tAirRef);
    const canopyScale = excessScale(G_CANOPY, RA_CANOPY_U / Math.max(f.wind, 0.5), tAirRef);
    const leFraction = Math.min(ptFraction, 1.1);
    const seeHalf = SEE_HALF;
    for (let c = 0; c < phenology.length; c++) {
      const d = (f.doy - phenologyPeak[c]) / phenologyWidth[c];
      phenology[c] = Math.exp(-0.5 * d * d);
    }
    const { porosity, fieldCapacity, wiltingPoint, ksat, b, drainFactor, radFactor, elevation, ndviMin, ndviMax, albedoVeg } = s;
    const { et: etOut, drainage: drainOut, ndvi: ndviOut, lst: lstOut, albedo: albedoOut, see: seeOut } = out;
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
      const ndvi = ndviMin[k] + (ndviMax[k] - ndviMin[k]) * phenology[phenologyClass[k]] * (0.35 + 0.65 * stress[k]);
      const fvRaw = (ndvi - NDVI_SOIL) / (NDVI_VEG - NDVI_SOIL);
      const fv = fvRaw < 0 ? 0 : fvRaw > 1 ? 1 : fvRaw;
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
      // 5. evapotranspiration: transpiration limited by plant-available water, soil evaporation by the SEE.
      const pet = ptFactor * rn;
      const see = 1 / (1 + Math.exp((seeHalf + SEE_DEMAND * pet - th / phi) / SEE_WIDTH)); // soilEvaporativeEfficiency inlined
      const betaT = clamp01((th - wp) / Math.max(0.75 * fc - wp, 0.01));
      const demand = pet * (fv * betaT + (1 - fv) * see);
      const available = th > wp ? (th - wp) * Z : 0;
      const et = demand < available ? demand : available;
      // When the water runs out, both fluxes shrink alike: the realised efficiencies drive the temperatures.
      const realised = demand > 0 ? et / demand : 1;
      th -= et / Z;
      theta[k] = th;
      etOut[k] = et;
      seeOut[k] = see * realised;
      stress[k] += (betaT - stress[k]) / 12;
      // 6. clear-sky surface temperature at the ~10:30 overpass: soil and canopy energy balances, mixed as radiances.
      // Instantaneous, from the sun's height at 10:30: a daily total scaled by a constant would make winter's
      // midday net radiation (and so every LST contrast) several times too small.
      const rnClear = Math.max((1 - albedo) * (0.75 + 2e-5 * elevation[k]) * f.raOverpass * radFactor[k] - lnOverpass, 0);
      const tAir = tC + OVERPASS_TAIR + 273.15;
      const tSoil = tAir + rnClear * soilScale * (1 - see * realised * leFraction);
      const tVeg = tAir + rnClear * canopyScale * (1 - betaT * realised * leFraction);
      const ts2 = tSoil * tSoil;
      const tv2 = tVeg * tVeg;
      lstOut[k] = Math.sqrt(Math.sqrt(fv * tv2 * tv2 + (1 - fv) * ts2 * ts2));
    }
  };
  return { statics, out, step };
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
