import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxMean, makeSeries, type Stations } from '../../../core/index.js';
import { wcmInverter } from '../index.js';
import { DEFAULT_FORM, WCM_PARAMETER_NAMES, wcmGradient, wcmTerms, type WcmForm, type WcmParameters } from '../src/wcm-model.js';
import { descriptorOnDates } from '../src/descriptor-on-dates.js';
import { exactScene, testContext, TRUTH, wcmParams } from './fixtures.js';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

test('analytic gradient matches central differences for every parameter and form variant', () => {
  const p: WcmParameters = { A: 0.12, B: 0.35, C: -17, D: 28, C1: -0.12, E: 1.3, F: 0.7 };
  const forms: WcmForm[] = [
    DEFAULT_FORM,
    { ...DEFAULT_FORM, angle: 'angle-dependent-c' },
    { ...DEFAULT_FORM, volumeTerm: 'constant' },
    { ...DEFAULT_FORM, soilTerm: 'linear' },
    { ...DEFAULT_FORM, angle: 'normalise' },
  ];
  const grad = new Float64Array(7);
  for (const form of forms) {
    const q = form.soilTerm === 'linear' ? { ...p, C: 0.02, D: 6 } : p;
    for (const [v, th, sm] of [[0.3, 33, 0.2], [0.7, 41, 0.35]]) {
      wcmGradient(q, form, v, th, sm, grad);
      WCM_PARAMETER_NAMES.forEach((name, j) => {
        const h = 1e-6 * Math.max(1, Math.abs(q[name]));
        const f = (x: number) => wcmTerms({ ...q, [name]: x }, form, v, th, sm).total;
        const fd = (f(q[name] + h) - f(q[name] - h)) / (2 * h);
        assert.ok(Math.abs(grad[j] - fd) <= 1e-6 * Math.max(1e-6, Math.abs(fd)) + 1e-12, `${form.soilTerm}/${form.angle}/${form.volumeTerm} ∂/∂${name}: ${grad[j]} vs ${fd}`);
      });
    }
  }
});

test('calibration against a reference product (σ⁰ aggregated in linear units) recovers the parameters; inversion returns the fine SM', async () => {
  const scene = exactScene();
  const inv = await wcmInverter.create(wcmParams({ multilook: 1 }), testContext());
  const cal = await inv.calibrate(scene.input);
  const row = cal.tables!.calibration.rows[0];
  assert.equal(row.set, 'all');
  assert.equal(row.n, 36 * 6);
  for (const name of ['A', 'B', 'C', 'D'] as const) assert.ok(rel(row[name] as number, TRUTH[name]) < 1e-5, `${name}: ${row[name]}`);
  assert.ok((row.rmse_db as number) < 1e-4 && (row.r2 as number) > 0.999999);
  assert.ok(Number.isFinite(row.D_se as number));
  const { product, tables } = await inv.invert(scene.input, cal.model);
  assert.deepEqual(product.dates, scene.days);
  let maxErr = 0;
  product.values.forEach((v, d) => v.forEach((x, p) => (maxErr = Math.max(maxErr, Math.abs(x - scene.smFine.values[d][p])))));
  assert.ok(maxErr < 1e-4, `max |SM − truth| ${maxErr}`);
  assert.equal(tables!.inversion.rows.length, 6);
  // The saved model survives JSON (what the run writes).
  const again = await inv.invert(scene.input, JSON.parse(JSON.stringify(cal.model)));
  assert.deepEqual(again.product.values, product.values);
});

