import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { inputError, isSoilscaleError, SoilscaleError } from '../errors.js';
import { openRasterLayer, type ProductOptions, type RasterAddress, type RasterLayer } from '../io/raster-source.js';
import { describeGrid, pixelCount, sameGrid, windowGrid, type Grid, type PixelWindow } from '../model/grid.js';
import { layerBackedSeries, makeSeries, type Series } from '../model/series.js';
import { readLayersSync } from '../io/layer-read-sync.js';
import { splitAssetKey, type AssetInfo, type Scene } from '../model/scene.js';
import type { Stations } from '../model/stations.js';
import { sameCrs } from '../crs/resolve.js';
import { readIsmn } from '../stations/ismn.js';
import { parseStationsCsv, readStationsCsv } from '../stations/stations-csv.js';
import { httpRequest, isRemote, responseBytes } from '../io/http-source.js';
import { gridFromProjection } from './stac-grid.js';
import { assetAddress, isRasterAsset } from './stac-asset.js';
import { isObject } from './stac-json.js';
import { walkStac, type LocatedItem } from './stac-walk.js';
import { FILES_IN_FLIGHT, forEachLimited } from '../util/for-each-limited.js';

/** One asset file of one key on one date (or static). */
interface AssetFile {
  readonly key: string;
  readonly address: RasterAddress;
  /** The item's `properties.datetime` as a date, if any. */
  readonly itemDate?: string;
  /** The item's date, else the date the file states (SMAP, CCI); set when the scene opens. */
  date?: string;
  /** Where it was declared, for messages: `items/2024-06-01.json: assets.ndvi_1km`. */
  readonly itemFile: string;
  readonly fieldPath: string;
  /** Grid declared in STAC, if any (checked against the file when read). */
  readonly declaredGrid?: Grid;
  /** HDF5/NetCDF (by href or media type): opened with the scene, since its date and grid come from the file. */
  readonly gridded: boolean;
  layer?: RasterLayer;
  readonly unit?: string;
  readonly categorical?: boolean;
}

interface KeyEntry {
  readonly key: string;
  readonly files: AssetFile[];
  static: boolean;
  dated: boolean;
}


/** Options of `readStacScene`. */
export interface StacSceneOptions {
  /** How recognised products (SMAP, ESA CCI) are read; an asset's `soilscale:pass`/`soilscale:mask` win. */
  readonly products?: ProductOptions;
  /**
   * Bytes (float32, every date) from which a load of local GeoTIFFs stays in the files, a layer-backed
   * series (docs/scale-out.md, Memory); default 64 MiB. Smaller series are read at once: their memory does
   * not matter, and reading them whole once costs less than a reader thread and a file open per tile.
   */
  readonly layerBackedFrom?: number;
}

/** Default of `StacSceneOptions.layerBackedFrom`. */
const LAYER_BACKED_FROM = 64 * 1024 * 1024;

/**
 * Open a local STAC scene (Collection, Catalog, ItemCollection or Item; see `docs/scene-format.md`).
 * All JSON is read and every asset file is checked to exist now (HDF5/NetCDF headers are read too:
 * their grid and date come from the file); pixels are read lazily by `load`, only the dates and
 * window asked for.
 *
 * @throws SoilscaleError (input) naming the JSON file and field for malformed catalogs, missing
 * files, mixed grids within one key, a key that is both static and dated, a file whose date differs
 * from its item's, or an unreadable HDF5/NetCDF variable.
 * @example
 * ```ts
 * const scene = await readStacScene('demo/catalog.json');
 * scene.assets().map((a) => a.key); // ['dem_30m', 'ndvi_1km', 'sm_coarse', …]
 * const sm = await scene.load('sm_coarse', { dates: ['2023-01-10'] });
 * const stations = await scene.stations();
 * ```
 */
