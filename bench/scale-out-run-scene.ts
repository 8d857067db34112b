/**
 * Writes the bench field (`source:bench-field`'s formula) as a STAC scene of one static float32 COG, for
 * `soilscale run bench/scale-out-run-stac.json` (docs/scale-out.md, Memory): the same product as
 * `bench/scale-out-run.json`, its input read from a GeoTIFF by `source:stac`.
 *
 * Usage: `node dist/bench/scale-out-run-scene.js <folder> [size=12000]` (rows written in strips: the
 * generator holds a strip, not the field).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createGeoTiffWriter } from '../core/index.js';
import { benchFieldGrid, benchFieldRows } from './scale-out-run-plugins.js';

const STRIP_ROWS = 512;

async function writeBenchScene(dir: string, size: number): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const grid = benchFieldGrid(size);
  const writer = await createGeoTiffWriter(join(dir, 'x.tif'), { grid, bandCount: 1 });
  for (let y = 0; y < size; y += STRIP_ROWS) {
    const rows = Math.min(STRIP_ROWS, size - y);
    await writer.writeRows([benchFieldRows(size, y, rows)], rows);
  }
  await writer.close();
  const item = { type: 'Feature', stac_version: '1.0.0', id: 'bench-field', properties: { datetime: null }, assets: { x: { href: './x.tif', type: 'image/tiff; application=geotiff; profile=cloud-optimized' } }, links: [] };
  const file = join(dir, 'catalog.json');
  writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [item] }, null, 2));
  return file;
}

const [dir, size = '12000'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node dist/bench/scale-out-run-scene.js <folder> [size]');
  process.exit(2);
}
console.log(`wrote ${await writeBenchScene(resolve(dir), Number(size))}`);
