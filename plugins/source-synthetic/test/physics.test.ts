import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSoilscaleError } from '../../../core/index.js';
import { blockMean } from '../src/fields.js';
import { generateSyntheticScene, wcmForward, type SyntheticSceneData } from '../src/generate.js';
import { soilEvaporativeEfficiency, surfaceExcess } from '../src/land-surface.js';
import { resolveOptions } from '../src/options.js';
import { SAR_LOOKS } from '../src/presets.js';
import { airDryWaterContent, saxtonRawls } from '../src/soil.js';

// Small but complete: 3×3 coarse cells of 6×6 "1 km" pixels, a 60×60 px 30 m sub-area, the summer season.
const OPTIONS = resolveOptions({ days: 90, start: '2023-05-01', coarseCells: 3, coarseFactor: 6, fineFactor: 10, subAreaCells: 1, stations: 15, seed: 3 });
const scene = generateSyntheticScene(OPTIONS, true);
const diag = scene.diagnostics!;
const layer = (s: SyntheticSceneData, key: string) => {
  const l = s.layers.find((x) => x.key === key);
  assert.ok(l, `layer ${key}`);
  return l;
};

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0, sa = 0, sb = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i]) && Number.isFinite(b[i])) (n++, (sa += a[i]), (sb += b[i]));
  const ma = sa / n, mb = sb / n;
  let cov = 0, va = 0, vb = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) continue;
    cov += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) ** 2;
    vb += (b[i] - mb) ** 2;
  }
  return cov / Math.sqrt(va * vb);
}

function meanSd(a: ArrayLike<number>): { mean: number; sd: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  const mean = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i] - mean) ** 2;
  return { mean, sd: Math.sqrt(v / (a.length - 1)) };
}

test('Saxton–Rawls reproduces the loam row of their Table 3 (approximately) and orders textures', () => {
  const loam = saxtonRawls(40, 20, 2.5);
  assert.ok(Math.abs(loam.wiltingPoint - 0.12) < 0.02, `wp ${loam.wiltingPoint}`);
  assert.ok(Math.abs(loam.fieldCapacity - 0.28) < 0.03, `fc ${loam.fieldCapacity}`);
  assert.ok(Math.abs(loam.porosity - 0.46) < 0.03, `porosity ${loam.porosity}`);
  const sand = saxtonRawls(88, 5, 2.5);
  const clay = saxtonRawls(25, 50, 2.5);
  assert.ok(sand.ksat > loam.ksat && loam.ksat > clay.ksat, 'Ksat decreases with clay');
  assert.ok(sand.fieldCapacity < loam.fieldCapacity && loam.fieldCapacity < clay.fieldCapacity, 'field capacity increases with clay');
});

test('the water balance closes per pixel and day: ΔS = P − ET − Q − D', () => {
  const storage = diag.storage;
  let worst = 0;
  let runoff = 0;
  let drainage = 0;
  for (let d = 0; d < storage.length; d++) {
    for (let k = 0; k < storage[d].length; k++) {
      const before = d === 0 ? diag.initialStorage[k] : storage[d - 1][k];
      const dS = storage[d][k] - before;
      const flux = diag.precip[d][k] - diag.et[d][k] - diag.runoff[d][k] - diag.drainage[d][k];
      worst = Math.max(worst, Math.abs(dS - flux));
      runoff += Math.abs(diag.runoff[d][k]);
      drainage += diag.drainage[d][k];
    }
  }
  assert.ok(worst < 2e-3, `largest imbalance ${worst} mm`);
  assert.ok(runoff > 0 && drainage > 0, 'runoff and drainage both occur (the check is not vacuous)');
});

test('the surface layer stays within [air-dry, porosity] and dries below the wilting point; the root zone stays within [wilting point, porosity]', () => {
  const sm = layer(scene, 'sm_truth_1km').values;
  const { x, y, width, height } = scene.subArea;
  const kmW = scene.grids.km.width;
  const within = (v: number, lo: number, hi: number) => v >= Math.fround(lo) - 1e-6 && v <= Math.fround(hi) + 1e-6;
  let belowWiltingPoint = 0;
  sm.forEach((day, d) => {
    for (let k = 0; k < day.length; k++) {
      const c = k % kmW, r = Math.floor(k / kmW);
      if (c >= x && c < x + width && r >= y && r < y + height) continue; // block means of 30 m pixels, checked below
      assert.ok(within(day[k], diag.airDry[k], diag.porosity[k]), `pixel ${k}: ${day[k]}`);
      assert.ok(within(diag.rootTheta[d][k], diag.wiltingPoint[k], diag.porosity[k]), `root zone, pixel ${k}: ${diag.rootTheta[d][k]}`);
      if (day[k] < diag.wiltingPoint[k] - 0.01) belowWiltingPoint++;
    }
  });
  for (const day of layer(scene, 'sm_truth_30m').values) {
    for (let k = 0; k < day.length; k++) assert.ok(within(day[k], diag.fine.airDry[k], diag.fine.porosity[k]), `30 m pixel ${k}: ${day[k]}`);
  }
  const total = sm.length * sm[0].length;
  assert.ok(belowWiltingPoint > 0.02 * total, `${belowWiltingPoint} of ${total} pixel-days more than 0.01 below the wilting point`);
});

