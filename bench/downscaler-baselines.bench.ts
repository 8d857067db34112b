/**
 * Baseline downscalers on an operational-size target: 30 m over ~100 km × 100 km (3334 × 3334 =
 * 11.1 Mpx) from a 1 km coarse field, one date. `--run-peer` also times GDAL (`gdal.Warp` to a MEM
 * dataset, python3-gdal) on the same resampling.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createGrid, createPluginContext, createRng, makeSeries } from '../core/index.js';
import { bilinearDownscaler } from '../plugins/downscaler-bilinear/index.js';
import { nearestDownscaler } from '../plugins/downscaler-nearest/index.js';
import type { BenchArgs } from './main.js';
import { printTable, timed, type BenchRow } from './report.js';

const FINE = 3334;
const COARSE = 101;

function gdalSeconds(method: string): number | undefined {
  const py = `
import time, numpy as np
from osgeo import gdal
src = gdal.GetDriverByName('MEM').Create('', ${COARSE}, ${COARSE}, 1, gdal.GDT_Float32)
src.SetGeoTransform([500000, 1000, 0, 4300000, 0, -1000]); src.SetProjection('EPSG:32633')
src.GetRasterBand(1).WriteArray(np.random.default_rng(1).random((${COARSE}, ${COARSE}), dtype=np.float32))
best = 1e9
for _ in range(3):
    t = time.perf_counter()
    out = gdal.Warp('', src, format='MEM', outputBounds=(500000, 4300000 - ${FINE} * 30, 500000 + ${FINE} * 30, 4300000), xRes=30, yRes=30, resampleAlg='${method}', multithread=False)
    out.GetRasterBand(1).ReadAsArray()
    best = min(best, time.perf_counter() - t)
print(best)
`;
  const r = spawnSync(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', ['-c', py], { encoding: 'utf8' });
  const v = Number.parseFloat(r.stdout);
  return Number.isFinite(v) ? v : undefined;
}

export default async function run(args: BenchArgs): Promise<void> {
  const coarseGrid = createGrid(COARSE, COARSE, [500000, 1000, 0, 4300000, 0, -1000], 'EPSG:32633');
  const fineGrid = createGrid(FINE, FINE, [500000, 30, 0, 4300000, 0, -30], 'EPSG:32633');
  const rng = createRng(1);
  const values = Float32Array.from({ length: COARSE * COARSE }, () => rng.next());
  const coarse = makeSeries({ variable: 'sm', grid: coarseGrid, dates: ['2024-06-01'], values: [values] });
  const context = createPluginContext();
  const rows: BenchRow[] = [];
  for (const [name, plugin, gdalName] of [
    ['nearest', nearestDownscaler, 'near'],
    ['bilinear', bilinearDownscaler, 'bilinear'],
  ] as const) {
    const ds = await plugin.create({}, context);
    await ds.downscale({ coarse, predictors: {}, target: fineGrid }); // warm-up
    let best = Infinity;
    for (let i = 0; i < 3; i++) best = Math.min(best, (await timed(() => ds.downscale({ coarse, predictors: {}, target: fineGrid }))).seconds);
    rows.push({
      task: `downscaler:${name}, 1 km → 30 m, ${((FINE * FINE) / 1e6).toFixed(1)} Mpx, 1 date`,
      ours: best,
      peer: args.flags.includes('--run-peer') ? gdalSeconds(gdalName) : undefined,
      unit: 's',
      note: 'peer: gdal.Warp to MEM, single thread (best of 3)',
    });
  }
  printTable('Baseline downscalers (best of 3)', rows);
}
