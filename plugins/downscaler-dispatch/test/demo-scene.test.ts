import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkNesting, createPluginContext, createWorkerPool, readStacScene, resampleSeries, type Series } from '../../../core/index.js';
import { writeSyntheticScene } from '../../source-synthetic/index.js';
import { dispatchDownscaler } from '../index.js';
import { cellLayout } from '../src/dispatch-member.js';
import { dispatchParams } from './params.js';

const dir = mkdtempSync(join(tmpdir(), 'soilscale-dispatch-demo-'));
const FACTOR = 9;
const scenePromise = writeSyntheticScene({ days: 20, start: '2023-06-01', coarseCells: [6, 6], coarseFactor: FACTOR, fineFactor: 1, stations: 15, seed: 3 }, dir).then(({ catalogPath }) => readStacScene(catalogPath));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function run() {
  const scene = await scenePromise;
  const coarse = await scene.load('sm_coarse');
  const lst = await scene.load('lst_1km');
  const ds = await dispatchDownscaler.create(dispatchParams({ clip: [] }), createPluginContext({ workers: createWorkerPool(1) }));
  const result = await ds.downscale({ coarse, predictors: { ndvi: await scene.load('ndvi_1km'), lst, dem: await scene.load('dem_1km') } });
  return { scene, coarse, lst, result };
}

let once: ReturnType<typeof run> | undefined;
/** The defaults on the CI scene, run once for all tests. */
function defaultRun() {
  once ??= run();
  return once;
}

/** Pearson r of within-cell anomalies over the pixels where `mask` is valid (block means from the same pixels). */
function subGridCorrelation(a: Series, truth: Series, mask: Series, cellOf: Int32Array): number {
  let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, n = 0;
  a.values.forEach((A, d) => {
    const B = truth.values[d];
    const M = mask.values[d];
    const ma = new Map<number, [number, number, number]>();
    for (let p = 0; p < A.length; p++) if (M[p] === M[p] && A[p] === A[p]) { const m = ma.get(cellOf[p]) ?? [0, 0, 0]; m[0] += A[p]; m[1] += B[p]; m[2]++; ma.set(cellOf[p], m); }
    for (let p = 0; p < A.length; p++) {
      if (!(M[p] === M[p] && A[p] === A[p])) continue;
      const m = ma.get(cellOf[p])!;
      const x = A[p] - m[0] / m[2];
      const y = B[p] - m[1] / m[2];
      sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y; n++;
    }
  });
  const cov = sab / n - (sa / n) * (sb / n);
  return cov / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
}

test('demo scene: every coarse cell is conserved exactly (unclipped), and a pixel cloudy on every member day gives nodata, not zero', async () => {
  const { coarse, lst, result } = await defaultRun();
  const { product, tables } = result;
  const layout = cellLayout(product.grid.width, product.grid.height, coarse.grid.width, coarse.grid.height, checkNesting(coarse.grid, product.grid));
  let cellsChecked = 0;
  product.values.forEach((v, d) => {
    const sums = new Float64Array(coarse.grid.width * coarse.grid.height);
    const counts = new Float64Array(sums.length);
    v.forEach((x, p) => {
      if (x === x) (sums[layout.cellOf[p]] += x), counts[layout.cellOf[p]]++;
      // Members: the LST of the date and of the days either side (ensembleDays 1).
      const clearSomeday = [d - 1, d, d + 1].some((e) => e >= 0 && e < lst.values.length && lst.values[e][p] === lst.values[e][p]);
      if (!clearSomeday) assert.ok(Number.isNaN(x), 'a pixel under cloud on every member day has no value');
    });
    counts.forEach((c, k) => {
      if (c === 0) return;
      cellsChecked++;
      assert.ok(Math.abs(sums[k] / c - coarse.values[d][k]) < 1e-6, `date ${d} cell ${k}: ${sums[k] / c} vs ${coarse.values[d][k]}`);
    });
  });
  assert.ok(cellsChecked > 100, `cells downscaled: ${cellsChecked}`);
  assert.ok(tables!.see.rows.every((r) => r.conservationError === null || (r.conservationError as number) < 1e-6));
  assert.ok(tables!.endmembers.rows.some((r) => (r.cells as number) > 0));
});

/** ubRMSE of `a` against the truth over the pixels where `mask` is valid. */
function ubRmse(a: Series, truth: Series, mask: Series): number {
  let s = 0, s2 = 0, n = 0;
  a.values.forEach((A, d) => {
    for (let p = 0; p < A.length; p++) {
      if (!(mask.values[d][p] === mask.values[d][p])) continue;
      const e = A[p] - truth.values[d][p];
      s += e; s2 += e * e; n++;
    }
  });
  return Math.sqrt(s2 / n - (s / n) ** 2);
}

// Issue 16's criterion (the scene is generator 2.0's, whose surface layer dries below the wilting point): DISPATCH's
// sub-grid correlation beats bilinear's where DISPATCH gives a value, and its ubRMSE is within 10 % of the coarse
// input's (nearest-neighbour on the fine grid). Measured here 0.43 vs 0.25, ubRMSE 0.97 × the coarse input's.
test('demo scene: DISPATCH beats bilinear in sub-grid correlation against sm_truth_1km, and is never much worse than its coarse input', async () => {
  const { scene, coarse, result } = await defaultRun();
  const truth = await scene.load('sm_truth_1km');
  const layout = cellLayout(truth.grid.width, truth.grid.height, coarse.grid.width, coarse.grid.height, checkNesting(coarse.grid, truth.grid));
  const bilinear = resampleSeries(coarse, truth.grid, 'bilinear');
  const nearest = resampleSeries(coarse, truth.grid, 'nearest');
  const rDispatch = subGridCorrelation(result.product, truth, result.product, layout.cellOf);
  const rBilinear = subGridCorrelation(bilinear, truth, result.product, layout.cellOf);
  assert.ok(rDispatch > rBilinear + 0.05, `sub-grid r: DISPATCH ${rDispatch.toFixed(3)}, bilinear ${rBilinear.toFixed(3)}`);
  const ubDispatch = ubRmse(result.product, truth, result.product);
  const ubCoarse = ubRmse(nearest, truth, result.product);
  assert.ok(ubDispatch < 1.1 * ubCoarse, `ubRMSE: DISPATCH ${ubDispatch.toFixed(4)}, coarse input ${ubCoarse.toFixed(4)}`);
  assert.ok(result.tables!.topography.rows.length > 0, 'the topographic correction ran (dem predictor)');
});
