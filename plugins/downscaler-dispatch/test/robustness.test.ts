import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNesting, createGrid, slopeAspect, slopeIllumination, sunPosition, transformCoordinates, dayOfYear } from '../../../core/index.js';
import { cellLayout, dispatchMember, type DispatchOptions } from '../src/dispatch-member.js';
import { temporalCalibration, type SmpRow } from '../src/dispatch-tile.js';
import { createTopographicCorrection, terrainOf } from '../src/topography.js';
import { dispatchParams } from './params.js';

// One LR cell of 10 × 10 bare-soil pixels (fv = 0, so Ts = LST) with fixed end-members 295–325 K.
const E = { tsMin: 295, tsMax: 325, tvMin: 293, tvMax: 305 };
const fine = createGrid(10, 10, [0, 1, 0, 10, 0, -1], 'EPSG:32614');
const layout = cellLayout(10, 10, 1, 1, checkNesting(createGrid(1, 1, [0, 10, 0, 10, 0, -10], 'EPSG:32614'), fine));
const bare = new Float32Array(100);
const options = (over: Partial<DispatchOptions>): DispatchOptions =>
  ({ ...dispatchParams({ smpCalibration: 'date', base: 'cell', ensembleDays: 0 }), endmemberScope: 'fixed', fixedEndmembers: E, minValidFraction: 0, ...over }) as DispatchOptions;
/** LST = 310 K + amplitude × a fixed pattern with zero mean. */
const lstPattern = (amplitude: number) => Float32Array.from({ length: 100 }, (_, p) => 310 + amplitude * Math.sin(p * 1.7));
const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

test('shrinkage: each pixel’s correction × signal/(signal + noise) of its SEE, conserving SM_LR; pure noise gives the coarse value', () => {
  const lst = lstPattern(5);
  const r = dispatchMember(bare, lst, Float32Array.of(0.2), layout, options({ lstNoise: 1, smpMax: 0 }));
  const see = Array.from(lst, (t) => (325 - t) / 30);
  const meanSee = mean(see);
  const total = see.reduce((s, v) => s + (v - meanSee) ** 2, 0) / 100;
  const noise = (1 / 30) ** 2; // ∂SEE/∂LST = 1/(Ts,max − Ts,min) on bare soil
  const weight = (total - noise) / (total - noise + noise); // signal/(signal + noise), signal = total − noise
  for (let p = 0; p < 100; p++) {
    const expected = 0.2 + (0.2 / meanSee) * weight * (see[p] - meanSee); // uniform weights: no re-centring needed
    assert.ok(Math.abs(r.sm[p] - expected) < 1e-6, `pixel ${p}: ${r.sm[p]} vs ${expected}`);
  }
  assert.ok(Math.abs(mean(r.sm) - 0.2) < 1e-7);
  // A spread no larger than the noise: no correction at all.
  const flat = dispatchMember(bare, lstPattern(0.3), Float32Array.of(0.2), layout, options({ lstNoise: 1, smpMax: 0 }));
  assert.ok(Array.from(flat.sm).every((v) => Math.abs(v - 0.2) < 1e-7));
  // Vegetated pixels are noisier (∂Ts/∂LST = 1/(1 − fv)): they are shrunk more, and the cell still conserves SM_LR.
  const fv = Float32Array.from({ length: 100 }, (_, p) => (p % 2 ? 0.5 : 0));
  const mixed = dispatchMember(fv, lst, Float32Array.of(0.2), layout, options({ lstNoise: 1, smpMax: 0 }));
  const valid = Array.from(mixed.sm).filter((v) => v === v);
  assert.ok(Math.abs(mean(valid) - 0.2) < 1e-7, `mean ${mean(valid)}`);
});

test('SMp is capped at smpMax and the cap is reported', () => {
  const lst = lstPattern(2).map((t) => t + 13); // hot: ⟨SEE⟩ ≈ 0.07, SM_LR/⟨SEE⟩ ≈ 2.9
  const r = dispatchMember(bare, lst, Float32Array.of(0.2), layout, options({ lstNoise: 0, smpMax: 0.5 }));
  const see = Array.from(lst, (t) => (325 - t) / 30);
  const m = mean(see);
  for (let p = 0; p < 100; p++) assert.ok(Math.abs(r.sm[p] - (0.2 + 0.5 * (see[p] - m))) < 1e-6);
  assert.equal(r.fallbacks['SMp capped at smpMax'], 1);
});

