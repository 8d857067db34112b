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
import { readGeoTiff } from '../../core/io/geotiff-read.js';
import { writeGeoTiff } from '../../core/io/geotiff-write.js';
import { openRasterLayer } from '../../core/io/raster-source.js';
import { createGrid } from '../../core/model/grid.js';
import { rasterFromBands } from '../../core/model/raster.js';
import { ROOT, tempDir } from '../core/pipeline/helpers.js';
import { sharedDataPath } from '../support/shared-data.js';

const CCI = ['20161227', '20161231'].map((d) => sharedDataPath('real', 'esa-cci-sm-tuwgeo', 'esa_cci', '2016', `ESACCI-SOILMOISTURE-L3S-SSMV-PASSIVE-${d}000000-fv04.2.nc`));
const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), ...args], { encoding: 'utf8', cwd: ROOT });

test('stac build + stac validate + run baseline on the real ESA CCI files: fine pixels at CCI cell centres keep the CCI value', async () => {
  const dir = tempDir();
  const data = join(dir, 'downloads');
  mkdirSync(join(data, 'esa_cci'), { recursive: true });
  for (const f of CCI) symlinkSync(f, join(data, 'esa_cci', basename(f)));
  const fine = createGrid(600, 300, [120, 0.05, 0, -20, 0, -0.05], 'EPSG:4326');
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
  for (const [k, date] of ['2016-12-27', '2016-12-31'].entries()) {
    const product = await readGeoTiff(join(out, 'sm_bilinear', `${date}.tif`));
    assert.deepEqual(product.grid.transform, fine.transform);
    const window = { x: 1200, y: 440, width: 120, height: 60 };
    const cci = (await (await openRasterLayer({ path: CCI[k] })).read(window)).values;
    let compared = 0;
    for (let r = 1; r < window.height - 1; r++) {
      for (let c = 1; c < window.width - 1; c++) {
        const v = cci[r * window.width + c];
        if (Number.isNaN(v)) continue;
        assert.ok(Math.abs(product.bands[0][(5 * r + 2) * 600 + 5 * c + 2] - v) < 1e-6, `${date} cell ${c},${r}`);
        compared++;
      }
    }
    assert.ok(compared > 1000, `${compared} CCI cells compared`);
  }
});

test('stac validate on a broken file exits 2 and names the file, path, expected and found', () => {
  const r = cli('stac', 'validate', join(ROOT, 'package.json'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /package\.json: type: must be one of "Feature", "Collection", "Catalog", "FeatureCollection", got "module"/);
});
