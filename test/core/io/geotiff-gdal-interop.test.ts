import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readGeoTiff, readGeoTiffInfo } from '../../../core/io/geotiff-read.js';
import { writeGeoTiff } from '../../../core/io/geotiff-write.js';
import { pyramidSizes } from '../../../core/io/geotiff-overviews.js';
import { createGrid, type GeoTransform } from '../../../core/model/grid.js';
import { rasterFromBands } from '../../../core/model/raster.js';
import { createRng } from '../../../core/util/random.js';
import { firstDifference, gdal, gdalinfoJson, gdalRawBand, gdalStats, needGdal, sameStd, stats, tempDir } from './helpers.js';

/** EPSG code GDAL resolved from the file's GeoKeys (last ID in its WKT). */
function gdalEpsg(info: any): string {
  const ids = [...String(info.coordinateSystem.wkt).matchAll(/ID\["EPSG",(\d+)\]/g)];
  return `EPSG:${ids[ids.length - 1][1]}`;
}

function field(width: number, height: number, seed: number, nanEvery = 0): Float32Array {
  const rng = createRng(seed);
  const v = new Float32Array(width * height);
  for (let i = 0; i < v.length; i++) v[i] = nanEvery && i % nanEvery === 0 ? Number.NaN : 0.05 + 0.4 * rng.next();
  return v;
}

test('GDAL reads our float32 COG: CRS, geotransform, nodata, size, type, statistics, overviews, LAYOUT=COG, pixels', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const cases: Array<{ crs: string; transform: GeoTransform; width: number; height: number }> = [
    { crs: 'EPSG:32614', transform: [412000, 30, 0, 4410000, 0, -30], width: 1100, height: 700 },
    { crs: 'EPSG:4326', transform: [-76.5, 0.0025, 0, 40.25, 0, -0.0025], width: 300, height: 520 },
    // Rotated: written as ModelTransformation.
    { crs: 'EPSG:3035', transform: [4000000, 99.6, 8.7, 3000000, 8.7, -99.6], width: 200, height: 150 },
  ];
  for (const [k, c] of cases.entries()) {
    const grid = createGrid(c.width, c.height, c.transform, c.crs);
    const bands = [field(c.width, c.height, k + 1, 13), field(c.width, c.height, k + 100)];
    const path = join(dir, `f${k}.tif`);
    await writeGeoTiff(path, rasterFromBands(grid, bands, ['sm', 'sm_err']));
    const g = gdalinfoJson(path);
    assert.equal(gdalEpsg(g), c.crs);
    assert.deepEqual(g.size, [c.width, c.height]);
    g.geoTransform.forEach((v: number, i: number) => assert.ok(Math.abs(v - c.transform[i]) <= 1e-9 * Math.max(1, Math.abs(v)), `${c.crs} geotransform[${i}] ${v}`));
    assert.equal(g.metadata.IMAGE_STRUCTURE.LAYOUT, 'COG');
    assert.equal(g.metadata.IMAGE_STRUCTURE.COMPRESSION, 'DEFLATE');
    assert.equal(g.metadata.IMAGE_STRUCTURE.PREDICTOR, '3');
    const expectedOverviews = pyramidSizes(c.width, c.height, 256, true).slice(1).map((s) => [s.width, s.height]);
    for (const [b, band] of g.bands.entries()) {
      assert.equal(band.type, 'Float32');
      assert.equal(String(band.noDataValue), 'NaN');
      assert.equal(band.description, ['sm', 'sm_err'][b]);
      assert.deepEqual((band.overviews ?? []).map((o: any) => o.size), expectedOverviews);
    }
    const gs = gdalStats(path);
    for (let b = 0; b < 2; b++) {
      const s = stats(bands[b]);
      assert.ok(Math.abs(s.min - gs[b].min) < 1e-12 && Math.abs(s.max - gs[b].max) < 1e-12, `band ${b} min/max`);
      assert.ok(Math.abs(s.mean - gs[b].mean) < 1e-9 && sameStd(s, gs[b].std, 1e-9), `band ${b} mean/std ${s.mean}/${s.std} vs ${gs[b].mean}/${gs[b].std}`);
      assert.equal(firstDifference(gdalRawBand(path, b + 1, 'Float32', dir), bands[b]), -1, `band ${b} pixels as GDAL decodes them`);
    }
  }
});

