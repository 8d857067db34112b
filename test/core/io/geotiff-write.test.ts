import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fromArrayBuffer } from 'geotiff';
import { isSoilscaleError } from '../../../core/errors.js';
import { readGeoTiff, readGeoTiffInfo } from '../../../core/io/geotiff-read.js';
import { createGeoTiffWriter, writeGeoTiff } from '../../../core/io/geotiff-write.js';
import { floatingPointPredictor, horizontalPredictor, undoFloatingPointPredictor } from '../../../core/io/geotiff-tile-encoder.js';
import { pyramidSizes } from '../../../core/io/geotiff-overviews.js';
import { createGrid } from '../../../core/model/grid.js';
import { rasterFromBands, type Raster } from '../../../core/model/raster.js';
import { createRng } from '../../../core/util/random.js';
import { firstDifference, tempDir } from './helpers.js';

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

/** A 2-band float raster: smooth field + seeded noise, NaN holes, odd size (partial edge tiles). */
function sampleRaster(width = 601, height = 389, seed = 7): Raster {
  const grid = createGrid(width, height, [500000, 30, 0, 4200000, 0, -30], 'EPSG:32614');
  const rng = createRng(seed);
  const a = new Float32Array(width * height);
  const b = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      a[i] = 0.3 + 0.1 * Math.sin(x / 40) * Math.cos(y / 25) + 0.01 * rng.next();
      b[i] = (x * 7 + y * 3) % 50 === 0 ? Number.NaN : -5 + rng.next() * 1e4;
    }
  }
  return rasterFromBands(grid, [a, b], ['sm', 'lst']);
}

async function rejectsWith(fn: () => Promise<unknown>, kind: string, re: RegExp): Promise<void> {
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(isSoilscaleError(e), `expected SoilscaleError, got ${String(e)}`);
    assert.equal(e.kind, kind);
    assert.match(e.message, re);
    return true;
  });
}

test('predictor reference vectors: floating point (3) and horizontal (2)', () => {
  // 1.0f = 00 00 80 3F, 2.0f = 00 00 00 40 (LE) → MSB planes [3F 40 | 80 00 | 00 00 | 00 00] → byte differences.
  const raw = new Uint8Array(new Float32Array([1, 2]).buffer);
  assert.deepEqual([...floatingPointPredictor(raw, 2)], [0x3f, 0x01, 0x40, 0x80, 0x00, 0x00, 0x00, 0x00]);
  const restored = floatingPointPredictor(raw, 2);
  undoFloatingPointPredictor(restored, 2);
  assert.deepEqual([...new Float32Array(restored.buffer)], [1, 2]);
  const rng = createRng(5);
  const block = new Float32Array(48 * 7).map(() => (rng.next() - 0.5) * 1e6);
  block[11] = Number.NaN;
  const coded = floatingPointPredictor(new Uint8Array(block.buffer), 48);
  undoFloatingPointPredictor(coded, 48);
  assert.equal(firstDifference(new Float32Array(coded.buffer), block), -1);
  const ints = new Int16Array([5, 3, -2, 100, -32768, 32767]);
  horizontalPredictor(new Uint8Array(ints.buffer), 3, 'int16');
  assert.deepEqual([...ints], [5, -2, -5, 100, 32668 /* -32768-100 wraps */, -1 /* 32767-(-32768) wraps */]);
});

test('float32 round trip is bit-exact (NaN kept), with grid, band names, tiles, overviews', async (t) => {
  const dir = tempDir(t);
  const r = sampleRaster();
  const path = join(dir, 'sm.tif');
  await writeGeoTiff(path, r);
  const info = await readGeoTiffInfo(path);
  assert.deepEqual(info.grid, r.grid);
  assert.equal(info.dataType, 'float32');
  assert.ok(Number.isNaN(info.nodata));
  assert.deepEqual(info.bandNames, ['sm', 'lst']);
  assert.equal(info.tiled, true);
  assert.equal(info.blockWidth, 256);
  assert.equal(info.compression, 'deflate');
  // 601×389 → 301×195 → 151×98 (fits one 256 tile)
  assert.equal(info.overviewCount, 2);
  const back = await readGeoTiff(path);
  for (let b = 0; b < 2; b++) assert.equal(firstDifference(back.bands[b], r.bands[b]), -1, `band ${b}`);
});

test('every option combination decodes to the same values', async (t) => {
  const dir = tempDir(t);
  const r = sampleRaster(300, 270, 3);
  const variants = [
    { compression: 'none' as const },
    { predictor: false },
    { tileSize: 512 as const },
    { bigTiff: true },
    { overviews: false },
    { nodata: -9999 },
  ];
  for (const [i, v] of variants.entries()) {
    const p = join(dir, `v${i}.tif`);
    await writeGeoTiff(p, r, v);
    const back = await readGeoTiff(p);
    for (let b = 0; b < 2; b++) assert.equal(firstDifference(back.bands[b], r.bands[b]), -1, `${JSON.stringify(v)} band ${b}`);
  }
  assert.equal(readFileSync(join(dir, 'v3.tif')).readUInt16LE(2), 43, 'BigTIFF magic');
  assert.equal(readFileSync(join(dir, 'v0.tif')).readUInt16LE(2), 42, 'classic TIFF magic');
  assert.equal((await readGeoTiffInfo(join(dir, 'v4.tif'))).overviewCount, 0);
  assert.equal((await readGeoTiffInfo(join(dir, 'v5.tif'))).nodata, -9999);
});

