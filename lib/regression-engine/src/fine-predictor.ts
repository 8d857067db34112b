import { featureLayout, type FittedRegressor, type Table } from '../../../core/index.js';
import type { BlockLayout } from './block-layout.js';

/**
 * Predicts fine pixels in tiles of whole rows: builds the feature rows of the pixels that have every
 * feature (and a coarse value when `coarseMask` is given) into reused buffers, keeps up to
 * `concurrency` tiles in flight so a parallel regressor stays busy, and scatters results by pixel
 * index (the output does not depend on the number of threads).
 */
export function tilePredictor(model: FittedRegressor, layout: BlockLayout, features: ReturnType<typeof featureLayout>, tilePixels: number, concurrency: number) {
  const fine = layout.fine;
  const w = fine.width;
  const h = fine.height;
  const rowsPerTile = Math.max(1, Math.floor(tilePixels / w));
  const nc = features.columns.length;
  const nf = features.features.length;
  const buffers = Array.from({ length: concurrency }, () => ({ x: new Float32Array(rowsPerTile * w * nc), pix: new Int32Array(rowsPerTile * w), rowMask: new Uint8Array(w) }));
  const cw = layout.coarse.width;
  return async (stepArrays: Float32Array[][], stepExtras: number[][], coarseMask?: Float32Array) => {
    const mean = new Float32Array(w * h).fill(Number.NaN);
    let spread: Float32Array | undefined;
    const nNames = stepArrays[0].length;
    const flat = stepArrays.flat();
    const nArrays = flat.length;
    const runTile = async (r0: number, buf: (typeof buffers)[number]) => {
      const r1 = Math.min(h, r0 + rowsPerTile);
      let m = 0;
      const { x, pix, rowMask } = buf;
      for (let r = r0; r < r1; r++) {
        const rc = layout.rowCell[r];
        if (rc < 0) continue;
        // Phase 1: pixels of this row with a cell (and coarse value) and every feature valid,
        // found with one contiguous pass per array (monomorphic loops the JIT vectorises well).
        const start = m;
        const base = r * w;
        for (let c = 0; c < w; c++) {
          const cc = layout.colCell[c];
          rowMask[c] = cc >= 0 && (!coarseMask || coarseMask[rc * cw + cc] === coarseMask[rc * cw + cc]) ? 1 : 0;
        }
        for (let a = 0; a < nArrays; a++) {
          const arr = flat[a];
          for (let c = 0; c < w; c++) {
            const v = arr[base + c];
            if (v !== v) rowMask[c] = 0;
          }
        }
        for (let c = 0; c < w; c++) if (rowMask[c]) pix[m++] = base + c;
        // Phase 2: fill the rows column by column (step-major: column = step·nf + feature).
        for (let a = 0; a < nArrays; a++) {
          const arr = flat[a];
          const col = Math.floor(a / nNames) * nf + (a % nNames);
          for (let i = start; i < m; i++) x[i * nc + col] = arr[pix[i]];
        }
        for (let s = 0; s < stepExtras.length; s++) {
          for (let e = 0; e < stepExtras[s].length; e++) {
            const col = s * nf + nNames + e;
            const v = stepExtras[s][e];
            for (let i = start; i < m; i++) x[i * nc + col] = v;
          }
        }
      }
      if (m === 0) return;
      const table: Table = {
        kind: 'table',
        columns: features.columns,
        rows: m,
        x: x.subarray(0, m * nc),
        ...(features.steps > 1 ? { layout: { steps: features.steps, features: features.features } } : {}),
      };
      const pred = await model.predict(table);
      for (let i = 0; i < m; i++) mean[pix[i]] = pred.mean[i];
      if (pred.spread) {
        spread ??= new Float32Array(w * h).fill(Number.NaN);
        for (let i = 0; i < m; i++) spread[pix[i]] = pred.spread[i];
      }
    };
    // A fixed pool of `concurrency` lanes, each owning one buffer, walking the tiles in order.
    let next = 0;
    await Promise.all(
      buffers.map(async (buf) => {
        while (next < h) {
          const r0 = next;
          next += rowsPerTile;
          await runTile(r0, buf);
        }
      }),
    );
    return { mean, spread };
  };
}
