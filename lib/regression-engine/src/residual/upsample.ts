import { pixelCells, type BlockLayout } from '../block-layout.js';

/**
 * Block-constant (nearest) coarse → fine: every fine pixel takes its cell's value.
 * Conservative: block means reproduce the input exactly.
 */
export function upsampleNearest(coarse: ArrayLike<number>, layout: BlockLayout, out: Float32Array): Float32Array {
  const cells = pixelCells(layout);
  for (let i = 0; i < cells.length; i++) out[i] = cells[i] < 0 ? Number.NaN : coarse[cells[i]];
  return out;
}

interface Axis {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w: Float64Array;
}

/**
 * Interpolation stencil along one axis: fine index `j` sits at coarse-index coordinate
 * `u = (j + offset + 0.5)/factor − 0.5`, clamped to `[0, n−1]` (constant extrapolation in the outer
 * half cells), between cells `i0` and `i1 = i0+1` with weight `w` on `i1`.
 */
function axisStencil(fineCount: number, offset: number, factor: number, coarseCount: number): Axis {
  const i0 = new Int32Array(fineCount);
  const i1 = new Int32Array(fineCount);
  const w = new Float64Array(fineCount);
  for (let j = 0; j < fineCount; j++) {
    const u = Math.min(Math.max((j + offset + 0.5) / factor - 0.5, 0), coarseCount - 1);
    const a = Math.min(Math.floor(u), Math.max(coarseCount - 2, 0));
    i0[j] = a;
    i1[j] = Math.min(a + 1, coarseCount - 1);
    w[j] = coarseCount > 1 ? u - a : 0;
  }
  return { i0, i1, w };
}

/**
 * A full-grid stencil moved into a tile's coarse block starting at `origin`: same weights (bit for
 * bit), cell indices relative to the block (clamped into it for the tile's halo pixels, which are cut off).
 */
function shiftStencil(axis: Axis, origin: number, count: number): Axis {
  const clamp = (i: number) => Math.min(Math.max(i - origin, 0), count - 1);
  return { i0: axis.i0.map(clamp), i1: axis.i1.map(clamp), w: axis.w };
}

/**
 * Bilinear coarse → fine between coarse cell centres. Not conservative where the field has curvature.
 * NaN cells are skipped by normalising the weights over the valid neighbours (normalised
 * convolution); a pixel whose valid neighbours all have zero weight is NaN.
 */
export function upsampleBilinear(coarse: ArrayLike<number>, layout: BlockLayout, out: Float32Array): Float32Array {
  const cw = layout.coarse.width;
  const full = layout.fullCoarse;
  const ax = full ? shiftStencil(axisStencil(layout.fine.width, layout.offsetCol + full.col * layout.factorX, layout.factorX, full.width), full.col, cw) : axisStencil(layout.fine.width, layout.offsetCol, layout.factorX, cw);
  const ay = full ? shiftStencil(axisStencil(layout.fine.height, layout.offsetRow + full.row * layout.factorY, layout.factorY, full.height), full.row, layout.coarse.height) : axisStencil(layout.fine.height, layout.offsetRow, layout.factorY, layout.coarse.height);
  const w = layout.fine.width;
  for (let r = 0; r < layout.fine.height; r++) {
    const r0 = ay.i0[r] * cw;
    const r1 = ay.i1[r] * cw;
    const wy = ay.w[r];
    const o = r * w;
    for (let c = 0; c < w; c++) {
      const c0 = ax.i0[c];
      const c1 = ax.i1[c];
      const wx = ax.w[c];
      const v00 = coarse[r0 + c0];
      const v01 = coarse[r0 + c1];
      const v10 = coarse[r1 + c0];
      const v11 = coarse[r1 + c1];
      const w00 = (1 - wy) * (1 - wx);
      const w01 = (1 - wy) * wx;
      const w10 = wy * (1 - wx);
      const w11 = wy * wx;
      if (v00 === v00 && v01 === v01 && v10 === v10 && v11 === v11) {
        out[o + c] = w00 * v00 + w01 * v01 + w10 * v10 + w11 * v11;
        continue;
      }
      let s = 0;
      let sw = 0;
      if (v00 === v00) (s += w00 * v00), (sw += w00);
      if (v01 === v01) (s += w01 * v01), (sw += w01);
      if (v10 === v10) (s += w10 * v10), (sw += w10);
      if (v11 === v11) (s += w11 * v11), (sw += w11);
      out[o + c] = sw > 1e-12 ? s / sw : Number.NaN;
    }
  }
  return out;
}
