/**
 * `downscaler:regression` on an operational-size fine grid: 30 m, 3300 × 3300 = 10.9 Mpx, from a
 * 900 m coarse grid (110 × 110), 3 predictors, one date, `regressor:linear` (so the figure is the
 * downscaler's own cost: aggregation, tables, tiled prediction, residual correction).
 * `--run-peer` times the equivalent NumPy pipeline (block means, sklearn LinearRegression fit and
 * predict on every fine pixel, block residual added back).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createGrid, createPluginContext, createRng, makeSeries, type PluginSpec } from '../core/index.js';
import { regressionDownscaler } from '../plugins/downscaler-regression/index.js';
import { linearRegressor } from '../plugins/regressor-linear/index.js';
import type { BenchArgs } from './main.js';
import { peakRssMiB, printTable, timed, type BenchRow } from './report.js';

const FINE = 3300;
const FACTOR = 30;
const COARSE = FINE / FACTOR;

function numpySeconds(): number | undefined {
  const py = `
import time, numpy as np
from sklearn.linear_model import LinearRegression
n=${FINE}; s=${FACTOR}; c=n//s
rng=np.random.default_rng(1)
X=[rng.random((n,n),dtype=np.float32) for _ in range(3)]
Zc=rng.random((c,c)).astype(np.float32)
best=1e9
for _ in range(3):
    t=time.perf_counter()
    agg=[x.reshape(c,s,c,s).mean(axis=(1,3)) for x in X]
    m=LinearRegression().fit(np.stack([a.ravel() for a in agg],1),Zc.ravel())
    f=m.predict(np.stack([x.ravel() for x in X],1)).astype(np.float32).reshape(n,n)
    r=Zc-f.reshape(c,s,c,s).mean(axis=(1,3))
    out=f+np.kron(r,np.ones((s,s),dtype=np.float32))
    best=min(best,time.perf_counter()-t)
print(best)
`;
  const r = spawnSync(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', ['-c', py], { encoding: 'utf8' });
  const v = Number.parseFloat(r.stdout);
  return Number.isFinite(v) ? v : undefined;
}

export default async function run(args: BenchArgs): Promise<void> {
  const fine = createGrid(FINE, FINE, [500000, 30, 0, 4300000, 0, -30], 'EPSG:32633');
  const coarse = createGrid(COARSE, COARSE, [500000, 30 * FACTOR, 0, 4300000, 0, -30 * FACTOR], 'EPSG:32633');
  const rng = createRng(1);
  const date = '2024-06-01';
  const layer = (name: string) => makeSeries({ variable: name, grid: fine, dates: [date], values: [Float32Array.from({ length: FINE * FINE }, () => rng.next())] });
  const predictors = { ndvi: layer('ndvi'), lst: layer('lst'), dem: layer('dem') };
  const sm = makeSeries({ variable: 'sm', grid: coarse, dates: [date], values: [Float32Array.from({ length: COARSE * COARSE }, () => rng.next())] });
  const context = createPluginContext({
    async instantiate(spec: PluginSpec) {
      return (await linearRegressor.create(spec.with ?? {}, createPluginContext())) as never;
    },
  } as Parameters<typeof createPluginContext>[0]);
  const rows: BenchRow[] = [];
  const peer = args.flags.includes('--run-peer') ? numpySeconds() : undefined;
  for (const method of ['block', 'bilinear-fix', 'atpk'] as const) {
    const ds = await regressionDownscaler.create({ residualCorrection: method, cv: { scheme: 'none' }, importance: false, atpk: { range: 2 } } as never, context);
    let best = Infinity;
    for (let i = 0; i < 2; i++) best = Math.min(best, (await timed(() => ds.downscale({ coarse: sm, predictors }))).seconds);
    rows.push({
      task: `regression (linear) + ${method}, 900 m → 30 m, ${((FINE * FINE) / 1e6).toFixed(1)} Mpx, 3 predictors, 1 date`,
      ours: best,
      peer: method === 'block' ? peer : undefined,
      unit: 's',
      note: method === 'block' ? 'peer: NumPy block means + sklearn LinearRegression + block residual (best of 3)' : '',
    });
  }
  printTable(`Regression downscaler (best of 2; peak RSS ${peakRssMiB().toFixed(0)} MiB)`, rows);
}
