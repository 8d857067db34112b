import { createGrid, createRng, type Grid, type Rng } from '../../../core/index.js';
import { blockMean, clamp, createUpsampler, gammaVariate } from './fields.js';
import { campaignMaps } from './campaign.js';
import { createSurfaceModel, type DayForcing } from './land-surface.js';
import type { ResolvedOptions } from './options.js';
import { climatePreset, SAR_LOOKS, WCM_TRUTH } from './presets.js';
import { domainStatics, majorityLandcover, subAreaStatics, surfaceStatics, type StaticLayers } from './static-layers.js';
import { createWeather } from './weather.js';

/** CRS and placement: UTM 14N, a semi-arid Great Plains-like area around 36.6° N, 99.7° W. */
export const SCENE_CRS = 'EPSG:32614';
export const ORIGIN_X = 420000;
export const ORIGIN_Y = 4080000;
const LATITUDE = 36.6;
const FINE_PIXEL = 30;

/** One asset of the scene: a static layer (`dates = []`, one array) or one array per date. */
export interface SyntheticLayer {
  readonly key: string;
  readonly grid: Grid;
  readonly dates: readonly string[];
  readonly values: Float32Array[];
  readonly unit: string;
  readonly categorical?: boolean;
  /** `truth` layers are for validation only, never inputs. */
  readonly role: 'data' | 'truth';
  readonly description: string;
}

export interface SyntheticStation {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  /** Index of the "1 km" pixel and, inside the sub-area, of the 30 m pixel (else −1). */
  readonly kmPixel: number;
  readonly finePixel: number;
  readonly bias: number;
  readonly dates: string[];
  readonly values: Float32Array;
}

/** Per-day water-balance terms on the "1 km" grid (mm/day) and static bounds, for tests and docs. */
export interface WaterBalanceDiagnostics {
  readonly precip: Float32Array[];
  readonly et: Float32Array[];
  readonly runoff: Float32Array[];
  readonly drainage: Float32Array[];
  /** Water in the profile (surface layer + root zone) at the end of each day, mm. */
  readonly storage: Float32Array[];
  /** Storage before the first day, mm. */
  readonly initialStorage: Float64Array;
  /** Root-zone (5–30 cm) water content at the end of each day. */
  readonly rootTheta: Float32Array[];
  readonly porosity: Float64Array;
  readonly fieldCapacity: Float64Array;
  readonly wiltingPoint: Float64Array;
  readonly airDry: Float64Array;
  readonly fine: { readonly porosity: Float64Array; readonly wiltingPoint: Float64Array; readonly airDry: Float64Array };
  /** Observed mask: true where the LST was cloud-free. */
  readonly lstTrue: Float32Array[];
  /** Realised soil evaporative efficiency (soil evaporation / potential soil evaporation) on the "1 km" grid. */
  readonly see: Float32Array[];
  readonly ndviTrue30: ReadonlyMap<string, Float32Array>;
  readonly smCoarseBias: Float64Array;
}

export interface SyntheticSceneData {
  readonly options: ResolvedOptions;
  readonly grids: { readonly coarse: Grid; readonly km: Grid; readonly fine: Grid };
  /** The sub-area in "1 km" pixels. */
  readonly subArea: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly dates: readonly string[];
  readonly layers: readonly SyntheticLayer[];
  readonly stations: readonly SyntheticStation[];
  readonly diagnostics?: WaterBalanceDiagnostics;
}

function isoDates(start: string, days: number): string[] {
  const t0 = Date.parse(`${start}T00:00:00Z`);
  return Array.from({ length: days }, (_, d) => new Date(t0 + d * 86400000).toISOString().slice(0, 10));
}

function dayOfYear(date: string): number {
  const t = Date.parse(`${date}T00:00:00Z`);
  return Math.floor((t - Date.parse(`${date.slice(0, 4)}-01-01T00:00:00Z`)) / 86400000) + 1;
}

const f32 = (a: Float64Array | Float32Array): Float32Array => new Float32Array(a);

