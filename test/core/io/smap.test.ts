import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs, { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openRasterLayer } from '../../../core/io/raster-source.js';
import { writeSmapL3 } from '../../../core/io/products/smap-write.js';
import { easeGrid2Global, EASE2_GLOBAL } from '../../../core/io/products/smap.js';
import { createRng } from '../../../core/util/random.js';
import { gdalValues, writeSmapL4Layout } from './hdf5-fixtures.js';
import { needGdal, tempDir } from './helpers.js';

const M36 = { width: 964, height: 406 };
const AM = '/Soil_Moisture_Retrieval_Data_AM';
const PM = '/Soil_Moisture_Retrieval_Data_PM';

/** A day of SMAP-like retrievals: ~40 % of cells, random flags (bit 0 of the quality flag on ~1/4). */
function day(seed: number, width: number, height: number) {
  const rng = createRng(seed);
  const n = width * height;
  const soilMoisture = new Float32Array(n).fill(Number.NaN);
  const retrievalQualFlag = new Uint16Array(n).fill(65534);
  const surfaceFlag = new Uint16Array(n).fill(65534);
  for (let i = 0; i < n; i++) {
    if (rng.next() < 0.4) {
      soilMoisture[i] = Math.fround(0.02 + 0.5 * rng.next());
      retrievalQualFlag[i] = (rng.next() < 0.25 ? 1 : 0) | (rng.next() < 0.1 ? 4 : 0) | (rng.next() < 0.2 ? 8 : 0);
      surfaceFlag[i] = Math.floor(rng.next() * 4096) & (rng.next() < 0.5 ? 0b101010100000 : 0b000001000100);
    }
  }
  return { soilMoisture, retrievalQualFlag, surfaceFlag };
}

/** Expected values: the written ones where `keep`, NaN elsewhere. */
function expected(sm: Float32Array, keep: (i: number) => boolean): Float32Array {
  return Float32Array.from(sm, (v, i) => (v === v && keep(i) ? v : Number.NaN));
}

