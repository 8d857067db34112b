/**
 * GeoTIFF I/O at daily-product size: a 4000 × 4000 float32 field (64 MiB) written as a COG (DEFLATE +
 * floating-point predictor, 256 tiles, overviews) and read back. The peer is GDAL's COG driver
 * (`gdal_translate -of COG` from an uncompressed tiled GeoTIFF, same options) and its reader
 * (`gdal_translate -of ENVI`), timed as command-line processes (includes ~0.1 s start-up).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createGrid, createRng, createGeoTiffWriter, readGeoTiff, rasterFromBands, writeGeoTiff } from '../core/index.js';
import type { BenchArgs } from './main.js';
import { peakRssMiB, printTable, timed, type BenchRow } from './report.js';

const N = 4000;

function gdalSeconds(args: string[]): number | undefined {
  const t0 = performance.now();
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return (performance.now() - t0) / 1000;
}

export default async function run(_args: BenchArgs): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-bench-geotiff-'));
  try {
    const grid = createGrid(N, N, [500000, 30, 0, 4300000, 0, -30], 'EPSG:32633');
    const rng = createRng(1);
    const band = new Float32Array(N * N);
    for (let y = 0; y < N; y++) {
      for (let x = 0; x < N; x++) band[y * N + x] = 0.25 + 0.1 * Math.sin(x / 97) * Math.cos(y / 61) + 0.02 * rng.next();
    }
    const raster = rasterFromBands(grid, [band], ['sm']);
    const mib = (N * N * 4) / 2 ** 20;
    const rows: BenchRow[] = [];

    const cog = join(dir, 'ours.tif');
    const write = await timed(() => writeGeoTiff(cog, raster));
    const plain = join(dir, 'plain.tif');
    await writeGeoTiff(plain, raster, { compression: 'none', overviews: false });
    const gdalCog = join(dir, 'gdal.tif');
    const peerWrite = gdalSeconds(['gdal_translate', '-q', '-of', 'COG', '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=YES', '-co', 'BLOCKSIZE=256', '-co', 'RESAMPLING=AVERAGE', '-co', 'NUM_THREADS=1', plain, gdalCog]);
    const sizeNote = `${(statSync(cog).size / 2 ** 20).toFixed(1)} MiB vs GDAL ${peerWrite ? (statSync(gdalCog).size / 2 ** 20).toFixed(1) : '—'} MiB; ${(mib / write.seconds).toFixed(0)} MB/s`;
    rows.push({ task: `write COG ${N}×${N} float32 (deflate+pred3, overviews)`, ours: write.seconds, peer: peerWrite, unit: 's', note: sizeNote });

    const stream = await timed(async () => {
      const w = await createGeoTiffWriter(join(dir, 'stream.tif'), { grid, bandCount: 1 });
      for (let y = 0; y < N; y += 500) await w.writeRows([band.subarray(y * N, (y + 500) * N)], 500);
      await w.close();
    });
    rows.push({ task: 'streamed write, 500-row blocks', ours: stream.seconds, unit: 's', note: `${(mib / stream.seconds).toFixed(0)} MB/s` });

    const read = await timed(() => readGeoTiff(cog));
    const peerRead = gdalSeconds(['gdal_translate', '-q', '-of', 'ENVI', cog, join(dir, 'raw.bin')]);
    rows.push({ task: 'read the COG (full resolution)', ours: read.seconds, peer: peerRead, unit: 's', note: `${(mib / read.seconds).toFixed(0)} MB/s; peak RSS ${peakRssMiB().toFixed(0)} MiB` });
    printTable('GeoTIFF I/O (peer: GDAL command-line tools, single thread)', rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
