/**
 * Damaged GeoTIFFs that GDAL rejects (`gdalinfo -checksum` fails) must fail here too, with an error
 * naming the file — never read as zeros — and a header must not make the reader allocate what it
 * declares. Each file is a valid GDAL-written file with one field damaged by hand.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isSoilscaleError } from '../../../core/errors.js';
import { readGeoTiff } from '../../../core/io/geotiff-read.js';
import { gdal, needGdal, sharedData, tempDir } from './helpers.js';

const SRC = sharedData('estarfm', 'crop100_3band', 'fine_t1.tif');

/** Entry of `tag` in the first IFD of a classic little-endian TIFF: its type, count and value field's offset. */
function entry(b: Buffer, tag: number): { type: number; count: number; field: number } {
  const ifd = b.readUInt32LE(4);
  const n = b.readUInt16LE(ifd);
  for (let i = 0; i < n; i++) {
    const at = ifd + 2 + 12 * i;
    if (b.readUInt16LE(at) === tag) return { type: b.readUInt16LE(at + 2), count: b.readUInt32LE(at + 4), field: at + 8 };
  }
  throw new Error(`tag ${tag} not in IFD 0`);
}

/** Where value `index` of an integer `tag` (SHORT or LONG) is stored, and its size. */
function valueAt(b: Buffer, tag: number, index: number): { at: number; size: 2 | 4 } {
  const e = entry(b, tag);
  const size = e.type === 3 ? 2 : 4;
  const base = e.count * size <= 4 ? e.field : b.readUInt32LE(e.field);
  return { at: base + index * size, size };
}

function getValue(b: Buffer, tag: number, index = 0): number {
  const { at, size } = valueAt(b, tag, index);
  return size === 2 ? b.readUInt16LE(at) : b.readUInt32LE(at);
}

function setValue(b: Buffer, tag: number, index: number, v: number): void {
  const { at, size } = valueAt(b, tag, index);
  if (size === 2) b.writeUInt16LE(v, at);
  else b.writeUInt32LE(v, at);
}

/** GDAL's verdict on every pixel: false when `gdalinfo -checksum` reports an error. */
function gdalReads(file: string): boolean {
  const r = spawnSync('gdalinfo', ['-checksum', file], { encoding: 'utf8' });
  return r.status === 0 && !/ERROR/.test(r.stderr);
}

async function rejectsNaming(file: string, re: RegExp): Promise<void> {
  await assert.rejects(
    () => readGeoTiff(file, { allowUngeoreferenced: true }),
    (e: unknown) => {
      assert.ok(isSoilscaleError(e), `expected a SoilscaleError, got ${String(e)}`);
      assert.ok(e.message.startsWith(file), `message should name ${file}: ${e.message}`);
      assert.match(e.message, re);
      return true;
    },
  );
}