/** `Float32Array.from(a, fn)` without the iterator protocol (same order of calls, so the same random draws). */
function mapValues(a: Float32Array, fn: (v: number, k: number) => number): Float32Array {
  const out = new Float32Array(a.length);
  for (let k = 0; k < a.length; k++) out[k] = fn(a[k], k);
  return out;
}

/**
 * Generate the whole scene in memory (pure computation, no I/O). Deterministic from `options.seed`.
 *
 * @example
 * ```ts
 * const scene = generateSyntheticScene(resolveOptions({ days: 30, coarseCells: 2 }));
 * scene.layers.find((l) => l.key === 'sm_truth_1km')!.values.length; // 30
 * ```
 */
export function generateSyntheticScene(options: ResolvedOptions, withDiagnostics = false): SyntheticSceneData {
  const o = options;
  const root = createRng(o.seed);
  const kmSize = FINE_PIXEL * o.fineFactor;
  const coarseSize = kmSize * o.coarseFactor;
  const [ccols, crows] = o.coarseCells;
  const kmW = ccols * o.coarseFactor;
  const kmH = crows * o.coarseFactor;
  const coarse = createGrid(ccols, crows, [ORIGIN_X, coarseSize, 0, ORIGIN_Y, 0, -coarseSize], SCENE_CRS);
  const km = createGrid(kmW, kmH, [ORIGIN_X, kmSize, 0, ORIGIN_Y, 0, -kmSize], SCENE_CRS);
  const sc = Math.floor((ccols - o.subAreaCells[0]) / 2);
  const sr = Math.floor((crows - o.subAreaCells[1]) / 2);
  const sub = { x: sc * o.coarseFactor, y: sr * o.coarseFactor, width: o.subAreaCells[0] * o.coarseFactor, height: o.subAreaCells[1] * o.coarseFactor };
  const fw = sub.width * o.fineFactor;
  const fh = sub.height * o.fineFactor;
  const fine = createGrid(fw, fh, [ORIGIN_X + sub.x * kmSize, FINE_PIXEL, 0, ORIGIN_Y - sub.y * kmSize, 0, -FINE_PIXEL], SCENE_CRS);
  const dates = isoDates(o.start, o.days);

  // Static layers: the sub-area's "1 km" land cover is the majority of its 30 m map.
  const kmLayers = domainStatics(kmW, kmH, kmSize, o.climate, o.relief, root.fork(1));
  const fineLayers = subAreaStatics(kmLayers, sub, o.fineFactor, FINE_PIXEL, o.climate, root.fork(2));
  const major = majorityLandcover(fineLayers, o.fineFactor);
  forEachSubPixel(sub, kmW, (k, b) => (kmLayers.landcover[k] = major[b]));
  const kmModel = createSurfaceModel(surfaceStatics(kmLayers, o.climate));
  const fineModel = createSurfaceModel(surfaceStatics(fineLayers, o.climate));
  const initialStorage = Float64Array.from(kmModel.out.storage);
  const fineInit = blockMean(fineModel.out.storage, fw, fh, o.fineFactor);
  forEachSubPixel(sub, kmW, (k, b) => (initialStorage[k] = fineInit[b]));

  const climate = climatePreset(o.climate);
  const weather = createWeather(kmW, kmH, kmSize, LATITUDE, climate, root.fork(3));
  const refElevation = meanOf(kmLayers.dem);
  const sarDates = new Set(acquisitionDates(dates, 6, 2));
  const opticalCandidates = acquisitionDates(dates, 8, 4);

  const truthKm = { sm: [] as Float32Array[], et: [] as Float32Array[], precip: [] as Float32Array[], ndvi: [] as Float32Array[], lst: [] as Float32Array[], albedo: [] as Float32Array[], runoff: [] as Float32Array[], drainage: [] as Float32Array[], see: [] as Float32Array[], storage: [] as Float32Array[], rootTheta: [] as Float32Array[] };
  const cloudKm: Float64Array[] = [];
  const sm30: Float32Array[] = [];
  const ndvi30 = new Map<string, Float32Array>();
  const wet30 = new Map<string, Float32Array>();
  const opticalSet = new Set(opticalCandidates);
  const fineP = new Float64Array(fw * fh);
  const fineCloud = new Float64Array(fw * fh);
  const upsample = createUpsampler(kmW, kmH, sub, o.fineFactor);

  for (let d = 0; d < dates.length; d++) {
    const doy = dayOfYear(dates[d]);
    const w = weather(doy);
    const forcing: DayForcing = { doy, precip: w.precip, cloud: w.cloud, tair: w.tair, refElevation, dewDepression: w.dewDepression, ra: w.ra, sunOverpass: w.sunOverpass, stormHours: w.stormHours, wind: w.wind };
    kmModel.step(forcing);
    if (w.wet) upsample(w.precip, fineP);
    else fineP.fill(0);
    upsample(w.cloud, fineCloud);
    fineModel.step({ ...forcing, precip: fineP, cloud: fineCloud });
    const fo = fineModel.out;
    sm30.push(f32(fo.theta));
    if (sarDates.has(dates[d]) || opticalSet.has(dates[d])) {
      ndvi30.set(dates[d], f32(fo.ndvi));
      const wet = new Float32Array(fw * fh);
      const st = fineModel.statics;
      for (let k = 0; k < wet.length; k++) wet[k] = clamp((fo.theta[k] - st.airDry[k]) / (st.porosity[k] - st.airDry[k]), 0, 1);
      wet30.set(dates[d], wet);
    }
    const ko = kmModel.out;
    const pairs: [keyof typeof truthKm, Float64Array, Float64Array][] = [
      ['sm', ko.theta, fo.theta],
      ['et', ko.et, fo.et],
      ['precip', w.precip, fineP],
      ['ndvi', ko.ndvi, fo.ndvi],
      ['lst', ko.lst, fo.lst],
      ['albedo', ko.albedo, fo.albedo],
      ['runoff', ko.runoff, fo.runoff],
      ['drainage', ko.drainage, fo.drainage],
      ['see', ko.see, fo.see],
      ...(withDiagnostics ? ([['storage', ko.storage, fo.storage], ['rootTheta', ko.rootTheta, fo.rootTheta]] as [keyof typeof truthKm, Float64Array, Float64Array][]) : []),
    ];
    for (const [name, kmArr, fineArr] of pairs) {
      const a = f32(kmArr);
      const means = blockMean(fineArr, fw, fh, o.fineFactor);
      forEachSubPixel(sub, kmW, (k, b) => (a[k] = means[b]));
      truthKm[name].push(a);
    }
    cloudKm.push(w.cloud);
  }

  const obs = root.fork(4);
  const layers: SyntheticLayer[] = [];
  const add = (key: string, grid: Grid, ds: readonly string[], values: Float32Array[], unit: string, description: string, extra: Partial<SyntheticLayer> = {}): void => {
    layers.push({ key, grid, dates: ds, values, unit, role: 'data', description, ...extra });
  };

  // --- static 1 km predictors
  const soilNoise = obs.fork(1);
  const noisyTexture = (a: Float64Array): Float32Array => Float32Array.from(a, (v) => v + 3 * soilNoise.normal());
  const sandObs = noisyTexture(kmLayers.sand);
  const clayObs = noisyTexture(kmLayers.clay);
  const siltObs = new Float32Array(sandObs.length);
  for (let k = 0; k < sandObs.length; k++) {
    sandObs[k] = clamp(sandObs[k], 1, 95);
    clayObs[k] = clamp(clayObs[k], 1, 99 - sandObs[k]);
    siltObs[k] = 100 - sandObs[k] - clayObs[k];
  }
  add('dem_1km', km, [], [f32(kmLayers.dem)], 'm', 'Elevation (exact, SRTM-like)');
  add('slope_1km', km, [], [f32(kmLayers.slope)], 'deg', 'Slope from the DEM (Horn)');
  add('aspect_1km', km, [], [f32(kmLayers.aspect)], 'deg', 'Aspect (downslope direction, clockwise from north)');
  add('twi_1km', km, [], [f32(kmLayers.twi)], '1', 'Topographic wetness index ln(a/tanβ)');
  add('sand_1km', km, [], [sandObs], '%', 'Sand content, observed with ±3 % error (SoilGrids-like)');
  add('silt_1km', km, [], [siltObs], '%', 'Silt content, observed');
  add('clay_1km', km, [], [clayObs], '%', 'Clay content, observed with ±3 % error');
  add('landcover_1km', km, [], [f32(kmLayers.landcover)], 'class', 'Land cover, IGBP codes (4 forest, 7 shrubland, 10 grassland, 12 cropland)', { categorical: true });

  // --- daily 1 km predictors
  const rNdvi = obs.fork(2), rLst = obs.fork(3), rEt = obs.fork(4), rAlb = obs.fork(5), rP = obs.fork(6);
  const ndviObs = truthKm.ndvi.map((a) => mapValues(a, (v) => clamp(v + 0.02 * rNdvi.normal(), -0.1, 1)));
  const lstObs = truthKm.lst.map((a, d) => mapValues(a, (v, k) => (cloudKm[d][k] > 0.55 ? Number.NaN : v + rLst.normal())));
  const etObs = truthKm.et.map((a) => mapValues(a, (v) => v * Math.exp(0.15 * rEt.normal() - 0.011)));
  const albObs = truthKm.albedo.map((a) => mapValues(a, (v) => clamp(v + 0.01 * rAlb.normal(), 0, 1)));
  const pBlock = Math.max(1, Math.round(11000 / kmSize));
  const pObs = truthKm.precip.map((a) => coarsePrecip(a, kmW, kmH, pBlock, rP));
  add('ndvi_1km', km, dates, ndviObs, '1', 'NDVI (daily composite-like, noise 0.02)');
  add('lst_1km', km, dates, lstObs, 'K', 'Land-surface temperature ~10:30, noise 1 K, NaN under clouds');
  add('precip_1km', km, dates, pObs, 'mm/day', `Precipitation as a ~0.1° product: ${pBlock}×${pBlock}-pixel block means with multiplicative error`);
  add('et_1km', km, dates, etObs, 'mm/day', 'Evapotranspiration, 15 % multiplicative error');
  add('albedo_1km', km, dates, albObs, '1', 'Broadband albedo, noise 0.01');

  // --- coarse SM: block mean + static bias + random error
  const rC = obs.fork(7);
  const smCoarseBias = new Float64Array(ccols * crows);
  for (let k = 0; k < smCoarseBias.length; k++) smCoarseBias[k] = 0.02 + 0.01 * rC.normal();
  const smCoarse = truthKm.sm.map((a) => Float32Array.from(blockMean(a, kmW, kmH, o.coarseFactor), (v, k) => clamp(v + smCoarseBias[k] + 0.02 * rC.normal(), 0.01, 0.6)));
  add('sm_coarse', coarse, dates, smCoarse, 'm3/m3', 'Coarse soil moisture: block mean of the truth + bias (0.02 ± 0.01 per cell) + N(0, 0.02) daily');

  // --- 30 m static
  add('dem_30m', fine, [], [f32(fineLayers.dem)], 'm', 'Elevation at 30 m (block means equal dem_1km)');
  add('landcover_30m', fine, [], [f32(fineLayers.landcover)], 'class', 'Land cover at 30 m, IGBP codes', { categorical: true });
  add('twi_30m', fine, [], [f32(fineLayers.twi)], '1', 'Topographic wetness index at 30 m (sub-area drainage only)');

  // --- Sentinel-1-like σ⁰ through the Water Cloud Model
  const sarList = [...sarDates];
  const rS = obs.fork(8);
  const sigma: Float32Array[] = [];
  const incidence: Float32Array[] = [];
  // The local incidence depends only on the orbit direction and the terrain: computed once per direction.
  const geometry = [true, false].map((ascending) => {
    const look = ascending ? 80 : 260;
    const near = ascending ? 35 : 40;
    const theta = new Float64Array(fw * fh);
    const inc = new Float32Array(fw * fh);
    for (let r = 0; r < fh; r++) {
      for (let c = 0; c < fw; c++) {
        const k = r * fw + c;
        const eastKm = (c * FINE_PIXEL) / 1000;
        const ell = ((near + 0.068 * (ascending ? eastKm : (fw * FINE_PIXEL) / 1000 - eastKm)) * Math.PI) / 180;
        const s = (fineLayers.slope[k] * Math.PI) / 180;
        const cosLoc = Math.cos(ell) * Math.cos(s) - Math.sin(ell) * Math.sin(s) * Math.cos(((look - fineLayers.aspect[k]) * Math.PI) / 180);
        theta[k] = Math.acos(clamp(cosLoc, 0.05, 1));
        inc[k] = (theta[k] * 180) / Math.PI;
      }
    }
    return { theta, inc };
  });
  sarList.forEach((date, i) => {
    const { theta, inc } = geometry[i % 2];
    const sig = new Float32Array(fw * fh);
    const ndvi = ndvi30.get(date)!;
    const sm = sm30[dates.indexOf(date)];
    for (let k = 0; k < sig.length; k++) {
      const lin = wcmForward(Math.max(ndvi[k], 0), theta[k], sm[k]);
      sig[k] = 10 * Math.log10((lin * gammaVariate(rS, SAR_LOOKS)) / SAR_LOOKS);
    }
    sigma.push(sig);
    incidence.push(inc);
  });
  add('sigma0_vv_30m', fine, sarList, sigma, 'dB', `Sentinel-1-like VV backscatter: WCM (A=${WCM_TRUTH.A}, B=${WCM_TRUTH.B}, C=${WCM_TRUTH.C} dB, D=${WCM_TRUTH.D} dB) of the 30 m truth, NDVI descriptor, speckle with ${SAR_LOOKS} looks`);
  add('incidence_30m', fine, sarList, incidence, 'deg', 'Local incidence angle (ellipsoid incidence on the 30 m DEM), alternating ascending/descending');

  // --- Landsat/HLS-like optical on clear dates (at least two, the clearest candidates)
  const clearFraction = (d: number): number => {
    let clear = 0;
    forEachSubPixel(sub, kmW, (k) => (clear += cloudKm[d][k] <= 0.55 ? 1 : 0));
    return clear / (sub.width * sub.height);
  };
  const ranked = opticalCandidates.map((date) => ({ date, clear: clearFraction(dates.indexOf(date)) }));
  const chosen = new Set(ranked.filter((c) => c.clear >= 0.98).map((c) => c.date));
  for (const c of [...ranked].sort((a, b) => b.clear - a.clear || (a.date < b.date ? -1 : 1))) if (chosen.size < Math.min(2, ranked.length)) chosen.add(c.date);
  const opticalDates = opticalCandidates.filter((d) => chosen.has(d));
  const rO = obs.fork(9);
  const reds: Float32Array[] = [];
  const nirs: Float32Array[] = [];
  const ndvis: Float32Array[] = [];
  for (const date of opticalDates) {
    const { red, nir, ndvi } = opticalReflectance(ndvi30.get(date)!, wet30.get(date)!, rO);
    reds.push(red);
    nirs.push(nir);
    ndvis.push(ndvi);
  }
  add('ndvi_30m', fine, opticalDates, ndvis, '1', 'NDVI from the noisy red/NIR reflectances, cloud-free Landsat/HLS-like dates');
  add('red_30m', fine, opticalDates, reds, '1', 'Red surface reflectance (linear soil/canopy mixture, noise 0.004)');
  add('nir_30m', fine, opticalDates, nirs, '1', 'Near-infrared surface reflectance (noise 0.006)');

  // --- truth
  add('sm_truth_1km', km, dates, truthKm.sm, 'm3/m3', 'TRUTH: 0–5 cm soil moisture, daily (never an input)', { role: 'truth' });
  add('sm_truth_30m', fine, dates, sm30, 'm3/m3', 'TRUTH: 0–5 cm soil moisture at 30 m, daily (never an input)', { role: 'truth' });

  if (o.campaign) {
    const flown = campaignMaps(truthKm.sm, dates, { kmWidth: kmW, coarseCols: ccols, coarseRows: crows, coarseFactor: o.coarseFactor }, o.campaign, o.seed);
    const c = o.campaign;
    add('sm_campaign_1km', km, flown.dates, flown.values, 'm3/m3', `Emulated 1 km campaign: truth + N(0, ${c.noise}) over ${flown.cells.reduce((a, v) => a + v, 0)} coarse cells (${c.layout}) every ${c.everyNthDay} day(s), NaN elsewhere`);
  }

  const stations = placeStations(o, km, fine, sub, dates, truthKm.sm, sm30, root.fork(5));
  const diagnostics: WaterBalanceDiagnostics | undefined = withDiagnostics
    ? {
        precip: truthKm.precip,
        et: truthKm.et,
        runoff: truthKm.runoff,
        drainage: truthKm.drainage,
        storage: truthKm.storage,
        initialStorage,
        rootTheta: truthKm.rootTheta,
        porosity: kmModel.statics.porosity,
        fieldCapacity: kmModel.statics.fieldCapacity,
        wiltingPoint: kmModel.statics.wiltingPoint,
        airDry: kmModel.statics.airDry,
        fine: { porosity: fineModel.statics.porosity, wiltingPoint: fineModel.statics.wiltingPoint, airDry: fineModel.statics.airDry },
        lstTrue: truthKm.lst,
        see: truthKm.see,
        ndviTrue30: ndvi30,
        smCoarseBias,
      }
    : undefined;
  return { options: o, grids: { coarse, km, fine }, subArea: sub, dates, layers, stations, diagnostics };
}

