import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  transformCoordinates,
  writeFileAtomic,
  writeGeoTiff,
  writeStationsCsv,
  type Grid,
  type StationSeries,
  type Stations,
} from '../../../core/index.js';
import { SCENE_CRS, type SyntheticLayer, type SyntheticSceneData } from './generate.js';

const STAC_EXTENSIONS = ['https://stac-extensions.github.io/projection/v2.0.0/schema.json', 'https://stac-extensions.github.io/raster/v1.1.0/schema.json'];
const TIFF_TYPE = 'image/tiff; application=geotiff';
/** Files written at once (small files; bounded so a big scene does not open thousands of handles). */
const CONCURRENCY = 8;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** STAC `proj:transform` order `[a, b, c, d, e, f]` from a GDAL geotransform. */
function stacTransform(grid: Grid): number[] {
  const t = grid.transform;
  return [t[1], t[2], t[0], t[4], t[5], t[3]];
}

function assetJson(layer: SyntheticLayer, href: string): Json {
  const categorical = layer.categorical === true;
  const asset: { [key: string]: Json } = {
    href,
    type: TIFF_TYPE,
    title: layer.description,
    roles: [layer.role],
    'proj:code': layer.grid.crs,
    'proj:shape': [layer.grid.height, layer.grid.width],
    'proj:transform': stacTransform(layer.grid),
    'raster:bands': [categorical ? { unit: layer.unit, data_type: 'uint8', nodata: 255 } : { unit: layer.unit, data_type: 'float32', nodata: 'nan' }],
  };
  if (categorical) asset['soilscale:categorical'] = true;
  return asset;
}

/** Lon/lat bounding box and footprint of a grid. */
function footprint(grid: Grid): { bbox: number[]; geometry: Json } {
  const t = grid.transform;
  const xs = Float64Array.of(t[0], t[0] + grid.width * t[1], t[0] + grid.width * t[1], t[0]);
  const ys = Float64Array.of(t[3], t[3], t[3] + grid.height * t[5], t[3] + grid.height * t[5]);
  const { x, y } = transformCoordinates(SCENE_CRS, 'EPSG:4326', xs, ys);
  const r = (v: number): number => Math.round(v * 1e6) / 1e6;
  const ring = [0, 1, 2, 3, 0].map((i) => [r(x[i]), r(y[i])]);
  return {
    bbox: [r(Math.min(...x)), r(Math.min(...y)), r(Math.max(...x)), r(Math.max(...y))],
    geometry: { type: 'Polygon', coordinates: [ring] },
  };
}

/**
 * One tile covering the whole grid (the smallest multiple of 16, as TIFF requires): the scene's rasters are
 * small, and 256-pixel tiles would pad a 54 × 54 "1 km" layer twenty-fold.
 */
function tileSizeFor(grid: Grid): number {
  const side = Math.max(grid.width, grid.height);
  return side <= 2048 ? Math.ceil(side / 16) * 16 : 512;
}

async function inBatches<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += CONCURRENCY) await Promise.all(items.slice(i, i + CONCURRENCY).map(fn));
}


/** The scene's stations at their longitude/latitude (0.05 m sensors), as a stations CSV holds them. */
export function sceneStations(scene: SyntheticSceneData): Stations {
  const xs = Float64Array.from(scene.stations, (s) => s.x);
  const ys = Float64Array.from(scene.stations, (s) => s.y);
  const ll = transformCoordinates(SCENE_CRS, 'EPSG:4326', xs, ys);
  const observations = new Map<string, StationSeries>();
  for (const s of scene.stations) observations.set(s.id, { dates: s.dates, values: s.values, flags: s.dates.map(() => 'G') });
  return {
    kind: 'stations',
    stations: scene.stations.map((s, i) => ({ id: s.id, lon: Math.round(ll.x[i] * 1e6) / 1e6, lat: Math.round(ll.y[i] * 1e6) / 1e6, depth: 0.05 })),
    observations,
  };
}

/**
 * Write a generated scene as a STAC Collection: `catalog.json`, one Item per date (`items/<date>.json`),
 * static Items per resolution (`items/static-1km.json`, `items/static-30m.json`), GeoTIFFs under
 * `data/<key>/<date|static>.tif`, and `stations.csv`. Every file is written atomically and `catalog.json`
 * last, so a folder with a catalog is complete. Same scene → same bytes.
 */
