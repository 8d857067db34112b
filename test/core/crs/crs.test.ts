import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  epsgCode,
  isGeographicCrs,
  projectStations,
  resolveCrs,
  sameCrs,
  transformCoordinates,
} from '../../../core/crs/index.js';
import { createGrid } from '../../../core/model/grid.js';
import type { Stations } from '../../../core/model/stations.js';
import { SoilscaleError } from '../../../core/errors.js';

// Reference coordinates computed once with GDAL/PROJ:
// echo "lon lat" | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:<code> -output_xy
const reference: Array<[code: number, lon: number, lat: number, x: number, y: number]> = [
  [32633, 15, 45, 500000.000000001, 4982950.40022655],
  [32633, 13.4, 52.5, 391390.731339952, 5817855.24081733],
  [32618, -75.6, 39.7, 448560.58022621, 4394633.0637265],
  [32755, 145, -37.8, 323920.550676841, 5814491.01866596],
  [3035, 10, 52, 4321000, 3210000],
  [3035, 2.35, 48.85, 3760536.82290232, 2888771.02095019],
  [6933, 10, 50, 964862.802508965, 5614050.1030608],
  [6933, -120, 36, -11578353.6301076, 4303002.38638984],
  [6933, 0, 0, 0, 0],
];

test('transformCoordinates matches PROJ for UTM, LAEA Europe and EASE-Grid 2.0', () => {
  for (const [code, lon, lat, ex, ey] of reference) {
    const { x, y } = transformCoordinates('EPSG:4326', `EPSG:${code}`, Float64Array.of(lon), Float64Array.of(lat));
    assert.ok(Math.abs(x[0] - ex) < 1e-3, `EPSG:${code} x: ${x[0]} vs ${ex}`);
    assert.ok(Math.abs(y[0] - ey) < 1e-3, `EPSG:${code} y: ${y[0]} vs ${ey}`);
    const back = transformCoordinates(`EPSG:${code}`, 'EPSG:4326', x, y);
    assert.ok(Math.abs(back.x[0] - lon) < 1e-8 && Math.abs(back.y[0] - lat) < 1e-8, `EPSG:${code} round trip`);
  }
});

test('WKT definitions transform like their EPSG codes', () => {
  const wkt =
    'PROJCS["WGS 84 / UTM zone 33N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],' +
    'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],' +
    'PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",15],PARAMETER["scale_factor",0.9996],' +
    'PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1],AUTHORITY["EPSG","32633"]]';
  const { x, y } = transformCoordinates('EPSG:4326', wkt, Float64Array.of(13.4), Float64Array.of(52.5));
  assert.ok(Math.abs(x[0] - 391390.731339952) < 1e-3);
  assert.ok(Math.abs(y[0] - 5817855.24081733) < 1e-3);
  assert.equal(epsgCode(wkt), 32633);
  assert.ok(sameCrs(wkt, 'EPSG:32633'));
  assert.equal(isGeographicCrs(wkt), false);
});

test('epsgCode, resolveCrs and isGeographicCrs', () => {
  assert.equal(epsgCode('EPSG:4326'), 4326);
  assert.equal(epsgCode('epsg:3035'), 3035);
  assert.equal(epsgCode('urn:ogc:def:crs:EPSG::6933'), 6933);
  assert.equal(epsgCode('+proj=longlat +datum=WGS84'), undefined);
  assert.match(resolveCrs('EPSG:3035'), /\+proj=laea .*\+lat_0=52 .*\+lon_0=10/);
  assert.match(resolveCrs('EPSG:6933'), /\+proj=cea .*\+lat_ts=30/);
  assert.equal(isGeographicCrs('EPSG:4326'), true);
  assert.equal(isGeographicCrs('EPSG:4258'), true);
  assert.equal(isGeographicCrs('EPSG:32633'), false);
  assert.equal(isGeographicCrs('EPSG:6933'), false);
  assert.equal(sameCrs('EPSG:4326', 'EPSG:3035'), false);
});

test('an unknown EPSG code is an input error naming the code', () => {
  assert.throws(
    () => resolveCrs('EPSG:999999'),
    (e: unknown) => e instanceof SoilscaleError && e.kind === 'input' && /EPSG:999999/.test(e.message),
  );
  assert.throws(
    () => transformCoordinates('EPSG:4326', 'EPSG:999998', Float64Array.of(0), Float64Array.of(0)),
    (e: unknown) => e instanceof SoilscaleError && /EPSG:999998/.test(e.message),
  );
  assert.throws(() => resolveCrs('not a crs'), SoilscaleError);
});

test('projectStations fills x/y in the grid CRS', () => {
  const stations: Stations = {
    kind: 'stations',
    stations: [
      { id: 'a', lon: 15, lat: 45, depth: 0.05 },
      { id: 'b', lon: 13.4, lat: 52.5, depth: 0.1 },
    ],
    observations: new Map(),
  };
  const grid = createGrid(10, 10, [300000, 1000, 0, 6000000, 0, -1000], 'EPSG:32633');
  const p = projectStations(stations, grid);
  assert.equal(p.crs, 'EPSG:32633');
  assert.ok(Math.abs(p.stations[0].x! - 500000) < 1e-3);
  assert.ok(Math.abs(p.stations[0].y! - 4982950.40022655) < 1e-3);
  assert.ok(Math.abs(p.stations[1].x! - 391390.731339952) < 1e-3);
  assert.equal(p.stations[1].depth, 0.1);
  assert.equal(stations.stations[0].x, undefined, 'input left unchanged');
});
