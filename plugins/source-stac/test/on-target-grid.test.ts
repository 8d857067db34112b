import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGrid, createMemoryLogger, createPluginContext, createWorkerPool, type Grid } from '../../../core/index.js';
import { memoryScene } from '../../../test/support/memory-scene.js';
import { onTargetGrid } from '../src/on-target-grid.js';

const target = createGrid(20, 20, [500000, 100, 0, 4200000, 0, -100], 'EPSG:32633');
const other = createGrid(12, 12, [499000, 250, 0, 4201000, 0, -250], 'EPSG:32633'); // covers the target

/** A static scene of layers of 0.5 on the given grids. */
const scene = (grids: Record<string, Grid>) => memoryScene(Object.fromEntries(Object.entries(grids).map(([k, grid]) => [k, { grid, values: new Float32Array(grid.width * grid.height).fill(0.5) }])));

const params = { grid: { like: 'dem_100m' }, resampling: {} };

test('decisions go to context.warn when the host provides it', async () => {
  const warnings: Array<[string, string]> = [];
  const context = { ...createPluginContext({ workers: createWorkerPool(1), logger: createMemoryLogger() }), warn: (code: string, message: string) => void warnings.push([code, message]) };
  const s = await onTargetGrid({ load: async () => scene({ dem_100m: target, ndvi_250m: other }) }, params, context).load();
  assert.deepEqual(warnings.map(([code]) => code), ['grid.warp']);
  assert.match(warnings[0][1], /^ndvi_250m \(EPSG:32633, pixels ≈ 250 m here\) warped onto the target grid \(EPSG:32633, 100 m pixels\) with bilinear/);
  const ndvi = await s.load('ndvi_250m');
  assert.deepEqual(ndvi.grid, target);
  assert.ok(ndvi.values[0].every((v) => Math.abs(v - 0.5) < 1e-6), 'a constant field stays constant on every target pixel');
});

test('a library context without a run logs the decisions as warnings', async () => {
  const logger = createMemoryLogger();
  const context = createPluginContext({ workers: createWorkerPool(1), logger });
  await onTargetGrid({ load: async () => scene({ dem_100m: target, ndvi_250m: other }) }, params, context).load();
  assert.ok(logger.lines.some((l) => /\[warn\] ndvi_250m .* with bilinear .*\(grid\.warp\)/.test(l)), logger.lines.join('\n'));
});
