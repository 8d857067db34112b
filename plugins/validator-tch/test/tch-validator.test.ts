import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createGrid, createPluginContext, makeSeries, type Series } from '../../../core/index.js';
import { tchValidator, type TchParams } from '../index.js';
import { readCsvColumns, sharedData } from './shared-data.js';

const data = readCsvColumns(sharedData('vectors/tch_testdata.csv'));
const cols = [data.p1, data.p2, data.p3, data.p4];
const M = 60;
const grid = createGrid(3, 2, [0, 1000, 0, 2000, 0, -1000], 'EPSG:32633');
const P = 6;
const dates = Array.from({ length: M }, (_, t) => new Date(Date.UTC(2024, 0, 1 + t)).toISOString().slice(0, 10));

/** Pixel k holds the test columns plus an offset 0.01·k; pixel 5 is nodata in product p2. */
function product(i: number, extraDate = false): Series {
  const ds = extraDate ? [...dates, '2024-12-31'] : dates;
  const values = ds.map((_, t) => {
    const band = new Float32Array(P);
    for (let k = 0; k < P; k++) band[k] = t < M ? cols[i][t] + 0.01 * k : 0.3;
    if (i === 1) band[5] = Number.NaN;
    return band;
  });
  return makeSeries({ variable: 'sm', grid, dates: ds, values, unit: 'm3/m3' });
}
const products = { p1: product(0), p2: product(1), p3: product(2), p4: product(3, true) };
const params: TchParams = { minSamples: 30, maps: true, tripleCollocation: true, pooledAnomalies: true };
const context = createPluginContext();

describe('validator:tch', async () => {
  const validator = await tchValidator.create(params, context);
  const result = await validator.validate({ product: products.p1, products });
  // Float32 storage of the inputs perturbs σ slightly: 2e-6 absolute is well inside the spec's 1e-5.
  const sigma4 = [0.0054537, 0.0194146, 0.0371544, 0.0506488];

  it('per-pixel maps reproduce the N = 4 vector at every valid pixel; NaN where a product is missing', () => {
    for (const [i, name] of ['p1', 'p2', 'p3', 'p4'].entries()) {
      const map = result.maps![name] as Series;
      assert.equal(map.dates.length, 0);
      for (let k = 0; k < 5; k++) assert.ok(Math.abs(map.values[0][k] - sigma4[i]) < 2e-5, `${name} px ${k}: ${map.values[0][k]}`);
      assert.ok(Number.isNaN(map.values[0][5]));
    }
  });

  it('pooled anomalies: σ² scales by P(M−1)/(PM−1) for identical pixel anomalies', () => {
    const f = Math.sqrt((5 * (M - 1)) / (5 * M - 1));
    const rows = result.tables.tch.rows;
    assert.deepEqual(rows.map((r) => r.product), ['p1', 'p2', 'p3', 'p4']);
    rows.forEach((r, i) => {
      assert.equal(r.samples, 5 * M);
      assert.ok(Math.abs((r.errorStd as number) - sigma4[i] * f) < 2e-5, `${r.product}: ${r.errorStd}`);
      assert.ok(Math.abs((r.medianPixelStd as number) - sigma4[i]) < 2e-5);
    });
    const w = rows.reduce((s, r) => s + (r.btchWeight as number), 0);
    assert.ok(Math.abs(w - 1) < 1e-12);
  });

  it('triple collocation on every triplet; p1+p2+p3 matches tch.md §7.3 (scaled for pooling)', () => {
    const rows = result.tables.tripleCollocation.rows;
    assert.equal(rows.length, 12);
    const t = rows.filter((r) => r.triplet === 'p1+p2+p3');
    const f = Math.sqrt((5 * (M - 1)) / (5 * M - 1));
    [0.0081852, 0.0225633, 0.0331758].forEach((s, k) => assert.ok(Math.abs((t[k].errorStd as number) - s * f) < 2e-6, `${t[k].errorStd}`));
    [1, 1.0519342, 0.8915478].forEach((b, k) => assert.ok(Math.abs((t[k].beta as number) - b) < 1e-5));
    [17.427473, 8.180186, 6.268707].forEach((s, k) => assert.ok(Math.abs((t[k].snrDb as number) - s) < 1e-3));
  });

  it('notes the date only one product has', () => {
    assert.ok(result.notes!.some((n) => n.startsWith('p4: 1 date')));
  });

  it('rejects fewer than three products and products on different grids, naming the input', async () => {
    await assert.rejects(validator.validate({ product: products.p1, products: { p1: products.p1, p2: products.p2 } }), /products/);
    const other = makeSeries({ ...products.p3, grid: createGrid(3, 2, [0, 500, 0, 2000, 0, -500], 'EPSG:32633') });
    await assert.rejects(validator.validate({ product: products.p1, products: { ...products, p3: other } }), (e: Error) => {
      assert.equal(e.name, 'SoilscaleError');
      assert.match(e.message, /products\.p3/);
      return true;
    });
  });
});
