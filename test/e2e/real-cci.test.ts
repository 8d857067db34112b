/**
 * The real ESA CCI files run through a shipped pipeline (baseline: bilinear to a fine grid) from a STAC
 * ItemCollection that lists the NetCDF files as they were downloaded: dates, grid and quality mask come
 * from the files, and the run manifest records the mask rules and the files' checksums.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeGeoTiff } from '../../core/io/geotiff-write.js';
import { rasterFromBands } from '../../core/model/raster.js';
import { ROOT, tempDir } from '../core/pipeline/helpers.js';
import { assertFineKeepsCci, CCI_FILES, CCI_FINE_GRID } from '../support/real-cci.js';

const CCI = CCI_FILES;

test('baseline pipeline on real ESA CCI NetCDF files: dates from the files, fine pixels at CCI cell centres keep the CCI value', async () => {
  const dir = tempDir();
  // Target: 0.05° over eastern Australia (austral summer: little frozen soil), nested 5 × 5 in the CCI cells.
  const fine = CCI_FINE_GRID;
  await writeGeoTiff(join(dir, 'ndvi.tif'), rasterFromBands(fine, [new Float32Array(600 * 300).fill(0.5)]), { overviews: false });
  const item = (id: string, assets: object) => ({ type: 'Feature', stac_version: '1.0.0', id, properties: { datetime: null }, assets, links: [] });
  const features = [...CCI.map((f, k) => item(`cci-${k}`, { sm_coarse: { href: f, type: 'application/netcdf' } })), item('static', { ndvi_005deg: { href: 'ndvi.tif' } })];
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify({ type: 'FeatureCollection', id: 'cci-real', features }));

  const out = join(dir, 'out');
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'run', join(ROOT, 'pipelines', 'baseline.json'), '--out', out, '--quiet', '--param', `scene=${join(dir, 'catalog.json')}`, '--param', 'target=ndvi_005deg'], { encoding: 'utf8', cwd: ROOT });
  assert.equal(r.status, 0, r.stderr);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  const scene = manifest.nodes.find((n: { id: string }) => n.id === 'scene');
  assert.deepEqual(scene.params.products.cci, { mask: [{ flag: 'flag', allowOnly: ['barren_ground'] }] });
  for (const f of CCI) assert.match(manifest.inputs[f], /^[0-9a-f]{64}$/, `checksum of ${f}`);

  await assertFineKeepsCci(out);
});
