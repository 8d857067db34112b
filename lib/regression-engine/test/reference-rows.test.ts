import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGrid, createRng, isSoilscaleError, makeSeries } from '../../../core/index.js';
import { blockLayout, blockMeans } from '../index.js';
import { pixelBlocks, referenceAnomalies, referenceRows } from '../src/reference-rows.js';
import { downscaler, subGridCorrelation } from '../../../test/support/regression-scene.js';

const NaN_ = Number.NaN;
const OPTIONS = { rows: 'replace', minCellCoverage: 0.8, minCells: 1, calibrateIntervals: false, folds: 4, referenceErrorSd: 0 } as const;

/** Two coarse cells of 3 × 3 pixels side by side (fine grid 6 × 3). */
const smallFine = createGrid(6, 3, [0, 10, 0, 30, 0, -10], 'EPSG:32633');
const smallCoarse = createGrid(2, 1, [0, 30, 0, 30, 0, -30], 'EPSG:32633');
const small = blockLayout(smallCoarse, smallFine);

test('reference anomalies: reference − its mean over the covered pixels, for cells covered to minCellCoverage with a coarse value', () => {
  // Date 1: cell 0 (columns 0–2) covered on 8 of 9 pixels (0.89 ≥ 0.8), cell 1 on 5 of 9 (0.56: left out).
  // Date 2: both fully covered, but cell 1 has no coarse value (left out). Date 3 is not a coarse date.
  const d1 = Float32Array.of(0.1, 0.2, 0.3, 0.5, NaN_, NaN_, 0.4, NaN_, 0.2, 0.5, 0.5, NaN_, 0.3, 0.1, 0.2, NaN_, 0.5, NaN_);
  const d2 = Float32Array.from({ length: 18 }, (_, p) => 0.01 * p);
  const reference = makeSeries({ variable: 'sm', grid: smallFine, dates: ['2024-06-01', '2024-06-02', '2024-07-01'], values: [d1, d2, d2] });
  const coarse = [Float32Array.of(0.3, 0.3), Float32Array.of(0.3, NaN_), Float32Array.of(0.3, 0.3)];
  const r = referenceAnomalies(reference, small, ['2024-06-01', '2024-06-02', '2024-06-03'], coarse, OPTIONS, 'x.reference');
  // Cell 0 on date 1: pixels 0,1,2,6,7,8,12,13,14 → values 0.1,0.2,0.3,0.4,NaN,0.2,0.3,0.1,0.2; mean of the 8 = 1.8/8 = 0.225.
  const mean0 = (0.1 + 0.2 + 0.3 + 0.4 + 0.2 + 0.3 + 0.1 + 0.2) / 8;
  const expected1 = [0.1, 0.2, 0.3, NaN_, NaN_, NaN_, 0.4, NaN_, 0.2, NaN_, NaN_, NaN_, 0.3, 0.1, 0.2, NaN_, NaN_, NaN_].map((v) => v - mean0);
  r.anomalies[0]!.forEach((v, p) => (Number.isNaN(expected1[p]) ? assert.ok(Number.isNaN(v), `date 1 pixel ${p}`) : assert.ok(Math.abs(v - expected1[p]) < 1e-7, `date 1 pixel ${p}: ${v}`)));
  // Cell 0 on date 2: 0.01·p over p ∈ {0,1,2,6,7,8,12,13,14}, mean 0.07.
  r.anomalies[1]!.forEach((v, p) => (p % 6 < 3 ? assert.ok(Math.abs(v - (0.01 * p - 0.07)) < 1e-7, `date 2 pixel ${p}`) : assert.ok(Number.isNaN(v), `date 2 pixel ${p}`)));
  assert.equal(r.anomalies[2], undefined, 'no reference on the third coarse date');
  assert.deepEqual({ cells: r.cells, cellDates: r.cellDates, pixelDates: r.pixelDates }, { cells: 1, cellDates: 2, pixelDates: 17 });

  // Rows: predictor anomalies (value − the cell's coarse aggregate) at the reference pixels with every predictor valid.
  const a = Float32Array.from({ length: 18 }, (_, p) => p);
  const b = Float32Array.from({ length: 18 }, (_, p) => (p === 13 ? NaN_ : 100 - p));
  const coarseA = Float64Array.of(7, 10);
  const coarseB = Float64Array.of(93, 90);
  const rows = referenceRows(pixelBlocks(small), [a, b], r.anomalies[0]!, [coarseA, coarseB]);
  const pixels = [0, 1, 2, 6, 8, 12, 14]; // the covered pixels of cell 0 but 13 (b is NaN there)
  assert.equal(rows.rows, pixels.length);
  pixels.forEach((p, i) => {
    assert.ok(Math.abs(rows.x[2 * i] - (p - 7)) < 1e-9 && Math.abs(rows.x[2 * i + 1] - (100 - p - 93)) < 1e-9, `row ${i} features`);
    assert.ok(Math.abs(rows.y[i] - expected1[p]) < 1e-7, `row ${i} target`);
    assert.equal(rows.parent[i], 0);
  });
});

