import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { openRasterLayer } from '../../../core/io/raster-source.js';
import { writeSmapL3 } from '../../../core/io/products/smap-write.js';
import { easeGrid2Global } from '../../../core/io/products/smap.js';
import { readStacScene } from '../../../core/stac/index.js';
import { windowGrid } from '../../../core/model/grid.js';
import { sharedDataPath } from '../../support/shared-data.js';

const CCI = ['20161227', '20161231'].map((d) => sharedDataPath('real', 'esa-cci-sm-tuwgeo', 'esa_cci', '2016', `ESACCI-SOILMOISTURE-L3S-SSMV-PASSIVE-${d}000000-fv04.2.nc`));
const N36 = 964 * 406;
const AM = 'Soil_Moisture_Retrieval_Data_AM';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-stac-products-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** SMAP values that encode the day and cell; every 5th cell has bit 0 of the quality flag set. */
function smapDay(day: number, allFlagged = false) {
  const soilMoisture = new Float32Array(N36).fill(Number.NaN);
  const soilMoistureError = new Float32Array(N36).fill(Number.NaN);
  const retrievalQualFlag = new Uint16Array(N36).fill(65534);
  for (let i = 0; i < N36; i += 2) {
    soilMoisture[i] = Math.fround(0.1 * day + (i % 1000) / 10000);
    soilMoistureError[i] = Math.fround(0.01 + (i % 7) / 1000);
    retrievalQualFlag[i] = allFlagged || i % 5 === 0 ? 1 : 0;
  }
  return { soilMoisture, soilMoistureError, retrievalQualFlag };
}

function item(id: string, datetime: string | null, assets: Record<string, unknown>) {
  return { type: 'Feature', stac_version: '1.0.0', id, properties: { datetime }, assets, links: [] };
}

function collection(dir: string, items: unknown[]): string {
  const path = join(dir, 'catalog.json');
  writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', id: 'products', features: items }));
  return path;
}

test('STAC: SMAP files by product recognition and by relative subdataset hrefs, passes and masks per asset, dates checked', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'data'));
  const dates = ['2019-04-01', '2019-04-02'];
  const names = dates.map((d) => `SMAP_L3_SM_P_${d.replaceAll('-', '')}_R19240_001.h5`);
  for (const [k, name] of names.entries()) {
    await writeSmapL3(join(dir, 'data', name), { grid: 'M36', am: smapDay(k + 1), pm: smapDay(k + 3) });
  }
  const items = dates.map((d, k) =>
    item(d, `${d}T06:00:00Z`, {
      sm_36km: { href: `data/${names[k]}`, type: 'application/x-hdf5' },
      smpm_36km: { href: `data/${names[k]}`, type: 'application/x-hdf5', 'soilscale:pass': 'pm' },
      small_36km: { href: `data/${names[k]}`, type: 'application/x-hdf5', 'soilscale:mask': [] },
      smerr_36km: { href: `HDF5:"data/${names[k]}"://${AM}/soil_moisture_error` },
    }),
  );
  const path = collection(dir, items);
  const scene = await readStacScene(path);
  const grid = easeGrid2Global('M36');
  for (const key of ['sm_36km', 'smpm_36km', 'small_36km', 'smerr_36km']) {
    const info = scene.info(key);
    assert.deepEqual(info.grid, grid, `${key} grid`);
    assert.deepEqual(info.dates, dates, `${key} dates`);
  }
  assert.equal(scene.info('sm_36km').reader, `SMAP L3 SPL3SMP (36 km), AM pass /${AM}/soil_moisture; quality mask: retrieval_qual_flag bits 0 (recommended_quality) clear`);
  assert.match(scene.info('smpm_36km').reader!, /PM pass \/Soil_Moisture_Retrieval_Data_PM\/soil_moisture_pm; quality mask: retrieval_qual_flag bits 0/);
  assert.match(scene.info('small_36km').reader!, /quality mask: none$/);
  assert.equal(scene.info('sm_36km').unit, 'm3/m3');
  assert.ok(scene.files!().includes(join(dir, 'data', names[1])));

  const days = new Map([1, 2, 4].map((d) => [d, smapDay(d)]));
  const window = { x: 400, y: 120, width: 30, height: 12 };
  const sm = await scene.load('sm_36km', { window });
  const pm = await scene.load('smpm_36km', { window, dates: ['2019-04-02'] });
  const all = await scene.load('small_36km', { window });
  const err = await scene.load('smerr_36km', { window });
  assert.deepEqual(sm.grid, windowGrid(grid, window));
  for (let r = 0; r < window.height; r++) {
    for (let c = 0; c < window.width; c++) {
      const i = (window.y + r) * 964 + window.x + c;
      const k = r * window.width + c;
      for (const [d, day] of [[0, 1], [1, 2]] as const) {
        const v = days.get(day)!.soilMoisture[i];
        assert.ok(i % 2 !== 0 ? Number.isNaN(sm.values[d][k]) && Number.isNaN(all.values[d][k]) : all.values[d][k] === v, `unmasked ${i}`);
        assert.ok(i % 2 === 0 && i % 5 !== 0 ? sm.values[d][k] === v : Number.isNaN(sm.values[d][k]), `masked ${i}`);
        // The retrieval's error estimate is masked by the retrieval's quality flag too.
        assert.ok(i % 2 === 0 && i % 5 !== 0 ? err.values[d][k] === days.get(day)!.soilMoistureError[i] : Number.isNaN(err.values[d][k]), `error ${i}`);
      }
      const v = days.get(4)!.soilMoisture[i];
      assert.ok(i % 2 === 0 && i % 5 !== 0 ? pm.values[0][k] === v : Number.isNaN(pm.values[0][k]), `pm ${i}`);
    }
  }

  // The products option sets the default pass; an asset's own field still wins.
  const pmScene = await readStacScene(path, { products: { smap: { pass: 'pm' } } });
  assert.match(pmScene.info('sm_36km').reader!, /PM pass/);
  const viaOption = await pmScene.load('sm_36km', { window, dates: ['2019-04-02'] });
  assert.deepEqual(viaOption.values[0], pm.values[0]);
});