test('same raster → same bytes; streaming in uneven blocks gives the same file as one write', async (t) => {
  const dir = tempDir(t);
  const r = sampleRaster();
  await writeGeoTiff(join(dir, 'a.tif'), r);
  await writeGeoTiff(join(dir, 'b.tif'), r);
  assert.equal(sha(join(dir, 'a.tif')), sha(join(dir, 'b.tif')));

  const { width, height } = r.grid;
  const w = await createGeoTiffWriter(join(dir, 'c.tif'), { grid: r.grid, bandCount: 2, bandNames: r.bandNames });
  let y = 0;
  for (const n of [1, 37, 256, 3, 0, 91]) {
    await w.writeRows(r.bands.map((b) => b.slice(y * width, (y + n) * width)), n);
    y += n;
  }
  await w.writeRows(r.bands.map((b) => b.subarray(y * width)), height - y);
  assert.equal(existsSync(join(dir, 'c.tif')), false, 'nothing at the final path before close()');
  await w.close();
  assert.equal(sha(join(dir, 'c.tif')), sha(join(dir, 'a.tif')));
  assert.deepEqual(readdirSync(dir).sort(), ['a.tif', 'b.tif', 'c.tif'], 'no partial or spool files left');
});

test('overviews: 2×2 average of a linear field equals the field at block centres; edges clipped; NaN ignored', async (t) => {
  const dir = tempDir(t);
  const width = 515;
  const height = 300;
  const f = (x: number, y: number): number => x + 1000 * y;
  const band = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) band[y * width + x] = f(x, y);
  band[0] = Number.NaN; // block (0,0) averages the 3 others
  const grid = createGrid(width, height, [0, 1, 0, 0, 0, -1], 'EPSG:3857');
  const path = join(dir, 'ramp.tif');
  await writeGeoTiff(path, rasterFromBands(grid, [band]));
  const tiff = await fromArrayBuffer(readFileSync(path).buffer.slice(0) as ArrayBuffer);
  const ovr = await tiff.getImage(1);
  assert.deepEqual([ovr.getWidth(), ovr.getHeight()], [258, 150]);
  const [data] = (await ovr.readRasters()) as unknown as Float32Array[];
  assert.equal(data[0], Math.fround((f(1, 0) + f(0, 1) + f(1, 1)) / 3));
  for (const [i, j] of [[5, 7], [100, 149], [200, 3]]) assert.equal(data[j * 258 + i], f(2 * i + 0.5, 2 * j + 0.5));
  // Last column (515 is odd): only source column 514 exists.
  assert.equal(data[10 * 258 + 257], f(514, 20.5));
  const sizes = pyramidSizes(width, height, 256, true).map((s) => [s.width, s.height]);
  assert.deepEqual(sizes, [[515, 300], [258, 150], [129, 75]]);
  assert.equal(await tiff.getImageCount(), 3);
});

test('int16 and uint8 class maps round-trip exactly with mode overviews; NaN ↔ nodata', async (t) => {
  const dir = tempDir(t);
  const width = 700;
  const height = 300;
  const grid = createGrid(width, height, [10, 0.001, 0, 50, 0, -0.001], 'EPSG:4326');
  const classes = new Float32Array(width * height);
  const rng = createRng(11);
  for (let i = 0; i < classes.length; i++) classes[i] = i % 97 === 0 ? Number.NaN : Math.floor(rng.next() * 12);
  // One 2×2 block with a clear mode (3 of 4 pixels are class 9) and one with a tie (first wins).
  classes.set([9, 9], 0);
  classes.set([9, 4], width);
  classes.set([5, 6], 2);
  classes.set([6, 5], width + 2);
  const shorts = classes.map((v, i) => (Number.isNaN(v) ? v : v * 1000 - (i % 3) * 11000));
  for (const [type, values] of [['uint8', classes], ['int16', shorts]] as const) {
    const p = join(dir, `${type}.tif`);
    await writeGeoTiff(p, rasterFromBands(grid, [values]), { dataType: type });
    const info = await readGeoTiffInfo(p);
    assert.equal(info.dataType, type);
    assert.equal(info.nodata, type === 'uint8' ? 255 : -32768);
    const back = await readGeoTiff(p);
    assert.equal(firstDifference(back.bands[0], values), -1, type);
  }
  const tiff = await fromArrayBuffer(readFileSync(join(dir, 'uint8.tif')).buffer.slice(0) as ArrayBuffer);
  const [ovr] = (await (await tiff.getImage(1)).readRasters()) as unknown as Uint8Array[];
  assert.equal(ovr[0], 9);
  assert.equal(ovr[1], 5);
});