export async function writeScene(scene: SyntheticSceneData, outDir: string, meta: { generatorVersion: string; hash: string }): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const collectionId = `soilscale-synthetic-${meta.hash}`;
  const { bbox, geometry } = footprint(scene.grids.km);
  const first = scene.dates[0];
  const last = scene.dates[scene.dates.length - 1];
  const startTime = `${first}T00:00:00Z`;
  const endTime = `${last}T23:59:59Z`;

  // Rasters
  const jobs: { layer: SyntheticLayer; index: number; path: string }[] = [];
  for (const layer of scene.layers) {
    if (layer.dates.length === 0) jobs.push({ layer, index: 0, path: join(outDir, 'data', layer.key, 'static.tif') });
    else layer.dates.forEach((d, i) => jobs.push({ layer, index: i, path: join(outDir, 'data', layer.key, `${d}.tif`) }));
  }
  await inBatches(jobs, async ({ layer, index, path }) => {
    const raster = { kind: 'raster' as const, grid: layer.grid, bands: [layer.values[index]], bandNames: [layer.key], unit: layer.unit };
    const common = { overviews: false, compression: 'none', tileSize: tileSizeFor(layer.grid) } as const;
    await writeGeoTiff(path, raster, layer.categorical ? { ...common, dataType: 'uint8', nodata: 255 } : { ...common, dataType: 'float32' });
  });

  // Items
  const links = (rel: string): Json[] => [
    { rel: 'collection', href: '../catalog.json', type: 'application/json' },
    { rel: 'root', href: '../catalog.json', type: 'application/json' },
    { rel, href: '../catalog.json', type: 'application/json' },
  ];
  const item = (id: string, properties: Json, assets: { [key: string]: Json }): Json => ({
    type: 'Feature',
    stac_version: '1.0.0',
    stac_extensions: STAC_EXTENSIONS,
    id,
    collection: collectionId,
    geometry,
    bbox,
    properties,
    links: links('parent'),
    assets,
  });
  const itemFiles: { id: string; json: Json }[] = [];
  const statics = new Map<string, { [key: string]: Json }>();
  for (const layer of scene.layers.filter((l) => l.dates.length === 0)) {
    const res = layer.key.slice(layer.key.lastIndexOf('_') + 1);
    const assets = statics.get(res) ?? {};
    assets[layer.key] = assetJson(layer, `../data/${layer.key}/static.tif`);
    statics.set(res, assets);
  }
  for (const [res, assets] of statics) {
    const id = `static-${res}`;
    itemFiles.push({ id, json: item(id, { datetime: null, start_datetime: startTime, end_datetime: endTime }, assets) });
  }
  const daily = scene.layers.filter((l) => l.dates.length > 0);
  const dateIndex = daily.map((l) => new Set(l.dates));
  for (const date of scene.dates) {
    const assets: { [key: string]: Json } = {};
    daily.forEach((layer, i) => {
      if (dateIndex[i].has(date)) assets[layer.key] = assetJson(layer, `../data/${layer.key}/${date}.tif`);
    });
    itemFiles.push({ id: date, json: item(date, { datetime: `${date}T00:00:00Z` }, assets) });
  }
  await inBatches(itemFiles, async ({ id, json }) => {
    await writeFileAtomic(join(outDir, 'items', `${id}.json`), JSON.stringify(json, null, 1) + '\n');
  });

  // Stations
  const stations = sceneStations(scene);
  await writeStationsCsv(join(outDir, 'stations.csv'), stations);

  // Collection, last.
  const o = scene.options;
  const catalog: Json = {
    type: 'Collection',
    stac_version: '1.0.0',
    stac_extensions: STAC_EXTENSIONS,
    id: collectionId,
    title: `Synthetic ${o.climate} study area (seed ${o.seed})`,
    description:
      'Synthetic soil-moisture downscaling scene generated by soilscale source:synthetic: terrain, soil texture, land cover, ' +
      'a daily water-balance soil-moisture truth and imperfect observations of it (coarse SM, 1 km optical/thermal predictors, ' +
      '30 m Sentinel-1-like backscatter and Landsat-like reflectance, in-situ stations). Assets with role "truth" are for validation only.',
    license: 'CC0-1.0',
    extent: { spatial: { bbox: [bbox] }, temporal: { interval: [[startTime, endTime]] } },
    links: [
      { rel: 'root', href: './catalog.json', type: 'application/json' },
      ...itemFiles.map((f): Json => ({ rel: 'item', href: `./items/${f.id}.json`, type: 'application/geo+json' })),
    ],
    assets: { stations: { href: 'stations.csv', type: 'text/csv', title: 'In-situ soil moisture (0–5 cm sensors), synthetic', roles: ['data'] } },
    'soilscale:synthetic': {
      generator: 'source:synthetic',
      generatorVersion: meta.generatorVersion,
      optionsHash: meta.hash,
      options: JSON.parse(JSON.stringify(o)) as Json,
    },
  };
  const catalogPath = join(outDir, 'catalog.json');
  await writeFileAtomic(catalogPath, JSON.stringify(catalog, null, 1) + '\n');
  return catalogPath;
}
