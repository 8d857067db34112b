/**
 * GeoTIFF fuzzing: seeds written by soilscale's writer (tiled DEFLATE float32 COG with overviews,
 * int16 class map, uncompressed uint8, BigTIFF) and by gdal_translate (stripped, pixel-interleaved
 * 3-band, LZW + predictor, PackBits, tiled band-interleaved DEFLATE, BigTIFF LZW, ZSTD, big-endian),
 * mutated by a seeded mutator. GDAL is the oracle: when soilscale reads a mutated file, GDAL must read
 * it too and see the same size, geotransform and values (nodata → NaN, scale/offset applied).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readGeoTiff } from '../../core/io/geotiff-read.js';
import { writeGeoTiff } from '../../core/io/geotiff-write.js';
import { createGrid } from '../../core/model/grid.js';
import { rasterFromBands } from '../../core/model/raster.js';
import { gdal, hasGdal } from '../core/io/helpers.js';
import { sharedDataPath } from '../support/shared-data.js';
import { caseCount, caseRng, FuzzTally, LONG, mutateBytes, runCase } from './fuzz-support.js';
import { differenceFromGdal, gdalVerdict } from './geotiff-oracle.js';

async function writeSeeds(dir: string): Promise<string[]> {
  const grid = createGrid(40, 30, [500000, 30, 0, 4200000, 0, -30], 'EPSG:32633');
  const n = grid.width * grid.height;
  const field = new Float32Array(n).map((_, i) => (i % 7 === 0 ? Number.NaN : 0.05 + 0.3 * Math.sin(i / 17) ** 2));
  const classes = new Float32Array(n).map((_, i) => (i * 7) % 11);
  const seeds: Array<[string, () => Promise<void>]> = [
    ['ours-float32-cog.tif', () => writeGeoTiff(join(dir, 'ours-float32-cog.tif'), rasterFromBands(grid, [field]), { tileSize: 16 })],
    ['ours-int16-classes.tif', () => writeGeoTiff(join(dir, 'ours-int16-classes.tif'), rasterFromBands(grid, [classes]), { dataType: 'int16', overviews: false })],
    ['ours-uint8-raw.tif', () => writeGeoTiff(join(dir, 'ours-uint8-raw.tif'), rasterFromBands(grid, [classes]), { dataType: 'uint8', compression: 'none', overviews: false })],
    ['ours-bigtiff.tif', () => writeGeoTiff(join(dir, 'ours-bigtiff.tif'), rasterFromBands(grid, [field, classes]), { bigTiff: true, overviews: false })],
  ];
  for (const [, write] of seeds) await write();
  const names = seeds.map(([name]) => join(dir, name));
  if (!hasGdal()) return names;
  const src = sharedDataPath('estarfm', 'crop100_3band', 'fine_t1.tif');
  const common = ['-q', '-srcwin', '10', '20', '40', '30', '-a_srs', 'EPSG:32633', '-a_ullr', '500000', '4200900', '501200', '4200000'];
  const variants: Array<[string, string[]]> = [
    ['gdal-strip-3band.tif', ['-co', 'BLOCKYSIZE=7']],
    ['gdal-lzw-pred2.tif', ['-co', 'COMPRESS=LZW', '-co', 'PREDICTOR=2', '-co', 'BLOCKYSIZE=8', '-a_nodata', '0']],
    ['gdal-packbits-uint8.tif', ['-ot', 'Byte', '-scale', '0', '3000', '0', '250', '-co', 'COMPRESS=PACKBITS', '-b', '1']],
    ['gdal-tiled-deflate-band.tif', ['-co', 'TILED=YES', '-co', 'BLOCKXSIZE=16', '-co', 'BLOCKYSIZE=16', '-co', 'COMPRESS=DEFLATE', '-co', 'INTERLEAVE=BAND', '-a_scale', '0.0001']],
    ['gdal-bigtiff-lzw.tif', ['-co', 'BIGTIFF=YES', '-co', 'COMPRESS=LZW', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=32', '-co', 'BLOCKYSIZE=32']],
    ['gdal-zstd-float32.tif', ['-ot', 'Float32', '-co', 'COMPRESS=ZSTD', '-co', 'PREDICTOR=3', '-b', '2']],
    ['gdal-big-endian.tif', ['-co', 'ENDIANNESS=BIG', '-b', '3']],
  ];
  for (const [name, co] of variants) {
    gdal('gdal_translate', [...common, ...co, src, join(dir, name)]);
    names.push(join(dir, name));
  }
  return names;
}

test('GeoTIFF fuzz: every mutated file reads as GDAL reads it, or fails with an error naming it', { timeout: LONG ? Infinity : 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-fuzz-tiff-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const seeds = await writeSeeds(dir);
  const oracle = hasGdal();
  const tally = new FuzzTally('geotiff');
  const cases = caseCount(4 * seeds.length);
  const rng = caseRng(20261206);
  for (let k = 0; k < cases; k++) {
    const seedFile = seeds[k % seeds.length];
    const original = readFileSync(seedFile);
    // Headers and directories are where damage matters most: 60% of point mutations land in the first 1 KB.
    const { bytes, mutation } = mutateBytes(original, rng, 1024);
    const file = join(dir, `case-${k}.tif`);
    writeFileSync(file, bytes);
    const seed = seedFile.slice(dir.length + 1);
    if (process.env.SOILSCALE_FUZZ_TRACE) process.stderr.write(`case ${k}: ${seed} / ${mutation}\n`);
    const { outcome, ms, result, detail } = await runCase([file], () => readGeoTiff(file, { allowUngeoreferenced: true }));
    let verdict = outcome;
    let why = detail;
    if (outcome === 'ok' && oracle) {
      const g = gdalVerdict(file, join(dir, `gdal-${k}`));
      why = g.ok ? (differenceFromGdal(result!, g) ?? '') : `soilscale read values, GDAL rejects the file: ${g.why}`;
      if (why) verdict = 'differs';
    }
    tally.record(verdict, ms, seed, mutation, why);
    if (verdict !== 'ok' && verdict !== 'error' && process.env.SOILSCALE_FUZZ_KEEP) copyFileSync(file, join(process.env.SOILSCALE_FUZZ_KEEP, `geotiff-case-${k}.tif`));
    rmSync(file, { force: true });
  }
  tally.finish();
});
