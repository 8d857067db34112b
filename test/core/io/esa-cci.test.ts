import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openRasterLayer } from '../../../core/io/raster-source.js';
import { createRng } from '../../../core/util/random.js';
import { gdalValues, writeCciLayout } from './hdf5-fixtures.js';
import { firstDifference, gdalinfoJson, needGdal, sharedData, tempDir } from './helpers.js';

const REAL = ['20161227', '20161231'].map((d) => sharedData('real', 'esa-cci-sm-tuwgeo', 'esa_cci', '2016', `ESACCI-SOILMOISTURE-L3S-SSMV-PASSIVE-${d}000000-fv04.2.nc`));
const W = 1440;
const H = 720;

/** Our values equal GDAL's raw values where `keep`, NaN elsewhere and at GDAL's nodata (−9999); returns the number of valid cells. */
function assertSameAsGdal(ours: Float32Array, gdalRaw: ArrayLike<number>, label: string, keep: (i: number) => boolean = () => true): number {
  const expected = Float32Array.from(gdalRaw, (g, i) => (g === -9999 || !keep(i) ? Number.NaN : g));
  const at = firstDifference(ours, expected);
  assert.equal(at, -1, `${label}: cell ${at} is ${ours[at]}, GDAL gives ${expected[at]}`);
  let valid = 0;
  for (let i = 0; i < expected.length; i++) if (expected[i] === expected[i]) valid++;
  return valid;
}

test('ESA CCI SM v04.2 (real files): grid, date, values and nodata as GDAL reads them', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t, 'soilscale-cci-');
  for (const [k, path] of REAL.entries()) {
    const layer = await openRasterLayer({ path });
    const info = gdalinfoJson(`NETCDF:"${path}":sm`);
    assert.deepEqual(info.size, [W, H]);
    assert.deepEqual([...layer.info.grid.transform], info.geoTransform, 'geotransform as GDAL derives it from lat/lon');
    assert.equal(layer.info.grid.crs, 'EPSG:4326');
    // GDAL reports the time coordinate (days since 1970): 17162 = 2016-12-27, 17166 = 2016-12-31.
    const days = Number(info.metadata[''].NETCDF_DIM_time_VALUES);
    assert.equal(layer.info.date, new Date(days * 86_400_000).toISOString().slice(0, 10));
    assert.equal(layer.info.date, ['2016-12-27', '2016-12-31'][k]);
    assert.equal(layer.info.unit, 'm3/m3');
    assert.match(layer.info.description, /ESA CCI SM v04\.2 PASSIVE .* \/sm$/);
    assert.equal(layer.info.mask, 'flag no bit set except 6 (barren_ground)');
    if (k > 0) continue; // values: one file is enough (both are read in the STAC tests)

    const gdalSm = gdalValues(`NETCDF:"${path}":sm`, 'Float32', dir);
    const gdalFlag = gdalValues(`NETCDF:"${path}":flag`, 'Int16', dir);
    const full = await layer.read();
    // The default rule (flag == 0, advisory bit 64 allowed) applied to GDAL's own values.
    const valid = assertSameAsGdal(full.values, gdalSm, path, (i) => (gdalFlag[i] & ~64) === 0);
    assert.equal(full.validAfterMask, valid);
    assert.ok(valid > 50_000, `${valid} valid cells`);
    // A window over Europe/Africa is the same cells of GDAL's array.
    const win = { x: 700, y: 140, width: 150, height: 130 };
    const part = await layer.read(win);
    const expected = new Float32Array(win.width * win.height);
    for (let r = 0; r < win.height; r++) for (let c = 0; c < win.width; c++) expected[r * win.width + c] = full.values[(win.y + r) * W + win.x + c];
    assert.deepEqual(part.values, expected);
    // The explicit subdataset path reads the uncertainty (fill −9999), masked by the same flag.
    const unc = await openRasterLayer({ path, variable: '/sm_uncertainty' });
    assertSameAsGdal((await unc.read()).values, gdalValues(`NETCDF:"${path}":sm_uncertainty`, 'Float32', dir), `${path} sm_uncertainty`, (i) => (gdalFlag[i] & ~64) === 0);
  }
});

