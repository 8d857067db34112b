import { createRng, type Grid } from '../../../core/index.js';

/** How the calibration area is chosen among the coarse cells the reference covers. */
export type AreaSelection = 'coverage' | 'random-cells' | 'block';

/**
 * The coarse cells of the calibration area (a mask over `coarse`, row-major):
 * - `coverage`: every cell the reference covers (the campaign as given);
 * - `random-cells`: `round(fraction · covered)` of the covered cells, drawn by `seed`;
 * - `block`: a contiguous rectangle of about `fraction` of the coarse grid's cells (as square as the grid
 *   allows), placed by `seed` — a campaign is flown over one contiguous area. Cells of the rectangle the
 *   reference does not cover stay in the mask but give no scores.
 */
export function calibrationCells(coarse: Grid, covered: Uint8Array, selection: AreaSelection, fraction: number, seed: number): Uint8Array {
  if (selection === 'coverage') return covered.slice();
  const rng = createRng(seed);
  const mask = new Uint8Array(covered.length);
  if (selection === 'random-cells') {
    const candidates = [...covered.keys()].filter((c) => covered[c]);
    const take = Math.max(1, Math.round(fraction * candidates.length));
    for (let i = 0; i < take && i < candidates.length; i++) {
      const j = i + rng.int(candidates.length - i); // partial Fisher–Yates
      [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
      mask[candidates[i]] = 1;
    }
    return mask;
  }
  const { width: W, height: H } = coarse;
  const bw = Math.min(W, Math.max(1, Math.round(W * Math.sqrt(fraction))));
  const bh = Math.min(H, Math.max(1, Math.round((fraction * W * H) / bw)));
  const col0 = rng.int(W - bw + 1);
  const row0 = rng.int(H - bh + 1);
  for (let r = row0; r < row0 + bh; r++) for (let c = col0; c < col0 + bw; c++) mask[r * W + c] = 1;
  return mask;
}
