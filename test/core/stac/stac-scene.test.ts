import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { readStacScene } from '../../../core/stac/index.js';
import { writeGeoTiff } from '../../../core/io/geotiff-write.js';
import { createGrid, type Grid } from '../../../core/model/grid.js';
import { rasterFromBands } from '../../../core/model/raster.js';
import { SoilscaleError } from '../../../core/errors.js';

const coarse = createGrid(4, 3, [500000, 1000, 0, 4200000, 0, -1000], 'EPSG:32633');
const fine = createGrid(40, 30, [500000, 100, 0, 4200000, 0, -100], 'EPSG:32633');
const DATES = ['2024-06-01', '2024-06-02', '2024-06-05'];

/** Deterministic pixel values that encode (key, date, pixel) so reads can be checked exactly. */
function band(grid: Grid, base: number): Float32Array {
  const v = new Float32Array(grid.width * grid.height);
  for (let i = 0; i < v.length; i++) v[i] = base + i * 0.001;
  return v;
}

/** STAC projection fields for a grid: proj:transform in STAC order [a, b, c, d, e, f]. */
function proj(grid: Grid) {
  const t = grid.transform;
  return { 'proj:code': grid.crs, 'proj:shape': [grid.height, grid.width], 'proj:transform': [t[1], t[2], t[0], t[4], t[5], t[3]] };
}

interface Built {
  dir: string;
  items: Array<Record<string, unknown>>;
}

/** Write GeoTIFFs and items (not yet the entry file). Items live in `items/`, rasters in `data/`. */
async function buildScene(dir: string): Promise<Built> {
  mkdirSync(join(dir, 'items'), { recursive: true });
  const items: Array<Record<string, unknown>> = [];
  for (const [di, date] of DATES.entries()) {
    const smPath = join(dir, 'data', `sm_${date}.tif`);
    await writeGeoTiff(smPath, rasterFromBands(coarse, [band(coarse, 0.1 + di)]), { overviews: false });
    const assets: Record<string, unknown> = {
      sm_coarse: { href: `../data/sm_${date}.tif`, type: 'image/tiff; application=geotiff', ...proj(coarse), 'raster:bands': [{ unit: 'm3/m3' }] },
    };
    if (di !== 1) {
      const ndviPath = join(dir, 'data', `ndvi_${date}.tif`);
      await writeGeoTiff(ndviPath, rasterFromBands(fine, [band(fine, 10 + di)]), { overviews: false });
      // No projection fields: the grid comes from the GeoTIFF header. Absolute href.
      assets.ndvi_100m = { href: ndviPath, type: 'image/tiff' };
    }
    items.push({ type: 'Feature', stac_version: '1.0.0', id: date, properties: { datetime: `${date}T00:00:00Z` }, assets, links: [] });
  }
  await writeGeoTiff(join(dir, 'data', 'dem.tif'), rasterFromBands(fine, [band(fine, 100)]), { overviews: false });
  await writeGeoTiff(join(dir, 'data', 'lc.tif'), rasterFromBands(fine, [band(fine, 1)]), { overviews: false });
  items.push({
    type: 'Feature',
    stac_version: '1.0.0',
    id: 'static',
    properties: { datetime: null, start_datetime: '2000-01-01T00:00:00Z', end_datetime: '2030-01-01T00:00:00Z', ...proj(fine) },
    assets: {
      dem_100m: { href: '../data/dem.tif', type: 'image/tiff', 'raster:bands': [{ unit: 'm' }] },
      landcover_100m: { href: '../data/lc.tif', type: 'image/tiff', 'soilscale:categorical': true },
      thumbnail: { href: '../data/thumb.png', type: 'image/png', roles: ['thumbnail'] },
    },
    links: [],
  });
  writeFileSync(join(dir, 'stations.csv'), 'station,lon,lat,depth_m,date,sm\nS1,15.1,37.9,0.05,2024-06-01,0.25\n');
  return { dir, items };
}