test('a bad reference is an input error naming it, with the expected and the found', () => {
  const dates = ['2024-06-01'];
  const coarse = [Float32Array.of(0.3, 0.3)];
  const full = Float32Array.from({ length: 18 }, () => 0.2);
  const where = 'downscaler:regression.reference';
  const fails = (reference: Parameters<typeof referenceAnomalies>[0], pattern: RegExp, options = OPTIONS as Parameters<typeof referenceAnomalies>[4]) =>
    assert.throws(() => referenceAnomalies(reference, small, dates, coarse, options, where), (e: unknown) => isSoilscaleError(e) && e.kind === 'input' && e.details.path === where && pattern.test(e.message) && !!e.details.expected && !!e.details.found);
  const otherGrid = createGrid(6, 3, [5, 10, 0, 30, 0, -10], 'EPSG:32633');
  fails(makeSeries({ variable: 'sm', grid: otherGrid, dates, values: [full] }), /not on the product’s grid/);
  fails(makeSeries({ variable: 'sm', grid: smallFine, dates: ['2025-01-01'], values: [full] }), /no date in common/);
  fails(makeSeries({ variable: 'sm', grid: smallFine, dates: [], values: [full] }), /no dates/);
  fails(makeSeries({ variable: 'sm', grid: smallFine, dates, values: [full] }), /too few coarse cells/, { ...OPTIONS, minCells: 3 });
});

/**
 * A scene whose within-cell truth is a known function of a predictor that the coarse data contradict: between
 * cells soil moisture falls with `a` (−0.05 per unit of the cell mean), within them it rises (+0.02 per unit of
 * the within-cell anomaly). The coarse-only refit learns the between-cell slope and gets the sub-grid pattern
 * backwards; trained on a campaign over 9 of the 36 cells (6 × 6 pixels each) it recovers it on the other 27.
 */
