/**
 * Any band of a multi-band GeoTIFF, by index or by name (GDAL band description), equal to GDAL's
 * reading of that band; and an ungeoreferenced TIFF georeferenced by a caller-supplied grid (STAC
 * `proj:transform` + `proj:code`).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isSoilscaleError } from '../../../core/errors.js';
import { readGeoTiff, readGeoTiffInfo, resolveBands } from '../../../core/io/geotiff-read.js';
import { createGrid } from '../../../core/model/grid.js';
import { firstDifference, gdal, gdalinfoJson, gdalRawBand, needGdal, sharedData, tempDir } from './helpers.js';

const STACK = sharedData('estarfm', 'crop100_3band', 'fine_t1.tif');

test('a 3-band Landsat-like file: each band by index or name equals GDAL\'s band, in any layout', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  // Band descriptions through a VRT, then two layouts GDAL writes: pixel-interleaved LZW strips, band-separate DEFLATE tiles.
  const vrt = join(dir, 'named.vrt');
  gdal('gdal_translate', ['-q', '-of', 'VRT', '-a_srs', 'EPSG:32633', '-a_ullr', '500000', '4203000', '503000', '4200000', STACK, vrt]);
  let text = readFileSync(vrt, 'utf8');
  ['green', 'red', 'nir'].forEach((name, b) => (text = text.replace(new RegExp(`(<VRTRasterBand[^>]*band="${b + 1}"[^>]*>)`), `$1<Description>${name}</Description>`)));
  writeFileSync(vrt, text);
  for (const co of [['-co', 'COMPRESS=LZW', '-co', 'INTERLEAVE=PIXEL'], ['-co', 'COMPRESS=DEFLATE', '-co', 'INTERLEAVE=BAND', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=32', '-co', 'BLOCKYSIZE=32']]) {
    const f = join(dir, `landsat-${co[3]}.tif`);
    gdal('gdal_translate', ['-q', ...co, vrt, f]);
    assert.deepEqual(gdalinfoJson(f).bands.map((b: { description?: string }) => b.description), ['green', 'red', 'nir']);
    const info = await readGeoTiffInfo(f);
    assert.deepEqual(info.bandNames, ['green', 'red', 'nir']);
    assert.deepEqual(resolveBands(info, ['NIR', 0, 'red']), [2, 0, 1]);
    const r = await readGeoTiff(f, { bands: ['nir', 'green'] });
    assert.deepEqual(r.bandNames, ['nir', 'green']);
    assert.equal(firstDifference(r.bands[0], gdalRawBand(f, 3, 'Float32', dir)), -1, `${co[3]} nir`);
    assert.equal(firstDifference(r.bands[1], gdalRawBand(f, 1, 'Float32', dir)), -1, `${co[3]} green`);
    const red = await readGeoTiff(f, { bands: [1], window: { x: 10, y: 20, width: 30, height: 7 } });
    const full = gdalRawBand(f, 2, 'Float32', dir);
    for (let y = 0; y < 7; y++) for (let x = 0; x < 30; x++) assert.equal(red.bands[0][y * 30 + x], full[(y + 20) * 100 + x + 10]);
    await assert.rejects(readGeoTiff(f, { bands: ['swir1'] }), (e: unknown) => isSoilscaleError(e) && e.kind === 'usage' && e.message.includes(f) && /no band with this name.*"green", "red", "nir"/.test(e.message));
  }
});

test('an ungeoreferenced TIFF takes the grid the caller gives; a mismatching size or georeferencing is an error', async (t) => {
  const grid = createGrid(100, 100, [500000, 30, 0, 4203000, 0, -30], 'EPSG:32633');
  const r = await readGeoTiff(STACK, { grid, bands: [2] });
  assert.deepEqual(r.grid, grid);
  const plain = await readGeoTiff(STACK, { allowUngeoreferenced: true, bands: [2] });
  assert.deepEqual(r.bands[0], plain.bands[0]);
  const window = await readGeoTiff(STACK, { grid, window: { x: 10, y: 5, width: 4, height: 4 } });
  assert.deepEqual([...window.grid.transform], [500300, 30, 0, 4202850, 0, -30]);
  await assert.rejects(readGeoTiff(STACK, { grid: createGrid(50, 100, grid.transform, grid.crs) }), (e: unknown) => isSoilscaleError(e) && e.message.includes(STACK) && /another size.*100×100/.test(e.message));
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const geo = join(dir, 'geo.tif');
  gdal('gdal_translate', ['-q', '-a_srs', 'EPSG:32633', '-a_ullr', '500000', '4203000', '503000', '4200000', STACK, geo]);
  assert.deepEqual((await readGeoTiff(geo, { grid, bands: [0] })).grid, grid);
  const shifted = createGrid(100, 100, [500030, 30, 0, 4203000, 0, -30], 'EPSG:32633');
  await assert.rejects(readGeoTiff(geo, { grid: shifted }), (e: unknown) => isSoilscaleError(e) && e.message.includes(geo) && /georeferencing differs/.test(e.message));
});