test('per-class calibration recovers two classes with different parameters and inverts each with its own', async () => {
  const crop: WcmParameters = TRUTH;
  const grass: WcmParameters = { ...TRUTH, A: 0.05, B: 0.25, C: -14, D: 18 };
  const scene = exactScene({ cells: 8, classParams: { 12: crop, 10: grass } });
  const inv = await wcmInverter.create(wcmParams({ perClass: true, multilook: 1, minSamples: 20 }), testContext());
  const cal = await inv.calibrate(scene.input);
  const rows = new Map(cal.tables!.calibration.rows.map((r) => [r.set, r]));
  for (const [key, truth] of [['class=12', crop], ['class=10', grass]] as const) {
    const r = rows.get(key)!;
    for (const name of ['A', 'B', 'C', 'D'] as const) assert.ok(rel(r[name] as number, truth[name]) < 1e-4, `${key} ${name}: ${r[name]} vs ${truth[name]}`);
  }
  assert.ok((rows.get('all')!.rmse_db as number) > 0.1, 'a pooled set cannot fit two classes');
  const { product } = await inv.invert(scene.input, cal.model);
  let maxErr = 0;
  product.values.forEach((v, d) => v.forEach((x, p) => (maxErr = Math.max(maxErr, Math.abs(x - scene.smFine.values[d][p])))));
  assert.ok(maxErr < 1e-3, `max |SM − truth| ${maxErr}`);
});

test('angle-dependent C and normalisation: calibration and inversion are consistent with the generating form', async () => {
  for (const form of [{ ...DEFAULT_FORM, angle: 'angle-dependent-c' }, { ...DEFAULT_FORM, angle: 'normalise' }] as WcmForm[]) {
    const params = { ...TRUTH, C1: form.angle === 'angle-dependent-c' ? -0.15 : 0 };
    const scene = exactScene({ form, params });
    const inv = await wcmInverter.create(wcmParams({ angle: form.angle, referenceAngle: form.referenceAngle, multilook: 1 }), testContext());
    const cal = await inv.calibrate(scene.input);
    const row = cal.tables!.calibration.rows[0];
    assert.ok((row.rmse_db as number) < 1e-4, `${form.angle}: rmse ${row.rmse_db}`);
    if (form.angle === 'angle-dependent-c') assert.ok(Math.abs((row.C1 as number) - -0.15) < 1e-4);
    const { product } = await inv.invert(scene.input, cal.model);
    product.values.forEach((v, d) => v.forEach((x, p) => assert.ok(Math.abs(x - scene.smFine.values[d][p]) < 1e-3)));
  }
});

test('masks, incidence range, vegetation swamping and SM bounds give NaN or clipped values, counted per date', async () => {
  const scene = exactScene({ dates: 2 });
  const n = scene.fine.width * scene.fine.height;
  const mask = new Float32Array(n);
  mask[0] = 1;
  const sigma = scene.input.observations.sigma0_vv.values.map((v) => Float32Array.from(v));
  sigma[0][1] = 5; // absurdly bright → SM above the bound → clipped to smMax
  sigma[0][2] = -40; // darker than the vegetation term alone → vegetation-dominated
  const inc = scene.input.observations.incidence.values.map((v) => Float32Array.from(v));
  inc[0][3] = 80; // shadow side
  const input = {
    ...scene.input,
    observations: { sigma0_vv: { ...scene.input.observations.sigma0_vv, values: sigma }, incidence: { ...scene.input.observations.incidence, values: inc } },
    auxiliary: { ...scene.input.auxiliary, mask: makeSeries({ variable: 'mask', grid: scene.fine, dates: [], values: [mask] }) },
  };
  const inv = await wcmInverter.create(wcmParams({ multilook: 1, smMax: 0.45 }), testContext());
  const cal = await inv.calibrate(scene.input);
  const { product, tables } = await inv.invert(input, cal.model);
  const v = product.values[0];
  assert.ok(Number.isNaN(v[0]) && Number.isNaN(v[2]) && Number.isNaN(v[3]));
  assert.equal(v[1], Math.fround(0.45));
  const row = tables!.inversion.rows[0];
  assert.equal(row.masked, 2);
  assert.equal(row.vegetationDominated, 1);
  assert.equal(row.clippedHigh, 1);
  assert.equal(Number(row.valid) + Number(row.clippedHigh) + Number(row.clippedLow) + Number(row.vegetationDominated) + Number(row.masked) + Number(row.noData), n);
});

