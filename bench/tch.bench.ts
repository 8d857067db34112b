/**
 * Per-pixel three-cornered hat (uncertainty maps): 50 × 50 pixels × 365 dates × 4 products.
 * `--run-peer` runs the same per-pixel problem with SciPy SLSQP on scaled variables (as the
 * reference scripts tch_final.py / the Python `gtch_map` port), on the same numbers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGrid, createPluginContext, createRng, makeSeries, type Series } from '../core/index.js';
import { tchValidator } from '../plugins/validator-tch/index.js';
import type { BenchArgs } from './main.js';
import { printTable, timed } from './report.js';

const W = 50, H = 50, D = 365, N = 4;

function peerSeconds(file: string): { seconds: number; sigma: number[] } | undefined {
  const py = `
import time, numpy as np
from scipy.optimize import minimize
X = np.fromfile('${file}', dtype=np.float32).astype(np.float64).reshape(${N}, ${D}, ${H * W})
def tch(Xp):
    n1 = Xp.shape[1] - 1; Y = Xp[:, :-1] - Xp[:, [-1]]; S = np.cov(Y, rowvar=False, ddof=1)
    K = np.linalg.det(S) ** (1 / n1); Si = np.linalg.inv(S); u = np.ones(n1)
    rows = []; rhs = []
    for i in range(n1):
        a = np.zeros(n1 + 1); a[i] = 1; rows.append(a); rhs.append(0.0)
    for i in range(n1):
        for j in range(i + 1, n1):
            a = np.zeros(n1 + 1); a[i] = 1; a[j] = 1; a[-1] = -1; rows.append(a); rhs.append(-S[i, j])
    A = np.array(rows); b = np.array(rhs)
    F = lambda p: np.sum((A @ (p * K) - b) ** 2) / K ** 2
    def Hc(p):
        r = p * K; w = r[:-1] - r[-1] * u; return (r[-1] - w @ Si @ w) / K
    r0 = np.zeros(n1 + 1); r0[-1] = 1 / (2 * u @ Si @ u)
    res = minimize(F, r0 / K, method='SLSQP', constraints=[{'type': 'ineq', 'fun': Hc}], options={'ftol': 1e-15, 'maxiter': 500})
    r = res.x * K; R = np.zeros((n1 + 1, n1 + 1)); R[:, -1] = r; R[-1, :] = r
    for i in range(n1):
        for j in range(n1): R[i, j] = S[i, j] - r[-1] + r[i] + r[j]
    return np.sqrt(np.abs(np.diag(R)))
t = time.perf_counter()
out = np.array([tch(X[:, :, p].T) for p in range(${H * W})])
print(time.perf_counter() - t, *np.median(out, axis=0))
`;
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const r = spawnSync(python, ['-c', py], { encoding: 'utf8' });
  const v = r.stdout.trim().split(/\s+/).map(Number);
  return Number.isFinite(v[0]) ? { seconds: v[0], sigma: v.slice(1) } : undefined;
}

export default async function run(args: BenchArgs): Promise<void> {
  const grid = createGrid(W, H, [0, 1000, 0, 0, 0, -1000], 'EPSG:32633');
  const dates = Array.from({ length: D }, (_, t) => new Date(Date.UTC(2023, 0, 1 + t)).toISOString().slice(0, 10));
  const rng = createRng(1);
  const truth = dates.map((_, t) => 0.25 + 0.08 * Math.sin(t / 20));
  const noise = [0.01, 0.02, 0.03, 0.045];
  const products: Record<string, Series> = {};
  noise.forEach((s, i) => {
    products[`p${i + 1}`] = makeSeries({ variable: 'sm', grid, dates, values: dates.map((_, t) => Float32Array.from({ length: W * H }, () => truth[t] + s * rng.normal())) });
  });
  const v = await tchValidator.create({ minSamples: 30, maps: true, tripleCollocation: false, pooledAnomalies: true }, createPluginContext());
  const { value, seconds } = await timed(() => v.validate({ product: products.p1, products }));
  const ours = value.tables.tch.rows.map((r) => (r.medianPixelStd as number).toFixed(5)).join('/');
  let peer: ReturnType<typeof peerSeconds>;
  if (args.flags.includes('--run-peer')) {
    const file = join(mkdtempSync(join(tmpdir(), 'soilscale-tch-')), 'x.f32');
    const all = new Float32Array(N * D * W * H);
    Object.values(products).forEach((s, i) => s.values.forEach((band, t) => all.set(band, (i * D + t) * W * H)));
    writeFileSync(file, new Uint8Array(all.buffer));
    peer = peerSeconds(file);
  }
  printTable('Three-cornered hat maps (2500 px × 365 dates × 4 products)', [
    {
      task: 'per-pixel TCH + pooled TCH',
      ours: seconds,
      peer: peer?.seconds,
      unit: 's',
      note: `median σ ours ${ours}${peer ? `; SLSQP ${peer.sigma.map((x) => x.toFixed(5)).join('/')}` : ''}`,
    },
  ]);
}