test('a cell the LST–fv space cannot downscale gets the coarse value (or nodata), and the fallback is counted', () => {
  const flatEdges = { ...E, tsMax: 295.5 }; // Ts range 0.5 K < minTsRange 1 K: energy-limited
  const lst = lstPattern(0.2).map((t) => t - 15);
  const coarse = dispatchMember(bare, lst, Float32Array.of(0.25), layout, options({ fixedEndmembers: flatEdges, cellFallback: 'coarse' }));
  assert.ok(Array.from(coarse.sm).every((v) => v === Math.fround(0.25)));
  assert.equal(coarse.cellOutcomes['energy-limited'], 1);
  assert.equal(coarse.fallbacks['cell given the coarse value (energy-limited)'], 1);
  const none = dispatchMember(bare, lst, Float32Array.of(0.25), layout, options({ fixedEndmembers: flatEdges, cellFallback: 'none' }));
  assert.ok(Array.from(none.sm).every((v) => Number.isNaN(v)));
});

test('temporal calibration recovers the cell’s SM–SEE slope, falls back with too few dates, and caps', () => {
  const dates = Array.from({ length: 40 }, (_, d) => new Date(Date.UTC(2023, 5, 1 + d)).toISOString().slice(0, 10));
  const see = dates.map((_, d) => Float64Array.of(0.2 + 0.6 * Math.abs(Math.sin(d)), d % 3 === 0 ? 0.5 + 0.01 * d : Number.NaN));
  const sm = see.map((s) => Float32Array.of(0.05 + 0.2 * s[0], 0.05 + 0.3 * (s[1] === s[1] ? s[1] : 0)));
  const rows: SmpRow[] = [];
  const slopes = temporalCalibration(dates, sm, see, { calibrationDays: 10, minCalibrationDates: 10, smpMax: 0.6 }, rows);
  for (let d = 0; d < dates.length; d++) assert.ok(Math.abs(slopes[d][0] - 0.2) < 1e-5, `date ${d}: ${slopes[d][0]}`);
  // Cell 1 has ⟨SEE⟩ every third day only: at most 7 dates within ±10 days, fewer than 10 → per-date SMp.
  assert.ok(slopes.every((s) => Number.isNaN(s[1])));
  assert.deepEqual(rows.map((r) => [r.cell, r.calibrated, r.perDateFallback]), [[0, 40, 0], [1, 0, 14]]);
  const capped = temporalCalibration(dates, sm, see, { calibrationDays: 10, minCalibrationDates: 10, smpMax: 0.1 }, []);
  assert.equal(capped[5][0], 0.1);
});

test('topographic correction: LST brought to the cell’s mean elevation (lapse rate) and illumination (fitted coefficient)', () => {
  // 30 × 30 "1 km" pixels in 3 × 3 LR cells over hills; LST = 300 − 6.5 K/km·z + 8 K·I − 5 K·fv with I = cos i / cos θz.
  const grid = createGrid(30, 30, [420000, 1000, 0, 4080000, 0, -1000], 'EPSG:32614');
  const cells = cellLayout(30, 30, 3, 3, checkNesting(createGrid(3, 3, [420000, 10000, 0, 4080000, 0, -10000], 'EPSG:32614'), grid));
  const dem = Float32Array.from({ length: 900 }, (_, p) => 800 + 400 * Math.sin((p % 30) / 2) * Math.cos(Math.floor(p / 30) / 2.5));
  const fv = Float32Array.from({ length: 900 }, (_, p) => 0.3 + 0.3 * Math.sin(p * 0.37));
  const date = '2023-07-15';
  const { slope, aspect } = slopeAspect(dem, grid);
  const lat = transformCoordinates('EPSG:32614', 'EPSG:4326', Float64Array.of(435000), Float64Array.of(4065000)).y[0];
  const sun = sunPosition(lat, dayOfYear(date), 10.5);
  const ill = Float32Array.from(slope, (s, p) => Math.max(slopeIllumination(sun, s, aspect[p]), 0) / sun.cosZenith);
  const lst = Float32Array.from(dem, (z, p) => 300 - 0.0065 * z + 8 * ill[p] - 5 * fv[p]);
  const correct = createTopographicCorrection(terrainOf(dem, grid), cells, { lapseRate: 0.0065, overpassHour: 10.5, minIlluminationSd: 0.01 });
  const { lst: corrected, report } = correct(lst, fv, date);
  assert.ok(report.illuminationSd > 0.02, `illumination spread ${report.illuminationSd}`);
  assert.ok(Math.abs(report.illuminationCoefficient - 8) < 1e-3, `b = ${report.illuminationCoefficient}`);
  // What is left within each cell is the vegetation term only.
  for (let k = 0; k < 9; k++) {
    const px = Array.from(cells.pixels.subarray(cells.start[k], cells.start[k + 1]));
    const rest = px.map((p) => corrected[p] + 5 * fv[p]);
    assert.ok(Math.max(...rest) - Math.min(...rest) < 2e-3, `cell ${k}: spread ${Math.max(...rest) - Math.min(...rest)} K`);
  }
  // Flat terrain: no illumination term.
  const flat = createTopographicCorrection(terrainOf(new Float32Array(900).fill(700), grid), cells, { lapseRate: 0.0065, overpassHour: 10.5, minIlluminationSd: 0.01 });
  assert.equal(flat(lst, fv, date).report.illuminationCoefficient, 0);
});
