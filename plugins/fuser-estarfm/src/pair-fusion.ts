/**
 * ESTARFM for one pair of base dates over a whole image: thresholds, tiling, dispatch of tiles to
 * worker threads, and assembly. Tiles are independent and combined in a fixed order, so the result
 * does not depend on the number of threads.
 */
import type { ProgressReporter, WorkerPool } from '../../../core/index.js';
import { fuseTileTask, type KernelOptions, type PairTile, type PairTileResult, type TileRect } from './pair-kernel.js';
import { crop, haloRect, paste } from './pair-tile.js';

/** The algorithm's parameters, as the manifest exposes them. */
export interface EstarfmOptions {
  /** Half window w (window (2w+1)²). Reference: 25. */
  readonly halfWindow: number;
  /** Similarity threshold divisor. Reference: 4. */
  readonly numClasses: number;
  /** Valid value range: gates the out-of-range fallback, and `0.02·dnMax` gates the regression. */
  readonly dnMin: number;
  readonly dnMax: number;
  /** Nodata value in the inputs besides NaN (zhu2018 treats only this value, in band 0, as nodata). */
  readonly background: number;
  /** `zhu2018` reproduces the 2018 IDL release, quirks included; `default` treats nodata properly. */
  readonly compat: 'default' | 'zhu2018';
  /** zhu2018 only: the image is processed in independent blocks of this size (thresholds per block, windows clipped). */
  readonly blockSize: number;
  /** ESTARFM_FAST: keep only this many most similar pixels; 0 keeps all (classic ESTARFM). */
  readonly similarPixels: number;
  /** Output tile edge in pixels (work unit for the worker threads; does not change results). */
  readonly tileSize: number;
}

/** One pair plus the coarse images of the dates to predict, all on the same grid, per band. */
export interface PairFusionInput {
  readonly width: number;
  readonly height: number;
  readonly fine1: readonly Float32Array[];
  readonly coarse1: readonly Float32Array[];
  readonly fine2: readonly Float32Array[];
  readonly coarse2: readonly Float32Array[];
  /** `targets[t][b]`: the coarse image at each prediction date. */
  readonly targets: readonly (readonly Float32Array[])[];
}

/** Whole-image diagnostics, laid out like the reference's `diagnostics/` arrays (one set per target). */
export interface PairDiagnostics {
  /** `[t]` → per pixel: similar pixels used, −1 for invalid pixels. */
  readonly nSimilar: Int32Array[];
  /** `[t][b]` → per pixel conversion coefficient (NaN unless branch 1 or 2). */
  readonly v: Float64Array[][];
  /** `[t][b]` → per pixel temporal weight of pair 1. */
  readonly t1: Float64Array[][];
  /** `[t][b]` → per pixel branch code (0 invalid, 1 normal, 2 out of range, 3 few similar pixels). */
  readonly branch: Int8Array[][];
}

export interface PairFusionResult {
  /** `values[t][b]`: the predicted fine image of each target. */
  readonly values: Float32Array[][];
  /** Similarity thresholds of each block (one block in default mode): `[block][pair*nb + band]`. */
  readonly thresholds: Float64Array[];
  readonly diagnostics?: PairDiagnostics;
}

export interface PairFusionRun {
  readonly workers?: WorkerPool;
  readonly progress?: ProgressReporter;
  readonly diagnostics?: boolean;
  /** Most targets sent in one task (bounds a task's memory). */
  readonly targetsPerTask?: number;
  /** `false` runs the kernel's JS loops instead of WebAssembly (same bytes; for tests and comparisons). */
  readonly wasm?: boolean;
}


/**
 * Predict the fine image at each target date from one pair of base dates.
 *
 * @example
 * ```ts
 * const { values } = await fusePair(
 *   { width: 100, height: 100, fine1: [f1], coarse1: [c1], fine2: [f2], coarse2: [c2], targets: [[c0]] },
 *   { halfWindow: 25, numClasses: 4, dnMin: 0, dnMax: 0.6, background: -9999, compat: 'default',
 *     blockSize: 500, similarPixels: 0, tileSize: 128 },
 *   { workers: context.workers },
 * );
 * ```
 */