test('STAC: ESA CCI files in items without datetime take their dates from the files; explicit NETCDF href reads another variable', async (t) => {
  const dir = tempDir(t);
  const items = CCI.map((file, k) =>
    item(`cci-${k}`, null, {
      sm_coarse: { href: file, type: 'application/netcdf' },
      smunc_coarse: { href: `NETCDF:"${file}":sm_uncertainty` },
    }),
  );
  const scene = await readStacScene(collection(dir, items));
  assert.deepEqual(scene.info('sm_coarse').dates, ['2016-12-27', '2016-12-31']);
  assert.deepEqual(scene.info('sm_coarse').grid.transform, [-180, 0.25, 0, 90, 0, -0.25]);
  assert.equal(scene.info('sm_coarse').variable, 'sm');
  const window = { x: 1200, y: 440, width: 100, height: 40 }; // central Australia, summer
  const unc = await scene.load('smunc_coarse', { window });
  for (const [d, file] of CCI.entries()) {
    const direct = await (await openRasterLayer({ path: file, variable: '/sm_uncertainty' })).read(window);
    assert.deepEqual(unc.values[d], direct.values);
    assert.ok(direct.validAfterMask > 100);
  }
});

test('STAC: a file whose date is not its item\'s, a missing variable and a mask that removes everything are errors naming item, asset, file and variable', async (t) => {
  const dir = tempDir(t);
  const wrongDate = collection(dir, [item('x', '2016-12-28T00:00:00Z', { sm_coarse: { href: CCI[0] } })]);
  await assert.rejects(readStacScene(wrongDate), (e: Error) => e.message.includes('catalog.json: features[0].assets.sm_coarse.href') && e.message.includes("file holds another date than its item (expected 2016-12-28 (properties.datetime), found 2016-12-27 in"));

  const missing = collection(dir, [item('x', null, { sm_coarse: { href: `NETCDF:"${CCI[0]}":soil_moisture` } })]);
  await assert.rejects(readStacScene(missing), (e: Error) => e.message.includes('features[0].assets.sm_coarse') && e.message.includes(CCI[0]) && e.message.includes('/soil_moisture: variable not found') && e.message.includes('/sm_uncertainty'));

  const badMask = collection(dir, [item('x', null, { sm_coarse: { href: CCI[0], 'soilscale:mask': { flag: 'flag' } } })]);
  await assert.rejects(readStacScene(badMask), /features\[0\]\.assets\.sm_coarse\.soilscale:mask: bad mask rule/);

  const flagged = join(dir, 'SMAP_L3_SM_P_20190405_R19240_001.h5');
  await writeSmapL3(flagged, { grid: 'M36', am: smapDay(1, true) });
  const scene = await readStacScene(collection(dir, [item('x', '2019-04-05T06:00:00Z', { sm_36km: { href: flagged } })]));
  await assert.rejects(scene.load('sm_36km'), (e: Error) =>
    e.message.includes("the quality mask removes every value of asset 'sm_36km'") && e.message.includes('retrieval_qual_flag bits 0 (recommended_quality) clear') && e.message.includes('/Soil_Moisture_Retrieval_Data_AM/soil_moisture'),
  );
});
