import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { inputError } from '../errors.js';
import { readGeoTiff, readGeoTiffInfo } from '../io/geotiff-read.js';
import { describeGrid, sameGrid, windowGrid, type Grid, type PixelWindow } from '../model/grid.js';
import { makeSeries, type Series } from '../model/series.js';
import { splitAssetKey, type AssetInfo, type Scene } from '../model/scene.js';
import type { Stations } from '../model/stations.js';
import { sameCrs } from '../crs/resolve.js';
import { readIsmn } from '../stations/ismn.js';
import { readStationsCsv } from '../stations/stations-csv.js';
import { gridFromProjection } from './stac-grid.js';
import { isObject, resolveHref } from './stac-json.js';
import { walkStac, type LocatedItem } from './stac-walk.js';

/** One asset file of one key on one date (or static). */
interface AssetFile {
  readonly path: string;
  readonly date?: string;
  /** Where it was declared, for messages: `items/2024-06-01.json: assets.ndvi_1km`. */
  readonly itemFile: string;
  readonly fieldPath: string;
  /** Grid declared in STAC, if any (checked against the file when read). */
  readonly declaredGrid?: Grid;
  grid?: Grid;
  readonly unit?: string;
  readonly categorical?: boolean;
}

interface KeyEntry {
  readonly key: string;
  readonly files: AssetFile[];
  static: boolean;
  dated: boolean;
}

/** Concurrent header reads / pixel reads per scene operation. */
const CONCURRENCY = 8;

/**
 * Open a local STAC scene (Collection, Catalog, ItemCollection or Item; see `docs/scene-format.md`).
 * All JSON is read and every asset file is checked to exist now; pixels are read lazily by `load`,
 * only the dates and window asked for.
 *
 * @throws SoilscaleError (input) naming the JSON file and field for malformed catalogs, missing
 * files, mixed grids within one key, or a key that is both static and dated.
 * @example
 * ```ts
 * const scene = await readStacScene('demo/catalog.json');
 * scene.assets().map((a) => a.key); // ['dem_30m', 'ndvi_1km', 'sm_coarse', …]
 * const sm = await scene.load('sm_coarse', { dates: ['2024-06-01'] });
 * const stations = await scene.stations();
 * ```
 */
export async function readStacScene(path: string): Promise<Scene> {
  const entry = resolve(path);
  const walk = await walkStac(entry);
  const keys = new Map<string, KeyEntry>();
  for (const located of walk.items) collectAssets(located, keys);
  if (keys.size === 0) {
    throw inputError('STAC scene has no GeoTIFF assets', { file: entry, expected: 'items with GeoTIFF assets', found: `${walk.items.length} items, no raster assets` });
  }
  const all = [...keys.values()].flatMap((k) => k.files);
  await forEachLimited(all, CONCURRENCY, async (f) => {
    try {
      const s = await stat(f.path);
      if (!s.isFile()) throw new Error('not a file');
    } catch {
      throw inputError('asset file not found', { file: f.itemFile, path: `${f.fieldPath}.href`, expected: 'an existing GeoTIFF', found: f.path });
    }
  });
  await forEachLimited(
    all.filter((f) => !f.declaredGrid),
    CONCURRENCY,
    async (f) => {
      f.grid = (await readGeoTiffInfo(f.path)).grid;
    },
  );
  const infos = new Map<string, AssetInfo>();
  for (const entry of keys.values()) infos.set(entry.key, finishKey(entry));
  if (walk.stations) {
    const st = walk.stations;
    try {
      await stat(st.path);
    } catch {
      throw inputError('stations file not found', { file: st.declaredIn, path: 'assets.stations.href', expected: 'an existing stations CSV or ISMN folder', found: st.path });
    }
  }
  return new StacScene(walk.id, entry, keys, infos, walk.stations?.path, walk.jsonFiles);
}

function isRasterAsset(asset: Record<string, unknown>): boolean {
  const type = typeof asset.type === 'string' ? asset.type.toLowerCase() : '';
  const href = typeof asset.href === 'string' ? asset.href.toLowerCase() : '';
  return type.includes('image/tiff') || /\.tiff?$/.test(href);
}

