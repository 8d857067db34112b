/**
 * `stac build` over a folder of what users download (the real ESA CCI NetCDF files, SMAP L3 files in
 * NASA's layout, GeoTIFFs with dates in their names, a stations CSV): the collection validates against
 * the vendored STAC schemas and the scene reader sees the same grids, dates and values as the readers.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { writeGeoTiff } from '../../../core/io/geotiff-write.js';
import { writeSmapL3 } from '../../../core/io/products/smap-write.js';
import { easeGrid2Global } from '../../../core/io/products/smap.js';
import { openRasterLayer } from '../../../core/io/raster-source.js';
import { createGrid, sameGrid } from '../../../core/model/grid.js';
import { rasterFromBands } from '../../../core/model/raster.js';
import { readStacScene } from '../../../core/stac/index.js';
import { buildStacCatalog } from '../../../core/stac/stac-build.js';
import { compileDatePattern, parseAssetRule } from '../../../core/stac/stac-build-rules.js';
import { projectionFields } from '../../../core/stac/stac-build-describe.js';
import { gridFromProjection } from '../../../core/stac/stac-grid.js';
import { validateStac } from '../../../core/stac/stac-validate.js';
import { CCI_FILES } from '../../support/real-cci.js';
import { sharedDataPath } from '../../support/shared-data.js';
import { gdalinfoJson, needGdal } from '../io/helpers.js';

const CCI = CCI_FILES;
const N36 = 964 * 406;

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-stac-build-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function smapDay(day: number) {
  const soilMoisture = new Float32Array(N36).fill(Number.NaN);
  for (let i = 0; i < N36; i += 3) soilMoisture[i] = Math.fround(0.05 * day + (i % 997) / 10000);
  return { soilMoisture };
}

/** A folder as downloaded: CCI (linked), SMAP L3, dated NDVI GeoTIFFs, a static UTM DEM, stations. */
async function downloads(dir: string): Promise<string> {
  const data = join(dir, 'downloads');
  for (const sub of ['cci', 'smap', 'modis']) mkdirSync(join(data, sub), { recursive: true });
  for (const f of CCI) symlinkSync(f, join(data, 'cci', basename(f)));
  for (const [k, d] of ['20161227', '20161228'].entries()) await writeSmapL3(join(data, 'smap', `SMAP_L3_SM_P_${d}_R19240_001.h5`), { grid: 'M36', am: smapDay(k + 1) });
  const ndviGrid = createGrid(60, 40, [140, 0.05, 0, -25, 0, -0.05], 'EPSG:4326');
  for (const [k, d] of ['2016361', '2016366'].entries()) {
    const values = Float32Array.from({ length: 2400 }, (_, i) => (i % 60) / 100 + k);
    values[5] = -3000;
    await writeGeoTiff(join(data, 'modis', `MOD13A2.A${d}.h31v11_NDVI.tif`), rasterFromBands(ndviGrid, [values]), { nodata: -3000, overviews: false });
  }
  const demGrid = createGrid(30, 20, [500000, 100, 0, 7200000, 0, -100], 'EPSG:32755');
  await writeGeoTiff(join(data, 'dem.tif'), rasterFromBands(demGrid, [Float32Array.from({ length: 600 }, (_, i) => 100 + i)]), { overviews: false });
  writeFileSync(join(data, 'stations.csv'), 'station,lon,lat,depth_m,date,sm\nS1,142.1,-26.2,0.05,2016-12-27,0.21\nS1,142.1,-26.2,0.05,2016-12-31,0.19\n');
  writeFileSync(join(data, 'README.txt'), 'not a raster: skipped\n');
  return data;
}

