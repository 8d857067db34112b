import type { Rng } from '../../../core/index.js';
import { blockMajority, blockMean, clamp, smoothField, standardise, upsampleBilinear } from './fields.js';
import { classVegetation, LANDCOVER } from './presets.js';
import type { SyntheticClimate } from './options.js';
import { airDryWaterContent, saxtonRawls } from './soil.js';
import { flowNetwork, hornSlopeAspect, wetnessIndex, type FlowNetwork } from './terrain.js';
import type { SurfaceStatics } from './land-surface.js';

/** Terrain, soil and land cover of one grid. */
export interface StaticLayers {
  readonly width: number;
  readonly height: number;
  readonly cellSize: number;
  readonly dem: Float64Array;
  readonly slope: Float64Array;
  readonly aspect: Float64Array;
  readonly twi: Float64Array;
  readonly sand: Float64Array;
  readonly clay: Float64Array;
  readonly silt: Float64Array;
  readonly landcover: Float64Array;
  readonly network: FlowNetwork;
}

function terrain(width: number, height: number, cellSize: number, dem: Float64Array): Pick<StaticLayers, 'slope' | 'aspect' | 'twi' | 'network'> {
  const { slope, aspect } = hornSlopeAspect(dem, width, height, cellSize);
  const network = flowNetwork(dem, width, height, cellSize);
  return { slope, aspect, twi: wetnessIndex(network, slope, cellSize), network };
}

function texture(sandBase: ArrayLike<number>, clayBase: ArrayLike<number>, n: number): { sand: Float64Array; clay: Float64Array; silt: Float64Array } {
  const sand = new Float64Array(n);
  const clay = new Float64Array(n);
  const silt = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    sand[k] = clamp(sandBase[k], 8, 85);
    clay[k] = clamp(clayBase[k], 5, Math.min(50, 95 - sand[k]));
    silt[k] = 100 - sand[k] - clay[k];
  }
  return { sand, clay, silt };
}

/**
 * The "1 km" layers of the whole domain: a gently west-rising rolling plain (≈ 700 m) with fractal relief;
 * sand/clay fields where valleys (high TWI) hold finer alluvium; land cover from suitability, texture and TWI.
 */
export function domainStatics(width: number, height: number, cellSize: number, climate: SyntheticClimate, reliefAmplitude: number, rng: Rng): StaticLayers {
  const n = width * height;
  const relief = smoothField(width, height, rng.fork(1), { scale: 18, octaves: 4, persistence: 0.55 });
  const dem = new Float64Array(n);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) dem[r * width + c] = 700 + (1.5 * (width - c) * cellSize) / 1000 + reliefAmplitude * relief[r * width + c];
  }
  const t = terrain(width, height, cellSize, dem);
  const twiz = standardise(Float64Array.from(t.twi));
  const fs = smoothField(width, height, rng.fork(2), { scale: 14, octaves: 3 });
  const fc = smoothField(width, height, rng.fork(3), { scale: 10, octaves: 3 });
  const sandBase = new Float64Array(n);
  const clayBase = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    sandBase[k] = 42 + 14 * fs[k] - 5 * twiz[k];
    clayBase[k] = 22 + 6 * fc[k] - 0.25 * (sandBase[k] - 42) + 3 * twiz[k];
  }
  const { sand, clay, silt } = texture(sandBase, clayBase, n);
  const suit = smoothField(width, height, rng.fork(4), { scale: 8, octaves: 2 });
  const landcover = new Float64Array(n);
  const forestTwi = climate === 'humid' ? 1.0 : 1.7;
  for (let k = 0; k < n; k++) {
    landcover[k] =
      twiz[k] > forestTwi ? LANDCOVER.forest : sand[k] > 62 || suit[k] < -1.1 ? LANDCOVER.shrubland : suit[k] > -0.2 ? LANDCOVER.cropland : LANDCOVER.grassland;
  }
  return { width, height, cellSize, dem, ...t, sand, clay, silt, landcover };
}

/**
 * The 30 m layers of the sub-area (a window of the "1 km" grid, in "1 km" pixels): the "1 km" fields
 * interpolated plus fine detail, with the DEM corrected so its block means equal the "1 km" DEM; land cover
 * in ≈ 800 m fields (quarter sections) that mostly follow the "1 km" class, riparian forest along the
 * 30 m drainage lines.
 */
