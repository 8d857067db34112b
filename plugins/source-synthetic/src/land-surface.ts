import { slopeIllumination, type SunPosition } from '../../../core/index.js';
import type { FlowNetwork } from './terrain.js';

/**
 * A daily two-layer soil model, run per pixel on typed arrays: a surface layer (0–5 cm, `SURFACE_DEPTH_MM`,
 * the truth every sensor sees) over a root zone (5–30 cm, `ROOT_ZONE_DEPTH_MM`).
 *
 * Per day and pixel, in this order:
 * 1. vegetation: NDVI = min + (max − min)·phenology(doy)·(0.35 + 0.65·stress), stress = 12-day memory of β_t;
 * 2. radiation: Rs = (0.25 + 0.5·(1 − cloud))·Ra·terrain factor (Ångström–Prescott, FAO-56 eq. 35),
 *    Rn = (1 − albedo)·Rs − Rnl (FAO-56 eq. 39), albedo from vegetation and surface wetness;
 * 3. infiltration: capacity = Ksat·storm hours·(1 + 2(φ − θ₁)/φ), limited by the free pore space of both
 *    layers (water beyond the surface layer's saturation percolates on); the excess is routed downslope
 *    along the multiple-flow-direction network and may re-infiltrate (run-on);
 * 4. drainage above field capacity, D = min(S − S_fc, Ksat,day·(θ/φ)^(2b+3)): surface → root zone, and
 *    root zone → out of the profile (× f_TWI);
 * 5. surface/root-zone exchange by the force-restore term of ISBA (Noilhan & Planton 1989; Noilhan &
 *    Mahfouf 1996): θ₁ relaxes towards the profile mean at the rate C2 = C2ref·θ₂/(θ_sat − θ₂ + 0.01) per day,
 *    C2ref = 13.815·clay%^−0.954; capillary rise never takes the root zone below its wilting point;
 * 6. evapotranspiration, PET Priestley–Taylor: transpiration PET·f_v·β_t from the root zone,
 *    β_t = (θ₂ − θ_wp)/(0.75·θ_fc − θ_wp), never below θ_wp; soil evaporation PET·(1 − f_v)·SEE(θ₁) from the
 *    surface layer (`soilEvaporativeEfficiency`), never below the air-dry water content θ_ad;
 * 7. clear-sky surface temperature at the ~10:30 overpass: soil and canopy temperatures from a linearised energy
 *    balance each (`surfaceExcess`), driven by the realised SEE and β_t, wind-dependent aerodynamic resistances,
 *    air temperature with a lapse rate, the slope's illumination by the sun at the overpass; LST mixes the two
 *    as radiances, LST⁴ = f_v·T_v⁴ + (1 − f_v)·T_s⁴.
 *
 * Water balance per pixel, exactly: ΔS = P − ET − Q − D with S = θ₁·d₁ + θ₂·d₂ and Q the net surface runoff
 * (outflow − run-on); θ₁ ∈ [θ_ad, θ_sat], θ₂ ∈ [θ_wp, θ_sat].
 */
export const SURFACE_DEPTH_MM = 50;
export const ROOT_ZONE_DEPTH_MM = 250;

/** Static properties of every pixel. */
export interface SurfaceStatics {
  readonly n: number;
  readonly porosity: Float64Array;
  readonly fieldCapacity: Float64Array;
  readonly wiltingPoint: Float64Array;
  /** Air-dry water content θ_ad, the lower bound of the surface layer (`airDryWaterContent`). */
  readonly airDry: Float64Array;
  /** mm/h */
  readonly ksat: Float64Array;
  /** Clapp–Hornberger b. */
  readonly b: Float64Array;
  /** Force-restore coefficient C2ref = 13.815·clay%^−0.954 (Noilhan & Mahfouf 1996). */
  readonly c2ref: Float64Array;
  /** Drainage multiplier from the wetness index (< 1 in convergent areas). */
  readonly drainFactor: Float64Array;
  /** Terrain illumination factor on daily shortwave radiation. */
  readonly radFactor: Float64Array;
  /** Slope and aspect (degrees; aspect = downslope direction clockwise from north), for the overpass illumination. */
  readonly slope: Float64Array;
  readonly aspect: Float64Array;
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
  /** The sun at the ~10:30 overpass (its height sets the instantaneous radiation, its azimuth the slopes' share). */
  readonly sunOverpass: SunPosition;
  /** Duration of the day's rain, hours (short convective storms make infiltration excess). */
  readonly stormHours: number;
  /** Late-morning wind speed at 2 m, m/s (sets the aerodynamic resistances of the energy balance). */
  readonly wind: number;
}

