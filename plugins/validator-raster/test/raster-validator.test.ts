import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { aggregateSeries, createGrid, createPluginContext, createRng, makeSeries, pairedMetrics, type Series } from '../../../core/index.js';
import { rasterValidator, type RasterValidatorParams } from '../index.js';

// Product grid 12×8 px of 100 m; coarse grid 3×2 cells of 400 m; a reference at 50 m nests in both.
const crs = 'EPSG:32633';
const fineGrid = createGrid(12, 8, [600000, 100, 0, 5000000, 0, -100], crs);
const coarseGrid = createGrid(3, 2, [600000, 400, 0, 5000000, 0, -400], crs);
const finerGrid = createGrid(24, 16, [600000, 50, 0, 5000000, 0, -50], crs);
const dates = ['2024-05-01', '2024-05-02', '2024-05-03'];
const rng = createRng(21);

function series(grid: typeof fineGrid, ds: string[], f: (k: number, t: number) => number): Series {
  return makeSeries({ variable: 'sm', grid, dates: ds, values: ds.map((_, t) => Float32Array.from({ length: grid.width * grid.height }, (_, k) => f(k, t))) });
}
const truth = series(fineGrid, dates, () => 0.1 + 0.3 * rng.next());
const coarse = aggregateSeries(truth, coarseGrid, { method: 'mean' });
const cellOf = (k: number): number => Math.floor(Math.floor(k / 12) / 4) * 3 + Math.floor((k % 12) / 4);
/** coarse value + half of the truth's within-cell anomaly: half the sub-grid detail, perfectly placed. */
const halfDetail = series(fineGrid, dates, (k, t) => {
  const c = coarse.values[t][cellOf(k)];
  return c + 0.5 * (truth.values[t][k] - c);
});
const params: RasterValidatorParams = { minValidFraction: 0.5, minPairs: 10 };
const context = createPluginContext();