test('values that do not fit the class-map type, and bad options, are reported, leaving no file', async (t) => {
  const dir = tempDir(t);
  const grid = createGrid(10, 10, [0, 1, 0, 10, 0, -1], 'EPSG:32633');
  const values = new Float32Array(100).fill(3);
  values[57] = 300;
  const p = join(dir, 'lc.tif');
  await rejectsWith(() => writeGeoTiff(p, rasterFromBands(grid, [values]), { dataType: 'uint8' }), 'runtime', /lc\.tif.*does not fit.*uint8.*found 300/);
  await rejectsWith(() => writeGeoTiff(p, rasterFromBands(grid, [values]), { dataType: 'int16', nodata: 1e6 }), 'usage', /options\.nodata/);
  await rejectsWith(() => writeGeoTiff(p, rasterFromBands(grid, [values]), { tileSize: 300 as never }), 'usage', /options\.tileSize.*expected a multiple of 16/);
  const wkt = createGrid(10, 10, [0, 1, 0, 10, 0, -1], 'PROJCS["custom"]');
  await rejectsWith(() => writeGeoTiff(p, rasterFromBands(wkt, [values])), 'usage', /grid\.crs.*EPSG/);
  const geocentric = createGrid(10, 10, [0, 1, 0, 10, 0, -1], 'EPSG:4978');
  await rejectsWith(() => writeGeoTiff(p, rasterFromBands(geocentric, [values])), 'usage', /projected or geographic/);
  assert.deepEqual(readdirSync(dir), []);
});

test('streaming writer: abort and early close leave nothing; rows beyond the grid are refused', async (t) => {
  const dir = tempDir(t);
  const grid = createGrid(300, 300, [0, 1, 0, 300, 0, -1], 'EPSG:32633');
  const rows = new Float32Array(300 * 100).fill(1);
  const a = await createGeoTiffWriter(join(dir, 'a.tif'), { grid, bandCount: 1 });
  await a.writeRows([rows], 100);
  assert.ok(readdirSync(dir).some((f) => f.includes('.spool')), 'tiles spooled while writing');
  await a.abort();
  assert.deepEqual(readdirSync(dir), []);

  const b = await createGeoTiffWriter(join(dir, 'b.tif'), { grid, bandCount: 1 });
  await b.writeRows([rows], 100);
  await rejectsWith(() => b.close(), 'usage', /before every row.*expected 300 rows, found 100 rows/);
  assert.deepEqual(readdirSync(dir), []);

  const c = await createGeoTiffWriter(join(dir, 'c.tif'), { grid, bandCount: 1 });
  await c.writeRows([rows], 100);
  await c.writeRows([rows], 100);
  await rejectsWith(() => c.writeRows([new Float32Array(300 * 101)], 101), 'usage', /too many rows/);
  await rejectsWith(() => c.writeRows([new Float32Array(10)], 1), 'usage', /band block too short/);
  await c.writeRows([rows], 100); // a refused call leaves the writer usable
  await c.close();
  assert.deepEqual(readdirSync(dir), ['c.tif']);
});

test('streamed product: memory is one tile row per level whatever the height; tiles reach disk as rows arrive', async (t) => {
  const dir = tempDir(t);
  const width = 1500;
  const tile = 256;
  const value = (x: number, y: number): number => Math.fround(Math.sin(x * 0.01) + y * 1e-3);
  const buffered: number[] = [];
  for (const height of [1200, 4800]) {
    const grid = createGrid(width, height, [0, 10, 0, height * 10, 0, -10], 'EPSG:32633');
    const path = join(dir, `tall-${height}.tif`);
    const w = await createGeoTiffWriter(path, { grid, bandCount: 1 });
    const block = 64;
    const rows = new Float32Array(width * block);
    let spooledAtHalf = 0;
    for (let y = 0; y < height; y += block) {
      const n = Math.min(block, height - y);
      for (let r = 0; r < n; r++) for (let x = 0; x < width; x++) rows[r * width + x] = value(x, y + r);
      await w.writeRows([rows], n);
      if (y + n >= height / 2 && spooledAtHalf === 0) spooledAtHalf = w.stats!().spooledBytes;
    }
    const { bufferedBytes } = w.stats!();
    buffered.push(bufferedBytes);
    assert.ok(spooledAtHalf > 0, 'compressed tiles are on disk before close()');
    await w.close();
    // Levels 1500, 750, 375, 188 wide: one tile row each + two rows per overview reducer.
    const levelWidths = pyramidSizes(width, height, tile, true).map((l) => l.width);
    const bound = levelWidths.reduce((n, lw) => n + 4 * lw * (tile + 3), 0);
    assert.ok(bufferedBytes <= bound, `buffered ${bufferedBytes} > ${bound}`);
    const check = await readGeoTiff(path, { window: { x: 1000, y: height - 300, width: 17, height: 9 } });
    for (let r = 0; r < 9; r++) for (let c = 0; c < 17; c++) assert.equal(check.bands[0][r * 17 + c], value(1000 + c, height - 300 + r));
  }
  // Four times the rows, the same memory (plus at most one more overview level).
  assert.ok(buffered[1] <= buffered[0] * 1.2, `buffered bytes grew with height: ${buffered.join(' → ')}`);
});