test('downscaler:regression trained on a campaign map recovers a within-cell relation the coarse data cannot give; conservation exact', async () => {
  const fine = createGrid(36, 36, [500000, 100, 0, 4000000, 0, -100], 'EPSG:32633');
  const coarseGrid = createGrid(6, 6, [500000, 600, 0, 4000000, 0, -600], 'EPSG:32633');
  const layout = blockLayout(coarseGrid, fine);
  const rng = createRng(3);
  const cellMean = Float64Array.from({ length: 36 }, () => 2 * rng.normal());
  const cellOf = (p: number) => Math.floor(Math.floor(p / 36) / 6) * 6 + Math.floor((p % 36) / 6);
  const a = Float32Array.from({ length: 1296 }, (_, p) => cellMean[cellOf(p)] + rng.normal());
  const aBar = blockMeans(a, layout);
  const dates = ['2024-06-01', '2024-06-02', '2024-06-03', '2024-06-04'];
  const truth = dates.map((_, d) => Float32Array.from(a, (v, p) => 0.3 - 0.05 * aBar[cellOf(p)] + 0.02 * (v - aBar[cellOf(p)]) + 0.01 * d));
  const sm = makeSeries({ variable: 'sm', grid: coarseGrid, dates, values: truth.map((t) => Float32Array.from(blockMeans(t, layout))) });
  const campaignCell = (k: number) => k % 6 < 3 && Math.floor(k / 6) < 3; // a 3 × 3-cell block
  const reference = makeSeries({ variable: 'sm', grid: fine, dates: dates.slice(0, 2), values: truth.slice(0, 2).map((t) => Float32Array.from(t, (v, p) => (campaignCell(cellOf(p)) ? v : NaN_))) });
  const outside = makeSeries({ variable: 'sm', grid: fine, dates, values: truth.map((t) => Float32Array.from(t, (v, p) => (campaignCell(cellOf(p)) ? NaN_ : v))) });
  const params = { regressor: { uses: 'regressor:linear' }, cv: { scheme: 'none' }, importance: false, multiScale: { levels: [3], anomalies: true } };
  const predictors = { a: makeSeries({ variable: 'a', grid: fine, dates: [], values: [a] }) };
  const coarseOnly = await (await downscaler(params)).downscale({ coarse: sm, predictors });
  const campaign = await (await downscaler({ ...params, referenceTraining: { rows: 'replace' } })).downscale({ coarse: sm, predictors, reference });
  const rCoarseOnly = subGridCorrelation(coarseOnly.product, outside, 6);
  const rCampaign = subGridCorrelation(campaign.product, outside, 6);
  assert.ok(rCoarseOnly < -0.9, `coarse-only sub-grid r outside the campaign: ${rCoarseOnly}`);
  assert.ok(rCampaign > 0.999, `campaign-trained sub-grid r outside the campaign: ${rCampaign}`);
  campaign.product.values.forEach((z, d) => blockMeans(z, layout).forEach((m, k) => assert.ok(Math.abs(m - sm.values[d][k]) < 1e-6, `date ${d} cell ${k}`)));
  assert.deepEqual(
    (({ referenceRows: mode, referenceCells, referenceCellDates, referencePixelDates, rows }) => ({ mode, referenceCells, referenceCellDates, referencePixelDates, rows }))(campaign.tables!.multiScale.rows[0] as never),
    { mode: 'replace', referenceCells: 9, referenceCellDates: 18, referencePixelDates: 648, rows: 648 },
  );
  // `add` (the default) keeps the first pass's sub-block rows (4 per cell and date at level 3) beside them: their
  // slope contradicts the campaign's, so the fit is a compromise, still the right sign.
  const added = await (await downscaler(params)).downscale({ coarse: sm, predictors, reference });
  assert.equal(added.tables!.multiScale.rows[0].rows, 648 + 36 * 4 * 4);
  assert.equal(added.tables!.multiScale.rows[0].referenceRows, 'add');
  assert.ok(subGridCorrelation(added.product, outside, 6) > 0.99);
});

test('a reference without the anomaly refit is a usage error naming the input', async () => {
  const fine = createGrid(6, 3, [0, 10, 0, 30, 0, -10], 'EPSG:32633');
  const dates = Array.from({ length: 6 }, (_, d) => `2024-06-0${d + 1}`);
  const sm = makeSeries({ variable: 'sm', grid: smallCoarse, dates, values: dates.map((_, d) => Float32Array.of(0.2 + 0.01 * d, 0.3)) });
  const x = makeSeries({ variable: 'x', grid: fine, dates: [], values: [Float32Array.from({ length: 18 }, (_, p) => p)] });
  const reference = makeSeries({ variable: 'sm', grid: fine, dates, values: dates.map(() => new Float32Array(18).fill(0.2)) });
  const ds = await downscaler({ regressor: { uses: 'regressor:linear' }, cv: { scheme: 'none' }, importance: false, minValidFraction: 0 });
  await assert.rejects(ds.downscale({ coarse: sm, predictors: { x }, reference }), (e: unknown) => isSoilscaleError(e) && e.details.path === 'downscaler:regression.reference' && /anomalies/.test(e.details.expected ?? ''));
});

/**
 * Intervals from the campaign, out of fold: within-cell truth 0.02·(a − ā) + u, u ~ N(0, 0.01) seen by no
 * predictor; coarse = the exact cell means; a campaign over 9 of 36 cells reading the truth + N(0, sd). Each
 * held-out campaign cell is predicted by a model that never saw it. The product's 1 km error is u's within-cell
 * part, so: a noise-free campaign gives the 90 % half-width of |u − ū| and covers the truth elsewhere 90 % of the
 * time; a noisy one (sd 0.01) covers fresh noisy readings 90 % of the time; told its error sd it covers the truth.
 */