test('SMAP L3 36 km: EASE-Grid 2.0 constants, AM/PM passes, date, values as GDAL reads them, default and named masks', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t, 'soilscale-smap-');
  const am = day(1, M36.width, M36.height);
  const pm = day(2, M36.width, M36.height);
  const path = join(dir, 'SMAP_L3_SM_P_20190401_R19240_001.h5');
  await writeSmapL3(path, { grid: 'M36', am, pm });

  // The fixture as GDAL's HDF5 driver decodes it: the datasets we read, chunked and deflated.
  const gdalName = (v: string) => `HDF5:"${path}"://${v.slice(1)}`;
  const gdalAm = gdalValues(gdalName(`${AM}/soil_moisture`), 'Float32', dir);
  const gdalQual = gdalValues(gdalName(`${AM}/retrieval_qual_flag`), 'UInt16', dir);
  const gdalSurface = gdalValues(gdalName(`${AM}/surface_flag`), 'UInt16', dir);
  assert.deepEqual(Float32Array.from(gdalAm, (v) => (v === -9999 ? Number.NaN : v)), am.soilMoisture);
  assert.deepEqual(Uint16Array.from(gdalQual), am.retrievalQualFlag);

  const layer = await openRasterLayer({ path });
  assert.deepEqual(layer.info.grid, easeGrid2Global('M36'));
  assert.equal(layer.info.grid.crs, 'EPSG:6933');
  assert.equal(layer.info.date, '2019-04-01');
  assert.equal(layer.info.unit, 'm3/m3');
  assert.equal(layer.info.description, `SMAP L3 SPL3SMP (36 km), AM pass ${AM}/soil_moisture`);
  assert.equal(layer.info.mask, 'retrieval_qual_flag bits 0 (recommended_quality) clear');
  const read = await layer.read();
  // Default rule against GDAL's own flag values: bit 0 of retrieval_qual_flag clear.
  assert.deepEqual(read.values, expected(Float32Array.from(gdalAm), (i) => gdalAm[i] !== -9999 && (gdalQual[i] & 1) === 0));
  assert.ok(read.validAfterMask < read.validBeforeMask && read.validAfterMask > 0.6 * read.validBeforeMask);

  // Frozen ground (radiometer, bit 7), snow (5) and dense vegetation (10) also excluded, by name.
  const named = await openRasterLayer({ path, mask: [{ flag: 'retrieval_qual_flag', clear: [0] }, { flag: 'surface_flag', clear: ['frozen_ground_radiometer', 'snow', 'dense_vegetation'] }] });
  assert.equal(named.info.mask, 'retrieval_qual_flag bits 0 (recommended_quality) clear; surface_flag bits 7 (frozen_ground_radiometer), 5 (snow), 10 (dense_vegetation) clear');
  assert.deepEqual((await named.read()).values, expected(am.soilMoisture, (i) => (gdalQual[i] & 1) === 0 && (gdalSurface[i] & 0b10010100000) === 0));

  // Group names: `frozen` is frozen ground by the radiometer (bit 7) or the model (bit 8).
  const frozen = await openRasterLayer({ path, mask: [{ flag: 'surface_flag', clear: ['frozen'] }] });
  assert.equal(frozen.info.mask, 'surface_flag bits 7 (frozen_ground_radiometer), 8 (frozen_ground_model) clear');
  assert.deepEqual((await frozen.read()).values, expected(am.soilMoisture, (i) => (gdalSurface[i] & 0b110000000) === 0));

  // PM: `_pm` names, and the rule's flags get the suffix too.
  const pmLayer = await openRasterLayer({ path, pass: 'pm' });
  assert.equal(pmLayer.info.description, `SMAP L3 SPL3SMP (36 km), PM pass ${PM}/soil_moisture_pm`);
  const gdalPm = gdalValues(gdalName(`${PM}/soil_moisture_pm`), 'Float32', dir);
  const gdalPmQual = gdalValues(gdalName(`${PM}/retrieval_qual_flag_pm`), 'UInt16', dir);
  assert.deepEqual((await pmLayer.read()).values, expected(Float32Array.from(gdalPm), (i) => gdalPm[i] !== -9999 && (gdalPmQual[i] & 1) === 0));

  // Explicit variable: an ancillary dataset is read with its fill only (the retrieval flags do not apply).
  const lat = await openRasterLayer({ path, variable: `${AM}/latitude` });
  assert.equal(lat.info.mask, 'none');
  const gdalLat = Float32Array.from(gdalValues(gdalName(`${AM}/latitude`), 'Float32', dir), (v) => (v === -9999 ? Number.NaN : v));
  assert.deepEqual((await lat.read()).values, gdalLat);
  // …unless the address gives its own rule, which applies to whatever variable it names.
  const latMasked = await openRasterLayer({ path, variable: `${AM}/latitude`, mask: [{ flag: 'retrieval_qual_flag', clear: [0] }] });
  assert.equal(latMasked.info.mask, 'retrieval_qual_flag bits 0 (recommended_quality) clear');
  assert.deepEqual((await latMasked.read()).values, expected(gdalLat, (i) => (gdalQual[i] & 1) === 0));

  // A window is the same cells as the full read.
  const win = { x: 500, y: 100, width: 37, height: 21 };
  const part = await layer.read(win);
  for (let r = 0; r < win.height; r++) {
    for (let c = 0; c < win.width; c++) {
      const a = part.values[r * win.width + c];
      const b = read.values[(win.y + r) * M36.width + win.x + c];
      assert.ok(Object.is(a, b) || a === b, `window cell ${c},${r}`);
    }
  }
});

