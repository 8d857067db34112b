import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { inputError, usageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import { readIsmn } from '../stations/ismn.js';
import { readStationsCsv } from '../stations/stations-csv.js';
import { compileDatePattern, parseAssetRule, type AssetRule } from './stac-build-rules.js';
import { describeRasterFile, lonLatBounds, projectionFields, type DescribedFile } from './stac-build-describe.js';

/** Options of `buildStacCatalog`. */
export interface StacBuildOptions {
  /** The Collection JSON to write; items go to `items/` beside it. */
  readonly out: string;
  /** Dates in GeoTIFF file names (`{YYYY}{MM}{DD}`, … see `compileDatePattern`); without it every GeoTIFF is static. */
  readonly datePattern?: string;
  /** `key=glob` rules, first match wins; recognised products (SMAP, CCI) default to `sm_coarse`. */
  readonly assets?: readonly string[];
  /** A stations CSV or ISMN file/folder, linked as the collection's `stations` asset. */
  readonly stations?: string;
  /** Collection id (default: the folder's name). */
  readonly id?: string;
  /** SPDX id, `various` or `proprietary` (default `proprietary`: the data's licence is not known here). */
  readonly license?: string;
}

/** What was written. */
export interface StacBuildResult {
  readonly collection: string;
  readonly items: readonly string[];
  /** Per asset key: dates (empty for a static key) and file count. */
  readonly keys: Readonly<Record<string, { readonly dates: readonly string[]; readonly files: number }>>;
  /** Things the user should know (multi-band files split into one asset per band, skipped files, …). */
  readonly notes: readonly string[];
}

const RASTER = /\.(tiff?|h5|hdf5?|he5|nc4?|cdf)$/i;
const MEDIA_TYPE: Record<string, string> = { geotiff: 'image/tiff; application=geotiff', hdf5: 'application/x-hdf5', netcdf3: 'application/netcdf' };
export const STAC_EXTENSIONS = ['https://stac-extensions.github.io/projection/v2.0.0/schema.json', 'https://stac-extensions.github.io/raster/v1.1.0/schema.json'];
const DEFAULT_PRODUCT_KEY = 'sm_coarse';

interface Placed {
  readonly file: DescribedFile;
  readonly key: string;
  readonly date?: string;
}

/**
 * Write a STAC Collection (STAC 1.0.0, projection v2 and raster v1.1 extensions) with one Item per date
 * and one static Item, from a folder of GeoTIFF, HDF5 and NetCDF files: grids, dates and value coding
 * from the files, asset keys from rules, relative hrefs, every JSON written atomically (collection last).
 *
 * @throws SoilscaleError (usage/input) for a file no rule names, two files of one key on one date, a
 * key both static and dated, an unreadable file, or no dated file at all — naming the files.
 * @example
 * ```sh
 * soilscale stac build downloads/ --out scene/collection.json --date-pattern '{YYYY}{MM}{DD}' --asset 'ndvi_1km=*NDVI*.tif'
 * ```
 */
export async function buildStacCatalog(folder: string, options: StacBuildOptions): Promise<StacBuildResult> {
  const root = resolve(folder);
  const out = resolve(options.out);
  const rules = (options.assets ?? []).map(parseAssetRule);
  const dateOf = options.datePattern ? compileDatePattern(options.datePattern) : undefined;
  const paths = (await listFiles(root)).filter((p) => RASTER.test(p)).sort();
  if (paths.length === 0) throw inputError('no raster files in the folder', { file: root, expected: 'GeoTIFF (.tif), HDF5 (.h5) or NetCDF (.nc) files', found: 'none' });
  const notes: string[] = [];
  const placed: Placed[] = [];
  for (const path of paths) placed.push(place(await describeRasterFile(path), relative(root, path).split(sep).join('/'), rules, dateOf, notes));
  checkPlacement(placed);
  const dated = [...new Set(placed.flatMap((p) => (p.date ? [p.date] : [])))].sort();
  if (dated.length === 0) {
    throw usageError('no dated files: a scene needs a time series', { file: root, path: '--date-pattern', expected: 'SMAP/CCI files or GeoTIFF names matching --date-pattern', found: `${placed.length} static files` });
  }
  const stations = options.stations ? await checkStations(resolve(options.stations)) : undefined;
  const itemsDir = join(dirname(out), 'items');
  const collectionId = options.id ?? basename(root);
  const interval: [string, string] = [`${dated[0]}T00:00:00Z`, `${dated[dated.length - 1]}T23:59:59Z`];
  const groups = new Map<string, Placed[]>();
  for (const p of placed) groups.set(p.date ?? 'static', [...(groups.get(p.date ?? 'static') ?? []), p]);
  const items: string[] = [];
  const boxes: [number, number, number, number][] = [];
  for (const [id, members] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const itemFile = join(itemsDir, `${id}.json`);
    const item = makeItem(id, members, itemFile, out, collectionId, id === 'static' ? interval : undefined);
    if (item.bbox) boxes.push(item.bbox as [number, number, number, number]);
    await writeFileAtomic(itemFile, JSON.stringify(item, null, 2) + '\n');
    items.push(itemFile);
  }
  const collection = {
    type: 'Collection',
    stac_version: '1.0.0',
    stac_extensions: [],
    id: collectionId,
    description: `Written by soilscale stac build from ${paths.length} files in ${basename(root)}`,
    license: options.license ?? 'proprietary',
    extent: { spatial: { bbox: [unionBox(boxes) ?? [-180, -90, 180, 90]] }, temporal: { interval: [interval] } },
    links: [{ rel: 'root', href: `./${basename(out)}`, type: 'application/json' }, ...items.map((f) => ({ rel: 'item', href: href(out, f), type: 'application/geo+json' }))],
    ...(stations ? { assets: { stations: { href: href(out, stations), roles: ['data'], title: 'in-situ soil moisture', ...(/\.csv$/i.test(stations) ? { type: 'text/csv' } : {}) } } } : {}),
  };
  await writeFileAtomic(out, JSON.stringify(collection, null, 2) + '\n');
  return { collection: out, items, keys: summarize(placed), notes };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    // Symbolic links are followed (a folder of links to downloads is a common layout).
    const isDir = e.isDirectory() || (e.isSymbolicLink() && (await stat(path)).isDirectory());
    if (isDir) out.push(...(await listFiles(path)));
    else out.push(path);
  }
  return out;
}

