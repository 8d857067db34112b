/**
 * ESTARFM speed: the three 100×100 reference crops (peer: the reference port's runtimes from
 * `../shared/data/estarfm/manifest.json`), a 400×400×3 scene (peer: the reference's 130.5 s for the
 * author's full scene), and a synthetic 2000×2000×1 scene (pixels per second).
 *
 * The full 400×400 scene is not in the shared data; the 400×400×3 input is the 100×100×3 crop
 * mirror-tiled 4×4 (each tile reflected so the image stays continuous), which keeps the crop's
 * similar-pixel statistics (the per-pixel cost driver).
 */
import { loadavg } from 'node:os';
import { createRng, createWorkerPool } from '../core/index.js';
import { fusePair, type EstarfmOptions, type PairFusionInput } from '../plugins/fuser-estarfm/src/pair-fusion.js';
import { loadCase, loadReference, type ReferenceCase } from '../plugins/fuser-estarfm/test/reference-data.js';
import type { BenchArgs } from './main.js';
import { printTable, type BenchRow } from './report.js';

const REFERENCE: EstarfmOptions = { halfWindow: 25, numClasses: 4, dnMin: 0, dnMax: 10000, background: -9999, compat: 'zhu2018', blockSize: 500, similarPixels: 0, tileSize: 64 };
const PEER_SECONDS: Record<string, number> = { crop100_3band: 11.0, crop100_3band_nodata: 9.4, crop100_ndvi_1band: 6.2 };

function inputOf(c: ReferenceCase): PairFusionInput {
  return { width: c.width, height: c.height, fine1: c.fine1, coarse1: c.coarse1, fine2: c.fine2, coarse2: c.coarse2, targets: [c.coarse0] };
}

/** Mirror-tile every band `k`×`k` times. */
function mirrorTile(c: ReferenceCase, k: number): PairFusionInput {
  const W = c.width * k;
  const H = c.height * k;
  const tile = (a: Float32Array) => {
    const out = new Float32Array(W * H);
    for (let y = 0; y < H; y++) {
      const ty = Math.floor(y / c.height);
      const sy = ty % 2 === 0 ? y % c.height : c.height - 1 - (y % c.height);
      for (let x = 0; x < W; x++) {
        const tx = Math.floor(x / c.width);
        const sx = tx % 2 === 0 ? x % c.width : c.width - 1 - (x % c.width);
        out[y * W + x] = a[sy * c.width + sx];
      }
    }
    return out;
  };
  return { width: W, height: H, fine1: c.fine1.map(tile), coarse1: c.coarse1.map(tile), fine2: c.fine2.map(tile), coarse2: c.coarse2.map(tile), targets: [c.coarse0.map(tile)] };
}

/** A smooth random field plus patches (fields, like crop parcels), values in [0.05, 0.45]. */
function syntheticScene(size: number, seed: number): PairFusionInput {
  const rng = createRng(seed);
  const n = size * size;
  const field = (amp: number, period: number) => {
    const px = rng.next() * 6.28;
    const py = rng.next() * 6.28;
    return (x: number, y: number) => amp * Math.sin(x / period + px) * Math.cos(y / period + py);
  };
  const f = [field(0.06, 40), field(0.03, 9), field(0.02, 150)];
  const parcel = new Float32Array(n);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) parcel[y * size + x] = ((Math.floor(x / 17) * 7 + Math.floor(y / 13) * 13) % 5) * 0.02;
  const base = Float32Array.from({ length: n }, (_, p) => 0.2 + f[0](p % size, Math.floor(p / size)) + f[1](p % size, Math.floor(p / size)) + parcel[p]);
  const coarse = (shift: number) => {
    const out = new Float32Array(n);
    const b = 20;
    for (let y0 = 0; y0 < size; y0 += b) {
      for (let x0 = 0; x0 < size; x0 += b) {
        let s = 0;
        for (let y = y0; y < y0 + b; y++) for (let x = x0; x < x0 + b; x++) s += base[y * size + x];
        const m = s / (b * b) + shift;
        for (let y = y0; y < y0 + b; y++) for (let x = x0; x < x0 + b; x++) out[y * size + x] = m;
      }
    }
    return out;
  };
  const fine = (shift: number) => Float32Array.from(base, (v, p) => v + shift + 0.01 * (rng.next() - 0.5) + f[2](p % size, Math.floor(p / size)) * shift);
  return { width: size, height: size, fine1: [fine(0)], coarse1: [coarse(0)], fine2: [fine(0.08)], coarse2: [coarse(0.08)], targets: [[coarse(0.03)]] };
}

async function measure(run: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now();
  const u0 = process.cpuUsage();
  await run();
  const u = process.cpuUsage(u0);
  return { wall: (performance.now() - t0) / 1000, cpu: (u.user + u.system) / 1e6 };
}

export default async function estarfmBench(_args: BenchArgs): Promise<void> {
  const pool = createWorkerPool();
  const rows: BenchRow[] = [];
  try {
    // Warm up the workers (module load, JIT) on one crop.
    const warm = loadCase('crop100_ndvi_1band');
    await fusePair(inputOf(warm), { ...REFERENCE, dnMin: -1, dnMax: 1 }, { workers: pool });

    for (const name of Object.keys(PEER_SECONDS)) {
      const c = loadCase(name);
      const options = name.includes('ndvi') ? { ...REFERENCE, dnMin: -1, dnMax: 1 } : REFERENCE;
      let values: Float32Array[][] = [];
      const t = await measure(async () => (values = (await fusePair(inputOf(c), options, { workers: pool })).values));
      const ref = loadReference(c, 'pred_float64').data;
      const N = c.width * c.height;
      let maxDiff = 0;
      values[0].forEach((band, b) => band.forEach((v, p) => (maxDiff = Math.max(maxDiff, Math.abs(v - ref[b * N + p])))));
      rows.push({ task: `${name} (zhu2018)`, ours: t.wall, peer: PEER_SECONDS[name], unit: 's', note: `${(PEER_SECONDS[name] / t.wall).toFixed(0)}× faster; max |Δ| vs reference ${maxDiff.toPrecision(2)}` });
    }

    const big = mirrorTile(loadCase('crop100_3band'), 4);
    const t400 = await measure(() => fusePair(big, REFERENCE, { workers: pool }));
    rows.push({ task: '400×400×3 (crop mirror-tiled 4×4, zhu2018)', ours: t400.wall, peer: 130.5, unit: 's', note: `${(130.5 / t400.wall).toFixed(0)}× faster; ${((400 * 400) / t400.wall / 1e3).toFixed(0)} kpx/s` });

    const size = Number(process.env.ESTARFM_BENCH_SIZE ?? 2000);
    const syn = syntheticScene(size, 11);
    const tSyn = await measure(() => fusePair(syn, { ...REFERENCE, compat: 'default', dnMin: 0, dnMax: 0.6, tileSize: 128 }, { workers: pool }));
    rows.push({ task: `synthetic ${size}×${size}×1 (default mode, w=25)`, ours: tSyn.wall, unit: 's', note: `${((size * size) / tSyn.wall / 1e3).toFixed(0)} kpx/s` });
  } finally {
    await pool.close();
  }
  printTable(`ESTARFM (${pool.size} threads; load average ${loadavg()[0].toFixed(1)} on this machine while measuring)`, rows);
}
