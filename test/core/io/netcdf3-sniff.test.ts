import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatOfBytes, sniffFormat } from '../../../core/io/format-sniff.js';
import { writeGeoTiff } from '../../../core/io/geotiff-write.js';
import { openRasterLayer } from '../../../core/io/raster-source.js';
import { parseSubdatasetName } from '../../../core/io/subdataset.js';
import { sameCrs } from '../../../core/crs/resolve.js';
import { createGrid } from '../../../core/model/grid.js';
import { rasterFromBands } from '../../../core/model/raster.js';
import { createRng } from '../../../core/util/random.js';
import { gdal, gdalinfoJson, needGdal, sharedData, tempDir } from './helpers.js';

test('NetCDF-3 written by GDAL (classic format): lat/lon stored south-up and UTM x/y with crs_wkt read back as the source GeoTIFF', async (t) => {
  if (!needGdal(t)) return;
  const dir = tempDir(t, 'soilscale-nc3-');
  const cases = [
    createGrid(60, 40, [-76.5, 0.01, 0, 40.25, 0, -0.01], 'EPSG:4326'),
    createGrid(50, 30, [412000, 30, 0, 4410000, 0, -30], 'EPSG:32633'),
  ];
  for (const [k, grid] of cases.entries()) {
    const rng = createRng(k + 11);
    const values = Float32Array.from({ length: grid.width * grid.height }, (_, i) => (i % 17 === 0 ? Number.NaN : Math.fround(0.05 + 0.4 * rng.next())));
    const tif = join(dir, `src${k}.tif`);
    const nc = join(dir, `src${k}.nc`);
    await writeGeoTiff(tif, rasterFromBands(grid, [values]), { overviews: false });
    gdal('gdal_translate', ['-q', '-of', 'netCDF', '-co', 'FORMAT=NC', tif, nc]);
    assert.equal(await sniffFormat(nc), 'netcdf3');
    // Not a product: the variable must be named; GDAL calls it Band1.
    await assert.rejects(openRasterLayer({ path: nc }), /unknown product layout .*NETCDF:"file":var.*NetCDF-3 file with variables .*\/Band1/);
    const layer = await openRasterLayer({ path: nc, variable: '/Band1' });
    const gdalGrid = gdalinfoJson(nc).geoTransform as number[];
    layer.info.grid.transform.forEach((v, i) => assert.ok(Math.abs(v - gdalGrid[i]) <= 1e-9 * Math.max(1, Math.abs(v)), `${grid.crs} transform[${i}] ${v} vs GDAL ${gdalGrid[i]}`));
    layer.info.grid.transform.forEach((v, i) => assert.ok(Math.abs(v - grid.transform[i]) <= 1e-6 * Math.max(1, Math.abs(v)), `${grid.crs} transform[${i}] ${v} vs source ${grid.transform[i]}`));
    assert.ok(sameCrs(layer.info.grid.crs, grid.crs), `CRS ${layer.info.grid.crs.slice(0, 60)}…`);
    const { values: read } = await layer.read();
    assert.deepEqual(read, values);
    const win = { x: 7, y: 5, width: 20, height: 11 };
    const part = (await layer.read(win)).values;
    for (let r = 0; r < win.height; r++) for (let c = 0; c < win.width; c++) assert.ok(Object.is(part[r * win.width + c], values[(win.y + r) * grid.width + win.x + c]));
  }
});

