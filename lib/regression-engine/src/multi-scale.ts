import type { BlockLayout } from './block-layout.js';

/**
 * Multi-scale training rows (docs/regression-downscaling.md, "Multi-scale training"): the fine grid
 * aggregated by `s × s` fine pixels inside each coarse cell (sub-blocks never cross a cell edge; the last
 * ones of a cell are smaller when `s` does not divide the cell), with the mean of each predictor and of
 * a target field (the first-pass product, which conserves the coarse mean) over the pixels where all
 * are valid.
 */
export interface SubBlocks {
  readonly side: number;
  /** Sub-block of every fine pixel (−1 outside the coarse grid). */
  readonly blockOf: Int32Array;
  /** Coarse cell of every sub-block. */
  readonly parent: Int32Array;
  /** Fine pixels of every sub-block on the fine grid. */
  readonly pixels: Int32Array;
}

/** The sub-blocks of side `side` fine pixels of every coarse cell. */
export function subBlocks(layout: BlockLayout, side: number): SubBlocks {
  const nx = Math.ceil(layout.factorX / side);
  const ny = Math.ceil(layout.factorY / side);
  const per = nx * ny;
  const cw = layout.coarse.width;
  const nBlocks = cw * layout.coarse.height * per;
  const w = layout.fine.width;
  const blockOf = new Int32Array(w * layout.fine.height).fill(-1);
  const parent = Int32Array.from({ length: nBlocks }, (_, b) => Math.floor(b / per));
  const pixels = new Int32Array(nBlocks);
  for (let r = 0; r < layout.fine.height; r++) {
    const rc = layout.rowCell[r];
    if (rc < 0) continue;
    const i = Math.floor((r + layout.offsetRow - rc * layout.factorY) / side);
    for (let c = 0; c < w; c++) {
      const cc = layout.colCell[c];
      if (cc < 0) continue;
      const j = Math.floor((c + layout.offsetCol - cc * layout.factorX) / side);
      const b = (rc * cw + cc) * per + i * nx + j;
      blockOf[r * w + c] = b;
      pixels[b]++;
    }
  }
  return { side, blockOf, parent, pixels };
}

export interface LevelRows {
  /** Row-major features (one row per kept sub-block, `arrays.length` columns). */
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Coarse cell of each row. */
  readonly parent: Int32Array;
  readonly rows: number;
}

/**
 * One date's rows at one level: per sub-block, the means of `arrays` (the predictors) and of `target`
 * over the pixels where every one is valid; a sub-block enters when at least `minValidFraction` of its
 * pixels are. With `anomalies`, each value is taken relative to the parent cell's coarse value
 * (`coarseFeatures[f][cell]`, `coarseTarget[cell]`); rows whose parent has none are dropped.
 */
export function levelRows(
  blocks: SubBlocks,
  arrays: readonly ArrayLike<number>[],
  target: ArrayLike<number>,
  minValidFraction: number,
  anomalies?: { readonly coarseFeatures: readonly ArrayLike<number>[]; readonly coarseTarget: ArrayLike<number> },
): LevelRows {
  const nb = blocks.parent.length;
  const nf = arrays.length;
  const sums = new Float64Array(nb * nf);
  const ysum = new Float64Array(nb);
  const count = new Int32Array(nb);
  pixel: for (let p = 0; p < blocks.blockOf.length; p++) {
    const b = blocks.blockOf[p];
    if (b < 0 || !(target[p] === target[p])) continue;
    for (let f = 0; f < nf; f++) if (!(arrays[f][p] === arrays[f][p])) continue pixel;
    for (let f = 0; f < nf; f++) sums[b * nf + f] += arrays[f][p];
    ysum[b] += target[p];
    count[b]++;
  }
  const x: number[] = [];
  const y: number[] = [];
  const parent: number[] = [];
  for (let b = 0; b < nb; b++) {
    const n = count[b];
    if (n === 0 || n < minValidFraction * blocks.pixels[b]) continue;
    const k = blocks.parent[b];
    const row = Array.from({ length: nf }, (_, f) => sums[b * nf + f] / n - (anomalies ? anomalies.coarseFeatures[f][k] : 0));
    const t = ysum[b] / n - (anomalies ? anomalies.coarseTarget[k] : 0);
    if (!(t === t) || row.some((v) => !(v === v))) continue;
    x.push(...row);
    y.push(t);
    parent.push(k);
  }
  return { x: Float64Array.from(x), y: Float64Array.from(y), parent: Int32Array.from(parent), rows: y.length };
}