function writeCollection(b: Built, name = 'collection.json'): string {
  b.items.forEach((item) => writeFileSync(join(b.dir, 'items', `${item.id}.json`), JSON.stringify(item, null, 2)));
  const collection = {
    type: 'Collection',
    stac_version: '1.0.0',
    id: 'demo-scene',
    description: 'test',
    license: 'CC0-1.0',
    extent: {},
    links: b.items.map((item) => ({ rel: 'item', href: `./items/${item.id}.json` })),
    assets: { stations: { href: './stations.csv', type: 'text/csv' } },
  };
  const path = join(b.dir, name);
  writeFileSync(path, JSON.stringify(collection, null, 2));
  return path;
}

async function withScene(fn: (b: Built) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-stac-'));
  try {
    await fn(await buildScene(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isInput = (pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof SoilscaleError && e.kind === 'input', String(e));
  assert.match(e.message, pattern);
  return true;
};

test('a Collection with item links: asset infos, grids from STAC and from headers, static layers', async () => {
  await withScene(async (b) => {
    const scene = await readStacScene(writeCollection(b));
    assert.equal(scene.id, 'demo-scene');
    assert.deepEqual(scene.assets().map((a) => a.key), ['dem_100m', 'landcover_100m', 'ndvi_100m', 'sm_coarse']);
    const sm = scene.info('sm_coarse');
    assert.equal(sm.variable, 'sm');
    assert.equal(sm.resolution, 'coarse');
    assert.deepEqual(sm.dates, DATES);
    assert.equal(sm.unit, 'm3/m3');
    assert.deepEqual(sm.grid.transform, coarse.transform);
    assert.equal(sm.grid.width, 4);
    const ndvi = scene.info('ndvi_100m');
    assert.deepEqual(ndvi.dates, ['2024-06-01', '2024-06-05']);
    assert.deepEqual(ndvi.grid.transform, fine.transform);
    assert.equal(ndvi.grid.crs, 'EPSG:32633');
    assert.deepEqual(scene.info('dem_100m').dates, []);
    assert.equal(scene.info('landcover_100m').categorical, true);
    assert.equal(scene.has('thumbnail'), false);
    assert.throws(() => scene.info('lst_1km'), isInput(/no asset 'lst_1km'.*dem_100m, landcover_100m, ndvi_100m, sm_coarse/));
    const files = scene.files!().map((f) => relative(b.dir, f)).sort();
    assert.deepEqual(files, [
      'collection.json', 'data/dem.tif', 'data/lc.tif', 'data/ndvi_2024-06-01.tif', 'data/ndvi_2024-06-05.tif',
      'data/sm_2024-06-01.tif', 'data/sm_2024-06-02.tif', 'data/sm_2024-06-05.tif',
      'items/2024-06-01.json', 'items/2024-06-02.json', 'items/2024-06-05.json', 'items/static.json', 'stations.csv',
    ]);
    const stations = await scene.stations();
    assert.deepEqual(stations?.stations.map((s) => s.id), ['S1']);
  });
});

test('load reads the dates and window asked for', async () => {
  await withScene(async (b) => {
    const scene = await readStacScene(writeCollection(b));
    const all = await scene.load('sm_coarse');
    assert.deepEqual(all.dates, DATES);
    assert.equal(all.variable, 'sm');
    assert.equal(all.unit, 'm3/m3');
    assert.deepEqual([...all.values[2]], [...band(coarse, 2.1)]);
    const some = await scene.load('sm_coarse', { dates: ['2024-06-05', '2024-06-01'] });
    assert.deepEqual(some.dates, ['2024-06-01', '2024-06-05']);
    assert.deepEqual([...some.values[1]], [...band(coarse, 2.1)]);
    await assert.rejects(scene.load('sm_coarse', { dates: ['2024-06-03'] }), isInput(/no file for 2024-06-03/));

    const win = await scene.load('ndvi_100m', { window: { x: 10, y: 5, width: 3, height: 2 } });
    assert.equal(win.grid.width, 3);
    assert.deepEqual(win.grid.transform, [501000, 100, 0, 4199500, 0, -100]);
    const full = band(fine, 12);
    assert.deepEqual([...win.values[1]], [full[5 * 40 + 10], full[5 * 40 + 11], full[5 * 40 + 12], full[6 * 40 + 10], full[6 * 40 + 11], full[6 * 40 + 12]]);
    await assert.rejects(scene.load('ndvi_100m', { window: { x: 38, y: 0, width: 5, height: 1 } }), isInput(/window outside/));

    const dem = await scene.load('dem_100m', { dates: ['2024-06-01'] });
    assert.deepEqual(dem.dates, []);
    assert.equal(dem.values.length, 1);
    assert.equal(dem.unit, 'm');
    const lc = await scene.load('landcover_100m');
    assert.equal(lc.categorical, true);
  });
});

test('an ItemCollection and a Catalog with a child collection give the same scene', async () => {
  await withScene(async (b) => {
    const viaCollection = await readStacScene(writeCollection(b));
    // ItemCollection at the top folder: hrefs in items are relative to items/, so rewrite them.
    const features = b.items.map((item) => {
      const assets = Object.fromEntries(
        Object.entries(item.assets as Record<string, { href: string }>).map(([k, a]) => [k, { ...a, href: a.href.replace(/^\.\.\//, './') }]),
      );
      return { ...item, assets };
    });
    const icPath = join(b.dir, 'items.json');
    writeFileSync(icPath, JSON.stringify({ type: 'FeatureCollection', features, assets: { stations: { href: 'stations.csv' } } }));
    const viaItems = await readStacScene(icPath);
    assert.deepEqual(viaItems.assets(), viaCollection.assets());
    assert.deepEqual([...(await viaItems.load('ndvi_100m')).values[0]], [...(await viaCollection.load('ndvi_100m')).values[0]]);
    assert.ok(await viaItems.stations());

    mkdirSync(join(b.dir, 'root'));
    const catalogPath = join(b.dir, 'root', 'catalog.json');
    writeFileSync(catalogPath, JSON.stringify({ type: 'Catalog', id: 'root', description: '', links: [{ rel: 'root', href: './catalog.json' }, { rel: 'child', href: '../collection.json' }] }));
    const viaCatalog = await readStacScene(catalogPath);
    assert.equal(viaCatalog.id, 'root');
    assert.deepEqual(viaCatalog.assets(), viaCollection.assets());
  });
});

test('catalog errors name the file, the field and what was found', async () => {
  await withScene(async (b) => {
    const path = writeCollection(b);
    // Malformed JSON: line and column of the parse error.
    const broken = join(b.dir, 'broken.json');
    writeFileSync(broken, '{\n  "type": "Collection",\n  "links": [,]\n}');
    await assert.rejects(readStacScene(broken), isInput(/broken\.json: line 3, column \d+ \(position \d+\): malformed JSON/));

    // Missing asset file: item JSON, asset key and path.
    rmSync(join(b.dir, 'data', 'sm_2024-06-02.tif'));
    await assert.rejects(readStacScene(path), isInput(/items\/2024-06-02\.json: assets\.sm_coarse\.href: asset file not found.*sm_2024-06-02\.tif/));
  });
  await withScene(async (b) => {
    // A key whose files change grid.
    const item = b.items[2] as { assets: Record<string, Record<string, unknown>> };
    item.assets.sm_coarse['proj:transform'] = [1000, 0, 501000, 0, -1000, 4200000];
    await assert.rejects(readStacScene(writeCollection(b)), isInput(/sm_coarse' changes grid.*sm_2024-06-01\.tif.*sm_2024-06-05\.tif/s));
  });
  await withScene(async (b) => {
    // Static and dated.
    (b.items[3] as { assets: Record<string, unknown> }).assets.sm_coarse = { href: '../data/dem.tif', type: 'image/tiff' };
    await assert.rejects(readStacScene(writeCollection(b)), isInput(/'sm_coarse' is both static and dated/));
  });
  await withScene(async (b) => {
    // STAC projection fields that disagree with the file are caught on load.
    const item = b.items[0] as { assets: Record<string, Record<string, unknown>> };
    for (const it of b.items.slice(0, 3)) (it as typeof item).assets.sm_coarse['proj:shape'] = [3, 5];
    const scene = await readStacScene(writeCollection(b));
    await assert.rejects(scene.load('sm_coarse'), isInput(/GeoTIFF grid differs from its STAC projection fields/));
  });
  await withScene(async (b) => {
    (b.items[0] as { properties: Record<string, unknown> }).properties.datetime = 'June 1st';
    await assert.rejects(readStacScene(writeCollection(b)), isInput(/properties\.datetime: bad datetime.*"June 1st"/));
  });
});