test('SMAP EASE-Grid 2.0 constants: centred grids whose corners are ±180° and ±85.0446° (gdaltransform)', (t) => {
  if (!needGdal(t)) return;
  for (const level of ['M36', 'M09'] as const) {
    const [a, b, , d, , f] = easeGrid2Global(level).transform;
    const g = EASE2_GLOBAL[level];
    assert.ok(Math.abs(a + g.width * b + a) < 1e-3 && Math.abs(d + g.height * f + d) < 1e-3, `${level} is centred on (0, 0)`);
  }
  const r = spawnSync('gdaltransform', ['-s_srs', 'EPSG:6933', '-t_srs', 'EPSG:4326', '-output_xy'], { input: `${EASE2_GLOBAL.ulx} ${EASE2_GLOBAL.uly}\n${-EASE2_GLOBAL.ulx} ${-EASE2_GLOBAL.uly}\n`, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const corners = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  assert.ok(Math.abs(corners[0][0] + 180) < 1e-6 && Math.abs(corners[1][0] - 180) < 1e-6, `longitudes ${corners.map((c) => c[0])}`);
  // NSIDC: the global EASE-Grid 2.0 spans 85.044° S to 85.044° N.
  assert.ok(Math.abs(corners[0][1] - 85.0445664) < 1e-6 && Math.abs(corners[1][1] + 85.0445664) < 1e-6, `latitudes ${corners.map((c) => c[1])}`);
});

test('SMAP L3 9 km: a sub-window reads only the chunks it touches (h5wasm slicing), the values of a full read', async (t) => {
  const dir = tempDir(t, 'soilscale-smap-');
  const W = 3856;
  const H = 1624;
  const sm = new Float32Array(W * H);
  for (let i = 0; i < sm.length; i++) sm[i] = Math.fround(0.05 + ((i * 7919) % 4001) / 10000);
  const path = join(dir, 'SMAP_L3_SM_P_E_20190402_R19240_001.h5');
  await writeSmapL3(path, { grid: 'M09', am: { soilMoisture: sm } });
  const layer = await openRasterLayer({ path });
  assert.deepEqual(layer.info.grid, easeGrid2Global('M09'));
  assert.equal(layer.info.description, `SMAP L3 SPL3SMP_E (9 km), AM pass ${AM}/soil_moisture`);
  assert.equal(layer.info.date, '2019-04-02');

  // Count the bytes the HDF5 library reads through node's fs (h5wasm's host file system uses fs.readSync).
  let bytes = 0;
  const original = fs.readSync;
  (fs as { readSync: typeof fs.readSync }).readSync = function (this: unknown, ...args: Parameters<typeof fs.readSync>) {
    const n = original.apply(this, args);
    bytes += n;
    return n;
  } as typeof fs.readSync;
  t.after(() => {
    (fs as { readSync: typeof fs.readSync }).readSync = original;
  });
  const win = { x: 2000, y: 500, width: 60, height: 45 };
  const part = await layer.read(win);
  const windowBytes = bytes;
  bytes = 0;
  await layer.read();
  const fullBytes = bytes;
  assert.ok(windowBytes > 0 && windowBytes * 8 < fullBytes, `window read ${windowBytes} bytes, full read ${fullBytes}`);
  for (let r = 0; r < win.height; r++) for (let c = 0; c < win.width; c++) assert.equal(part.values[r * win.width + c], sm[(win.y + r) * W + win.x + c]);
});

test('SMAP L4: x/y give the EASE-Grid 2.0 9 km grid, surface by default, root zone by subdataset path, date from name or time', async (t) => {
  const dir = tempDir(t, 'soilscale-smap-');
  const n = 3856 * 1624;
  const surface = new Float32Array(n).fill(-9999);
  const rootzone = new Float32Array(n).fill(-9999);
  for (let i = 0; i < n; i += 3) {
    surface[i] = Math.fround(0.1 + (i % 301) / 1000);
    rootzone[i] = Math.fround(0.2 + (i % 199) / 1000);
  }
  // 2019-04-01T22:30 UTC in seconds since 2000-01-01 11:58:55.816.
  const seconds = (Date.UTC(2019, 3, 1, 22, 30) - Date.parse('2000-01-01T11:58:55.816Z')) / 1000;
  const path = join(dir, 'SMAP_L4_SM_gph_20190401T223000_Vv4030_001.h5');
  await writeSmapL4Layout(path, { surface, rootzone, seconds });
  const layer = await openRasterLayer({ path });
  assert.deepEqual(layer.info.grid, easeGrid2Global('M09'));
  assert.equal(layer.info.description, 'SMAP L4 SPL4SMGP (9 km) /Geophysical_Data/sm_surface');
  assert.equal(layer.info.date, '2019-04-01');
  assert.equal(layer.info.mask, 'none');
  const win = { x: 1000, y: 300, width: 30, height: 20 };
  const s = await layer.read(win);
  const root = await (await openRasterLayer({ path, variable: '/Geophysical_Data/sm_rootzone' })).read(win);
  for (let r = 0; r < win.height; r++) {
    for (let c = 0; c < win.width; c++) {
      const i = (win.y + r) * 3856 + win.x + c;
      const k = r * win.width + c;
      assert.ok(surface[i] === -9999 ? Number.isNaN(s.values[k]) : s.values[k] === surface[i]);
      assert.ok(rootzone[i] === -9999 ? Number.isNaN(root.values[k]) : root.values[k] === rootzone[i]);
    }
  }
  const renamed = join(dir, 'l4.h5');
  copyFileSync(path, renamed);
  assert.equal((await openRasterLayer({ path: renamed })).info.date, '2019-04-01', 'date from /time when the name has none');

  const shifted = join(dir, 'SMAP_L4_SM_gph_20190402T013000_Vv4030_001.h5');
  await writeSmapL4Layout(shifted, { surface, rootzone, seconds, ulx: -17367530.445 + 4500 });
  await assert.rejects(openRasterLayer({ path: shifted }), /x\/y coordinates are not the EASE-Grid 2.0 9 km grid/);
});

test('SMAP: bad layouts and names are errors naming the file, the variable and the expected', async (t) => {
  const dir = tempDir(t, 'soilscale-smap-');
  const am = day(3, M36.width, M36.height);
  const path = join(dir, 'SMAP_L3_SM_P_20190403_R19240_001.h5');
  await writeSmapL3(path, { grid: 'M36', am });
  await assert.rejects(openRasterLayer({ path, pass: 'pm' }), (e: Error) => e.message.includes(path) && e.message.includes(`${PM}/soil_moisture_pm: variable not found`) && e.message.includes('PM soil moisture'));
  await assert.rejects(openRasterLayer({ path, variable: `${AM}/soil_moisture_dca` }), /soil_moisture_dca: variable not found .*the file has variables/);
  await assert.rejects(openRasterLayer({ path, mask: [{ flag: 'surface_flag', clear: ['frost'] }] }), /unknown bit name 'frost' for flag 'surface_flag' .*frozen_ground_radiometer.*, frozen, water, found frost\)/);
  await assert.rejects(openRasterLayer({ path, mask: [{ flag: 'retrieval_qual_flag_dca', clear: [0] }] }), /retrieval_qual_flag_dca: quality flag variable missing/);
  await assert.rejects(openRasterLayer({ path, band: 1 }), /'band' does not apply to an HDF5\/NetCDF file/);
  // A 9 km name on a 36 km file.
  const misnamed = join(dir, 'SMAP_L3_SM_P_E_20190403_R19240_001.h5');
  copyFileSync(path, misnamed);
  await assert.rejects(openRasterLayer({ path: misnamed }), /SMAP file name and contents disagree \(expected a 9 km \(SPL3SMP_E\) 1624×3856 grid, found shape 406×964\)/);
  // A cropped L3 file cannot be georeferenced from the global constants.
  const h5 = (await import('h5wasm/node')).default;
  await h5.ready;
  const cropped = join(dir, 'cropped.h5');
  const f = new h5.File(cropped, 'w');
  f.create_group('Soil_Moisture_Retrieval_Data_AM').create_dataset({ name: 'soil_moisture', data: new Float32Array(100 * 50), shape: [50, 100], dtype: '<f' });
  f.close();
  const oldRelease = join(dir, 'SMAP_L3_SM_P_20150401_R13080_001.h5');
  const g = new h5.File(oldRelease, 'w');
  g.create_group('Soil_Moisture_Retrieval_Data').create_dataset({ name: 'soil_moisture', data: new Float32Array(964 * 406), shape: [406, 964], dtype: '<f' });
  g.close();
  await assert.rejects(openRasterLayer({ path: oldRelease }), /unknown SMAP layout: the file name says SMAP but the datasets are not there \(expected \/Soil_Moisture_Retrieval_Data_AM\/soil_moisture .*found \/Soil_Moisture_Retrieval_Data\/soil_moisture\)/);
  await assert.rejects(openRasterLayer({ path: cropped }), /unknown SMAP L3 layout \(expected the global EASE-Grid 2.0 shape 406×964 \(36 km\) or 1624×3856 \(9 km\), found shape 50×100\)/);
});