/** Linear σ⁰ of the Water Cloud Model with V1 = V2 = NDVI (`docs/methods/wcm.md` §1). */
export function wcmForward(ndvi: number, thetaRad: number, sm: number, p: { A: number; B: number; C: number; D: number } = WCM_TRUTH): number {
  const cos = Math.cos(thetaRad);
  const gamma2 = Math.exp((-2 * p.B * ndvi) / cos);
  return p.A * ndvi * cos * (1 - gamma2) + gamma2 * 10 ** ((p.C + p.D * sm) / 10);
}

/**
 * Dates of a sensor that revisits every `every` days from day index `first`; a scene too short for the first
 * visit gets one on its last day, so every dated asset has at least one date.
 */
function acquisitionDates(dates: readonly string[], every: number, first: number): string[] {
  const visits = dates.filter((_, d) => d % every === first);
  return visits.length > 0 ? visits : dates.slice(-1);
}

/** Calls `fn(kmIndex, blockIndex)` for every "1 km" pixel of the sub-area. */
function forEachSubPixel(sub: { x: number; y: number; width: number; height: number }, kmW: number, fn: (k: number, b: number) => void): void {
  for (let r = 0; r < sub.height; r++) for (let c = 0; c < sub.width; c++) fn((sub.y + r) * kmW + sub.x + c, r * sub.width + c);
}

function meanOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

/** A ~0.1° product seen on the "1 km" grid: block means × lognormal error, light rain missed, blocky. */
function coarsePrecip(p: Float32Array, w: number, h: number, block: number, rng: Rng): Float32Array {
  const out = new Float32Array(p.length);
  for (let by = 0; by < h; by += block) {
    for (let bx = 0; bx < w; bx += block) {
      let s = 0;
      let m = 0;
      for (let r = by; r < Math.min(by + block, h); r++) for (let c = bx; c < Math.min(bx + block, w); c++, m++) s += p[r * w + c];
      const err = Math.exp(0.35 * rng.normal() - 0.06);
      const v = s / m < 0.3 ? 0 : (s / m) * err;
      for (let r = by; r < Math.min(by + block, h); r++) for (let c = bx; c < Math.min(bx + block, w); c++) out[r * w + c] = v;
    }
  }
  return out;
}

/**
 * Red/NIR of a linear soil–canopy mixture whose NDVI equals the true NDVI (soil darker when wet), plus
 * reflectance noise; the NDVI asset is recomputed from the noisy reflectances.
 */
function opticalReflectance(ndviTrue: Float32Array, wet: Float32Array, rng: Rng): { red: Float32Array; nir: Float32Array; ndvi: Float32Array } {
  const n = ndviTrue.length;
  const red = new Float32Array(n);
  const nir = new Float32Array(n);
  const ndvi = new Float32Array(n);
  const rv = 0.035;
  const nv = 0.45;
  for (let k = 0; k < n; k++) {
    const rs = 0.22 - 0.08 * wet[k];
    const ns = 0.27 - 0.09 * wet[k];
    const N = ndviTrue[k];
    const fv = clamp((ns - rs - N * (ns + rs)) / (N * (nv + rv - (ns + rs)) - (nv - rv - (ns - rs))), 0, 1);
    red[k] = Math.max(fv * rv + (1 - fv) * rs + 0.004 * rng.normal(), 0.001);
    nir[k] = Math.max(fv * nv + (1 - fv) * ns + 0.006 * rng.normal(), 0.001);
    ndvi[k] = (nir[k] - red[k]) / (nir[k] + red[k]);
  }
  return { red, nir, ndvi };
}

