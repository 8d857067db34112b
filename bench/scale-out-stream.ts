/**
 * A child process of the scale-out benchmark, so that its peak RSS is its own:
 * `node scale-out-stream.js input <dir> <size>` writes a static size × size GeoTIFF (row strips);
 * `node scale-out-stream.js product <dir> <size> <dates> <threads>` runs a `dates`-date tile stage over it
 * (input read by window, `kind: 'raster'`) on the local executor and streams the product to one COG per
 * date (`streamStageToCogs`). Prints one JSON line: phase seconds and `process.resourceUsage().maxRSS`.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createGeoTiffWriter, createGrid, createWorkerPool } from '../core/index.js';
import { builtinTileTask, createLocalExecutor, runTileStage, streamStageToCogs } from '../host/index.js';
import { dailyTileTask } from './scale-out-tiles.js';

const [phase, dir, sizeText, datesText, threadsText] = process.argv.slice(2);
const size = Number(sizeText);
const grid = createGrid(size, size, [500000, 30, 0, 4300000, 0, -30], 'EPSG:32633');
const input = join(dir, 'x.tif');
const maxRssMiB = (): number => process.resourceUsage().maxRSS / 1024;

if (phase === 'input') {
  const t0 = performance.now();
  const writer = await createGeoTiffWriter(input, { grid, bandCount: 1, overviews: false });
  const rows = 256;
  const strip = new Float32Array(rows * size);
  for (let y = 0; y < size; y += rows) {
    const n = Math.min(rows, size - y);
    for (let r = 0; r < n; r++) for (let c = 0; c < size; c++) strip[r * size + c] = 0.2 + 0.1 * Math.sin((c + y + r) / 500) * Math.cos((y + r) / 300);
    await writer.writeRows([strip], n);
  }
  await writer.close();
  console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, bytes: statSync(input).size, maxRssMiB: maxRssMiB() }));
} else {
  const dates = Array.from({ length: Number(datesText) }, (_, d) => `2024-06-${String(d + 1).padStart(2, '0')}`);
  const pool = createWorkerPool(Number(threadsText));
  const store = join(dir, 'tiles');
  const t0 = performance.now();
  const stage = await runTileStage(
    { store, run: 'bench-stream', scope: 'stream', executor: createLocalExecutor(pool, builtinTileTask) },
    {
      name: 'daily',
      task: dailyTileTask,
      params: { dates: dates.length },
      grid,
      dates,
      inputs: { x: { raster: { variable: 'x', grid, dates: [], layers: [{ path: input }] } } },
      outputs: [{ name: 'out', variable: 'sm' }],
    },
  );
  const t1 = performance.now();
  const files = await streamStageToCogs(store, stage.id, 'out', join(dir, 'product'));
  const t2 = performance.now();
  await pool.close();
  const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
  console.log(JSON.stringify({ tiles: stage.windows.length, tileSeconds: (t1 - t0) / 1000, streamSeconds: (t2 - t1) / 1000, files: files.length, bytes, maxRssMiB: maxRssMiB() }));
}
