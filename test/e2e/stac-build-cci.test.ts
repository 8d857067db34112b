/**
 * From files to a run in three commands, on the real ESA CCI files: `stac build` over a folder of the
 * downloads (plus a fine static GeoTIFF as the target grid), `stac validate`, then the baseline pipeline
 * on the built collection — the same run the hand-written ItemCollection of real-cci.test.ts makes.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { writeGeoTiff } from '../../core/io/geotiff-write.js';
import { rasterFromBands } from '../../core/model/raster.js';
import { ROOT, tempDir } from '../core/pipeline/helpers.js';
import { assertFineKeepsCci, CCI_FILES, CCI_FINE_GRID } from '../support/real-cci.js';

const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), ...args], { encoding: 'utf8', cwd: ROOT });

test('stac build + stac validate + run baseline on the real ESA CCI files: fine pixels at CCI cell centres keep the CCI value', async () => {
  const dir = tempDir();
  const data = join(dir, 'downloads');
  mkdirSync(join(data, 'esa_cci'), { recursive: true });
  for (const f of CCI_FILES) symlinkSync(f, join(data, 'esa_cci', basename(f)));
  const fine = CCI_FINE_GRID;
  await writeGeoTiff(join(data, 'ndvi.tif'), rasterFromBands(fine, [new Float32Array(600 * 300).fill(0.5)]), { overviews: false });

  const collection = join(dir, 'scene', 'collection.json');
  const build = cli('stac', 'build', data, '--out', collection, '--asset', 'ndvi_005deg=ndvi.tif');
  assert.equal(build.status, 0, build.stderr);
  assert.match(build.stdout, /sm_coarse: 2 dates 2016-12-27 … 2016-12-31\n {2}ndvi_005deg: static/);
  const validate = cli('stac', 'validate', collection);
  assert.equal(validate.status, 0, validate.stderr);
  assert.match(validate.stdout, /valid STAC \(4 files\)/);

  const out = join(dir, 'out');
  const run = cli('run', join(ROOT, 'pipelines', 'baseline.json'), '--out', out, '--quiet', '--param', `scene=${collection}`, '--param', 'target=ndvi_005deg');
  assert.equal(run.status, 0, run.stderr);
  await assertFineKeepsCci(out);
});

test('stac validate on a broken file exits 2 and names the file, path, expected and found', () => {
  const r = cli('stac', 'validate', join(ROOT, 'package.json'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /package\.json: type: must be one of "Feature", "Collection", "Catalog", "FeatureCollection", got "module"/);
});