test('stac build: CCI, SMAP, dated and static GeoTIFFs and stations become a valid collection the scene reader reads as the files are', async (t) => {
  const dir = tempDir(t);
  const data = await downloads(dir);
  const out = join(dir, 'scene', 'collection.json');
  const result = await buildStacCatalog(data, { out, datePattern: 'A{YYYY}{DOY}', assets: ['sm_smap=SMAP_*.h5', 'ndvi_005deg=modis/*_NDVI.tif', 'dem_100m=dem.tif'], stations: join(data, 'stations.csv') });
  assert.deepEqual(result.keys, {
    sm_coarse: { dates: ['2016-12-27', '2016-12-31'], files: 2 },
    sm_smap: { dates: ['2016-12-27', '2016-12-28'], files: 2 },
    ndvi_005deg: { dates: ['2016-12-26', '2016-12-31'], files: 2 },
    dem_100m: { dates: [], files: 1 },
  });
  assert.deepEqual(result.items.map((f) => basename(f)), ['2016-12-26.json', '2016-12-27.json', '2016-12-28.json', '2016-12-31.json', 'static.json']);

  const validation = await validateStac(out);
  assert.deepEqual(validation.problems, []);
  assert.equal(validation.files.length, 6);

  // Asset fields: relative hrefs, projection and raster extensions from the files.
  const item = JSON.parse(readFileSync(join(dir, 'scene', 'items', '2016-12-27.json'), 'utf8'));
  const cci = item.assets.sm_coarse;
  assert.equal(cci.href, `../../downloads/cci/${basename(CCI[0])}`);
  assert.equal(cci['proj:code'], 'EPSG:4326');
  assert.deepEqual(cci['proj:shape'], [720, 1440]);
  assert.deepEqual(cci['proj:transform'], [0.25, 0, -180, 0, -0.25, 90]);
  assert.deepEqual(cci['raster:bands'], [{ data_type: 'float32', nodata: -9999, unit: 'm3/m3' }]);
  assert.equal(item.assets.sm_smap['proj:code'], 'EPSG:6933');
  assert.deepEqual(item.assets.sm_smap['raster:bands'][0].nodata, -9999);
  const stat = JSON.parse(readFileSync(join(dir, 'scene', 'items', 'static.json'), 'utf8'));
  assert.equal(stat.properties.datetime, null);
  assert.deepEqual(stat.assets.dem_100m['proj:transform'], [100, 0, 500000, 0, -100, 7200000]);
  assert.equal(stat.assets.dem_100m['proj:code'], 'EPSG:32755');
  const ndviItem = JSON.parse(readFileSync(join(dir, 'scene', 'items', '2016-12-26.json'), 'utf8'));
  assert.deepEqual(ndviItem.assets.ndvi_005deg['raster:bands'], [{ data_type: 'float32', nodata: -3000 }]);
  assert.deepEqual(ndviItem.bbox.map((v: number) => Math.round(v * 1e6) / 1e6), [140, -27, 143, -25]);

  // The scene reads what the readers read.
  const scene = await readStacScene(out);
  assert.deepEqual(scene.assets().map((a) => a.key), ['dem_100m', 'ndvi_005deg', 'sm_coarse', 'sm_smap']);
  const cciLayer = await openRasterLayer({ path: CCI[1] });
  assert.ok(sameGrid(scene.info('sm_coarse').grid, cciLayer.info.grid));
  assert.ok(sameGrid(scene.info('sm_smap').grid, easeGrid2Global('M36')));
  const window = { x: 1280, y: 440, width: 40, height: 30 };
  const fromScene = await scene.load('sm_coarse', { dates: ['2016-12-31'], window });
  assert.deepEqual(fromScene.values[0], (await cciLayer.read(window)).values);
  const ndvi = await scene.load('ndvi_005deg');
  assert.ok(Number.isNaN(ndvi.values[0][5]), 'GeoTIFF nodata reads as NaN');
  assert.ok(Math.abs(ndvi.values[1][7] - 1.07) < 1e-6);
  const stations = await scene.stations();
  assert.deepEqual(stations?.stations.map((s) => s.id), ['S1']);
});

test('stac build: a file no rule names, two files of one key and date, and a bad date pattern are errors naming the file', async (t) => {
  const dir = tempDir(t);
  const data = await downloads(dir);
  const out = join(dir, 'scene', 'collection.json');
  await assert.rejects(buildStacCatalog(data, { out, datePattern: 'A{YYYY}{DOY}', assets: ['sm_smap=SMAP_*.h5', 'ndvi_005deg=modis/*_NDVI.tif'] }), (e: Error) => {
    assert.match(e.message, /dem\.tif: --asset: no asset rule names this file \(expected a rule key=glob matching "dem\.tif" .*found sm_smap=SMAP_\*\.h5, ndvi_005deg=modis\/\*_NDVI\.tif\)/);
    return true;
  });
  await assert.rejects(buildStacCatalog(data, { out, assets: ['sm_smap=SMAP_*.h5', 'ndvi_005deg=modis/*_NDVI.tif', 'dem_100m=dem.tif'] }), /MOD13A2\.A2016366\.h31v11_NDVI\.tif: --asset: two files for asset 'ndvi_005deg' as a static layer .*found also .*A2016361/);
  await assert.rejects(buildStacCatalog(data, { out, assets: ['sm_coarse=**.h5', 'ndvi_005deg=modis/*_NDVI.tif', 'dem_100m=dem.tif'], datePattern: 'A{YYYY}{DOY}' }), /two files for asset 'sm_coarse' on 2016-12-27/);
  assert.throws(() => compileDatePattern('{YYYY}{MM}'), /date pattern does not give a full date .*found "\{YYYY\}\{MM\}"/);
  assert.throws(() => parseAssetRule('NDVI=*.tif'), /bad --asset rule/);
});

test('date patterns: templates, day of year, named-group regexes; impossible dates are errors', () => {
  assert.equal(compileDatePattern('NDVI_{YYYY}{MM}{DD}')('MOD_NDVI_20190401_v6.tif'), '2019-04-01');
  assert.equal(compileDatePattern('NDVI_{YYYY}{MM}{DD}')('MOD_LST_20190401_v6.tif'), undefined);
  assert.equal(compileDatePattern('A{YYYY}{DOY}')('MOD13A2.A2020060.h18v04.tif'), '2020-02-29');
  assert.equal(compileDatePattern('S1*_{YYYY}-{MM}-{DD}')('S1A_IW_2021-07-15.tif'), '2021-07-15');
  assert.equal(compileDatePattern('(?<day>\\d{2})\\.(?<month>\\d{2})\\.(?<year>\\d{4})')('sm_31.12.2016.tif'), '2016-12-31');
  assert.throws(() => compileDatePattern('{YYYY}{MM}{DD}')('x_20190231.tif'), /no valid date .*found 2019-02-31/);
  assert.throws(() => compileDatePattern('A{YYYY}{DOY}')('A2019366.tif'), /found year 2019, day 366/);
});

