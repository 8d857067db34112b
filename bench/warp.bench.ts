/**
 * The warper beside gdalwarp (Debian gdal-bin) on the same work: a 4000 × 4000 MODIS-sinusoidal band
 * (250 m, tile h19v04, 2 % nodata) onto UTM 33N, bilinear at 250 m (4000 × 4000) and average at 1 km,
 * (and nearest, which shows how the two coordinate approximations agree), all with the default 0.125 px
 * approximation, on one thread and on two; gdalwarp gets our kernel scale (-wo XSCALE/YSCALE). gdalwarp's time includes
 * reading its input and writing an uncompressed GeoTIFF to /tmp (tens of ms at this size); ours is
 * the warp in memory. The difference columns compare the two outputs pixel by pixel.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGrid, createRng, createWorkerPool, rasterFromBands, readGeoTiff, warpBands, warpScale, writeGeoTiff, type Grid, type WarpMethod, type WorkerPool } from '../core/index.js';
import { compareWarps, gdalwarpArgs, GDALWARP, haveGdalwarp } from '../test/support/gdalwarp.js';
import { MODIS_SINUSOIDAL } from '../test/support/native-grids.js';
import type { BenchArgs } from './main.js';
import { printTable, timed, type BenchRow } from './report.js';

const SIZE = 4000;
const source = createGrid(SIZE, SIZE, [1111950.5197, 231.65635826, 0, 5559752.5985, 0, -231.65635826], MODIS_SINUSOIDAL);
const targets: Array<{ method: WarpMethod; to: Grid }> = [
  { method: 'nearest', to: createGrid(4000, 4000, [500000, 250, 0, 5550000, 0, -250], 'EPSG:32633') },
  { method: 'bilinear', to: createGrid(4000, 4000, [500000, 250, 0, 5550000, 0, -250], 'EPSG:32633') },
  { method: 'average', to: createGrid(1000, 1000, [500000, 1000, 0, 5550000, 0, -1000], 'EPSG:32633') },
];

async function best(f: () => unknown, runs = 3): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < runs; i++) b = Math.min(b, (await timed(f)).seconds);
  return b;
}

export default async function run(_args: BenchArgs): Promise<void> {
  if (!haveGdalwarp()) {
    console.log('gdalwarp not installed (apt-get install -y gdal-bin): nothing to compare against');
    return;
  }
  const rng = createRng(3);
  const values = new Float32Array(SIZE * SIZE);
  for (let r = 0; r < SIZE; r++) {
    for (let c = 0; c < SIZE; c++) values[r * SIZE + c] = rng.next() < 0.02 ? Number.NaN : 0.3 + 0.1 * Math.sin(c / 40) * Math.cos(r / 55) + 0.02 * rng.next();
  }
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-warp-bench-'));
  const pool: WorkerPool = createWorkerPool(2);
  try {
    const input = join(dir, 'modis.tif');
    // Our writer encodes EPSG CRSs only; the sinusoidal CRS goes to gdalwarp as -s_srs.
    await writeGeoTiff(input, rasterFromBands({ ...source, crs: 'EPSG:3857' }, [values]), { overviews: false, compression: 'none' });
    const rows: BenchRow[] = [];
    for (const { method, to } of targets) {
      for (const threads of [1, 2]) {
        const output = join(dir, `${method}-${threads}.tif`);
        const extra = threads > 1 ? ['-multi', '-wo', `NUM_THREADS=${threads}`] : [];
        // Our kernel scale, handed to gdalwarp (it would otherwise derive one per chunk from its source window).
        const { scaleX, scaleY } = warpScale(source, to);
        const scale = ['-wo', `XSCALE=${scaleX}`, '-wo', `YSCALE=${scaleY}`];
        const args = gdalwarpArgs(input, output, { to, method, sourceCrs: MODIS_SINUSOIDAL, maxError: 0.125, extra: ['-wm', '1024', ...scale, ...extra] });
        const peer = await best(() => {
          const r = spawnSync(GDALWARP, args, { encoding: 'utf8' });
          if (r.status !== 0) throw new Error(`gdalwarp failed: ${r.stderr}`);
        });
        const opts = { method, workers: threads > 1 ? pool : undefined };
        const ours = await best(() => warpBands([values], source, to, opts));
        const [mine] = await warpBands([values], source, to, opts);
        const theirs = (await readGeoTiff(output, { bands: [0] })).bands[0];
        const d = compareWarps(mine, theirs, 1e-4);
        rows.push({
          task: `${method} → ${to.width}×${to.height} UTM, ${threads} thread${threads > 1 ? 's' : ''}`,
          ours,
          peer,
          unit: 's',
          note: `validity differs ${(100 * d.validityMismatch / d.pixels).toFixed(3)} %, |Δ|>1e-4 ${(100 * d.overTolerance / d.bothValid).toFixed(3)} %, max |Δ| ${d.maxAbs.toExponential(1)}, mean |Δ| ${d.meanAbs.toExponential(1)}`,
        });
      }
    }
    printTable('warp 4000×4000 MODIS sinusoidal 250 m → UTM 33N (peer: gdalwarp -et 0.125)', rows);
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
