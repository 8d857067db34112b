import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rasterizePolygons } from '../../../core/grid-ops/index.js';
import { transformCoordinates } from '../../../core/crs/index.js';
import { createGrid } from '../../../core/model/grid.js';
import { SoilscaleError } from '../../../core/errors.js';

const grid = createGrid(10, 10, [0, 1, 0, 10, 0, -1], 'EPSG:4326');

function render(out: Float32Array, w: number): string[] {
  const rows: string[] = [];
  for (let r = 0; r < out.length / w; r++) {
    rows.push(Array.from(out.subarray(r * w, (r + 1) * w), (v) => (Number.isNaN(v) ? '.' : String(v))).join(''));
  }
  return rows;
}

test('polygon with a hole, multipolygon, property values, later features on top', () => {
  const fc = {
    type: 'FeatureCollection' as const,
    features: [
      {
        type: 'Feature',
        properties: { zone: 1 },
        geometry: {
          type: 'Polygon',
          coordinates: [
            [[1, 1], [7, 1], [7, 9], [1, 9], [1, 1]],
            [[3, 3], [5, 3], [5, 6], [3, 6], [3, 3]],
          ],
        },
      },
      {
        type: 'Feature',
        properties: { zone: 2 },
        geometry: {
          type: 'MultiPolygon',
          coordinates: [
            [[[6, 8], [10, 8], [10, 10], [6, 10], [6, 8]]],
            [[[8, 0], [9.6, 0], [9.6, 0.4], [8, 0.4], [8, 0]]], // covers no pixel centre (y centres at .5)
            [[[8, 0], [10, 1.2], [8, 1.2], [8, 0]]], // triangle: at y = 0.5 it spans x 8…8.83, so only centre (8.5, 0.5)
          ],
        },
      },
      { type: 'Feature', properties: { zone: 3 }, geometry: null },
    ],
  };
  const out = rasterizePolygons(fc, grid, { property: 'zone' });
  assert.deepEqual(render(out, 10), [
    '......2222',
    '.111112222',
    '.111111...',
    '.111111...',
    '.11..11...',
    '.11..11...',
    '.11..11...',
    '.111111...',
    '.111111...',
    '........2.',
  ]);
  // default value: feature index + 1
  const byIndex = rasterizePolygons(fc, grid);
  assert.equal(byIndex[5 * 10 + 1], 1);
  assert.equal(byIndex[0 * 10 + 9], 2);
});

test('polygons in another CRS are transformed to the grid', () => {
  const utm = createGrid(20, 20, [500000, 100, 0, 5001000, 0, -100], 'EPSG:32633');
  // A square of 1000 m × 1000 m in UTM, given in lon/lat.
  const corners = [[500500, 4999500], [501500, 4999500], [501500, 5000500], [500500, 5000500], [500500, 4999500]];
  const ll = transformCoordinates('EPSG:32633', 'EPSG:4326', Float64Array.from(corners, (p) => p[0]), Float64Array.from(corners, (p) => p[1]));
  const ring = corners.map((_, i) => [ll.x[i], ll.y[i]]);
  const out = rasterizePolygons({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } }] }, utm);
  let count = 0;
  for (let r = 0; r < 20; r++) {
    for (let c = 0; c < 20; c++) {
      const inside = c >= 5 && c < 15 && r >= 5 && r < 15;
      assert.equal(out[r * 20 + c] === 1, inside, `(${c}, ${r})`);
      if (inside) count++;
    }
  }
  assert.equal(count, 100);
  // Same polygon given directly in the grid CRS.
  const same = rasterizePolygons({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [corners] } }] }, utm, { crs: 'EPSG:32633' });
  assert.deepEqual([...same].map((v) => v === 1), [...out].map((v) => v === 1));
});

test('bad features are input errors naming the feature', () => {
  const line = { type: 'FeatureCollection' as const, features: [{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] } }] };
  assert.throws(() => rasterizePolygons(line, grid, { source: 'zones.geojson' }), (e: unknown) => e instanceof SoilscaleError && /zones\.geojson: features\[0\]\.geometry\.type/.test(e.message));
  const noProp = { type: 'FeatureCollection' as const, features: [{ type: 'Feature', properties: { zone: 'a' }, geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] } }] };
  assert.throws(() => rasterizePolygons(noProp, grid, { property: 'zone' }), (e: unknown) => e instanceof SoilscaleError && /features\[0\]\.properties\.zone/.test(e.message));
});
