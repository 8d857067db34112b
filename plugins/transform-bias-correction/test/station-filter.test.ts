import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGrid, createPluginContext, createWorkerPool, makeSeries, type PluginContext, type Series, type Stations } from '../../../core/index.js';
import { biasCorrectionTransform } from '../index.js';

// 6 × 6 pixels of 0.1°; the product is 0.2 everywhere on 8 dates. Surface stations read product + 0.05;
// a 0.5 m sensor reads 0.45 and one surface station has two flagged spikes of 0.9. Fitted on the good
// observations only, the calibration is exactly product + 0.05; any of the bad ones would pull it away.
const GRID = createGrid(6, 6, [10, 0.1, 0, 46, 0, -0.1], 'EPSG:4326');
const DATES = Array.from({ length: 8 }, (_, i) => `2024-06-0${i + 1}`);
const product: Series = makeSeries({ grid: GRID, dates: DATES, values: DATES.map((_, d) => new Float32Array(36).fill(0.2 + 0.01 * d)), variable: 'sm' });

function stations(): Stations {
  const at = [[0, 0], [2, 1], [4, 4], [1, 5], [5, 2], [3, 3]];
  const list = at.map(([c, r], i) => ({ id: `S${i}`, lon: 10.05 + 0.1 * c, lat: 45.95 - 0.1 * r, depth: i === 5 ? 0.5 : 0.05 }));
  const observations = new Map(list.map((s, i) => {
    const values = Float32Array.from(DATES, (_, d) => (i === 5 ? 0.45 : 0.25 + 0.01 * d));
    const flags = DATES.map((_, d) => (i === 1 && d >= 6 ? 'D03' : 'G'));
    if (i === 1) (values[6] = 0.9), (values[7] = 0.9);
    return [s.id, { dates: DATES, values, flags }] as const;
  }));
  return { kind: 'stations', source: 'net.csv', stations: list, observations };
}

function context(): PluginContext {
  return createPluginContext({ seed: 1, workers: createWorkerPool(1), async instantiate() { throw new Error('none'); } } as unknown as Parameters<typeof createPluginContext>[0]);
}

test('transform:bias-correction fits only surface sensors with accepted flags, and says what it left out', async () => {
  const t = await biasCorrectionTransform.create({ radius: 1, folds: 2, ridge: 1e-6, seed: 1, depthMax: 0.05, flags: ['G'] }, context());
  const out = (await t.apply({ product, stations: stations() })) as unknown as { product: Series; notes: string[] };
  for (let d = 0; d < DATES.length; d++) for (const v of out.product.values[d]) assert.ok(Math.abs(v - (0.25 + 0.01 * d)) < 1e-4, `date ${d}: ${v}`);
  assert.ok(out.notes.some((n) => n.includes('S5') && n.includes('deeper than depthMax 0.05')), out.notes.join('\n'));
  assert.ok(out.notes.some((n) => n.startsWith('2 observation(s) left out for a quality flag')), out.notes.join('\n'));
  // With every flag and depth let in, the spikes and the deep sensor move the fit.
  const loose = await biasCorrectionTransform.create({ radius: 1, folds: 2, ridge: 1e-6, seed: 1, depthMax: 1, flags: ['G', 'D03'] }, context());
  const bad = (await loose.apply({ product, stations: stations() })) as unknown as { product: Series };
  const worst = Math.max(...DATES.map((_, d) => Math.abs(bad.product.values[d][0] - (0.25 + 0.01 * d))));
  assert.ok(worst > 0.02, `${worst}`);
});