export async function readStacScene(path: string, options: StacSceneOptions = {}): Promise<Scene> {
  const entry = isRemote(path) ? path : resolve(path);
  const walk = await walkStac(entry);
  const all = walk.items.flatMap(collectAssets);
  if (all.length === 0) {
    throw inputError('STAC scene has no raster assets', { file: entry, expected: 'items with GeoTIFF, HDF5 or NetCDF assets', found: `${walk.items.length} items, no raster assets` });
  }
  // Remote files are checked when their headers are read (a HEAD per file would only add requests).
  await forEachLimited(all.filter((f) => !isRemote(f.address.path)), FILES_IN_FLIGHT, async (f) => {
    try {
      const s = await stat(f.address.path);
      if (!s.isFile()) throw new Error('not a file');
    } catch {
      throw inputError('asset file not found', { file: f.itemFile, path: `${f.fieldPath}.href`, expected: 'an existing GeoTIFF, HDF5 or NetCDF file', found: f.address.path });
    }
  });
  await forEachLimited(
    all.filter((f) => f.gridded || !f.declaredGrid),
    FILES_IN_FLIGHT,
    async (f) => {
      await openLayer(f, options.products);
    },
  );
  for (const f of all) f.date = assetDate(f);
  const keys = groupByKey(all);
  const infos = new Map<string, AssetInfo>();
  for (const entry of keys.values()) infos.set(entry.key, finishKey(entry));
  if (walk.stations && !isRemote(walk.stations.path)) {
    const st = walk.stations;
    try {
      await stat(st.path);
    } catch {
      throw inputError('stations file not found', { file: st.declaredIn, path: 'assets.stations.href', expected: 'an existing stations CSV or ISMN folder', found: st.path });
    }
  }
  return new StacScene(walk.id, entry, keys, infos, walk.stations?.path, walk.jsonFiles, options.products ?? {}, options.layerBackedFrom ?? LAYER_BACKED_FROM);
}

/**
 * Open an asset's layer (header only) and check it against the grid its STAC fields declare.
 * Errors from the file reader are prefixed with the item and asset that point to the file.
 */
async function openLayer(f: AssetFile, products: ProductOptions | undefined): Promise<RasterLayer> {
  if (f.layer) return f.layer;
  let layer: RasterLayer;
  try {
    layer = await openRasterLayer(f.address, products);
  } catch (e) {
    // The reader's message already names the data file, variable, expected and found.
    throw isSoilscaleError(e) ? new SoilscaleError(e.kind, e.message, { file: f.itemFile, path: f.fieldPath }) : e;
  }
  if (f.declaredGrid && !sameGridLoose(layer.info.grid, f.declaredGrid)) {
    throw inputError(`${layer.info.format === 'geotiff' ? 'GeoTIFF' : 'file'} grid differs from its STAC projection fields`, { file: f.itemFile, path: f.fieldPath, expected: describeGrid(f.declaredGrid), found: `${f.address.path}: ${describeGrid(layer.info.grid)}` });
  }
  f.layer = layer;
  return layer;
}