test('air-dry water content: below the wilting point, and closer across textures', () => {
  const loam = saxtonRawls(40, 20, 2);
  const clay = saxtonRawls(25, 45, 2);
  const sand = saxtonRawls(85, 5, 2);
  // θ_ad = θ1500·(1500/100000)^(1/B): the retention curve of the loam (B ≈ 4.7) at −100 MPa.
  const expected = loam.wiltingPoint * (1500 / 100000) ** (1 / loam.b);
  assert.ok(Math.abs(airDryWaterContent(loam) - expected) < 1e-12);
  for (const h of [loam, clay, sand]) assert.ok(airDryWaterContent(h) < 0.7 * h.wiltingPoint && airDryWaterContent(h) > 0);
  assert.ok(airDryWaterContent(clay) - airDryWaterContent(sand) < clay.wiltingPoint - sand.wiltingPoint, 'the texture spread shrinks at the dry end');
});

test('soil moisture correlates with precipitation (+), LST (−) and the wetness index (+)', () => {
  const sm = layer(scene, 'sm_truth_1km').values;
  const days = sm.length;
  const n = sm[0].length;
  // Precipitation as observed (the coarse 0.1°-like product) against same-day SM, pooled.
  const p = layer(scene, 'precip_1km').values;
  const poolP = new Float64Array(days * n), poolS = new Float64Array(days * n);
  for (let d = 0; d < days; d++) for (let k = 0; k < n; k++) ((poolP[d * n + k] = p[d][k]), (poolS[d * n + k] = sm[d][k]));
  const rP = pearson(poolP, poolS);
  assert.ok(rP > 0.1, `corr(SM, precip) = ${rP}`);
  // LST: the spatial correlation on each day with enough clear pixels, averaged.
  const lst = layer(scene, 'lst_1km').values;
  const rs: number[] = [];
  for (let d = 0; d < days; d++) {
    const clear = lst[d].reduce((c, v) => c + (Number.isNaN(v) ? 0 : 1), 0);
    if (clear > n / 2) rs.push(pearson(lst[d], sm[d]));
  }
  const rLst = rs.reduce((a, b) => a + b, 0) / rs.length;
  assert.ok(rs.length > 10 && rLst < -0.2, `mean daily corr(SM, LST) = ${rLst} over ${rs.length} days`);
  // Wetness index against the time-mean SM.
  const meanSm = new Float64Array(n);
  for (const day of sm) for (let k = 0; k < n; k++) meanSm[k] += day[k] / days;
  const rTwi = pearson(layer(scene, 'twi_1km').values[0], meanSm);
  assert.ok(rTwi > 0.1, `corr(mean SM, TWI) = ${rTwi}`);
});

test('sm_coarse is the block mean of the truth plus the per-cell bias plus N(0, 0.02)', () => {
  const sm = layer(scene, 'sm_truth_1km').values;
  const coarse = layer(scene, 'sm_coarse').values;
  const f = OPTIONS.coarseFactor;
  const errors: number[] = [];
  const residual: number[] = [];
  coarse.forEach((c, d) => {
    const bm = blockMean(sm[d], scene.grids.km.width, scene.grids.km.height, f);
    for (let k = 0; k < c.length; k++) {
      residual.push(c[k] - bm[k]);
      errors.push(c[k] - bm[k] - diag.smCoarseBias[k]);
    }
  });
  const r = meanSd(residual);
  assert.ok(Math.abs(r.mean - 0.02) < 0.01, `mean bias ${r.mean}`);
  const e = meanSd(errors);
  assert.ok(Math.abs(e.mean) < 0.004, `random error mean ${e.mean}`);
  assert.ok(Math.abs(e.sd - 0.02) < 0.003, `random error sd ${e.sd}`);
  assert.equal(scene.grids.coarse.width * f, scene.grids.km.width);
  assert.equal(scene.grids.coarse.transform[1], scene.grids.km.transform[1] * f, 'grids nest exactly');
});