export function subAreaStatics(
  km: StaticLayers,
  window: { x: number; y: number; width: number; height: number },
  factor: number,
  cellSize: number,
  climate: SyntheticClimate,
  rng: Rng,
): StaticLayers {
  const width = window.width * factor;
  const height = window.height * factor;
  const n = width * height;
  const dem = upsampleBilinear(km.dem, km.width, km.height, window, factor) as Float64Array;
  const detail = smoothField(width, height, rng.fork(1), { scale: 40, octaves: 4, persistence: 0.6 });
  for (let k = 0; k < n; k++) dem[k] += 3 * detail[k];
  const means = blockMean(dem, width, height, factor);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const b = Math.floor(r / factor) * window.width + Math.floor(c / factor);
      const kk = (window.y + Math.floor(r / factor)) * km.width + window.x + Math.floor(c / factor);
      dem[r * width + c] += km.dem[kk] - means[b];
    }
  }
  const t = terrain(width, height, cellSize, dem);
  const twiz = standardise(Float64Array.from(t.twi));
  const sandUp = upsampleBilinear(km.sand, km.width, km.height, window, factor);
  const clayUp = upsampleBilinear(km.clay, km.width, km.height, window, factor);
  const fs = smoothField(width, height, rng.fork(2), { scale: 25, octaves: 3 });
  const fcl = smoothField(width, height, rng.fork(3), { scale: 25, octaves: 3 });
  const sandBase = new Float64Array(n);
  const clayBase = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    sandBase[k] = sandUp[k] + 4 * fs[k] - 1.5 * twiz[k];
    clayBase[k] = clayUp[k] + 2.5 * fcl[k] + 1 * twiz[k];
  }
  const { sand, clay, silt } = texture(sandBase, clayBase, n);
  const fieldSize = Math.max(1, Math.round((factor * 27) / 33));
  const fr = rng.fork(4);
  const fieldsW = Math.ceil(width / fieldSize);
  const fieldsH = Math.ceil(height / fieldSize);
  const fieldClass = new Float64Array(fieldsW * fieldsH);
  for (let j = 0; j < fieldsH; j++) {
    for (let i = 0; i < fieldsW; i++) {
      const cr = Math.min(Math.floor(((j + 0.5) * fieldSize) / factor), window.height - 1);
      const cc = Math.min(Math.floor(((i + 0.5) * fieldSize) / factor), window.width - 1);
      const base = km.landcover[(window.y + cr) * km.width + window.x + cc];
      const u = fr.next();
      const other = base === LANDCOVER.cropland ? LANDCOVER.grassland : base === LANDCOVER.forest ? LANDCOVER.grassland : LANDCOVER.cropland;
      fieldClass[j * fieldsW + i] = u < 0.75 ? (base === LANDCOVER.forest ? LANDCOVER.grassland : base) : other;
    }
  }
  const landcover = new Float64Array(n);
  const forestTwi = climate === 'humid' ? 1.3 : 1.9;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const k = r * width + c;
      landcover[k] = twiz[k] > forestTwi ? LANDCOVER.forest : sand[k] > 64 ? LANDCOVER.shrubland : fieldClass[Math.floor(r / fieldSize) * fieldsW + Math.floor(c / fieldSize)];
    }
  }
  return { width, height, cellSize, dem, ...t, sand, clay, silt, landcover };
}

/** Majority land cover of the 30 m sub-area per "1 km" pixel (keeps the two maps consistent). */
export function majorityLandcover(fine: StaticLayers, factor: number): Float64Array {
  return blockMajority(fine.landcover, fine.width, fine.height, factor);
}

/** Per-pixel model parameters from the static layers. */
export function surfaceStatics(layers: StaticLayers, climate: SyntheticClimate): SurfaceStatics {
  const n = layers.width * layers.height;
  const a = (): Float64Array => new Float64Array(n);
  const s = {
    n,
    porosity: a(),
    fieldCapacity: a(),
    wiltingPoint: a(),
    airDry: a(),
    ksat: a(),
    b: a(),
    c2ref: a(),
    drainFactor: a(),
    radFactor: a(),
    slope: Float64Array.from(layers.slope),
    aspect: Float64Array.from(layers.aspect),
    elevation: Float64Array.from(layers.dem),
    ndviMin: a(),
    ndviMax: a(),
    peakDoy: a(),
    peakWidth: a(),
    albedoVeg: a(),
    network: layers.network,
  };
  const twiz = standardise(Float64Array.from(layers.twi));
  for (let k = 0; k < n; k++) {
    const h = saxtonRawls(layers.sand[k], layers.clay[k], 2);
    s.porosity[k] = h.porosity;
    s.fieldCapacity[k] = h.fieldCapacity;
    s.wiltingPoint[k] = h.wiltingPoint;
    s.airDry[k] = airDryWaterContent(h);
    s.ksat[k] = h.ksat;
    s.b[k] = h.b;
    s.c2ref[k] = 13.815 * layers.clay[k] ** -0.954;
    // TOPMODEL-like: convergent pixels sit above a shallower water table and drain slower.
    s.drainFactor[k] = clamp(Math.exp(-0.6 * twiz[k]), 0.15, 3);
    const slopeRad = (layers.slope[k] * Math.PI) / 180;
    // South-facing slopes receive more shortwave (noon sun ≈ 40° from zenith at 36.6° N in the season).
    s.radFactor[k] = clamp(1 + 0.84 * Math.tan(slopeRad) * Math.cos(((layers.aspect[k] - 180) * Math.PI) / 180), 0.5, 1.5);
    const v = classVegetation(layers.landcover[k], climate);
    s.ndviMin[k] = v.ndviMin;
    s.ndviMax[k] = v.ndviMax;
    s.peakDoy[k] = v.peakDoy;
    s.peakWidth[k] = v.peakWidth;
    s.albedoVeg[k] = v.albedoVeg;
  }
  return s;
}
