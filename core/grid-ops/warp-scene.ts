import { inputError, usageError } from '../errors.js';
import { isGeographicCrs, sameCrs } from '../crs/resolve.js';
import { describeGrid, sameGrid, windowGrid, type Grid, type PixelWindow } from '../model/grid.js';
import type { AssetInfo, Scene } from '../model/scene.js';
import { makeSeries, type Series } from '../model/series.js';
import type { Stations } from '../model/stations.js';
import type { WorkerPool } from '../services/worker-pool.js';
import { checkNesting } from './nesting.js';
import { coarseGridOver, describeExtent, nativeCellSize, resolveTargetGrid, type GridDecision, type TargetGridSpec } from './target-grid.js';
import { warpFootprint, warpScale, warpSeries, type WarpMethod } from './warp.js';

export interface TargetGridOptions {
  /** Resampling per asset key; keys left out follow `defaultResampling`. */
  readonly resampling?: Readonly<Record<string, WarpMethod>>;
  /** Keys of coarse products (regridded onto a coarse grid nesting the target); default `isCoarseProduct`. */
  readonly coarse?: readonly string[];
  /** Cell size of that coarse grid in target CRS units (rounded to whole target pixels); default the native cell's. */
  readonly coarseResolution?: number;
  readonly workers?: WorkerPool;
  /** Coordinate approximation bound in source pixels (default 0.125). */
  readonly maxError?: number;
}

/** What happens to one asset on the way to the target grid. */
export interface AssetPlan {
  readonly key: string;
  /** `as-is`: already on the target, or a coarse grid the target nests in; `warp`: onto the target; `coarse`: onto a coarse grid nesting the target. */
  readonly action: 'as-is' | 'warp' | 'coarse';
  /** The grid the asset is delivered on. */
  readonly grid: Grid;
  readonly method?: WarpMethod;
}

/** Native pixel at most this share of a target pixel → the source is finer (GDAL's downsampling threshold). */
const FINER_BELOW = 0.95;
/** A soil-moisture asset whose cells are at least this many target pixels across is a coarse product. */
const COARSE_FROM = 2;

/**
 * Resampling for an asset without an explicit one: `mode` for class maps, `average` when its pixels are
 * finer than the target's (area-weighted, nodata-aware), `bilinear` otherwise. `ratio` = native pixel /
 * target pixel size.
 */
export function defaultResampling(info: AssetInfo, ratio: number): WarpMethod {
  if (info.categorical || info.variable === 'landcover') return 'mode';
  return ratio < FINER_BELOW ? 'average' : 'bilinear';
}

/** Whether an asset is a coarse product by default: key suffix `coarse`, or soil moisture at ≥ 2 target pixels per cell. */
export function isCoarseProduct(info: AssetInfo, ratio: number): boolean {
  return info.resolution === 'coarse' || (info.variable === 'sm' && ratio >= COARSE_FROM);
}

/**
 * How each asset of `scene` reaches `target`, and the decisions to report. Throws when an asset does
 * not overlap the target (naming the asset and both extents) or when options name unknown keys.
 */
