import assert from 'node:assert/strict';
import { readdirSync, readFileSync, truncateSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isSoilscaleError } from '../../../core/errors.js';
import { readGeoTiff, readGeoTiffCounted, readGeoTiffInfo } from '../../../core/io/geotiff-read.js';
import { writeGeoTiff } from '../../../core/io/geotiff-write.js';
import { createGrid } from '../../../core/model/grid.js';
import { rasterFromBands } from '../../../core/model/raster.js';
import { firstDifference, gdal, gdalinfoJson, gdalRawBand, gdalStats, gdalValue, needGdal, readNpy, sameStd, sharedData, stats, tempDir } from './helpers.js';

const ESA_DIR = sharedData('real', 'deos-delaware-warnerdl', 'ESAGrids');
const ESA = join(ESA_DIR, 'ESA_CCI_SM_v45_Delaware_20180123.tif');

/** Assert that `fn` rejects with a SoilscaleError of `kind` whose message names `file` and matches `re`. */
async function rejectsWith(fn: () => Promise<unknown>, kind: string, file: string, re: RegExp): Promise<void> {
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(isSoilscaleError(e), `expected SoilscaleError, got ${String(e)}`);
    assert.equal(e.kind, kind);
    assert.ok(e.message.includes(file), `message should name ${file}: ${e.message}`);
    assert.match(e.message, re);
    return true;
  });
}

test('ESA CCI grid: header matches gdalinfo (size, geotransform, CRS, nodata, type)', async (t) => {
  const info = await readGeoTiffInfo(ESA);
  assert.equal(info.grid.crs, 'EPSG:4326');
  assert.deepEqual([...info.grid.transform], [-76.5, 0.25, 0, 40.25, 0, -0.25]);
  assert.equal(info.dataType, 'float32');
  assert.equal(info.compression, 'lzw');
  assert.equal(info.tiled, false);
  if (!needGdal(t)) return;
  const g = gdalinfoJson(ESA);
  assert.deepEqual([info.grid.width, info.grid.height], g.size);
  assert.deepEqual([...info.grid.transform], g.geoTransform);
  assert.equal(info.nodata, g.bands[0].noDataValue);
  assert.equal(info.bandCount, g.bands.length);
});

test('ESA CCI grids: every pixel equals GDAL\'s decoding, nodata → NaN, statistics match gdalinfo -stats', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const files = readdirSync(ESA_DIR).filter((f) => f.endsWith('.tif')).sort().slice(0, 3);
  for (const name of files) {
    const copy = join(dir, name); // gdalinfo -stats writes an .aux.xml next to the file; never beside shared data
    copyFileSync(join(ESA_DIR, name), copy);
    const r = await readGeoTiff(copy);
    const { width, height } = r.grid;
    const nodata = (await readGeoTiffInfo(copy)).nodata!;
    const g = gdalRawBand(copy, 1, 'Float32', dir);
    assert.equal(g.length, width * height);
    let nanCount = 0;
    for (let i = 0; i < g.length; i++) {
      if (g[i] === Math.fround(nodata)) {
        assert.ok(Number.isNaN(r.bands[0][i]), `${name} pixel ${i} should be NaN`);
        nanCount++;
      } else assert.equal(r.bands[0][i], g[i], `${name} pixel ${i}`);
    }
    assert.ok(nanCount < g.length);
    const s = stats(r.bands[0]);
    const gs = gdalStats(copy)[0];
    assert.ok(Math.abs(s.min - gs.min) < 1e-9 && Math.abs(s.max - gs.max) < 1e-9, `${name} min/max ${s.min}/${s.max} vs ${gs.min}/${gs.max}`);
    assert.ok(Math.abs(s.mean - gs.mean) < 1e-9 && sameStd(s, gs.std, 1e-9), `${name} mean/std ${s.mean}/${s.std} vs ${gs.mean}/${gs.std}`);
  }
});