/**
 * Stations: a third (≤ 6) inside the 30 m sub-area, the rest on distinct "1 km" pixels elsewhere. Value = truth
 * at the point (30 m pixel in the sub-area, else "1 km" pixel) + a per-station bias N(0, 0.02) + AR(1)
 * point-scale noise (sd 0.012); ~3 % of days missing.
 */
function placeStations(
  o: ResolvedOptions,
  km: Grid,
  fine: Grid,
  sub: { x: number; y: number; width: number; height: number },
  dates: readonly string[],
  smKm: Float32Array[],
  sm30: Float32Array[],
  rng: Rng,
): SyntheticStation[] {
  const inside = Math.min(6, Math.floor(o.stations / 3));
  const used = new Set<number>();
  const out: SyntheticStation[] = [];
  const kmW = km.width;
  for (let s = 0; s < o.stations; s++) {
    let kmPixel = -1;
    let finePixel = -1;
    let x = 0;
    let y = 0;
    for (let attempt = 0; attempt < 10000; attempt++) {
      if (s < inside) {
        const fc = rng.int(fine.width);
        const fr = rng.int(fine.height);
        const k = (sub.y + Math.floor(fr / o.fineFactor)) * kmW + sub.x + Math.floor(fc / o.fineFactor);
        if (used.has(k)) continue;
        kmPixel = k;
        finePixel = fr * fine.width + fc;
        x = fine.transform[0] + (fc + rng.next()) * fine.transform[1];
        y = fine.transform[3] + (fr + rng.next()) * fine.transform[5];
      } else {
        const c = rng.int(km.width);
        const r = rng.int(km.height);
        const k = r * kmW + c;
        const inSub = c >= sub.x && c < sub.x + sub.width && r >= sub.y && r < sub.y + sub.height;
        if (used.has(k) || (inSub && attempt < 9000)) continue;
        kmPixel = k;
        x = km.transform[0] + (c + rng.next()) * km.transform[1];
        y = km.transform[3] + (r + rng.next()) * km.transform[5];
      }
      break;
    }
    used.add(kmPixel);
    const bias = 0.02 * rng.normal();
    const ds: string[] = [];
    const vs: number[] = [];
    let noise = 0;
    dates.forEach((date, d) => {
      noise = 0.6 * noise + 0.012 * 0.8 * rng.normal();
      const missing = rng.next() < 0.03;
      if (missing) return;
      const truth = finePixel >= 0 ? sm30[d][finePixel] : smKm[d][kmPixel];
      ds.push(date);
      vs.push(clamp(truth + bias + noise, 0.01, 0.6));
    });
    out.push({ id: `SYN${String(s + 1).padStart(2, '0')}`, x, y, kmPixel, finePixel, bias, dates: ds, values: Float32Array.from(vs) });
  }
  return out;
}

export type { StaticLayers };