test('stac validate: problems name the file, the JSON path, the expected and the found; unknown extensions are reported', async (t) => {
  const dir = tempDir(t);
  const bad = {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', stac_version: '1.0.0', stac_extensions: ['https://stac-extensions.github.io/projection/v2.0.0/schema.json'], id: 'a', geometry: null, properties: { datetime: '2016-12-27T00:00:00Z' }, links: [], assets: { sm: { href: 'sm.tif', 'proj:shape': [720, '1440'], 'proj:code': 'EPSG:4326' } } },
      { type: 'Feature', stac_version: '1.0.0', stac_extensions: ['https://example.com/ext/v9/schema.json'], geometry: null, properties: { datetime: 'yesterday' }, links: [], assets: {} },
    ],
  };
  const file = join(dir, 'items.json');
  writeFileSync(file, JSON.stringify(bad));
  const { problems } = await validateStac(file);
  const lines = problems.map((p) => `${p.path}: ${p.message}`);
  assert.ok(problems.every((p) => p.file === file));
  assert.ok(lines.includes('features[0].assets.sm.proj:shape[1]: must be integer, got "1440"'), lines.join('\n'));
  assert.ok(lines.includes('features[1].id: required, missing'), lines.join('\n'));
  assert.ok(lines.some((l) => /^features\[1\]\.properties\.datetime: must be string or null .* in format date-time, got "yesterday"/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^features\[1\]\.stac_extensions\[0\]: must be an extension schema vendored .*got "https:\/\/example\.com/.test(l)), lines.join('\n'));
});

test('stac build: projection and raster fields equal gdalinfo on the real DEOS GeoTIFFs and ESA CCI NetCDF files', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const data = join(dir, 'real');
  mkdirSync(data);
  const deos = ['20180101', '20180102', '20180103'].map((d) => sharedDataPath('real', 'deos-delaware-warnerdl', 'ESAGrids', `ESA_CCI_SM_v45_Delaware_${d}.tif`));
  for (const f of [...deos, ...CCI]) symlinkSync(f, join(data, basename(f)));
  const out = join(dir, 'scene', 'collection.json');
  await buildStacCatalog(data, { out, datePattern: '{YYYY}{MM}{DD}', assets: ['sm_delaware=ESA_CCI_SM_v45_*.tif'] });
  const checked: string[] = [];
  for (const [file, key, gdalPath] of [...deos.map((f) => [f, 'sm_delaware', f]), ...CCI.map((f) => [f, 'sm_coarse', `NETCDF:"${f}":sm`])]) {
    const date = /(\d{4})(\d{2})(\d{2})/.exec(basename(file))!.slice(1).join('-');
    const asset = JSON.parse(readFileSync(join(dir, 'scene', 'items', `${date}.json`), 'utf8')).assets[key];
    const g = gdalinfoJson(gdalPath);
    const [c, a, b, f, d, e] = g.geoTransform;
    assert.deepEqual(asset['proj:shape'], [g.size[1], g.size[0]], file);
    assert.deepEqual(asset['proj:transform'], [a, b, c, d, e, f], file);
    assert.equal(asset['proj:code'], 'EPSG:4326');
    assert.equal(asset['raster:bands'][0].nodata, g.bands[0].noDataValue, file);
    assert.equal(asset['raster:bands'][0].data_type, g.bands[0].type.toLowerCase(), file);
    checked.push(basename(file));
  }
  assert.equal(checked.length, 5);
});

test('projection fields: EPSG code when there is one, proj:wkt2 with proj:code null otherwise, none for a PROJ string; the reader reads them back', () => {
  const transform = [500000, 30, 0, 5100000, 0, -30] as const;
  const wkt = 'PROJCS["custom TM",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",14],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1]]';
  const custom = createGrid(40, 20, [...transform], wkt);
  const fields = projectionFields(custom)!;
  assert.deepEqual(fields, { 'proj:code': null, 'proj:wkt2': wkt, 'proj:shape': [20, 40], 'proj:transform': [30, 0, 500000, 0, -30, 5100000] });
  assert.ok(sameGrid(gridFromProjection(fields, 'item.json', 'assets.x')!, custom));
  assert.equal(projectionFields(createGrid(40, 20, [...transform], `${wkt.slice(0, -1)},AUTHORITY["EPSG","32633"]]`))!['proj:code'], 'EPSG:32633');
  assert.equal(projectionFields(createGrid(40, 20, [...transform], '+proj=utm +zone=33 +datum=WGS84')), undefined);
});
