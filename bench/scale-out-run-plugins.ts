/**
 * Plugins for measuring the memory of a normal run (`soilscale run bench/scale-out-run.json`,
 * docs/scale-out.md "Memory"): `source:bench-field` gives one static size × size field from a formula
 * (loaded whole, as source plugins load their assets); `transform:bench-daily` turns it into a `dates`-date
 * series with a tile stage (`dailyTile`) whose output is the run's product as it is, so nothing but
 * the product writer reads it. `bench/scale-out-run-stac.json` reads the same field from a GeoTIFF through
 * `source:stac` (written by `bench/scale-out-run-scene.ts`).
 */
import { createGrid, makeSeries, type Grid, type PluginManifest, type Scene, type Series } from '../core/index.js';
import { dailyTileTask } from './scale-out-tiles.js';

/** The bench field's grid at `size` px (30 m, EPSG:32633). */
export function benchFieldGrid(size: number): Grid {
  return createGrid(size, size, [500000, 30, 0, 4300000, 0, -30], 'EPSG:32633');
}

/** Rows `y0` … `y0 + rows − 1` of the bench field of `size` px: 0.2 + 0.1·sin·cos. */
export function benchFieldRows(size: number, y0: number, rows: number): Float32Array {
  const x = new Float32Array(size * rows);
  for (let y = y0; y < y0 + rows; y++) for (let c = 0; c < size; c++) x[(y - y0) * size + c] = 0.2 + 0.1 * Math.sin((c + y) / 500) * Math.cos(y / 300);
  return x;
}

export const benchField = {
  id: 'source:bench-field',
  version: '1.0.0',
  title: 'Bench: a large static field',
  description: 'One static layer `x` of size × size pixels (30 m, EPSG:32633), 0.2 + 0.1·sin·cos.',
  params: { type: 'object', properties: { size: { type: 'integer', minimum: 1, default: 1000 } }, additionalProperties: false },
  create: (p: { size: number }) => ({
    async load(): Promise<Scene> {
      const grid = benchFieldGrid(p.size);
      const x = benchFieldRows(p.size, 0, p.size);
      const field = makeSeries({ variable: 'x', grid, dates: [], values: [x] });
      const info = { key: 'x', variable: 'x', grid, dates: [] };
      return { kind: 'scene', id: 'bench-field', assets: () => [info], has: (k) => k === 'x', info: () => info, load: async () => field, stations: async () => undefined };
    },
  }),
} as const satisfies PluginManifest<'source'>;

export const benchDaily = {
  id: 'transform:bench-daily',
  version: '1.0.0',
  title: 'Bench: a daily series from a static layer, tile by tile',
  description: 'x·(1 + d/100) + d/1000 for d = 0 … dates − 1, dated from 2024-06-01, through context.tiles.',
  params: { type: 'object', properties: { dates: { type: 'integer', minimum: 1, maximum: 28, default: 10 } }, additionalProperties: false },
  inputs: { input: { type: 'series', required: true, description: 'a static layer' } },
  create: (p: { dates: number }, context) => ({
    async apply(inputs) {
      const input = inputs.input as Series;
      const dates = Array.from({ length: p.dates }, (_, d) => `2024-06-${String(d + 1).padStart(2, '0')}`);
      const out = await context.tiles.run({
        name: 'daily',
        task: dailyTileTask,
        params: { dates: p.dates },
        grid: input.grid,
        dates,
        inputs: { x: { series: input } },
        outputs: [{ name: 'out', variable: 'sm', unit: 'm3/m3' }],
      });
      return { output: out.out };
    },
  }),
} as const satisfies PluginManifest<'transform'>;

export default [benchField, benchDaily];