describe('validator:raster', async () => {
  const v = await rasterValidator.create(params, context);

  it('summary and per-date metrics equal pairedMetrics on the pooled and per-date pairs', async () => {
    const product = series(fineGrid, dates, (k, t) => truth.values[t][k] + 0.02 + 0.01 * Math.sin(k + t));
    const { tables } = await v.validate({ product, reference: truth });
    const pooled = pairedMetrics(Float32Array.from(product.values.flatMap((a) => [...a])), Float32Array.from(truth.values.flatMap((a) => [...a])));
    const s = tables.summary.rows[0];
    assert.equal(s.n, 288);
    assert.ok(Math.abs((s.rmse as number) - pooled.rmse) < 1e-12 && Math.abs((s.r as number) - pooled.r) < 1e-12);
    assert.ok(Math.abs((s.bias as number) - pooled.bias) < 1e-12);
    tables.perDate.rows.forEach((row, t) => {
      assert.equal(row.date, dates[t]);
      assert.ok(Math.abs((row.ubrmse as number) - pairedMetrics(product.values[t], truth.values[t]).ubrmse) < 1e-12);
    });
  });

  it('sub-grid: half the detail, perfectly placed → anomaly R = 1, std ratio 0.5, ubRMSE = 0.5·std(truth anomalies)', async () => {
    const { tables } = await v.validate({ product: halfDetail, reference: truth, coarse });
    const [pooled, ...perDate] = tables.subgrid.rows;
    assert.equal(pooled.date, 'all');
    assert.equal(perDate.length, 3);
    for (const row of [pooled, ...perDate]) {
      assert.ok(Math.abs((row.r as number) - 1) < 1e-5, `r ${row.r}`);
      assert.ok(Math.abs((row.stdRatio as number) - 0.5) < 1e-5, `ratio ${row.stdRatio}`);
      assert.ok(Math.abs((row.ubrmse as number) - 0.5 * (row.stdReference as number)) < 1e-6);
    }
    assert.equal(perDate[0].cells, 6);
  });

  it('sub-grid via coarseFactor when no coarse input; nearest-like product has no detail (std ratio 0, R empty)', async () => {
    const blocky = series(fineGrid, dates, (k, t) => coarse.values[t][cellOf(k)]);
    const { tables, notes } = await v.validate({ product: blocky, reference: truth });
    assert.equal(tables.subgrid, undefined);
    assert.ok(notes!.some((n) => /sub-grid metrics skipped/.test(n)));
    const v4 = await rasterValidator.create({ ...params, coarseFactor: 4 }, context);
    const r = await v4.validate({ product: blocky, reference: truth });
    const pooled = r.tables.subgrid.rows[0];
    assert.ok((pooled.stdRatio as number) < 1e-6);
    assert.equal(pooled.r, null);
  });

  it('consistency: block means equal the coarse input → 0; a shifted cell shows up as its offset', async () => {
    const { tables } = await v.validate({ product: halfDetail, reference: truth, coarse });
    const all = tables.consistency.rows[0];
    assert.equal(all.cells, 18);
    assert.ok((all.maxAbsError as number) < 1e-6);
    const shifted = series(fineGrid, dates, (k, t) => halfDetail.values[t][k] + (cellOf(k) === 4 && t === 1 ? 0.03 : 0));
    const c = (await v.validate({ product: shifted, reference: truth, coarse })).tables.consistency.rows;
    assert.ok(Math.abs((c[2].maxAbsError as number) - 0.03) < 1e-6);
    assert.ok(Math.abs((c[2].meanAbsError as number) - 0.005) < 1e-6);
    assert.ok((c[1].maxAbsError as number) < 1e-6);
  });

  it('aggregates a finer reference to the product grid (block mean)', async () => {
    // each 100 m product pixel = mean of its four 50 m reference pixels
    const fineRef = series(finerGrid, dates, (k, t) => {
      const row = Math.floor(k / 24), col = k % 24;
      const parent = Math.floor(row / 2) * 12 + Math.floor(col / 2);
      return truth.values[t][parent] + ((row + col) % 2 === 0 ? 0.01 : -0.01);
    });
    const { tables, notes } = await v.validate({ product: truth, reference: fineRef });
    assert.ok((tables.summary.rows[0].rmse as number) < 1e-6);
    assert.equal(tables.summary.rows[0].n, 288);
    assert.ok(notes!.some((n) => /aggregated/.test(n)));
  });

  it('a coarser reference is an input error naming the port', async () => {
    await assert.rejects(v.validate({ product: truth, reference: coarse }), (e: Error) => {
      assert.equal(e.name, 'SoilscaleError');
      assert.match(e.message, /inputs\.reference/);
      assert.match(e.message, /coarser/);
      return true;
    });
  });

  it('counts and notes product dates without a reference', async () => {
    const product = series(fineGrid, [...dates, '2024-05-04'], (k, t) => (t < 3 ? truth.values[t][k] : 0.2));
    const { tables, notes } = await v.validate({ product, reference: truth });
    assert.equal(tables.summary.rows[0].productDatesWithoutReference, 1);
    assert.equal(tables.perDate.rows.length, 3);
    assert.ok(notes!.some((n) => /1 of 4 product date/.test(n)));
  });
  it('a large date: per-date moments exact, per-date Spearman from a ≤ 20 000-pair subsample, pooled Spearman exact', async () => {
    const big = createGrid(160, 160, [600000, 30, 0, 5000000, 0, -30], crs);
    const r = createRng(4);
    const ref = series(big, ['2024-06-01'], () => 0.1 + 0.3 * r.next());
    const prod = series(big, ['2024-06-01'], (k) => ref.values[0][k] + 0.05 * r.normal());
    const { tables } = await v.validate({ product: prod, reference: ref });
    const exact = pairedMetrics(prod.values[0], ref.values[0]);
    const day = tables.perDate.rows[0];
    assert.equal(day.n, 25_600);
    for (const k of ['r', 'rmse', 'ubrmse', 'bias'] as const) assert.ok(Math.abs((day[k] as number) - exact[k]) < 1e-12, k);
    // Every 2nd pair is ranked: close to, but not, the exact ρ.
    assert.notEqual(day.spearman, exact.spearman);
    assert.ok(Math.abs((day.spearman as number) - exact.spearman) < 0.01);
    assert.ok(Math.abs((tables.summary.rows[0].spearman as number) - exact.spearman) < 1e-12);
  });
  it('intervals: coverage of the reference and mean width, pooled and per date; a lone bound is an error', async () => {
    // Half-widths cycle through 0.00, 0.01, …, 0.09 and the product is the truth + 0.035: a pixel is
    // covered when its half-width ≥ 0.035, i.e. for 0.04 … 0.09 (6 of 10); width 2·mean(0.045) = 0.09.
    const half = (k: number) => (k % 10) / 100;
    const product = series(fineGrid, dates, (k, t) => truth.values[t][k] + 0.035);
    const lower = series(fineGrid, dates, (k, t) => product.values[t][k] - half(k));
    const upper = series(fineGrid, dates, (k, t) => product.values[t][k] + half(k));
    const { tables } = await v.validate({ product, reference: truth, lower, upper });
    const rows = tables.intervals.rows;
    assert.deepEqual(rows.map((r) => r.date), ['all', ...dates]);
    let inside = 0;
    let width = 0;
    for (let k = 0; k < 96; k++) (inside += truth.values[0][k] >= lower.values[0][k] && truth.values[0][k] <= upper.values[0][k] ? 1 : 0), (width += upper.values[0][k] - lower.values[0][k]);
    assert.equal(rows[1].n, 96);
    assert.ok(Math.abs((rows[1].coverage as number) - inside / 96) < 1e-12 && Math.abs(inside / 96 - 0.6) < 0.03, `coverage ${rows[1].coverage}`);
    assert.ok(Math.abs((rows[1].meanWidth as number) - width / 96) < 1e-9);
    assert.equal(rows[0].n, 288);
    await assert.rejects(v.validate({ product, reference: truth, lower }), /interval bound 'upper' missing/);
  });
});
