/**
 * Any CRS proj4 knows, in and out of GeoTIFF: user-defined CRSs written by GDAL (MODIS sinusoidal,
 * custom TM/LAEA/LCC/Albers/polar stereographic/…) read into a proj4 string that projects like GDAL's
 * own reading of the file; CRSs without an EPSG code (proj4 text, WKT-only) written through GeoKeys
 * so that GDAL reads back the same projection; EASE-Grid 2.0 (EPSG:6933) by code both ways.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import proj4 from 'proj4';
import { readGeoTiff, readGeoTiffInfo } from '../../../core/io/geotiff-read.js';
import { writeGeoTiff } from '../../../core/io/geotiff-write.js';
import { createGrid } from '../../../core/model/grid.js';
import { rasterFromBands } from '../../../core/model/raster.js';
import { gdal, gdalinfoJson, needGdal, sharedData, tempDir } from './helpers.js';

const SRC = sharedData('estarfm', 'crop100_ndvi_1band', 'fine_t1.tif');
const WGS84 = '+proj=longlat +datum=WGS84 +no_defs';

/** CRSs without an EPSG code, each with lon/lat points inside its domain. */
const CASES: ReadonlyArray<[string, string, Array<[number, number]>]> = [
  ['MODIS sinusoidal', '+proj=sinu +lon_0=0 +x_0=0 +y_0=0 +R=6371007.181 +units=m +no_defs', [[10, 45], [-75.5, 39.2], [120, -30]]],
  ['custom TM on GRS80', '+proj=tmerc +lat_0=0 +lon_0=10.3 +k=0.9999 +x_0=0 +y_0=0 +ellps=GRS80 +units=m', [[10, 45], [12, 50]]],
  ['LAEA on WGS84', '+proj=laea +lat_0=45 +lon_0=-100 +x_0=0 +y_0=0 +ellps=WGS84 +units=m', [[-100, 45], [-90, 40]]],
  ['LCC 2SP NAD83', '+proj=lcc +lat_1=33 +lat_2=45 +lat_0=39 +lon_0=-96 +x_0=0 +y_0=0 +datum=NAD83 +units=m', [[-96, 39], [-80, 42]]],
  ['Albers WGS84', '+proj=aea +lat_1=29.5 +lat_2=45.5 +lat_0=23 +lon_0=-96 +x_0=0 +y_0=0 +datum=WGS84 +units=m', [[-96, 30], [-110, 45]]],
  ['polar stereographic', '+proj=stere +lat_0=90 +lat_ts=70 +lon_0=-45 +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=m', [[-45, 75], [0, 80]]],
  ['cylindrical equal area', '+proj=cea +lat_ts=30 +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m', [[10, 20], [-60, -40]]],
  ['UTM on Hayford', '+proj=utm +zone=33 +ellps=intl +units=m', [[15, 40], [13, 45]]],
  ['geographic on a sphere', '+proj=longlat +R=6371000', [[15, 40], [-60, -10]]],
];

/** Largest distance between the two CRSs' projections of `points` (metres, or degrees for longlat). */
function largestGap(a: string, b: string, points: Array<[number, number]>): number {
  let gap = 0;
  for (const p of points) {
    const [x1, y1] = proj4(WGS84, a, p);
    const [x2, y2] = proj4(WGS84, b, p);
    gap = Math.max(gap, Math.hypot(x1 - x2, y1 - y2));
  }
  return gap;
}

const tolerance = (crs: string) => (crs.includes('longlat') ? 1e-9 : 1e-3);

test('user-defined CRSs written by GDAL read into a proj4 string that projects as GDAL reads the file', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  for (const [name, srs, points] of CASES) {
    const f = join(dir, `${name.replace(/\W+/g, '-')}.tif`);
    gdal('gdal_translate', ['-q', '-a_srs', srs, '-a_ullr', '0', '100', '100', '0', SRC, f]);
    const crs = (await readGeoTiffInfo(f)).grid.crs;
    assert.match(crs, /^\+proj=/, `${name}: ${crs}`);
    const gdalReading = gdal('gdalsrsinfo', ['-o', 'proj4', f]).trim();
    const gap = largestGap(crs, gdalReading, points);
    assert.ok(gap < tolerance(crs), `${name}: ours ${crs} vs GDAL ${gdalReading}: ${gap}`);
  }
});

test('CRSs without an EPSG code (proj4 text, WKT only) are written via GeoKeys and GDAL reads back the same CRS', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const laeaWkt =
    'PROJCS["custom LAEA",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Lambert_Azimuthal_Equal_Area"],PARAMETER["latitude_of_center",52],PARAMETER["longitude_of_center",10],PARAMETER["false_easting",4321000],PARAMETER["false_northing",3210000],UNIT["metre",1]]';
  const cases: Array<[string, string, Array<[number, number]>]> = [...CASES, ['WKT-only LAEA', laeaWkt, [[10, 52], [0, 45]]]];
  for (const [name, crs, points] of cases) {
    const f = join(dir, `out-${name.replace(/\W+/g, '-')}.tif`);
    const geographic = crs.includes('longlat');
    const grid = createGrid(20, 10, geographic ? [10, 0.1, 0, 50, 0, -0.1] : [100000, 500, 0, 200000, 0, -500], crs);
    await writeGeoTiff(f, rasterFromBands(grid, [new Float32Array(200).map((_, i) => i)]), { overviews: false });
    const gdalReading = gdal('gdalsrsinfo', ['-o', 'proj4', f]).trim();
    assert.ok(largestGap(crs, gdalReading, points) < tolerance(gdalReading), `${name}: wrote ${crs.slice(0, 60)}, GDAL reads ${gdalReading}`);
    assert.deepEqual(gdalinfoJson(f).geoTransform, [...grid.transform], name);
    // And back through soilscale's reader: same projection, same pixels.
    const back = await readGeoTiff(f);
    assert.ok(largestGap(back.grid.crs, crs, points) < tolerance(gdalReading), `${name}: read back ${back.grid.crs}`);
    assert.equal(back.bands[0][123], 123);
  }
});

test('EASE-Grid 2.0 (EPSG:6933) reads and writes by its code', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const f = join(dir, 'ease2.tif');
  gdal('gdal_translate', ['-q', '-a_srs', 'EPSG:6933', '-a_ullr', '-17367530.45', '7314540.83', '-17358522.45', '7305532.83', SRC, f]);
  assert.equal((await readGeoTiffInfo(f)).grid.crs, 'EPSG:6933');
  const out = join(dir, 'ease2-ours.tif');
  await writeGeoTiff(out, rasterFromBands(createGrid(4, 4, [-17367530.45, 9008.05, 0, 7314540.83, 0, -9008.05], 'EPSG:6933'), [new Float32Array(16)]), { overviews: false });
  assert.equal(gdal('gdalsrsinfo', ['-o', 'epsg', out]).trim(), 'EPSG:6933');
});