/** What one day produces (arrays of length n, overwritten every day). */
export interface DayOutputs {
  /** Surface layer (0–5 cm) water content: the truth. */
  readonly theta: Float64Array;
  /** Root-zone (5–30 cm) water content. */
  readonly rootTheta: Float64Array;
  /** Water stored in the profile, θ₁·d₁ + θ₂·d₂, mm. */
  readonly storage: Float64Array;
  readonly et: Float64Array;
  readonly runoff: Float64Array;
  /** Drainage out of the bottom of the root zone, mm/day. */
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
const SOLAR_CONSTANT = 1367; // W m⁻²
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

/** Shortwave at the overpass that arrives as diffuse light, unaffected by the slope's orientation. */
const DIFFUSE_SHARE = 0.15;

export function createSurfaceModel(statics: SurfaceStatics): SurfaceModel {
  const n = statics.n;
  const s = statics;
  const theta = new Float64Array(n);
  const rootTheta = new Float64Array(n);
  const stress = new Float64Array(n).fill(0.8);
  for (let k = 0; k < n; k++) {
    theta[k] = rootTheta[k] = s.wiltingPoint[k] + 0.8 * (s.fieldCapacity[k] - s.wiltingPoint[k]);
  }
  const out: DayOutputs = {
    theta,
    rootTheta,
    storage: new Float64Array(n),
    et: new Float64Array(n),
    runoff: new Float64Array(n),
    drainage: new Float64Array(n),
    ndvi: new Float64Array(n),
    lst: new Float64Array(n),
    albedo: new Float64Array(n),
    see: new Float64Array(n),
  };
  for (let k = 0; k < n; k++) out.storage[k] = theta[k] * SURFACE_DEPTH_MM + rootTheta[k] * ROOT_ZONE_DEPTH_MM;
  const runon = new Float64Array(n);
  const infiltrate = infiltration(s, theta, rootTheta, runon, out.runoff);
  const phenology = phenologyTable(s);

  const step = (f: DayForcing): void => {
    infiltrate(f.precip, f.stormHours);
    const day = dayConstants(f);
    phenology.update(f.doy);
    const { porosity, fieldCapacity, wiltingPoint, airDry, ksat, b, c2ref, drainFactor, radFactor, slope, aspect, elevation, ndviMin, ndviMax, albedoVeg } = s;
    const { et: etOut, drainage: drainOut, ndvi: ndviOut, lst: lstOut, albedo: albedoOut, see: seeOut, storage } = out;
    const cloud = f.cloud;
    const D1 = SURFACE_DEPTH_MM;
    const D2 = ROOT_ZONE_DEPTH_MM;
    const sun = f.sunOverpass;
    for (let k = 0; k < n; k++) {
      const phi = porosity[k];
      const fc = fieldCapacity[k];
      const wp = wiltingPoint[k];
      const ad = airDry[k];
      let th = theta[k];
      let th2 = rootTheta[k];
      // 4. drainage: surface → root zone (as far as it has room), root zone → out of the profile.
      if (th > fc) {
        const q = Math.min((th - fc) * D1, ksat[k] * 24 * (th / phi) ** (2 * b[k] + 3), (phi - th2) * D2);
        th -= q / D1;
        th2 += q / D2;
      }
      let drain = 0;
      if (th2 > fc) {
        drain = Math.min((th2 - fc) * D2, ksat[k] * 24 * (th2 / phi) ** (2 * b[k] + 3) * drainFactor[k]);
        th2 -= drain / D2;
      }
      drainOut[k] = drain;
      // 5. force-restore: the surface relaxes towards the profile mean; capillary rise stops at the root zone's θ_wp.
      const c2 = (c2ref[k] * th2) / (phi - th2 + 0.01);
      const mean = (th * D1 + th2 * D2) / (D1 + D2);
      let moved = (th - mean) * (1 - Math.exp(-c2)) * D1; // mm, downwards
      if (moved < -(th2 - wp) * D2) moved = th2 > wp ? -(th2 - wp) * D2 : 0;
      th -= moved / D1;
      th2 += moved / D2;
      // 1. vegetation
      const ndvi = ndviMin[k] + (ndviMax[k] - ndviMin[k]) * phenology.value(k) * (0.35 + 0.65 * stress[k]);
      const fvRaw = (ndvi - NDVI_SOIL) / (NDVI_VEG - NDVI_SOIL);
      const fv = fvRaw < 0 ? 0 : fvRaw > 1 ? 1 : fvRaw;
      ndviOut[k] = ndvi;
      // 2. radiation (a wet surface is darker)
      const tC = f.tair - 0.0065 * (elevation[k] - f.refElevation);
      const wet = clamp01((th - ad) / (phi - ad));
      const albedo = fv * albedoVeg[k] + (1 - fv) * (0.32 - 0.14 * wet);
      albedoOut[k] = albedo;
      const rso = (0.75 + 2e-5 * elevation[k]) * f.ra;
      const rs = (0.25 + 0.5 * (1 - cloud[k])) * f.ra * radFactor[k];
      const rsRatio = rs / rso;
      const rnl = day.rnlFactor * (1.35 * (rsRatio < 1 ? rsRatio : 1) - 0.35);
      const rnRaw = (1 - albedo) * rs - rnl;
      const rn = rnRaw > 0 ? rnRaw : 0;
      // 6. transpiration from the root zone, soil evaporation from the surface layer.
      const pet = day.ptFactor * rn;
      const see = 1 / (1 + Math.exp((SEE_HALF + SEE_DEMAND * pet - th / phi) / SEE_WIDTH)); // soilEvaporativeEfficiency inlined
      const betaT = clamp01((th2 - wp) / Math.max(0.75 * fc - wp, 0.01));
      const tDemand = pet * fv * betaT;
      const eDemand = pet * (1 - fv) * see;
      const tAvail = th2 > wp ? (th2 - wp) * D2 : 0;
      const eAvail = th > ad ? (th - ad) * D1 : 0;
      const tr = tDemand < tAvail ? tDemand : tAvail;
      const ev = eDemand < eAvail ? eDemand : eAvail;
      // When a layer runs out of water its flux shrinks: the realised efficiencies drive the temperatures.
      const seeRealised = eDemand > 0 ? (see * ev) / eDemand : see;
      const betaRealised = tDemand > 0 ? (betaT * tr) / tDemand : betaT;
      th -= ev / D1;
      th2 -= tr / D2;
      theta[k] = th;
      rootTheta[k] = th2;
      storage[k] = th * D1 + th2 * D2;
      etOut[k] = tr + ev;
      seeOut[k] = seeRealised;
      stress[k] += (betaT - stress[k]) / 12;
      // 7. clear-sky surface temperature at the ~10:30 overpass, from the sun's height and the slope's
      // illumination at that time (direct beam on the slope, the diffuse share unaffected).
      const cosI = slopeIllumination(sun, slope[k], aspect[k]);
      const terrain = DIFFUSE_SHARE + (1 - DIFFUSE_SHARE) * (cosI > 0 ? cosI : 0) / day.cosZenith;
      const rnClear = Math.max((1 - albedo) * (0.75 + 2e-5 * elevation[k]) * day.irradiance * terrain - day.lnOverpass, 0);
      const tAir = tC + OVERPASS_TAIR + 273.15;
      const tSoil = tAir + rnClear * day.soilScale * (1 - seeRealised * day.leFraction);
      const tVeg = tAir + rnClear * day.canopyScale * (1 - betaRealised * day.leFraction);
      const ts2 = tSoil * tSoil;
      const tv2 = tVeg * tVeg;
      lstOut[k] = Math.sqrt(Math.sqrt(fv * tv2 * tv2 + (1 - fv) * ts2 * ts2));
    }
  };
  return { statics, out, step };
}

/**
 * Step 3: infiltration of the day's rain and routing of the excess, from the highest pixel down. Water beyond
 * the surface layer's saturation percolates into the root zone within the storm.
 */
function infiltration(s: SurfaceStatics, theta: Float64Array, rootTheta: Float64Array, runon: Float64Array, runoff: Float64Array) {
  const n = s.n;
  const D1 = SURFACE_DEPTH_MM;
  const D2 = ROOT_ZONE_DEPTH_MM;
  return (precip: Float64Array, hours: number): void => {
    let anyRain = false;
    for (let k = 0; k < n && !anyRain; k++) anyRain = precip[k] > 0;
    if (!anyRain) {
      runoff.fill(0);
      return;
    }
    const { order, offsets, targets, fractions } = s.network;
    const { ksat, porosity } = s;
    runon.fill(0);
    for (let o = 0; o < n; o++) {
      const k = order[o];
      const water = precip[k] + runon[k];
      if (water === 0) {
        runoff[k] = 0;
        continue;
      }
      const phi = porosity[k];
      const th = theta[k];
      const room1 = (phi - th) * D1;
      const room2 = (phi - rootTheta[k]) * D2;
      const capacity = Math.min(ksat[k] * hours * (1 + (2 * (phi - th)) / phi), room1 + room2);
      const infil = water < capacity ? water : Math.max(capacity, 0);
      const excess = water - infil;
      const toSurface = infil < room1 ? infil : room1;
      theta[k] = Math.min(th + toSurface / D1, phi);
      rootTheta[k] = Math.min(rootTheta[k] + (infil - toSurface) / D2, phi);
      if (excess > 0) for (let l = offsets[k]; l < offsets[k + 1]; l++) runon[targets[l]] += excess * fractions[l];
      runoff[k] = excess - runon[k];
    }
  };
}

/** Phenology depends on the class only: one Gaussian per distinct (peak, width) a day, not one per pixel. */
function phenologyTable(s: SurfaceStatics) {
  const keys: string[] = [];
  const classOf = new Uint8Array(s.n);
  for (let k = 0; k < s.n; k++) {
    const key = `${s.peakDoy[k]}/${s.peakWidth[k]}`;
    let c = keys.indexOf(key);
    if (c < 0) c = keys.push(key) - 1;
    classOf[k] = c;
  }
  const peak = Float64Array.from(keys, (key) => Number(key.split('/')[0]));
  const width = Float64Array.from(keys, (key) => Number(key.split('/')[1]));
  const values = new Float64Array(keys.length);
  return {
    update(doy: number): void {
      for (let c = 0; c < values.length; c++) {
        const d = (doy - peak[c]) / width[c];
        values[c] = Math.exp(-0.5 * d * d);
      }
    },
    value: (k: number): number => values[classOf[k]],
  };
}

/**
 * Humidity, psychrometric, longwave and energy-balance terms of the day: they vary little across the domain, so
 * once per day at the reference elevation (the lapse rate still shifts each pixel's surface temperature).
 */
function dayConstants(f: DayForcing) {
  const gamma = 0.000665 * 101.3 * ((293 - 0.0065 * f.refElevation) / 293) ** 5.26;
  const es = satVapour(f.tair);
  const delta = (4098 * es) / (f.tair + 237.3) ** 2;
  const ptFraction = (1.26 * delta) / (delta + gamma);
  const ea = satVapour(f.tair - f.dewDepression);
  const tAirRef = f.tair + OVERPASS_TAIR + 273.15;
  const cosZenith = Math.max(f.sunOverpass.cosZenith, 0.05);
  return {
    ptFactor: ptFraction / LAMBDA,
    rnlFactor: SIGMA * (f.tair + 273.16) ** 4 * (0.34 - 0.14 * Math.sqrt(ea)),
    // Clear-sky net longwave at the overpass, W m⁻² (FAO-56 eq. 39 as a flux, clear-sky factor 1).
    lnOverpass: SIGMA_W * (f.tair + OVERPASS_TAIR + 273.16) ** 4 * (0.34 - 0.14 * Math.sqrt(ea)),
    soilScale: excessScale(G_SOIL, RA_SOIL_U / Math.max(f.wind, 0.5), tAirRef),
    canopyScale: excessScale(G_CANOPY, RA_CANOPY_U / Math.max(f.wind, 0.5), tAirRef),
    leFraction: Math.min(ptFraction, 1.1),
    cosZenith,
    /** Extraterrestrial irradiance on a horizontal surface at the overpass, W m⁻². */
    irradiance: SOLAR_CONSTANT * f.sunOverpass.distanceFactor * cosZenith,
  };
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