export function planTargetGrid(scene: Scene, target: Grid, options: TargetGridOptions = {}): { plans: AssetPlan[]; decisions: GridDecision[] } {
  const keys = new Set(scene.assets().map((a) => a.key));
  for (const [field, named] of [['resampling', Object.keys(options.resampling ?? {})], ['coarse', options.coarse ?? []]] as const) {
    const unknown = named.filter((k) => !keys.has(k));
    if (unknown.length > 0) throw usageError(`${field} names assets the scene does not have`, { path: field, expected: `keys among ${[...keys].join(', ')}`, found: unknown.join(', ') });
  }
  const plans: AssetPlan[] = [];
  const decisions: GridDecision[] = [];
  const res = Math.abs(target.transform[1]);
  const unit = isGeographicCrs(target.crs) ? '°' : 'm';
  for (const info of scene.assets()) {
    if (sameGrid(info.grid, target)) {
      plans.push({ key: info.key, action: 'as-is', grid: target });
      continue;
    }
    const size = nativeCellSize(info.grid, target);
    const ratio = size / res;
    const chosen = options.resampling?.[info.key];
    const native = `${info.key} (${shortCrs(info.grid.crs)}, pixels ≈ ${Number(size.toPrecision(5))} ${unit} here)`;
    const coarse = options.coarse ? options.coarse.includes(info.key) : isCoarseProduct(info, ratio);
    if (coarse) {
      if (nestsIn(target, info.grid)) {
        plans.push({ key: info.key, action: 'as-is', grid: info.grid });
        continue;
      }
      const factor = coarseFactor(options.coarseResolution, size, res, info.key, decisions);
      const grid = coarseGridOver(target, factor);
      const method = chosen ?? 'average';
      checkOverlap(scene, info, grid);
      plans.push({ key: info.key, action: 'coarse', grid, method });
      decisions.push({
        code: 'grid.coarse-regrid',
        message: `${native} does not nest with the target grid: regridded by ${method === 'average' ? 'area-weighted averaging' : method} onto ${grid.width} × ${grid.height} cells of ${factor * res} ${unit} (${factor} target pixels) in ${shortCrs(target.crs)} that the target nests in${options.coarseResolution ? ' (coarseResolution)' : ' (cell size from the native one)'}`,
      });
      continue;
    }
    const method = chosen ?? defaultResampling(info, ratio);
    checkOverlap(scene, info, target);
    plans.push({ key: info.key, action: 'warp', grid: target, method });
    const why = chosen ? `resampling.${info.key}` : method === 'mode' ? 'class map' : method === 'average' ? 'source finer than the target' : 'source not finer than the target';
    decisions.push({ code: 'grid.warp', message: `${native} warped onto the target grid (${shortCrs(target.crs)}, ${res} ${unit} pixels) with ${method} (${why})` });
  }
  return { plans, decisions };
}

function nestsIn(fine: Grid, coarse: Grid): boolean {
  if (!sameCrs(fine.crs, coarse.crs)) return false;
  try {
    checkNesting(coarse, fine);
    return true;
  } catch {
    return false;
  }
}

function coarseFactor(coarseResolution: number | undefined, native: number, res: number, key: string, decisions: GridDecision[]): number {
  const wanted = coarseResolution ?? native;
  const factor = Math.max(1, Math.round(wanted / res));
  if (coarseResolution !== undefined && Math.abs(factor * res - coarseResolution) > 1e-6 * coarseResolution) {
    decisions.push({ code: 'grid.coarse-rounded', message: `${key}: coarseResolution ${coarseResolution} is not a whole number of ${res} target pixels; using ${factor * res}` });
  }
  return factor;
}

/** Throws an input error naming the asset and both extents when the asset's data cannot reach `grid`. */
function checkOverlap(scene: Scene, info: AssetInfo, grid: Grid): void {
  const fp = warpFootprint(info.grid, grid);
  const overlaps = fp !== undefined && fp.colMax > 0 && fp.colMin < info.grid.width && fp.rowMax > 0 && fp.rowMin < info.grid.height;
  if (!overlaps) {
    throw inputError(`asset '${info.key}' does not overlap the target grid`, {
      file: scene.source,
      path: `assets.${info.key}`,
      expected: `data within the target extent ${describeExtent(grid)}`,
      found: `'${info.key}' covers ${describeExtent(info.grid)}`,
    });
  }
}

function shortCrs(crs: string): string {
  return crs.length > 40 ? crs.slice(0, 37) + '...' : crs;
}

/**
 * The scene seen on a target grid: every asset delivered on the target (warped with its resampling),
 * coarse products on a coarse grid in the target CRS that the target nests in. Decisions (target bbox
 * rounding, each warp and regrid) come back to be reported as run warnings. Warping is lazy, per load,
 * and reads only the source window the target needs.
 *
 * @example
 * ```ts
 * const { scene: onTarget, decisions } = sceneOnTargetGrid(scene, { like: 'sigma0_vv_30m' }, { workers: context.workers });
 * for (const d of decisions) context.warn?.(d.code, d.message);
 * const ndvi = (await onTarget.load('ndvi_1km')) as Series; // warped onto the σ⁰ grid
 * assert.deepEqual(ndvi.grid, scene.info('sigma0_vv_30m').grid);
 * ```
 */
export function sceneOnTargetGrid(scene: Scene, spec: TargetGridSpec, options: TargetGridOptions = {}): { scene: Scene; target: Grid; decisions: GridDecision[] } {
  const { grid: target, decisions } = resolveTargetGrid(spec, scene);
  const planned = planTargetGrid(scene, target, options);
  return { scene: new TargetGridScene(scene, planned.plans, options), target, decisions: [...decisions, ...planned.decisions] };
}