test('ESA CCI layout stored south-up: rows flipped to north-up as GDAL does; flag rules keep what they say', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t, 'soilscale-cci-');
  const rng = createRng(7);
  const sm = new Float32Array(W * H).fill(-9999);
  const flag = new Int8Array(W * H).fill(127);
  const flags = [0, 0, 0, 64, 1, 2, 66, 16, 4];
  for (let i = 0; i < sm.length; i++) {
    if (rng.next() < 0.3) {
      sm[i] = Math.fround(0.05 + 0.5 * rng.next());
      flag[i] = flags[Math.floor(rng.next() * flags.length)];
    }
  }
  // South-up storage; north-up is the real files' layout, tested above.
  const path = join(dir, 'ESACCI-SOILMOISTURE-L3S-SSMV-COMBINED-20170105000000-fv04.2.nc');
  await writeCciLayout(path, { southUp: true, days: 17171, sm, flag });
  const gdalSm = gdalValues(`NETCDF:"${path}":sm`, 'Float32', dir);
  const gdalFlag = gdalValues(`NETCDF:"${path}":flag`, 'Int16', dir);
  // GDAL presents the file north-up: its array equals what we wrote north-up.
  assert.deepEqual(Float32Array.from(gdalSm), sm);

  const layer = await openRasterLayer({ path });
  assert.deepEqual([...layer.info.grid.transform], gdalinfoJson(`NETCDF:"${path}":sm`).geoTransform);
  assert.equal(layer.info.date, '2017-01-05');
  const byDefault = await layer.read();
  const kept = assertSameAsGdal(byDefault.values, gdalSm, 'default rule', (i) => gdalFlag[i] === 0 || gdalFlag[i] === 64);
  assert.ok(kept < byDefault.validBeforeMask && kept > 0, `the default rule removes flagged cells (${kept} of ${byDefault.validBeforeMask} kept)`);

  // Other rules on a window in the southern half (rows stored first in this file).
  const win = { x: 200, y: 420, width: 400, height: 250 };
  const sub = <T extends ArrayLike<number>>(a: T) => Float32Array.from({ length: win.width * win.height }, (_, k) => a[(win.y + Math.floor(k / win.width)) * W + win.x + (k % win.width)]);
  const [winSm, winFlag] = [sub(gdalSm), sub(gdalFlag)];
  const rules = [
    { mask: [{ flag: 'flag', allowOnly: [] }], keep: (f: number) => f === 0, label: 'flag == 0' },
    { mask: [{ flag: 'flag', clear: ['snow_or_frozen', 'dense_vegetation'] }], keep: (f: number) => f !== 127 && (f & 3) === 0, label: 'bits 1 and 2 clear' },
    { mask: [], keep: () => true, label: 'no mask' },
  ];
  for (const rule of rules) {
    const read = await (await openRasterLayer({ path, mask: rule.mask })).read(win);
    assertSameAsGdal(read.values, winSm, rule.label, (i) => rule.keep(winFlag[i]));
  }
  const part = await layer.read(win);
  assert.equal(firstDifference(part.values, sub(byDefault.values)), -1, 'a window is the same cells as the full read');
});

test('ESA CCI: a date in the file name that contradicts the time variable is an error naming both', async (t) => {
  const dir = tempDir(t, 'soilscale-cci-');
  const path = join(dir, 'ESACCI-SOILMOISTURE-L3S-SSMV-COMBINED-20170106000000-fv04.2.nc');
  await writeCciLayout(path, { southUp: false, days: 17171, sm: new Float32Array(W * H).fill(0.2), flag: new Int8Array(W * H) });
  await assert.rejects(openRasterLayer({ path }), /file name and time variable give different dates \(expected 2017-01-06, found 2017-01-05\)/);
  const renamed = join(dir, 'cci.nc');
  await writeCciLayout(renamed, { southUp: false, days: 17171, sm: new Float32Array(W * H).fill(0.2), flag: new Int8Array(W * H) });
  assert.equal((await openRasterLayer({ path: renamed })).info.date, '2017-01-05', 'a renamed file still has its date (time variable)');
  await assert.rejects(openRasterLayer({ path: renamed, mask: [{ flag: 'flag', clear: ['frozen'] }] }), /unknown bit name 'frozen' for flag 'flag'.*snow_or_frozen/);
  await assert.rejects(openRasterLayer({ path: renamed, pass: 'pm' }), /a pass \(am\/pm\) applies to SMAP L3 files only/);
});