test('window and band subsets equal the same pixels of a full read, with the window grid', async () => {
  const full = await readGeoTiff(ESA);
  const win = { x: 2, y: 3, width: 4, height: 5 };
  const part = await readGeoTiff(ESA, { window: win });
  assert.deepEqual([...part.grid.transform], [-76.5 + 2 * 0.25, 0.25, 0, 40.25 - 3 * 0.25, 0, -0.25]);
  for (let r = 0; r < win.height; r++) {
    for (let c = 0; c < win.width; c++) {
      const a = part.bands[0][r * win.width + c];
      const b = full.bands[0][(r + win.y) * full.grid.width + c + win.x];
      assert.ok(a === b || (Number.isNaN(a) && Number.isNaN(b)));
    }
  }
});

test('ungeoreferenced ESTARFM int16 stack: refused by default, read exactly (vs .npy) when allowed', async () => {
  const tif = sharedData('estarfm', 'crop100_3band', 'fine_t1.tif');
  await rejectsWith(() => readGeoTiffInfo(tif), 'input', tif, /no georeferencing/);
  const info = await readGeoTiffInfo(tif, { allowUngeoreferenced: true });
  assert.equal(info.dataType, 'int16');
  assert.equal(info.bandCount, 3);
  const r = await readGeoTiff(tif, { allowUngeoreferenced: true, bands: [2, 0] });
  const npy = readNpy(sharedData('estarfm', 'crop100_3band', 'fine_t1.npy'));
  assert.deepEqual(npy.shape, [3, 100, 100]);
  const n = 100 * 100;
  for (let i = 0; i < n; i++) {
    assert.equal(r.bands[0][i], npy.data[2 * n + i]);
    assert.equal(r.bands[1][i], npy.data[i]);
  }
});

test('window read on a large tiled file fetches only the blocks it needs', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const big = join(dir, 'big.tif');
  // 2048×2048 float32, 256×256 tiles, uncompressed: 16 MiB, 64 tiles of 256 KiB.
  gdal('gdal_create', ['-q', '-of', 'GTiff', '-outsize', '2048', '2048', '-ot', 'Float32', '-burn', '7', '-co', 'TILED=YES', '-a_srs', 'EPSG:32614', '-a_ullr', '0', '61440', '61440', '0', big]);
  const { raster, bytesRead } = await readGeoTiffCounted(big, { window: { x: 300, y: 300, width: 10, height: 10 } });
  assert.equal(raster.bands[0][0], 7);
  assert.ok(bytesRead < 2 * 256 * 256 * 4, `read ${bytesRead} bytes for a window inside one tile`);
});