/** The asset key and date of one file. */
function place(file: DescribedFile, rel: string, rules: readonly AssetRule[], dateOf: ((name: string) => string | undefined) | undefined, notes: string[]): Placed {
  const rule = rules.find((r) => r.test(rel));
  const key = rule?.key ?? (file.product ? DEFAULT_PRODUCT_KEY : undefined);
  if (!key) {
    throw usageError('no asset rule names this file', { file: file.path, path: '--asset', expected: `a rule key=glob matching "${rel}" (recognised SMAP/CCI files default to ${DEFAULT_PRODUCT_KEY})`, found: rules.length ? rules.map((r) => `${r.key}=${r.glob}`).join(', ') : 'no rules' });
  }
  if (file.bands.length > 1) notes.push(`${rel}: ${file.bands.length} bands, one asset each ('${key}_<band name or number>', soilscale:band)`);
  if (!projectionFields(file.grid)) notes.push(`${rel}: CRS "${file.grid.crs}" has no EPSG code or WKT, so no projection fields (the scene reads the grid from the file)`);
  const date = file.date ?? (file.format === 'geotiff' && dateOf ? dateOf(basename(file.path)) : undefined);
  return { file, key, ...(date ? { date } : {}) };
}

/** One file per key and date; a key is either static or dated. */
function checkPlacement(placed: readonly Placed[]): void {
  const seen = new Map<string, Placed>();
  for (const p of placed) {
    const clash = seen.get(`${p.key}@${p.date ?? 'static'}`);
    if (clash) {
      throw usageError(`two files for asset '${p.key}' ${p.date ? `on ${p.date}` : 'as a static layer'}`, { file: p.file.path, path: '--asset', expected: 'one file per asset key and date (use --asset rules or --date-pattern to tell them apart)', found: `also ${clash.file.path}` });
    }
    seen.set(`${p.key}@${p.date ?? 'static'}`, p);
    const other = placed.find((q) => q.key === p.key && (q.date === undefined) !== (p.date === undefined));
    if (other) {
      const [s, d] = p.date ? [other, p] : [p, other];
      throw usageError(`asset '${p.key}' has dated and undated files`, { file: s.file.path, path: '--date-pattern', expected: `a date in every '${p.key}' file name (as in ${basename(d.file.path)})`, found: 'no date in this name' });
    }
  }
}