test('damaged files GDAL rejects are errors naming the file, not zeros', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const make = (name: string, co: string[]) => {
    const f = join(dir, name);
    gdal('gdal_translate', ['-q', '-srcwin', '0', '0', '40', '40', ...co, SRC, f]);
    return f;
  };

  // The strip byte counts stored past the end of the file: GDAL fails ("IO error during reading of
  // StripByteCounts"); soilscale used to read them as zero-filled bytes — every strip "sparse" — and
  // returned an all-zero image.
  const counts = make('counts-past-end.tif', ['-co', 'BLOCKYSIZE=10']);
  const b0 = readFileSync(counts);
  b0.writeUInt32LE(b0.length + 64, entry(b0, 279).field);
  writeFileSync(counts, b0);
  assert.equal(gdalReads(counts), false);
  await rejectsNaming(counts, /tag 279: tag data runs past the end of the file/);

  // An uncompressed strip whose byte count was cut. GDAL reads the bytes beyond the count anyway (its
  // direct read of uncompressed blocks); soilscale refuses to guess and names the strip.
  const short = make('short-strip.tif', ['-co', 'BLOCKYSIZE=10']);
  const b1 = readFileSync(short);
  setValue(b1, 279, 1, getValue(b1, 279, 1) - 100); // strip 1 loses 100 bytes
  writeFileSync(short, b1);
  await rejectsNaming(short, /strip 1 decodes to fewer bytes than its pixels need.*expected 2400 bytes, found 2300 bytes/);

  // A strip offset past the end of the file.
  const past = make('offset-past-end.tif', ['-co', 'BLOCKYSIZE=10']);
  const b2 = readFileSync(past);
  setValue(b2, 273, 2, b2.length + 10);
  writeFileSync(past, b2);
  assert.equal(gdalReads(past), false);
  await rejectsNaming(past, /block extends past the end of the file/);

  // An LZW stream with garbage in the middle: libtiff "Using code not yet in table"; the old decoder ran on.
  const lzw = make('lzw.tif', ['-co', 'COMPRESS=LZW']);
  const b3 = readFileSync(lzw);
  const stripAt = getValue(b3, 273, 0);
  b3.fill(0xff, stripAt + 40, stripAt + 60);
  writeFileSync(lzw, b3);
  assert.equal(gdalReads(lzw), false);
  await rejectsNaming(lzw, /cannot decode strip 0 \(LZW: using code \d+ not yet in table/);

  // A truncated DEFLATE tile.
  const deflate = make('deflate.tif', ['-co', 'COMPRESS=DEFLATE', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=32', '-co', 'BLOCKYSIZE=32']);
  const b4 = readFileSync(deflate);
  setValue(b4, 325, 0, Math.floor(getValue(b4, 325, 0) / 2));
  writeFileSync(deflate, b4);
  assert.equal(gdalReads(deflate), false);
  await rejectsNaming(deflate, /cannot decode tile 0/);
});

test('a header cannot make the reader allocate what it declares, nor loop', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t);
  const base = join(dir, 'small.tif');
  gdal('gdal_translate', ['-q', '-srcwin', '0', '0', '20', '20', '-b', '1', '-co', 'COMPRESS=DEFLATE', '-a_srs', 'EPSG:32633', '-a_ullr', '0', '600', '600', '0', SRC, base]);
  const original = readFileSync(base);
  assert.ok(original.length < 2000, `${original.length} bytes`);

  // 1.6 KB declaring 100000 × 100000 int16 pixels in one strip (20 GB): refused from the header.
  const huge = join(dir, 'huge.tif');
  const b1 = Buffer.from(original);
  for (const tag of [256, 257, 278]) {
    const e = entry(b1, tag);
    b1.writeUInt16LE(4, e.field - 6); // as LONG: 100000 does not fit a SHORT
    b1.writeUInt32LE(100000, e.field);
  }
  writeFileSync(huge, b1);
  const before = process.resourceUsage().maxRSS;
  await rejectsNaming(huge, /implausible for the file size/);
  assert.ok(process.resourceUsage().maxRSS - before < 200 * 1024, 'peak memory grew by more than 200 MiB');

  // The IFD's next-IFD offset pointing back at itself.
  const loop = join(dir, 'loop.tif');
  const b2 = Buffer.from(original);
  const ifd = b2.readUInt32LE(4);
  b2.writeUInt32LE(ifd, ifd + 2 + 12 * b2.readUInt16LE(ifd));
  writeFileSync(loop, b2);
  await rejectsNaming(loop, /IFD chain loops back/);

  // A pixel size that puts the far corner beyond any coordinate.
  const infinite = join(dir, 'infinite.tif');
  const b4 = Buffer.from(original);
  b4.writeDoubleLE(1e307, b4.readUInt32LE(entry(b4, 33550).field)); // ModelPixelScale x
  writeFileSync(infinite, b4);
  await rejectsNaming(infinite, /geotransform puts the raster beyond any coordinate/);

  // An IFD claiming 65535 entries.
  const entries = join(dir, 'entries.tif');
  const b3 = Buffer.from(original);
  b3.writeUInt16LE(65535, b3.readUInt32LE(4));
  writeFileSync(entries, b3);
  assert.equal(gdalReads(entries), false);
  await rejectsNaming(entries, /IFD entry count is not plausible/);
});