test('calibration from in-situ stations recovers the parameters', async () => {
  const scene = exactScene({ cells: 8, dates: 8 });
  const stations = [];
  const observations = new Map();
  for (let k = 0; k < 40; k++) {
    const col = 2 + ((k * 7) % 28);
    const row = 2 + ((k * 11) % 28);
    const x = 500000 + (col + 0.5) * 30;
    const y = 4000000 - (row + 0.5) * 30;
    // lon/lat of the point in UTM 33N, the stations' native coordinates
    const { transformCoordinates } = await import('../../../core/index.js');
    const ll = transformCoordinates('EPSG:32633', 'EPSG:4326', Float64Array.of(x), Float64Array.of(y));
    stations.push({ id: `s${k}`, lon: ll.x[0], lat: ll.y[0], depth: 0.05 });
    const p = row * scene.fine.width + col;
    observations.set(`s${k}`, { dates: scene.days, values: Float32Array.from(scene.smFine.values, (v) => v[p]) });
  }
  const st: Stations = { kind: 'stations', stations, observations };
  const inv = await wcmInverter.create(wcmParams({ stationWindow: 1, multilook: 1 }), testContext());
  const cal = await inv.calibrate({ ...scene.input, reference: undefined, stations: st });
  const row = cal.tables!.calibration.rows[0];
  assert.equal(row.source, 'stations');
  assert.equal(row.n, 40 * 8);
  for (const name of ['A', 'B', 'C', 'D'] as const) assert.ok(rel(row[name] as number, TRUTH[name]) < 1e-4, `${name}: ${row[name]}`);
});

test('bad inputs fail with errors naming the field', async () => {
  const scene = exactScene({ dates: 2 });
  const inv = await wcmInverter.create(wcmParams(), testContext());
  await assert.rejects(inv.calibrate({ ...scene.input, auxiliary: {} }), /auxiliary\.ndvi.*expected the vegetation descriptor/);
  await assert.rejects(inv.calibrate({ ...scene.input, reference: undefined }), /expected a `reference` SM series or `stations`/);
  await assert.rejects(inv.invert(scene.input, { kind: 'model', format: 'soilscale-model', formatVersion: 1, pluginId: 'regressor:rf', pluginVersion: '1', params: {}, data: {} }), /model was saved by another plugin \(expected inverter:wcm, found regressor:rf\)/);
});

test('descriptor interpolated linearly in time between observations; beyond the gap → NaN', () => {
  const scene = exactScene({ dates: 1 });
  const g = scene.fine;
  const n = g.width * g.height;
  const a = new Float32Array(n).fill(0.2);
  const b = new Float32Array(n).fill(0.6);
  b[5] = Number.NaN;
  const s = makeSeries({ variable: 'ndvi', grid: g, dates: ['2024-06-01', '2024-06-11'], values: [a, b] });
  const [d1, d2, d3] = descriptorOnDates(s, ['2024-06-03', '2024-06-11', '2024-08-30'], g, 20);
  assert.ok(Math.abs(d1[0] - 0.28) < 1e-6);
  assert.ok(Math.abs(d1[5] - 0.2) < 1e-6, 'one side missing → the other side');
  assert.ok(Math.abs(d2[0] - 0.6) < 1e-6);
  assert.ok(Number.isNaN(d3[0]));
});

test('multilook is a NaN-aware boxcar mean in linear units', () => {
  const w = 7;
  const h = 5;
  const v = Float32Array.from({ length: w * h }, (_, p) => 1 + ((p * 37) % 11));
  v[8] = Number.NaN;
  const out = boxMean(v, w, h, 3);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
    let s = 0, k = 0;
    for (let y = r - 1; y <= r + 1; y++) for (let x = c - 1; x <= c + 1; x++) {
      if (x < 0 || y < 0 || x >= w || y >= h) continue;
      const q = v[y * w + x];
      if (q === q) { s += q; k++; }
    }
    const p = r * w + c;
    if (p === 8) assert.ok(Number.isNaN(out[p]));
    else assert.ok(Math.abs(out[p] - s / k) < 1e-5);
  }
});