function itemDate(item: Record<string, unknown>, file: string, path: string): string | undefined {
  const props = isObject(item.properties) ? item.properties : {};
  const where = `${path ? path + '.' : ''}properties.datetime`;
  const dt = props.datetime;
  if (dt === null || dt === undefined) return undefined;
  if (typeof dt !== 'string') throw inputError('bad datetime', { file, path: where, expected: 'an RFC 3339 date-time or null', found: JSON.stringify(dt) });
  const m = /^(\d{4}-\d{2}-\d{2})(?:[Tt ](.*))?$/.exec(dt);
  const ms = Date.parse(m && m[2] === undefined ? `${m[1]}T00:00:00Z` : dt);
  if (!m || Number.isNaN(ms)) throw inputError('bad datetime', { file, path: where, expected: 'an RFC 3339 date-time such as 2024-06-01T00:00:00Z', found: JSON.stringify(dt) });
  return new Date(ms).toISOString().slice(0, 10);
}

function collectAssets(located: LocatedItem, keys: Map<string, KeyEntry>): void {
  const { item, file, path } = located;
  const prefix = path ? `${path}.` : '';
  const date = itemDate(item, file, path);
  const props = isObject(item.properties) ? item.properties : {};
  const itemGrid = gridFromProjection(props, file, `${prefix}properties`);
  if (!isObject(item.assets)) {
    throw inputError('item without assets', { file, path: `${prefix}assets`, expected: 'an object of assets', found: JSON.stringify(item.assets) });
  }
  for (const [key, asset] of Object.entries(item.assets)) {
    if (!isObject(asset) || !isRasterAsset(asset)) continue;
    const fieldPath = `${prefix}assets.${key}`;
    const bands = asset['raster:bands'];
    const unit = Array.isArray(bands) && isObject(bands[0]) && typeof bands[0].unit === 'string' ? bands[0].unit : undefined;
    const file_: AssetFile = {
      path: resolveHref(asset.href, file, `${fieldPath}.href`),
      date,
      itemFile: file,
      fieldPath,
      declaredGrid: gridFromProjection(asset, file, fieldPath) ?? itemGrid,
      unit,
      categorical: asset['soilscale:categorical'] === true,
    };
    let entry = keys.get(key);
    if (!entry) keys.set(key, (entry = { key, files: [], static: false, dated: false }));
    const clash = entry.files.find((f) => f.date === date);
    if (clash) {
      throw inputError(`asset '${key}' appears twice ${date ? `on ${date}` : 'as a static layer'}`, {
        file,
        path: fieldPath,
        expected: 'one file per key and date',
        found: `also in ${clash.itemFile}: ${clash.fieldPath}`,
      });
    }
    entry.files.push(file_);
    if (date) entry.dated = true;
    else entry.static = true;
    if (entry.static && entry.dated) {
      const other = entry.files.find((f) => (f.date === undefined) !== (date === undefined))!;
      throw inputError(`asset '${key}' is both static and dated`, {
        file,
        path: fieldPath,
        expected: 'a key either in dated items or in one static item',
        found: `${date ? 'dated ' + date : 'static'} here, ${other.date ? 'dated ' + other.date : 'static'} in ${other.itemFile}`,
      });
    }
  }
}

function finishKey(entry: KeyEntry): AssetInfo {
  entry.files.sort((a, b) => ((a.date ?? '') < (b.date ?? '') ? -1 : 1));
  const first = entry.files[0];
  const grid = first.declaredGrid ?? first.grid!;
  for (const f of entry.files) {
    const g = f.declaredGrid ?? f.grid!;
    if (!sameGridLoose(g, grid)) {
      throw inputError(`asset '${entry.key}' changes grid between files`, {
        file: f.itemFile,
        path: f.fieldPath,
        expected: `the grid of ${first.path} (${describeGrid(grid)})`,
        found: `${f.path}: ${describeGrid(g)}`,
      });
    }
  }
  const { variable, resolution } = splitAssetKey(entry.key);
  const unit = entry.files.find((f) => f.unit)?.unit;
  return {
    key: entry.key,
    variable,
    ...(resolution ? { resolution } : {}),
    grid,
    dates: entry.dated ? entry.files.map((f) => f.date!) : [],
    ...(unit ? { unit } : {}),
    ...(entry.files.some((f) => f.categorical) ? { categorical: true } : {}),
  };
}

