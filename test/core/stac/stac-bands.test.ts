/**
 * Multi-band and ungeoreferenced GeoTIFFs in a STAC scene: `soilscale:band` picks one band (index or
 * name), a multi-band asset that names none is an error (band 1 is never read by default), and a TIFF
 * without georeferencing takes the grid of its STAC `proj:*` fields. `stac build` gives a multi-band
 * file one asset per band. The files are the ESTARFM reference stacks (3-band int16, no GeoTIFF tags).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGrid, rasterFromBands, readGeoTiff, readGeoTiffInfo, writeGeoTiff, type Series } from '../../../core/index.js';
import { readStacScene } from '../../../core/stac/index.js';
import { buildStacCatalog } from '../../../core/stac/stac-build.js';
import { sharedDataPath } from '../../support/shared-data.js';

const stack = sharedDataPath('estarfm', 'crop100_3band', 'fine_t1.tif');

async function sceneWith(assets: Record<string, Record<string, unknown>>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-stac-bands-'));
  const { grid } = await readGeoTiffInfo(stack, { allowUngeoreferenced: true });
  const proj = { 'proj:code': 'EPSG:32633', 'proj:shape': [grid.height, grid.width], 'proj:transform': [30, 0, 500000, 0, -30, 4200000] };
  const item = { type: 'Feature', stac_version: '1.0.0', id: 'd1', geometry: null, properties: { datetime: '2001-05-24T00:00:00Z' }, links: [], assets: Object.fromEntries(Object.entries(assets).map(([k, a]) => [k, { href: stack, type: 'image/tiff', ...proj, ...a }])) };
  const path = join(dir, 'items.json');
  writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', features: [item] }));
  return path;
}

test('soilscale:band picks a band by index on an ungeoreferenced stack, which takes the STAC grid', async () => {
  const scene = await readStacScene(await sceneWith({ green: { 'soilscale:band': 0 }, nir: { 'soilscale:band': 2 } }));
  const nir = (await scene.load('nir')) as Series;
  const direct = await readGeoTiff(stack, { allowUngeoreferenced: true, bands: [2] });
  assert.deepEqual(nir.values[0], direct.bands[0]);
  assert.notDeepEqual(nir.values[0], ((await scene.load('green')) as Series).values[0]);
  assert.equal(nir.grid.crs, 'EPSG:32633');
  assert.deepEqual([...nir.grid.transform], [500000, 30, 0, 4200000, 0, -30]);
});

test('a multi-band asset that names no band is an error naming the file and the way out; a bad band is an error', async () => {
  const scene = await readStacScene(await sceneWith({ all: {} })).catch((e: Error) => e);
  const load = scene instanceof Error ? Promise.reject(scene) : scene.load('all');
  await assert.rejects(load, (e: Error) => e.name === 'SoilscaleError' && /3 bands and the asset names none/.test(e.message) && /soilscale:band/.test(e.message) && e.message.includes('fine_t1.tif'));
  await assert.rejects(
    sceneWith({ x: { 'soilscale:band': -1 } }).then(readStacScene),
    (e: Error) => e.name === 'SoilscaleError' && /bad soilscale:band/.test(e.message),
  );
});

test('stac build gives a multi-band GeoTIFF one asset per band, named by its band description, and the scene reads each', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-stac-bands-build-'));
  const grid = createGrid(6, 4, [500000, 30, 0, 4200000, 0, -30], 'EPSG:32633');
  const band = (k: number) => Float32Array.from({ length: 24 }, (_, i) => k * 100 + i);
  await writeGeoTiff(join(dir, 'hls_20200601.tif'), rasterFromBands(grid, [band(1), band(2), band(3)], ['red', 'nir', 'swir1']));
  const out = join(dir, 'collection.json');
  await buildStacCatalog(dir, { out, datePattern: '{YYYY}{MM}{DD}', assets: ['hls=hls_*.tif'] });
  const scene = await readStacScene(out);
  assert.deepEqual(scene.assets().map((a) => a.key).sort(), ['hls_nir', 'hls_red', 'hls_swir1']);
  assert.deepEqual(((await scene.load('hls_nir')) as Series).values[0], band(2));
  assert.deepEqual(((await scene.load('hls_swir1')) as Series).values[0], band(3));
});