test('30 m truth block means equal the 1 km truth on the sub-area', () => {
  const km = layer(scene, 'sm_truth_1km').values;
  const fine = layer(scene, 'sm_truth_30m').values;
  const { x, y, width } = scene.subArea;
  const g = scene.grids.fine;
  for (let d = 0; d < km.length; d += 7) {
    const bm = blockMean(fine[d], g.width, g.height, OPTIONS.fineFactor);
    for (let b = 0; b < bm.length; b++) {
      const k = (y + Math.floor(b / width)) * scene.grids.km.width + x + (b % width);
      assert.ok(Math.abs(bm[b] - km[d][k]) < 1e-6, `day ${d} block ${b}`);
    }
  }
  assert.equal(g.transform[0], scene.grids.km.transform[0] + x * scene.grids.km.transform[1]);
});

test('σ⁰ is the Water Cloud Model of the 30 m truth with gamma speckle of the stated looks', () => {
  const sigma = layer(scene, 'sigma0_vv_30m');
  const inc = layer(scene, 'incidence_30m');
  const sm30 = layer(scene, 'sm_truth_30m');
  assert.ok(sigma.dates.length >= 10);
  const resid: number[] = [];
  sigma.dates.forEach((date, i) => {
    const ndvi = diag.ndviTrue30.get(date)!;
    const sm = sm30.values[sm30.dates.indexOf(date)];
    for (let k = 0; k < ndvi.length; k++) {
      const model = 10 * Math.log10(wcmForward(Math.max(ndvi[k], 0), (inc.values[i][k] * Math.PI) / 180, sm[k]));
      resid.push(sigma.values[i][k] - model);
    }
  });
  // 10·log10 of Gamma(L, 1/L): mean 10/ln10·(ψ(L) − ln L), variance (10/ln10)²·ψ'(L).
  const L = SAR_LOOKS;
  const expectedMean = (10 / Math.LN10) * (-1 / (2 * L) - 1 / (12 * L * L));
  const expectedSd = (10 / Math.LN10) * Math.sqrt(1 / L + 1 / (2 * L * L) + 1 / (6 * L ** 3));
  const r = meanSd(resid);
  assert.ok(Math.abs(r.mean - expectedMean) < 0.02, `speckle mean ${r.mean} vs ${expectedMean}`);
  assert.ok(Math.abs(r.sd / expectedSd - 1) < 0.03, `speckle sd ${r.sd} vs ${expectedSd}`);
  // The soil signal is there: σ⁰ correlates with SM on each date.
  const d0 = sigma.dates[0];
  assert.ok(pearson(sigma.values[0], sm30.values[sm30.dates.indexOf(d0)]) > 0.2);
});

test('30 m NDVI is consistent with the 1 km NDVI, optical dates are at least two', () => {
  const ndvi30 = layer(scene, 'ndvi_30m');
  const ndvi1 = layer(scene, 'ndvi_1km');
  assert.ok(ndvi30.dates.length >= 2);
  const { x, y, width } = scene.subArea;
  const g = scene.grids.fine;
  const a: number[] = [];
  const b: number[] = [];
  ndvi30.dates.forEach((date, i) => {
    const bm = blockMean(ndvi30.values[i], g.width, g.height, OPTIONS.fineFactor);
    const day = ndvi1.values[ndvi1.dates.indexOf(date)];
    for (let j = 0; j < bm.length; j++) {
      a.push(bm[j]);
      b.push(day[(y + Math.floor(j / width)) * scene.grids.km.width + x + (j % width)]);
    }
  });
  assert.ok(pearson(a, b) > 0.9, `corr ${pearson(a, b)}`);
  const diff = meanSd(a.map((v, i) => v - b[i]));
  assert.ok(Math.abs(diff.mean) < 0.03, `mean difference ${diff.mean}`);
});

test('stations: 15–30, located in their pixel, truth + bias + point noise', () => {
  assert.ok(scene.stations.length >= 15 && scene.stations.length <= 30);
  const sm = layer(scene, 'sm_truth_1km').values;
  const sm30 = layer(scene, 'sm_truth_30m').values;
  const g = scene.grids.km;
  const pointNoise: number[] = [];
  for (const s of scene.stations) {
    const c = Math.floor((s.x - g.transform[0]) / g.transform[1]);
    const r = Math.floor((s.y - g.transform[3]) / g.transform[5]);
    assert.equal(r * g.width + c, s.kmPixel, `${s.id} lies in its pixel`);
    s.dates.forEach((date, i) => {
      const d = scene.dates.indexOf(date);
      const truth = s.finePixel >= 0 ? sm30[d][s.finePixel] : sm[d][s.kmPixel];
      pointNoise.push(s.values[i] - truth - s.bias);
    });
  }
  assert.ok(scene.stations.some((s) => s.finePixel >= 0), 'some stations inside the 30 m sub-area');
  const e = meanSd(pointNoise);
  assert.ok(Math.abs(e.mean) < 0.003 && Math.abs(e.sd - 0.012) < 0.003, `point noise ${e.mean} ± ${e.sd}`);
});