test('format sniffing: TIFF, HDF5 (also after a user block), NetCDF-3; anything else names the file and its first bytes', async (t) => {
  const dir = tempDir(t, 'soilscale-sniff-');
  const hdf5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  assert.equal(formatOfBytes(Uint8Array.from([0x49, 0x49, 0x2a, 0])), 'geotiff');
  assert.equal(formatOfBytes(Uint8Array.from([0x4d, 0x4d, 0, 0x2b])), 'geotiff');
  assert.equal(formatOfBytes(Uint8Array.from(hdf5)), 'hdf5');
  const withUserBlock = new Uint8Array(520);
  withUserBlock.set(hdf5, 512);
  assert.equal(formatOfBytes(withUserBlock), 'hdf5');
  assert.equal(formatOfBytes(Uint8Array.from([0x43, 0x44, 0x46, 2])), 'netcdf3');
  assert.equal(formatOfBytes(Uint8Array.from([0x43, 0x44, 0x46, 3])), undefined);
  const cci = sharedData('real', 'esa-cci-sm-tuwgeo', 'esa_cci', '2016', 'ESACCI-SOILMOISTURE-L3S-SSMV-PASSIVE-20161227000000-fv04.2.nc');
  assert.equal(await sniffFormat(cci), 'hdf5', 'NetCDF-4 is HDF5 on disk');

  const zip = join(dir, 'download.nc');
  writeFileSync(zip, Buffer.from('PK\x03\x04\x14\x00\x00\x00rest of a zip'));
  await assert.rejects(openRasterLayer({ path: zip }), (e: Error) => e.message.includes(zip) && e.message.includes('not a GeoTIFF, HDF5/NetCDF-4 or NetCDF-3 file') && e.message.includes('"PK\\x03\\x04\\x14\\x00\\x00\\x00" (50 4b 03 04 14 00 00 00): a ZIP archive: unpack it first'));
  const hdf4 = join(dir, 'MOD11A1.A2019091.h18v04.061.hdf');
  writeFileSync(hdf4, Buffer.from([0x0e, 0x03, 0x13, 0x01, 0, 0, 0, 0]));
  await assert.rejects(openRasterLayer({ path: hdf4 }), /MOD11A1\.A2019091\.h18v04\.061\.hdf: first bytes: not a GeoTIFF.*: HDF4 \(e\.g\. MODIS HDF-EOS2\), not supported\)/);
  const empty = join(dir, 'empty.h5');
  writeFileSync(empty, '');
  await assert.rejects(openRasterLayer({ path: empty }), /empty\.h5: first bytes: .*found an empty file/);
  await assert.rejects(openRasterLayer({ path: join(dir, 'missing.h5') }), /missing\.h5: cannot read raster file \(expected an existing readable file, found ENOENT\)/);
  const cdf5 = join(dir, 'cdf5.nc');
  writeFileSync(cdf5, Buffer.from([0x43, 0x44, 0x46, 5, 0, 0, 0, 0, 0, 0, 0, 0]));
  await assert.rejects(openRasterLayer({ path: cdf5, variable: '/sm' }), /cdf5\.nc: first bytes: NetCDF-3 CDF-5 \(64-bit data\) files are not supported/);
  const shortNc = join(dir, 'short.nc');
  writeFileSync(shortNc, Buffer.from([0x43, 0x44, 0x46, 1, 0, 0]));
  await assert.rejects(openRasterLayer({ path: shortNc, variable: '/sm' }), /short\.nc: cannot parse NetCDF-3 file/);
  // An HDF5 signature on a truncated file: the HDF5 library's refusal, with the file named.
  const truncated = join(dir, 'truncated.h5');
  writeFileSync(truncated, Buffer.concat([Buffer.from(hdf5), Buffer.alloc(40)]));
  await assert.rejects(openRasterLayer({ path: truncated }), /truncated\.h5: HDF5 library cannot open the file/);
});

test('GDAL subdataset names: quoted and unquoted, HDF5 paths and NetCDF variables', () => {
  assert.deepEqual(parseSubdatasetName('HDF5:"SMAP_L3_SM_P_E_20190401_R19240_001.h5"://Soil_Moisture_Retrieval_Data_AM/soil_moisture'), {
    driver: 'HDF5',
    file: 'SMAP_L3_SM_P_E_20190401_R19240_001.h5',
    variable: '/Soil_Moisture_Retrieval_Data_AM/soil_moisture',
  });
  assert.deepEqual(parseSubdatasetName('NETCDF:"data/cci.nc":sm'), { driver: 'NETCDF', file: 'data/cci.nc', variable: '/sm' });
  assert.deepEqual(parseSubdatasetName('NETCDF:"C:/data/cci.nc":/group/sm'), { driver: 'NETCDF', file: 'C:/data/cci.nc', variable: '/group/sm' });
  assert.deepEqual(parseSubdatasetName('NETCDF:cci.nc:sm_uncertainty'), { driver: 'NETCDF', file: 'cci.nc', variable: '/sm_uncertainty' });
  assert.deepEqual(parseSubdatasetName('HDF5:l4.h5://Geophysical_Data/sm_rootzone'), { driver: 'HDF5', file: 'l4.h5', variable: '/Geophysical_Data/sm_rootzone' });
  assert.equal(parseSubdatasetName('data/sm.tif'), undefined);
  assert.equal(parseSubdatasetName('NETCDF:"cci.nc":'), undefined);
  assert.equal(parseSubdatasetName('HDF5:nofile'), undefined);
});
