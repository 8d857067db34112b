import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGrid, createRng, type Rng } from '../../../core/index.js';
import { blockLayout, blockMeans, pixelCells } from '../src/block-layout.js';
import { conformalScores, intervalBounds, toFineSupport } from '../src/conformal.js';
import { withinCellVariance } from '../src/within-cell-variance.js';

// A simulated downscaling error with known fine-scale structure (docs/ensembles.md, "Intervals at the fine
// scale"): 12 × 12 coarse cells of 6 × 6 fine pixels; per date a point-support model-error field r (white
// noise smoothed by a Gaussian kernel of sd k px: covariance exp(−h²/(4k²)), the `gaussian` family with
// scale 2k px) of sd SILL, and a coarse-input error ε of sd `nugget` per cell. The coarse residual is
// R = mean_V(r) + ε; a conserving product's error at a pixel p is ε − (r(p) − mean_V(r)).
const CELLS = 12;
const F = 6;
const SILL = 0.03;
const coarseGrid = createGrid(CELLS, CELLS, [0, F, 0, CELLS * F, 0, -F], 'EPSG:32633');
const fineGrid = createGrid(CELLS * F, CELLS * F, [0, 1, 0, CELLS * F, 0, -1], 'EPSG:32633');
const layout = blockLayout(coarseGrid, fineGrid);
const cellOf = pixelCells(layout);

/** White noise on a margin-padded grid smoothed by a separable Gaussian kernel, rescaled to unit variance. */
function smoothField(rng: Rng, K: number): Float64Array {
  const n = CELLS * F;
  const m = 4 * K;
  const w = n + 2 * m;
  const kernel = Float64Array.from({ length: 2 * m + 1 }, (_, i) => Math.exp(-((i - m) ** 2) / (2 * K * K)));
  const norm = kernel.reduce((s, v) => s + v * v, 0); // each pass multiplies the variance by Σk²
  const noise = Float64Array.from({ length: w * w }, () => rng.normal());
  const rows = new Float64Array(w * n);
  for (let y = 0; y < w; y++) for (let x = 0; x < n; x++) {
    let s = 0;
    for (let i = 0; i <= 2 * m; i++) s += kernel[i] * noise[y * w + x + i];
    rows[y * n + x] = s;
  }
  const out = new Float64Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
    let s = 0;
    for (let i = 0; i <= 2 * m; i++) s += kernel[i] * rows[(y + i) * n + x];
    out[y * n + x] = s / norm;
  }
  return out;
}

/** One date: the coarse residual field and the conserving product's fine error; kernel sd `k` px. */
function simulateDate(rng: Rng, k: number, nugget: number): { coarse: Float64Array; fineError: Float64Array } {
  const r = smoothField(rng, k).map((v) => SILL * v);
  const rBar = blockMeans(r, layout);
  const eps = Float64Array.from({ length: CELLS * CELLS }, () => nugget * rng.normal());
  return {
    coarse: Float64Array.from(rBar, (m, k) => m + eps[k]),
    fineError: Float64Array.from(r, (v, p) => eps[cellOf[p]] - (v - rBar[cellOf[p]])),
  };
}

function meanSquare(values: Iterable<number>): number {
  let s = 0;
  let n = 0;
  for (const v of values) (s += v * v), n++;
  return s / n;
}

test('within-cell variance: the variogram regularisation recovers the simulated point field', () => {
  const rng = createRng(5);
  const dates = Array.from({ length: 40 }, () => simulateDate(rng, 3, 0.015)); // scale 6 px = 1 cell
  const fit = withinCellVariance(dates.map((d) => d.coarse), layout, 'gaussian');
  assert.ok(fit, 'enough pairs');
  // The truth: the mean square of r(p) − mean_V(r), i.e. of the fine error minus its cell mean (ε).
  const truth = meanSquare(dates.flatMap((d) => {
    const cellMean = blockMeans(d.fineError, layout);
    return Array.from(d.fineError, (e, p) => e - cellMean[cellOf[p]]);
  }));
  assert.ok(Math.abs(Math.sqrt(fit.nugget) - 0.015) < 0.003, `nugget sd ${Math.sqrt(fit.nugget)} (simulated 0.015)`);
  assert.ok(Math.abs(Math.sqrt(fit.variance) - Math.sqrt(truth)) < 0.15 * Math.sqrt(truth), `within-cell sd ${Math.sqrt(fit.variance)} (simulated ${Math.sqrt(truth)})`);
});

// Smooth (scale 1 cell): the coarse residuals carry the structure, conservation removes it, coarse-support
// intervals over-cover. Rough (scale 1/2 cell, small coarse error): most of the error is within the cells,
// coarse-support intervals under-cover.
for (const [name, k, nugget, coarseCoverage] of [['smooth', 3, 0.015, [0.95, 1]], ['rough', 1.5, 0.005, [0, 0.85]]] as const) {
  test(`fine-support conformal intervals cover a simulated ${name} fine error at the nominal 90 %; coarse-support ones do not`, () => {
    const rng = createRng(9);
    const calibration = Array.from({ length: 40 }, () => simulateDate(rng, k, nugget));
    const freshRng = createRng(10);
    const fresh = Array.from({ length: 20 }, () => simulateDate(freshRng, k, nugget));
    // A perfect coarse model: the out-of-fold prediction is 0 and the target is the residual.
    const y = Float32Array.from(calibration.flatMap((d) => Array.from(d.coarse)));
    const coarseCal = conformalScores(new Float32Array(y.length), y, undefined, 0.9, 'test');
    const fineCal = toFineSupport(coarseCal, calibration.map((d) => d.coarse), layout, 'gaussian', true, 'test');
    const coverage = (cal: typeof coarseCal) => {
      let inside = 0;
      let n = 0;
      for (const d of fresh) {
        const { lower, upper } = intervalBounds(new Float32Array(d.fineError.length), undefined, cal); // error 0 ± h
        d.fineError.forEach((e, p) => ((inside += e >= lower[p] && e <= upper[p] ? 1 : 0), n++));
      }
      return inside / n;
    };
    const fine = coverage(fineCal);
    const coarse = coverage(coarseCal);
    assert.ok(fine >= 0.87 && fine <= 0.93, `fine-support coverage ${fine} (scale ${fineCal.scale})`);
    assert.ok(coarse >= coarseCoverage[0] && coarse <= coarseCoverage[1], `coarse-support coverage ${coarse}`);
  });
}
