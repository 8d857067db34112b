/**
 * Grid operations at operational size: 30 m over ~100 km × 100 km (3334 × 3334 = 11.1 Mpx) and a
 * 1 km grid it nests in (factor 33, 102 × 102 cells incl. a partial edge). `--run-peer` also times GDAL
 * (python3-gdal: `gdal.Warp` average/bilinear/cubic and `gdal.DEMProcessing` slope) on MEM datasets.
 */
import { spawnSync } from 'node:child_process';
import { aggregateToGrid, createGrid, createRng, resampleToGrid, slopeAspect } from '../core/index.js';
import type { BenchArgs } from './main.js';
import { printTable, timed, type BenchRow } from './report.js';

const FINE = 3334;
const COARSE = 102; // 102 × 990 m ≥ 3334 × 30 m
const fine = createGrid(FINE, FINE, [500000, 30, 0, 4300000, 0, -30], 'EPSG:32633');
const coarse = createGrid(COARSE, COARSE, [500000, 990, 0, 4300000, 0, -990], 'EPSG:32633');

function gdalSeconds(): Record<string, number> | undefined {
  const py = `
import time, json, numpy as np
from osgeo import gdal
def mem(n, res, arr):
    d = gdal.GetDriverByName('MEM').Create('', n, n, 1, gdal.GDT_Float32)
    d.SetGeoTransform([500000, res, 0, 4300000, 0, -res]); d.SetProjection('EPSG:32633')
    d.GetRasterBand(1).WriteArray(arr); return d
rng = np.random.default_rng(1)
f = mem(${FINE}, 30, rng.random((${FINE}, ${FINE}), dtype=np.float32) * 100)
c = mem(${COARSE}, 990, rng.random((${COARSE}, ${COARSE}), dtype=np.float32))
def best(fn):
    b = 1e9
    for _ in range(3):
        t = time.perf_counter(); fn(); b = min(b, time.perf_counter() - t)
    return b
out = {}
out['aggregate'] = best(lambda: gdal.Warp('', f, format='MEM', outputBounds=(500000, 4300000 - ${COARSE} * 990, 500000 + ${COARSE} * 990, 4300000), xRes=990, yRes=990, resampleAlg='average').ReadAsArray())
for m in ['bilinear', 'cubic']:
    out[m] = best(lambda: gdal.Warp('', c, format='MEM', outputBounds=(500000, 4300000 - ${FINE} * 30, 500000 + ${FINE} * 30, 4300000), xRes=30, yRes=30, resampleAlg=m, multithread=False).ReadAsArray())
out['slope'] = best(lambda: gdal.DEMProcessing('', f, 'slope', format='MEM', computeEdges=True).ReadAsArray())
print(json.dumps(out))`;
  const r = spawnSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return JSON.parse(r.stdout.trim()) as Record<string, number>;
}

async function best(f: () => unknown): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < 3; i++) b = Math.min(b, (await timed(f)).seconds);
  return b;
}

export default async function run(args: BenchArgs): Promise<void> {
  const rng = createRng(1);
  const fineValues = new Float32Array(FINE * FINE);
  for (let i = 0; i < fineValues.length; i++) fineValues[i] = rng.next() * 100;
  const coarseValues = new Float32Array(COARSE * COARSE);
  for (let i = 0; i < coarseValues.length; i++) coarseValues[i] = rng.next();
  const peer = args.flags.includes('--run-peer') ? gdalSeconds() : undefined;
  const rows: BenchRow[] = [
    { task: 'aggregate mean 11.1 Mpx → 1 km', ours: await best(() => aggregateToGrid(fineValues, fine, coarse)), peer: peer?.aggregate, unit: 's', note: 'peer: gdal.Warp average' },
    { task: 'resample bilinear 1 km → 30 m', ours: await best(() => resampleToGrid(coarseValues, coarse, fine, 'bilinear')), peer: peer?.bilinear, unit: 's' },
    { task: 'resample bicubic 1 km → 30 m', ours: await best(() => resampleToGrid(coarseValues, coarse, fine, 'bicubic')), peer: peer?.cubic, unit: 's' },
    { task: 'slope + aspect 11.1 Mpx', ours: await best(() => slopeAspect(fineValues, fine)), peer: peer?.slope, unit: 's', note: 'peer: slope only' },
  ];
  printTable('grid ops (single thread)', rows);
}