/** The item's date; a file stating another date is an error; a static item takes the file's date. */
function assetDate(f: AssetFile): string | undefined {
  const fileDate = f.layer?.info.date;
  if (f.itemDate && fileDate && f.itemDate !== fileDate) {
    throw inputError(`asset '${f.key}' file holds another date than its item`, { file: f.itemFile, path: `${f.fieldPath}.href`, expected: `${f.itemDate} (properties.datetime)`, found: `${fileDate} in ${f.address.path}` });
  }
  return f.itemDate ?? fileDate;
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

function collectAssets(located: LocatedItem): AssetFile[] {
  const { item, file, path } = located;
  const prefix = path ? `${path}.` : '';
  const date = itemDate(item, file, path);
  const props = isObject(item.properties) ? item.properties : {};
  const itemGrid = gridFromProjection(props, file, `${prefix}properties`);
  if (!isObject(item.assets)) {
    throw inputError('item without assets', { file, path: `${prefix}assets`, expected: 'an object of assets', found: JSON.stringify(item.assets) });
  }
  const out: AssetFile[] = [];
  for (const [key, asset] of Object.entries(item.assets)) {
    if (!isObject(asset) || !isRasterAsset(asset)) continue;
    const fieldPath = `${prefix}assets.${key}`;
    const bands = asset['raster:bands'];
    const unit = Array.isArray(bands) && isObject(bands[0]) && typeof bands[0].unit === 'string' ? bands[0].unit : undefined;
    const declaredGrid = gridFromProjection(asset, file, fieldPath) ?? itemGrid;
    const address = { ...assetAddress(asset, file, fieldPath), ...(declaredGrid ? { grid: declaredGrid } : {}) };
    out.push({
      key,
      address,
      ...(date ? { itemDate: date } : {}),
      itemFile: file,
      fieldPath,
      declaredGrid,
      gridded: address.variable !== undefined || !/\.tiff?$/i.test(address.path),
      unit,
      categorical: asset['soilscale:categorical'] === true,
    });
  }
  return out;
}

/** Files by key, checking one file per key and date and that no key is both static and dated. */
function groupByKey(files: readonly AssetFile[]): Map<string, KeyEntry> {
  const keys = new Map<string, KeyEntry>();
  for (const f of files) {
    const { key, date } = f;
    let entry = keys.get(key);
    if (!entry) keys.set(key, (entry = { key, files: [], static: false, dated: false }));
    const clash = entry.files.find((g) => g.date === date);
    if (clash) {
      throw inputError(`asset '${key}' appears twice ${date ? `on ${date}` : 'as a static layer'}`, {
        file: f.itemFile,
        path: f.fieldPath,
        expected: 'one file per key and date',
        found: `also in ${clash.itemFile}: ${clash.fieldPath}`,
      });
    }
    entry.files.push(f);
    if (date) entry.dated = true;
    else entry.static = true;
    if (entry.static && entry.dated) {
      const other = entry.files.find((g) => (g.date === undefined) !== (date === undefined))!;
      throw inputError(`asset '${key}' is both static and dated`, {
        file: f.itemFile,
        path: f.fieldPath,
        expected: 'a key either in dated items or in one static item',
        found: `${date ? 'dated ' + date : 'static'} here, ${other.date ? 'dated ' + other.date : 'static'} in ${other.itemFile}`,
      });
    }
  }
  return keys;
}

function finishKey(entry: KeyEntry): AssetInfo {
  entry.files.sort((a, b) => ((a.date ?? '') < (b.date ?? '') ? -1 : 1));
  const first = entry.files[0];
  const grid = first.declaredGrid ?? first.layer!.info.grid;
  for (const f of entry.files) {
    const g = f.declaredGrid ?? f.layer!.info.grid;
    if (!sameGridLoose(g, grid)) {
      throw inputError(`asset '${entry.key}' changes grid between files`, {
        file: f.itemFile,
        path: f.fieldPath,
        expected: `the grid of ${first.address.path} (${describeGrid(grid)})`,
        found: `${f.address.path}: ${describeGrid(g)}`,
      });
    }
  }
  const { variable, resolution } = splitAssetKey(entry.key);
  const unit = entry.files.find((f) => f.unit)?.unit ?? entry.files.find((f) => f.layer?.info.unit)?.layer!.info.unit;
  const gridded = first.layer && first.layer.info.format !== 'geotiff' ? first.layer.info : undefined;
  return {
    key: entry.key,
    variable,
    ...(resolution ? { resolution } : {}),
    grid,
    dates: entry.dated ? entry.files.map((f) => f.date!) : [],
    ...(unit ? { unit } : {}),
    ...(entry.files.some((f) => f.categorical) ? { categorical: true } : {}),
    ...(gridded ? { reader: `${gridded.description}; quality mask: ${gridded.mask}` } : {}),
  };
}

/** Same size and CRS, transforms equal to 1e-6 of a pixel. */
function sameGridLoose(a: Grid, b: Grid): boolean {
  if (sameGrid(a, b)) return true;
  if (a.width !== b.width || a.height !== b.height || !sameCrs(a.crs, b.crs)) return false;
  const px = Math.max(Math.abs(a.transform[1]), Math.abs(a.transform[5]));
  return a.transform.every((v, i) => Math.abs(v - b.transform[i]) <= 1e-6 * px);
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
    private readonly products: ProductOptions,
    private readonly layerBackedFrom: number,
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
    const init = {
      variable: info.variable,
      grid,
      dates: entry.dated ? files.map((f) => f.date!) : [],
      ...(info.unit ? { unit: info.unit } : {}),
      ...(info.categorical ? { categorical: true } : {}),
    };
    if (!window && pixelCount(grid) * files.length * 4 >= this.layerBackedFrom) {
      await forEachLimited(files, FILES_IN_FLIGHT, async (f) => void (await openLayer(f, this.products))); // headers: a file off its declared grid fails now
      // Large local GeoTIFFs stay in their files: a tile stage reads them by window, anyone else whole on
      // first access (docs/scale-out.md, Memory). No quality mask applies to a GeoTIFF, so the mask check
      // below has nothing to refuse. HDF5/NetCDF (read whole by h5wasm anyway) and remote files are loaded now.
      if (files.every((f) => f.layer!.info.format === 'geotiff' && !isRemote(f.address.path))) {
        const layers = files.map((f) => f.address);
        return layerBackedSeries(init, { layers, readWhole: () => readLayersSync(layers) });
      }
    }
    const values: Float32Array[] = new Array(files.length);
    let validBeforeMask = 0;
    let validAfterMask = 0;
    await forEachLimited(
      files.map((f, i) => [f, i] as const),
      FILES_IN_FLIGHT,
      async ([f, i]) => {
        const read = await (await openLayer(f, this.products)).read(window);
        values[i] = read.values;
        validBeforeMask += read.validBeforeMask;
        validAfterMask += read.validAfterMask;
      },
    );
    if (validBeforeMask > 0 && validAfterMask === 0) {
      const f = files[0];
      throw inputError(`the quality mask removes every value of asset '${key}'`, {
        file: f.itemFile,
        path: f.fieldPath,
        expected: `a mask that keeps some of the ${validBeforeMask} valid values (${f.layer!.info.description})`,
        found: `none left by "${f.layer!.info.mask}" in ${files.length} file(s)${window ? ` in window x ${window.x}, y ${window.y}, ${window.width}×${window.height}` : ''}`,
      });
    }
    return makeSeries({ ...init, values });
  }

  stations(): Promise<Stations | undefined> {
    if (!this.stationsPath) return Promise.resolve(undefined);
    const p = this.stationsPath;
    this.stationsPromise ??= isRemote(p) ? readRemoteStations(p) : /\.csv$/i.test(p) ? readStationsCsv(p) : readIsmn(p);
    return this.stationsPromise;
  }

  files(key?: string): readonly string[] {
    if (key !== undefined) return this.keys.get(key)?.files.map((f) => f.address.path) ?? [];
    const assets = [...this.keys.values()].flatMap((k) => k.files.map((f) => f.address.path));
    return [...new Set([...this.jsonFiles, ...assets, ...(this.stationsPath ? [this.stationsPath] : [])])].filter((f) => !isRemote(f)); // no checksum of remote files: it would download them whole
  }
}

function checkWindow(w: PixelWindow, grid: Grid, key: string, file: string): void {
  const ok = [w.x, w.y, w.width, w.height].every(Number.isInteger) && w.x >= 0 && w.y >= 0 && w.width > 0 && w.height > 0 && w.x + w.width <= grid.width && w.y + w.height <= grid.height;
  if (!ok) {
    throw inputError(`window outside asset '${key}'`, { file, path: `assets.${key}`, expected: `a window inside ${grid.width}×${grid.height} px`, found: `x ${w.x}, y ${w.y}, ${w.width}×${w.height}` });
  }
}

/** A stations CSV over http(s) (ISMN folders are local only). */
async function readRemoteStations(url: string): Promise<Stations> {
  if (!/\.csv(\?|$)/i.test(url)) {
    throw inputError('remote stations must be a CSV', { file: url, path: 'assets.stations.href', expected: 'a stations .csv URL, or a local ISMN file or folder', found: url });
  }
  const text = new TextDecoder().decode(await responseBytes(await httpRequest(url), url));
  return parseStationsCsv(text, url);
}