test('the interval calibrated out of fold on the campaign covers 1 km values outside it at the nominal level', async () => {
  const fine = createGrid(36, 36, [500000, 100, 0, 4000000, 0, -100], 'EPSG:32633');
  const coarseGrid = createGrid(6, 6, [500000, 600, 0, 4000000, 0, -600], 'EPSG:32633');
  const layout = blockLayout(coarseGrid, fine);
  const rng = createRng(9);
  const cellOf = (p: number) => Math.floor(Math.floor(p / 36) / 6) * 6 + Math.floor((p % 36) / 6);
  const a = Float32Array.from({ length: 1296 }, () => rng.normal());
  const aBar = blockMeans(a, layout);
  const dates = ['2024-06-01', '2024-06-02', '2024-06-03', '2024-06-04', '2024-06-05', '2024-06-06'];
  const truth = dates.map((_, d) => Float32Array.from(a, (v, p) => 0.25 + 0.01 * (cellOf(p) % 5) + 0.02 * (v - aBar[cellOf(p)]) + 0.01 * d + 0.01 * rng.normal()));
  const sm = makeSeries({ variable: 'sm', grid: coarseGrid, dates, values: truth.map((t) => Float32Array.from(blockMeans(t, layout))) });
  const inCampaign = (p: number) => cellOf(p) % 6 >= 3 && Math.floor(cellOf(p) / 6) >= 3;
  const reading = (sd: number, where: (p: number) => boolean) => truth.map((t) => Float32Array.from(t, (v, p) => (where(p) ? v + sd * rng.normal() : NaN_)));
  const predictors = { a: makeSeries({ variable: 'a', grid: fine, dates: [], values: [a] }) };
  const run = async (sd: number, referenceErrorSd = 0) => {
    const params = { regressor: { uses: 'regressor:linear' }, cv: { scheme: 'kfold', folds: 4 }, importance: false, multiScale: { levels: [3], anomalies: true }, intervals: { method: 'conformal', level: 0.9 }, referenceTraining: { rows: 'replace', referenceErrorSd } };
    return (await downscaler(params)).downscale({ coarse: sm, predictors, reference: makeSeries({ variable: 'sm', grid: fine, dates, values: reading(sd, inCampaign) }) });
  };
  const coverage = (r: Awaited<ReturnType<typeof run>>, values: Float32Array[]) => {
    let inside = 0;
    let n = 0;
    values.forEach((f, d) => f.forEach((v, p) => !inCampaign(p) && (n++, (inside += v >= r.lower!.values[d][p] && v <= r.upper!.values[d][p] ? 1 : 0))));
    return inside / n;
  };
  // 27 cells × 6 dates of 36 pixels outside; the half-width rests on 54 calibration units: ± 0.035 is about 3 sd.
  const exact = await run(0);
  const table = exact.tables!.intervals.rows[0];
  assert.deepEqual([table.changeOfSupport, table.units, table.folds, table.calibrationRows, table.referenceErrorFactor], ['reference', 9 * 6, 4, 9 * 36 * 6, 1]);
  const halfWidth = (r: Awaited<ReturnType<typeof run>>) => r.tables!.intervals.rows[0].halfWidth as number;
  // 90 % of |N(0, 0.01·√(35/36))| is 0.0162.
  assert.ok(Math.abs(halfWidth(exact) - 0.0162) < 0.002 && Math.abs(coverage(exact, truth) - 0.9) < 0.035, `noise-free campaign: half-width ${halfWidth(exact)}, coverage ${coverage(exact, truth)}`);
  const noisy = await run(0.01);
  assert.ok(Math.abs(coverage(noisy, reading(0.01, () => true)) - 0.9) < 0.035 && coverage(noisy, truth) > 0.97, `noisy campaign: fresh readings ${coverage(noisy, reading(0.01, () => true))}, truth ${coverage(noisy, truth)}`);
  const told = await run(0.01, 0.01);
  assert.ok(Math.abs(coverage(told, truth) - 0.9) < 0.035 && Math.abs(halfWidth(told) - 0.0162) < 0.003, `error sd given: truth ${coverage(told, truth)}, half-width ${halfWidth(told)}`);
  // A stated error as large as the scores would leave a zero-width interval: an error, not a product.
  await assert.rejects(run(0.01, 0.05), (e: unknown) => isSoilscaleError(e) && e.details.path === 'downscaler:regression.referenceTraining.referenceErrorSd' && e.details.found === '0.05');
});