/** Same size and CRS, transforms equal to 1e-6 of a pixel. */
function sameGridLoose(a: Grid, b: Grid): boolean {
  if (sameGrid(a, b)) return true;
  if (a.width !== b.width || a.height !== b.height || !sameCrs(a.crs, b.crs)) return false;
  const px = Math.max(Math.abs(a.transform[1]), Math.abs(a.transform[5]));
  return a.transform.every((v, i) => Math.abs(v - b.transform[i]) <= 1e-6 * px);
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

class StacScene implements Scene {
  readonly kind = 'scene' as const;
  private stationsPromise?: Promise<Stations | undefined>;

  constructor(
    readonly id: string,
    readonly source: string,
    private readonly keys: ReadonlyMap<string, KeyEntry>,
    private readonly infos: ReadonlyMap<string, AssetInfo>,
    private readonly stationsPath: string | undefined,
    private readonly jsonFiles: readonly string[],
  ) {}

  assets(): readonly AssetInfo[] {
    return [...this.infos.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  has(key: string): boolean {
    return this.infos.has(key);
  }

  info(key: string): AssetInfo {
    const info = this.infos.get(key);
    if (!info) {
      throw inputError(`scene '${this.id}' has no asset '${key}'`, { file: this.source, path: 'assets', expected: `one of ${[...this.infos.keys()].sort().join(', ')}`, found: key });
    }
    return info;
  }

  async load(key: string, options: { dates?: readonly string[]; window?: PixelWindow } = {}): Promise<Series> {
    const info = this.info(key);
    const entry = this.keys.get(key)!;
    let files = entry.files;
    if (options.dates && entry.dated) {
      const byDate = new Map(files.map((f) => [f.date!, f]));
      const wanted = [...new Set(options.dates)].sort();
      const missing = wanted.filter((d) => !byDate.has(d));
      if (missing.length > 0) {
        throw inputError(`asset '${key}' has no file for ${missing.join(', ')}`, {
          file: this.source,
          path: `assets.${key}`,
          expected: `dates among ${info.dates.length > 6 ? `${info.dates[0]} … ${info.dates[info.dates.length - 1]} (${info.dates.length} dates)` : info.dates.join(', ')}`,
          found: missing.join(', '),
        });
      }
      files = wanted.map((d) => byDate.get(d)!);
    }
    const window = options.window;
    if (window) checkWindow(window, info.grid, key, this.source);
    const grid = window ? windowGrid(info.grid, window) : info.grid;
    const values: Float32Array[] = new Array(files.length);
    await forEachLimited(
      files.map((f, i) => [f, i] as const),
      CONCURRENCY,
      async ([f, i]) => {
        if (f.declaredGrid && !f.grid) {
          const actual = (await readGeoTiffInfo(f.path)).grid;
          if (!sameGridLoose(actual, f.declaredGrid)) {
            throw inputError('GeoTIFF grid differs from its STAC projection fields', {
              file: f.itemFile,
              path: f.fieldPath,
              expected: describeGrid(f.declaredGrid),
              found: `${f.path}: ${describeGrid(actual)}`,
            });
          }
          f.grid = actual;
        }
        const raster = await readGeoTiff(f.path, { bands: [0], ...(window ? { window } : {}) });
        values[i] = raster.bands[0];
      },
    );
    return makeSeries({
      variable: info.variable,
      grid,
      dates: entry.dated ? files.map((f) => f.date!) : [],
      values,
      ...(info.unit ? { unit: info.unit } : {}),
      ...(info.categorical ? { categorical: true } : {}),
    });
  }

  stations(): Promise<Stations | undefined> {
    if (!this.stationsPath) return Promise.resolve(undefined);
    const p = this.stationsPath;
    this.stationsPromise ??= /\.csv$/i.test(p) ? readStationsCsv(p) : readIsmn(p);
    return this.stationsPromise;
  }

  files(key?: string): readonly string[] {
    if (key !== undefined) return this.keys.get(key)?.files.map((f) => f.path) ?? [];
    const assets = [...this.keys.values()].flatMap((k) => k.files.map((f) => f.path));
    return [...new Set([...this.jsonFiles, ...assets, ...(this.stationsPath ? [this.stationsPath] : [])])];
  }
}

function checkWindow(w: PixelWindow, grid: Grid, key: string, file: string): void {
  const ok = [w.x, w.y, w.width, w.height].every(Number.isInteger) && w.x >= 0 && w.y >= 0 && w.width > 0 && w.height > 0 && w.x + w.width <= grid.width && w.y + w.height <= grid.height;
  if (!ok) {
    throw inputError(`window outside asset '${key}'`, { file, path: `assets.${key}`, expected: `a window inside ${grid.width}×${grid.height} px`, found: `x ${w.x}, y ${w.y}, ${w.width}×${w.height}` });
  }
}