export async function fusePair(input: PairFusionInput, options: EstarfmOptions, run: PairFusionRun = {}): Promise<PairFusionResult> {
  const { width: W, height: H } = input;
  const nb = input.fine1.length;
  const nt = input.targets.length;
  const N = W * H;
  const compat = options.compat === 'zhu2018';
  const kernel = kernelOptions(options, { diagnostics: run.diagnostics ?? false, wasm: run.wasm ?? true });
  const domains: TileRect[] = compat ? splitRect({ x: 0, y: 0, width: W, height: H }, options.blockSize) : [{ x: 0, y: 0, width: W, height: H }];
  const thresholds = domains.map((d) => similarityThresholds(input, d, options));

  const values = input.targets.map(() => input.fine1.map(() => new Float32Array(N)));
  const diagnostics: PairDiagnostics | undefined = run.diagnostics
    ? {
        nSimilar: input.targets.map(() => new Int32Array(N)),
        v: input.targets.map(() => input.fine1.map(() => new Float64Array(N))),
        t1: input.targets.map(() => input.fine1.map(() => new Float64Array(N))),
        branch: input.targets.map(() => input.fine1.map(() => new Int8Array(N))),
      }
    : undefined;

  const perTask = Math.max(1, run.targetsPerTask ?? 8);
  const jobs: Array<{ domain: TileRect; th: Float64Array; rect: TileRect; t0: number; t1: number }> = [];
  // At least two tiles per thread when threads run them, so neither waits on the other's last tile.
  const minTiles = run.workers && run.workers.size > 1 ? 2 * run.workers.size : 1;
  domains.forEach((domain, i) => {
    for (const rect of splitEven(domain, options.tileSize, minTiles)) {
      for (let t0 = 0; t0 < nt; t0 += perTask) jobs.push({ domain, th: thresholds[i], rect, t0, t1: Math.min(nt, t0 + perTask) });
    }
  });
  const task = run.progress?.start('estarfm tiles', jobs.length);
  const w = options.halfWindow;
  const whole: TileRect = { x: 0, y: 0, width: W, height: H };

  const runJob = async (job: (typeof jobs)[number]): Promise<void> => {
    const { domain, rect } = job;
    // The tile's arrays: the output rectangle plus a halo of w, clipped to the domain.
    const src = haloRect(rect, domain, w);
    const transfer: ArrayBuffer[] = [];
    const cut = (a: Float32Array) => {
      const s = crop(a, whole, src, compat ? options.background : undefined);
      transfer.push(s.buffer as ArrayBuffer);
      return s;
    };
    const tile: PairTile = {
      width: src.width,
      height: src.height,
      out: { x: rect.x - src.x, y: rect.y - src.y, width: rect.width, height: rect.height },
      fine1: input.fine1.map(cut),
      coarse1: input.coarse1.map(cut),
      fine2: input.fine2.map(cut),
      coarse2: input.coarse2.map(cut),
      targets: input.targets.slice(job.t0, job.t1).map((bands) => bands.map(cut)),
      thresholds: Array.from(job.th),
      options: kernel,
    };
    const result = run.workers
      ? await run.workers.run(fuseTileTask, [tile], transfer)
      : (await import('./pair-kernel.js')).fuseTile(tile);
    const outN = rect.width * rect.height;
    const tc = job.t1 - job.t0;
    for (let t = 0; t < tc; t++) {
      for (let b = 0; b < nb; b++) paste(values[job.t0 + t][b], W, rect, result.values[t][b]);
      const d = result.diagnostics;
      if (diagnostics && d) {
        paste(diagnostics.nSimilar[job.t0 + t], W, rect, d.nSimilar.subarray(t * outN, (t + 1) * outN));
        for (let b = 0; b < nb; b++) {
          const at = (t * nb + b) * outN;
          paste(diagnostics.v[job.t0 + t][b], W, rect, d.v.subarray(at, at + outN));
          paste(diagnostics.t1[job.t0 + t][b], W, rect, d.t1.subarray(at, at + outN));
          paste(diagnostics.branch[job.t0 + t][b], W, rect, d.branch.subarray(at, at + outN));
        }
      }
    }
    task?.tick();
  };
  // A few tiles in flight per thread: inputs are cut per tile, so memory stays bounded by tiles.
  let next = 0;
  const lanes = Math.min(jobs.length, 2 * (run.workers?.size ?? 1));
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < jobs.length) await runJob(jobs[next++]);
    }),
  );
  task?.done();
  return diagnostics ? { values, thresholds, diagnostics } : { values, thresholds };
}