test('bad options are reported with the field, expected and found', () => {
  assert.throws(
    () => resolveOptions({ climate: 'tropical' as never }),
    (e) => isSoilscaleError(e) && e.details.path === 'climate' && /tropical/.test(e.message),
  );
  assert.throws(() => resolveOptions({ start: '2023-02-30' }), (e) => isSoilscaleError(e) && e.details.path === 'start');
  assert.throws(() => resolveOptions({ coarseCells: 2, subAreaCells: 3 }), (e) => isSoilscaleError(e) && e.details.path === 'subAreaCells');
});

test('the energy balance gives the textbook bare-soil excess and a 10–25 K dry–wet contrast in semi-arid summer', () => {
  // Hand calculation: k = (1 − 0.35)·74/1200 = 0.040083; 4σT³ at 303 K = 6.3091 W m⁻² K⁻¹;
  // ΔT = 450·k/(1 + 6.3091·k) = 14.397 K for a dry soil (no evaporation).
  assert.ok(Math.abs(surfaceExcess(450, 0.35, 0, 0.95, 74, 303) - 14.397) < 0.01, `${surfaceExcess(450, 0.35, 0, 0.95, 74, 303)}`);
  // Wet soil (SEE 0.95) is only a little warmer than the air; a stressed canopy warmer than a transpiring one.
  const wet = surfaceExcess(450, 0.35, 0.95, 0.95, 74, 303);
  assert.ok(wet > 0 && wet < 3, `wet soil ${wet}`);
  // Late-morning summer contrast between dry and wet bare soil over the preset's wind range (2–6 m/s).
  for (const wind of [2, 4, 6]) {
    const contrast = surfaceExcess(450, 0.35, 0, 0.95, 296 / wind, 303) - surfaceExcess(450, 0.35, 0.95, 0.95, 296 / wind, 303);
    assert.ok(contrast > 7 && contrast < 25, `wind ${wind} m/s: ${contrast} K`);
  }
  // SEE rises with wetness and falls with demand.
  assert.ok(soilEvaporativeEfficiency(0.27, 0.45, 6) > 0.85 && soilEvaporativeEfficiency(0.14, 0.45, 6) < 0.25);
  assert.ok(soilEvaporativeEfficiency(0.2, 0.45, 2) > soilEvaporativeEfficiency(0.2, 0.45, 7));
});

test('LST is an imperfect observation of SM: within coarse cells it tracks SM where the surface is not air-dry, never exactly', () => {
  const sm = layer(scene, 'sm_truth_1km').values;
  const lst = layer(scene, 'lst_1km').values;
  const km = scene.grids.km;
  const f = OPTIONS.coarseFactor;
  const cellOf = (k: number) => Math.floor(Math.floor(k / km.width) / f) * (km.width / f) + Math.floor((k % km.width) / f);
  // Within-cell anomalies of −LST and SM over clear pixels above the air-dry floor, pooled over days.
  const a: number[] = [];
  const b: number[] = [];
  let floorClear = 0;
  let clear = 0;
  sm.forEach((day, d) => {
    const sums = new Map<number, [number, number, number]>();
    const use = (k: number) => lst[d][k] === lst[d][k] && day[k] - diag.airDry[k] > 0.005;
    for (let k = 0; k < day.length; k++) {
      if (lst[d][k] === lst[d][k]) (clear++, (floorClear += use(k) ? 0 : 1));
      if (!use(k)) continue;
      const s = sums.get(cellOf(k)) ?? [0, 0, 0];
      s[0] -= lst[d][k];
      s[1] += day[k];
      s[2]++;
      sums.set(cellOf(k), s);
    }
    for (let k = 0; k < day.length; k++) {
      if (!use(k)) continue;
      const s = sums.get(cellOf(k))!;
      if (s[2] < 5) continue;
      a.push(-lst[d][k] - s[0] / s[2]);
      b.push(day[k] - s[1] / s[2]);
    }
  });
  const r = pearson(a, b);
  assert.ok(a.length > 1000 && r > 0.35 && r < 0.9, `within-cell corr(−LST, SM) = ${r} over ${a.length} pixel-days`);
  // Realised SEE (what the soil temperature responds to) is a monotone but noisy function of SM.
  const rSee = pearson(diag.see.flatMap((x) => [...x]), sm.flatMap((x) => [...x]));
  assert.ok(rSee > 0.3 && rSee < 0.99, `corr(SEE, SM) = ${rSee}`);
  assert.ok(floorClear < clear, 'not every clear pixel is at the floor');
});
