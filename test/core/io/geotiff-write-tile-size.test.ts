import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readGeoTiff } from '../../../core/io/geotiff-read.js';
import { writeGeoTiff } from '../../../core/io/geotiff-write.js';
import { createGrid } from '../../../core/model/grid.js';
import { rasterFromBands } from '../../../core/model/raster.js';
import { createRng } from '../../../core/util/random.js';
import { gdalinfoJson, needGdal, tempDir } from './helpers.js';

/** A small float raster (smaller than one default tile) with NaN holes, and a class map. */
function smallRasters(width: number, height: number) {
  const grid = createGrid(width, height, [420000, 990, 0, 4080000, 0, -990], 'EPSG:32614');
  const rng = createRng(5);
  const sm = Float32Array.from({ length: width * height }, (_, i) => (i % 17 === 0 ? Number.NaN : 0.1 + 0.3 * rng.next()));
  const lc = Float32Array.from({ length: width * height }, (_, i) => [4, 7, 10, 12][i % 4]);
  return { sm: rasterFromBands(grid, [sm], ['sm']), lc: rasterFromBands(grid, [lc], ['landcover']) };
}

test('a tile size that is any multiple of 16 round-trips exactly, and one covering tile makes a small raster small', async (t) => {
  const dir = tempDir(t);
  const { sm, lc } = smallRasters(54, 41);
  const sizes: Record<number, number> = {};
  for (const tileSize of [16, 64, 256]) {
    const p = join(dir, `sm-${tileSize}.tif`);
    await writeGeoTiff(p, sm, { tileSize, overviews: false, compression: 'none' });
    const back = await readGeoTiff(p);
    assert.equal(back.bands[0].length, sm.bands[0].length);
    sm.bands[0].forEach((v, i) => assert.ok(Object.is(back.bands[0][i], v), `tile ${tileSize}, pixel ${i}: ${back.bands[0][i]} vs ${v}`));
    sizes[tileSize] = statSync(p).size;
    const q = join(dir, `lc-${tileSize}.tif`);
    await writeGeoTiff(q, lc, { tileSize, dataType: 'uint8', nodata: 255, overviews: false });
    assert.deepEqual([...(await readGeoTiff(q)).bands[0]], [...lc.bands[0]]);
  }
  // Uncompressed float32: 4 bytes per tile pixel plus a small header.
  assert.ok(sizes[64] < 64 * 64 * 4 + 4096 && sizes[256] > 256 * 256 * 4, `file sizes ${JSON.stringify(sizes)}`);
  // Whole-raster writes keep their tiles in memory: nothing but the products is left in the folder.
  assert.deepEqual(readdirSync(dir).sort(), ['lc-16.tif', 'lc-256.tif', 'lc-64.tif', 'sm-16.tif', 'sm-256.tif', 'sm-64.tif']);
});

test('GDAL reads a 304-pixel tile (not a power of two) with overviews and deflate', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const { sm } = smallRasters(297, 297);
  const p = join(dir, 'sm.tif');
  await writeGeoTiff(p, sm, { tileSize: 304 });
  const info = gdalinfoJson(p, '-stats');
  assert.deepEqual(info.bands[0].block, [304, 304]);
  assert.deepEqual(info.size, [297, 297]);
  const back = await readGeoTiff(p);
  sm.bands[0].forEach((v, i) => assert.ok(Object.is(back.bands[0][i], v), `pixel ${i}`));
});