class TargetGridScene implements Scene {
  readonly kind = 'scene' as const;
  readonly id: string;
  readonly source?: string;
  private readonly plans: ReadonlyMap<string, AssetPlan>;

  constructor(
    private readonly inner: Scene,
    plans: readonly AssetPlan[],
    private readonly options: TargetGridOptions,
  ) {
    this.id = inner.id;
    this.source = inner.source;
    this.plans = new Map(plans.map((p) => [p.key, p]));
  }

  assets(): readonly AssetInfo[] {
    return this.inner.assets().map((a) => ({ ...a, grid: this.plans.get(a.key)!.grid }));
  }

  has(key: string): boolean {
    return this.inner.has(key);
  }

  info(key: string): AssetInfo {
    return { ...this.inner.info(key), grid: this.plans.get(key)!.grid };
  }

  async load(key: string, options: { dates?: readonly string[]; window?: PixelWindow } = {}): Promise<Series> {
    const plan = this.plans.get(key);
    if (!plan || plan.action === 'as-is') return this.inner.load(key, options);
    const native = this.inner.info(key).grid;
    const window = options.window ? checkWindow(plan.grid, options.window, key, this.source) : undefined;
    const read = sourceWindow(native, window ? windowGrid(plan.grid, window) : plan.grid, plan.method!);
    if (!read) {
      // This window of the target lies outside the data (the target as a whole overlaps it). A one-pixel
      // read still lets the source check the dates and gives the series' metadata.
      const empty = await this.inner.load(key, { dates: options.dates, window: { x: 0, y: 0, width: 1, height: 1 } });
      const grid = window ? windowGrid(plan.grid, window) : plan.grid;
      return makeSeries({ ...empty, grid, values: empty.values.map(() => new Float32Array(grid.width * grid.height).fill(Number.NaN)) });
    }
    const full = read.x === 0 && read.y === 0 && read.width === native.width && read.height === native.height;
    const series = await this.inner.load(key, { dates: options.dates, ...(full ? {} : { window: read }) });
    return warpSeries(series, plan.grid, { method: plan.method!, workers: this.options.workers, maxError: this.options.maxError, window });
  }

  stations(): Promise<Stations | undefined> {
    return this.inner.stations();
  }

  files(): readonly string[] {
    return this.inner.files?.() ?? [];
  }
}

function checkWindow(grid: Grid, w: PixelWindow, key: string, file: string | undefined): PixelWindow {
  const ok = [w.x, w.y, w.width, w.height].every(Number.isInteger) && w.x >= 0 && w.y >= 0 && w.width > 0 && w.height > 0 && w.x + w.width <= grid.width && w.y + w.height <= grid.height;
  if (!ok) throw inputError(`window outside asset '${key}' on the target grid`, { file, path: `assets.${key}`, expected: `a window inside ${describeGrid(grid)}`, found: `x ${w.x}, y ${w.y}, ${w.width}×${w.height}` });
  return w;
}

/** The source pixel window `out` needs (its footprint plus the kernel's reach), or undefined when it misses the source. */
function sourceWindow(native: Grid, out: Grid, method: WarpMethod): PixelWindow | undefined {
  const fp = warpFootprint(native, out);
  if (!fp) return undefined;
  const { scaleX, scaleY } = warpScale(native, out);
  const radius = method === 'cubic' ? 2 : method === 'bilinear' ? 1 : 0;
  // Kernel reach, plus room for the footprint's edges bowing between the sampled lattice points.
  const mx = Math.ceil(radius / Math.min(scaleX, 1)) + 2 + Math.ceil(0.01 * (fp.colMax - fp.colMin));
  const my = Math.ceil(radius / Math.min(scaleY, 1)) + 2 + Math.ceil(0.01 * (fp.rowMax - fp.rowMin));
  const x0 = Math.max(0, Math.floor(fp.colMin) - mx);
  const y0 = Math.max(0, Math.floor(fp.rowMin) - my);
  const x1 = Math.min(native.width, Math.ceil(fp.colMax) + mx);
  const y1 = Math.min(native.height, Math.ceil(fp.rowMax) + my);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : undefined;
}