test('a change of support from the coarse residuals beside a reference-calibrated interval is a usage error', async () => {
  const dates = Array.from({ length: 6 }, (_, d) => `2024-06-0${d + 1}`);
  const sm = makeSeries({ variable: 'sm', grid: smallCoarse, dates, values: dates.map((_, d) => Float32Array.of(0.2 + 0.01 * d, 0.3)) });
  const x = makeSeries({ variable: 'x', grid: smallFine, dates: [], values: [Float32Array.from({ length: 18 }, (_, p) => p)] });
  const reference = makeSeries({ variable: 'sm', grid: smallFine, dates, values: dates.map(() => new Float32Array(18).fill(0.2)) });
  const ds = await downscaler({ regressor: { uses: 'regressor:linear' }, cv: { scheme: 'kfold' }, importance: false, minValidFraction: 0, multiScale: { levels: [3], anomalies: true }, intervals: { method: 'conformal', changeOfSupport: 'variogram' } });
  await assert.rejects(ds.downscale({ coarse: sm, predictors: { x }, reference }), (e: unknown) => isSoilscaleError(e) && e.details.path === 'downscaler:regression.intervals.changeOfSupport');
});

test('a spread-scaled interval beside a reference-calibrated one is a usage error (the reference calibrates a constant half-width)', async () => {
  const dates = Array.from({ length: 6 }, (_, d) => `2024-06-0${d + 1}`);
  const sm = makeSeries({ variable: 'sm', grid: smallCoarse, dates, values: dates.map((_, d) => Float32Array.of(0.2 + 0.01 * d, 0.3)) });
  const x = makeSeries({ variable: 'x', grid: smallFine, dates: [], values: [Float32Array.from({ length: 18 }, (_, p) => p)] });
  const reference = makeSeries({ variable: 'sm', grid: smallFine, dates, values: dates.map(() => new Float32Array(18).fill(0.2)) });
  const ds = await downscaler({ regressor: { uses: 'regressor:rf', with: { trees: 5 } }, cv: { scheme: 'kfold' }, importance: false, minValidFraction: 0, multiScale: { levels: [3], anomalies: true }, intervals: { method: 'conformal-spread' } });
  await assert.rejects(ds.downscale({ coarse: sm, predictors: { x }, reference }), (e: unknown) => isSoilscaleError(e) && e.details.path === 'downscaler:regression.intervals.method' && e.details.found === 'conformal-spread');
});

test('a reference whose pixels all lack a valid predictor is an input error, not a silently coarse-only refit', async () => {
  const dates = Array.from({ length: 6 }, (_, d) => `2024-06-0${d + 1}`);
  const sm = makeSeries({ variable: 'sm', grid: smallCoarse, dates, values: dates.map((_, d) => Float32Array.of(0.2 + 0.01 * d, 0.3 - 0.01 * d)) });
  // The predictor is missing over the right cell, the only one the campaign covers.
  const x = makeSeries({ variable: 'x', grid: smallFine, dates: [], values: [Float32Array.from({ length: 18 }, (_, p) => (p % 6 >= 3 ? NaN_ : p))] });
  const reference = makeSeries({ variable: 'sm', grid: smallFine, dates, values: dates.map(() => Float32Array.from({ length: 18 }, (_, p) => (p % 6 >= 3 ? 0.3 + 0.001 * p : NaN_))) });
  const ds = await downscaler({ regressor: { uses: 'regressor:linear' }, cv: { scheme: 'none' }, importance: false, minValidFraction: 0, multiScale: { levels: [3], anomalies: true }, referenceTraining: { minCells: 1 } });
  await assert.rejects(ds.downscale({ coarse: sm, predictors: { x }, reference }), (e: unknown) => isSoilscaleError(e) && e.details.path === 'downscaler:regression.reference' && /none with every predictor valid/.test(e.details.found ?? ''));
});