/** The kernel's settings from the algorithm's options. */
export function kernelOptions(options: Omit<EstarfmOptions, 'tileSize'>, run: Pick<KernelOptions, 'diagnostics' | 'wasm'>): KernelOptions {
  const { halfWindow, dnMin, dnMax, background, similarPixels } = options;
  return { halfWindow, dnMin, dnMax, background, compat: options.compat === 'zhu2018', similarPixels, ...run };
}

/**
 * Similarity thresholds `std(F_k,b)·2/numClasses` (sample std, n−1) of a block.
 * zhu2018: over every pixel of the block, background values included (the reference's quirk);
 * default: over the pixels whose fine values are valid in every band.
 */
export function similarityThresholds(input: PairFusionInput, block: TileRect, options: Pick<EstarfmOptions, 'compat' | 'background' | 'numClasses'>): Float64Array {
  const nb = input.fine1.length;
  const W = input.width;
  const out = new Float64Array(2 * nb);
  const compat = options.compat === 'zhu2018';
  const bg = options.background;
  [input.fine1, input.fine2].forEach((fine, k) => {
    const use = (p: number): boolean => {
      if (compat) return true;
      for (let b = 0; b < nb; b++) {
        const v = fine[b][p];
        if (v !== v || v === bg) return false;
      }
      return true;
    };
    for (let b = 0; b < nb; b++) {
      const a = fine[b];
      const value = (p: number) => (compat && a[p] !== a[p] ? bg : a[p]);
      let n = 0;
      let sum = 0;
      for (let y = block.y; y < block.y + block.height; y++) {
        for (let x = block.x, p = y * W + x; x < block.x + block.width; x++, p++) {
          if (!use(p)) continue;
          n++;
          sum += value(p);
        }
      }
      const mean = sum / n;
      let ss = 0;
      for (let y = block.y; y < block.y + block.height; y++) {
        for (let x = block.x, p = y * W + x; x < block.x + block.width; x++, p++) {
          if (!use(p)) continue;
          const d = value(p) - mean;
          ss += d * d;
        }
      }
      out[k * nb + b] = n > 1 ? (Math.sqrt(ss / (n - 1)) * 2) / options.numClasses : 0;
    }
  });
  return out;
}

/** Split a rectangle into tiles of at most `size`×`size`, row by row. */
export function splitRect(r: TileRect, size: number): TileRect[] {
  const out: TileRect[] = [];
  for (let y = r.y; y < r.y + r.height; y += size) {
    for (let x = r.x; x < r.x + r.width; x += size) {
      out.push({ x, y, width: Math.min(size, r.x + r.width - x), height: Math.min(size, r.y + r.height - y) });
    }
  }
  return out;
}

/**
 * Split a rectangle into tiles of near-equal size, at most `size`×`size` and at least `minTiles` of them
 * where the tiles can stay 16 pixels wide: equal tiles keep the threads' shares even and waste less on
 * halos than a row of thin remainder tiles.
 */
export function splitEven(r: TileRect, size: number, minTiles = 1): TileRect[] {
  const count = (s: number) => Math.ceil(r.width / s) * Math.ceil(r.height / s);
  let edge = size;
  if (count(edge) < minTiles) edge = Math.max(16, Math.min(edge, Math.ceil(Math.sqrt((r.width * r.height) / minTiles))));
  const cuts = (from: number, length: number) => {
    const parts = Math.ceil(length / edge);
    return Array.from({ length: parts + 1 }, (_, i) => from + Math.floor((i * length) / parts));
  };
  const xs = cuts(r.x, r.width);
  const ys = cuts(r.y, r.height);
  const out: TileRect[] = [];
  for (let j = 0; j + 1 < ys.length; j++) {
    for (let i = 0; i + 1 < xs.length; i++) out.push({ x: xs[i], y: ys[j], width: xs[i + 1] - xs[i], height: ys[j + 1] - ys[j] });
  }
  return out;
}