async function checkStations(path: string): Promise<string> {
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch {
    throw inputError('stations not found', { file: path, path: '--stations', expected: 'a stations CSV or an ISMN file or folder', found: 'no such file or folder' });
  }
  // Read it now: a bad stations file is reported by the build, not by the first run.
  await (isFile && /\.csv$/i.test(path) ? readStationsCsv(path) : readIsmn(path));
  return path;
}

function makeItem(id: string, members: readonly Placed[], itemFile: string, collectionFile: string, collectionId: string, staticInterval?: [string, string]): Record<string, unknown> {
  const boxes = members.map((m) => lonLatBounds(m.file.grid)).filter((b): b is [number, number, number, number] => b !== undefined);
  const bbox = unionBox(boxes);
  const assets: Record<string, unknown> = {};
  for (const m of [...members].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const common = {
      href: href(itemFile, m.file.path),
      type: /\.nc4?$/i.test(m.file.path) ? 'application/netcdf' : MEDIA_TYPE[m.file.format],
      roles: ['data'],
      ...(m.file.product ? { title: m.file.product } : {}),
      ...(projectionFields(m.file.grid) ?? {}),
    };
    if (m.file.bands.length === 1) {
      assets[m.key] = { ...common, 'raster:bands': m.file.bands };
      continue;
    }
    // A multi-band GeoTIFF: one asset per band (`<key>_<band name or number>`), so no band is read by default or dropped.
    m.file.bands.forEach((band, b) => {
      const name = typeof band.name === 'string' && band.name !== '' ? band.name : String(b + 1);
      const key = `${m.key}_${name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
      assets[key in assets ? `${m.key}_${b + 1}` : key] = { ...common, 'soilscale:band': b, 'raster:bands': [band] };
    });
  }
  const properties = staticInterval ? { datetime: null, start_datetime: staticInterval[0], end_datetime: staticInterval[1] } : { datetime: `${id}T00:00:00Z` };
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    stac_extensions: STAC_EXTENSIONS,
    id,
    collection: collectionId,
    ...(bbox ? { bbox, geometry: polygon(bbox) } : { geometry: null }),
    properties,
    links: [
      { rel: 'collection', href: href(itemFile, collectionFile), type: 'application/json' },
      { rel: 'root', href: href(itemFile, collectionFile), type: 'application/json' },
      { rel: 'parent', href: href(itemFile, collectionFile), type: 'application/json' },
    ],
    assets,
  };
}

/** A relative, URL-encoded href from the JSON file `from` to `to`. */
function href(from: string, to: string): string {
  const rel = relative(dirname(from), to).split(sep).map(encodeURIComponent).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

function unionBox(boxes: readonly [number, number, number, number][]): [number, number, number, number] | undefined {
  if (boxes.length === 0) return undefined;
  return [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
}

function polygon([w, s, e, n]: [number, number, number, number]): Record<string, unknown> {
  return { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] };
}

function summarize(placed: readonly Placed[]): StacBuildResult['keys'] {
  const keys: Record<string, { dates: string[]; files: number }> = {};
  for (const p of placed) {
    const k = (keys[p.key] ??= { dates: [], files: 0 });
    k.files++;
    if (p.date) k.dates.push(p.date);
  }
  for (const k of Object.values(keys)) k.dates.sort();
  return keys;
}