test('GDAL reads our overviews as the 2×2 averages we computed', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const grid = createGrid(600, 300, [0, 10, 0, 3000, 0, -10], 'EPSG:32633');
  const path = join(dir, 'ovr.tif');
  const band = field(600, 300, 5, 7);
  await writeGeoTiff(path, rasterFromBands(grid, [band]));
  const ovrPath = join(dir, 'ovr1.tif');
  gdal('gdal_translate', ['-q', '-ovr', '0', path, ovrPath]);
  const ovr = gdalRawBand(ovrPath, 1, 'Float32', dir);
  assert.equal(ovr.length, 300 * 150);
  for (const [i, j] of [[0, 0], [17, 33], [299, 149], [150, 75]]) {
    const vals = [band[2 * j * 600 + 2 * i], band[2 * j * 600 + 2 * i + 1], band[(2 * j + 1) * 600 + 2 * i], band[(2 * j + 1) * 600 + 2 * i + 1]].filter((v) => !Number.isNaN(v));
    const expected = vals.length ? Math.fround(vals.reduce((a, b) => a + b, 0) / vals.length) : Number.NaN;
    assert.ok(ovr[j * 300 + i] === expected || (Number.isNaN(expected) && Number.isNaN(ovr[j * 300 + i])), `overview (${i},${j})`);
  }
});

test('int16 and uint8 class maps: GDAL sees the type, nodata and exact values', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const grid = createGrid(530, 270, [600000, 30, 0, 5000000, 0, -30], 'EPSG:32632');
  const rng = createRng(9);
  const lc = new Float32Array(530 * 270).map((_, i) => (i % 101 === 0 ? Number.NaN : rng.int(17)));
  const dem = new Float32Array(530 * 270).map((_, i) => (i % 103 === 0 ? Number.NaN : rng.int(60000) - 30000));
  for (const [type, gtype, values, nodata] of [['uint8', 'Byte', lc, 0], ['int16', 'Int16', dem, -32768]] as const) {
    const path = join(dir, `${type}.tif`);
    const shifted = type === 'uint8' ? values.map((v) => v + 1) : values; // class 0 → 1 so 0 can be nodata
    await writeGeoTiff(path, rasterFromBands(grid, [shifted]), { dataType: type, nodata });
    const g = gdalinfoJson(path);
    assert.equal(g.bands[0].type, gtype);
    assert.equal(g.bands[0].noDataValue, nodata);
    assert.equal(g.metadata.IMAGE_STRUCTURE.PREDICTOR, '2');
    const raw = gdalRawBand(path, 1, gtype, dir);
    for (let i = 0; i < raw.length; i++) {
      assert.equal(raw[i], Number.isNaN(shifted[i]) ? nodata : shifted[i], `${type} pixel ${i}`);
    }
  }
});

test('BigTIFF forced on a small file and a 70,000 × 3 raster (width > 65,535) are read by GDAL and by us', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const small = createGrid(300, 200, [0, 1, 0, 200, 0, -1], 'EPSG:32633');
  const bandSmall = field(300, 200, 21, 9);
  const big = join(dir, 'big.tif');
  await writeGeoTiff(big, rasterFromBands(small, [bandSmall]), { bigTiff: true });
  assert.equal(readFileSync(big).readUInt16LE(2), 43);
  assert.equal(gdalinfoJson(big).metadata.IMAGE_STRUCTURE.LAYOUT, 'COG');
  assert.equal(firstDifference(gdalRawBand(big, 1, 'Float32', dir), bandSmall), -1);

  const wide = createGrid(70000, 3, [-180, 360 / 70000, 0, 0.0001, 0, -360 / 70000], 'EPSG:4326');
  const bandWide = field(70000, 3, 22, 1000);
  const path = join(dir, 'wide.tif');
  await writeGeoTiff(path, rasterFromBands(wide, [bandWide]));
  const g = gdalinfoJson(path);
  assert.deepEqual(g.size, [70000, 3]);
  assert.equal(g.bands[0].overviews.length, pyramidSizes(70000, 3, 256, true).length - 1);
  assert.equal(firstDifference(gdalRawBand(path, 1, 'Float32', dir), bandWide), -1);
  const back = await readGeoTiff(path);
  assert.equal(firstDifference(back.bands[0], bandWide), -1);
  assert.equal((await readGeoTiffInfo(path)).grid.width, 70000);
});

test('gdal_translate -of COG accepts our file as a COG source and its output reads back equal', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const grid = createGrid(400, 400, [0, 20, 0, 8000, 0, -20], 'EPSG:32633');
  const band = field(400, 400, 31, 17);
  const ours = join(dir, 'ours.tif');
  await writeGeoTiff(ours, rasterFromBands(grid, [band]), { tileSize: 512 });
  const cog = join(dir, 'gdal-cog.tif');
  gdal('gdal_translate', ['-q', '-of', 'COG', '-co', 'COMPRESS=DEFLATE', ours, cog]);
  const back = await readGeoTiff(cog);
  assert.equal(firstDifference(back.bands[0], band), -1);
  assert.equal((await readGeoTiffInfo(cog)).grid.crs, 'EPSG:32633');
});