test('data types, strips/tiles and compressions decode to the values GDAL reads', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const cases: Array<[string, string[]]> = [
    ['Byte', ['-co', 'COMPRESS=PACKBITS']],
    ['Int16', ['-co', 'COMPRESS=LZW', '-co', 'PREDICTOR=2']],
    ['UInt16', ['-co', 'COMPRESS=DEFLATE', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=16', '-co', 'BLOCKYSIZE=16']],
    ['Int32', ['-co', 'COMPRESS=ZSTD']],
    ['UInt32', []],
    ['Int16', ['-co', 'INTERLEAVE=BAND', '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=2', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=32', '-co', 'BLOCKYSIZE=64']],
    ['Float64', ['-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=3']],
    ['Float32', ['-co', 'COMPRESS=LERC', '-co', 'MAX_Z_ERROR=0']],
    ['Float32', ['-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=3', '-co', 'INTERLEAVE=BAND']],
    ['Float32', ['-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=3', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=48', '-co', 'BLOCKYSIZE=16']],
  ];
  const src = sharedData('estarfm', 'crop100_3band', 'fine_t2.tif');
  for (const [type, co] of cases) {
    const out = join(dir, `${type}-${co.join('')}.tif`);
    gdal('gdal_translate', ['-q', '-ot', type, '-a_srs', 'EPSG:32633', '-a_ullr', '500000', '4203000', '503000', '4200000', ...co, src, out]);
    const info = await readGeoTiffInfo(out);
    assert.equal(info.dataType, type.toLowerCase().replace('byte', 'uint8'));
    const r = await readGeoTiff(out);
    const g = gdalRawBand(out, 0, 'Float32', dir) as Float32Array;
    for (let b = 0; b < 3; b++) {
      assert.equal(firstDifference(r.bands[b], g.subarray(b * 10000, (b + 1) * 10000)), -1, `${type} band ${b + 1}`);
    }
  }
});

test('scale/offset from GDAL metadata are applied; PixelIsPoint is shifted like GDAL', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const scaled = join(dir, 'scaled.tif');
  gdal('gdal_translate', ['-q', '-a_scale', '0.0001', '-a_offset', '-0.5', '-a_srs', 'EPSG:32633', '-a_ullr', '0', '100', '100', '0', sharedData('estarfm', 'crop100_ndvi_1band', 'fine_t1.tif'), scaled]);
  const info = await readGeoTiffInfo(scaled);
  assert.deepEqual(info.scale, [0.0001]);
  assert.deepEqual(info.offset, [-0.5]);
  const r = await readGeoTiff(scaled);
  const raw = gdalValue(scaled, 1, 12, 34);
  assert.equal(r.bands[0][34 * 100 + 12], Math.fround(raw * 0.0001 - 0.5));

  const point = join(dir, 'point.tif');
  gdal('gdal_translate', ['-q', '-mo', 'AREA_OR_POINT=Point', '-a_srs', 'EPSG:32633', '-a_ullr', '1000', '2000', '1100', '1900', ESA, point]);
  const g = gdalinfoJson(point);
  assert.equal(g.metadata[''].AREA_OR_POINT, 'Point');
  const pinfo = await readGeoTiffInfo(point);
  assert.deepEqual([...pinfo.grid.transform], g.geoTransform);
});

test('bad input gives a SoilscaleError naming the file: missing, garbage, truncated, unsupported projection, unsupported compression', async (t) => {
  const dir = tempDir(t);
  const missing = join(dir, 'missing.tif');
  await rejectsWith(() => readGeoTiff(missing), 'input', missing, /not found/);

  const garbage = join(dir, 'garbage.tif');
  writeFileSync(garbage, 'this is not a tiff at all, just text');
  await rejectsWith(() => readGeoTiffInfo(garbage), 'input', garbage, /not a readable TIFF/);

  const truncated = join(dir, 'truncated.tif');
  copyFileSync(ESA, truncated);
  truncateSync(truncated, readFileSync(ESA).length - 40);
  await rejectsWith(() => readGeoTiff(truncated), 'input', truncated, /truncated/);

  const tiny = join(dir, 'tiny.tif');
  writeFileSync(tiny, readFileSync(ESA).subarray(0, 6));
  await rejectsWith(() => readGeoTiffInfo(tiny), 'input', tiny, /too short/);

  // A corrupt DEFLATE block: valid header, garbage where the first tile's data is.
  const corrupt = join(dir, 'corrupt.tif');
  const grid = createGrid(64, 64, [0, 1, 0, 64, 0, -1], 'EPSG:32633');
  await writeGeoTiff(corrupt, rasterFromBands(grid, [new Float32Array(64 * 64).map((_, i) => Math.sin(i))]), { overviews: false });
  const bytes = readFileSync(corrupt);
  const info = await readGeoTiffInfo(corrupt);
  assert.equal(info.compression, 'deflate');
  bytes.fill(0x5a, bytes.length - 200, bytes.length - 20);
  writeFileSync(corrupt, bytes);
  await rejectsWith(() => readGeoTiff(corrupt), 'input', corrupt, /cannot decode tile 0/);

  if (!needGdal(t)) return;
  // A user-defined CRS reads (geotiff-crs.test.ts); one whose projection method GeoTIFF codes but we do not is an error naming the key.
  const ortho = join(dir, 'orthographic.tif');
  gdal('gdal_translate', ['-q', '-a_srs', '+proj=ortho +lat_0=40 +lon_0=-100 +R=6371000', '-a_ullr', '0', '100', '100', '0', ESA, ortho]);
  await rejectsWith(() => readGeoTiffInfo(ortho), 'input', ortho, /ProjMethodGeoKey \(3075\): GeoTIFF projection method is not supported.*found 21/);

  for (const [co, code] of [[['-ot', 'Byte', '-scale', '-co', 'COMPRESS=JPEG'], 7], [['-co', 'COMPRESS=LZMA'], 34925]] as const) {
    const f = join(dir, `c${code}.tif`);
    gdal('gdal_translate', ['-q', ...co, ESA, f]);
    await rejectsWith(() => readGeoTiff(f), 'input', f, new RegExp(`unsupported TIFF compression.*found ${code}`));
  }
});
