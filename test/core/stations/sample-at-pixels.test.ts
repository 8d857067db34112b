import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGrid, type Grid } from '../../../core/model/grid.js';
import type { StationSeries, Stations } from '../../../core/model/stations.js';
import { transformCoordinates } from '../../../core/crs/index.js';
import { createRng } from '../../../core/util/random.js';
import { sampleStationsAtPixels, stationPixels, type SampledStation } from '../../../core/stations/index.js';

// 4 × 3 pixels of 0.5° from (10°E, 46°N): lon/lat are the grid's own coordinates, so pixel edges are exact.
const GRID = createGrid(4, 3, [10, 0.5, 0, 46, 0, -0.5], 'EPSG:4326');
const DATES = ['2024-06-01', '2024-06-02', '2024-06-04'];
const centre = (col: number, row: number) => ({ lon: 10.25 + 0.5 * col, lat: 45.75 - 0.5 * row });

function series(rows: readonly [date: string, value: number, flag?: string][]): StationSeries {
  return { dates: rows.map((r) => r[0]), values: Float32Array.from(rows, (r) => r[1]), ...(rows.some((r) => r[2] !== undefined) ? { flags: rows.map((r) => r[2] ?? '') } : {}) };
}

function stationsOf(list: readonly { id: string; lon: number; lat: number; depth?: number; obs?: StationSeries }[]): Stations {
  return {
    kind: 'stations',
    stations: list.map(({ id, lon, lat, depth }) => ({ id, lon, lat, depth: depth ?? 0.05 })),
    observations: new Map(list.filter((s) => s.obs).map((s) => [s.id, s.obs!])),
  };
}

/** A sampled station as plain data: only the non-empty drop lists. */
function plain(s: SampledStation) {
  return {
    id: s.station.id,
    pixel: s.pixel ?? null,
    excluded: s.excluded ?? null,
    dates: [...s.dates],
    observations: [...s.observations],
    values: [...s.values],
    dropped: Object.fromEntries(Object.entries(s.dropped).filter(([, v]) => v.length > 0).map(([k, v]) => [k, [...v]])),
  };
}

const f = Math.fround;

test('sampleStationsAtPixels: exact samples and an account of every station and observation left out', () => {
  const stations = stationsOf([
    {
      id: 'GOOD',
      ...centre(2, 0),
      obs: series([
        ['2024-05-31', Number.NaN, 'G'], // no value
        ['2024-06-01', 0.2, 'G'],
        ['2024-06-02', 0.21, 'D01'], // flag not accepted
        ['2024-06-03', 0.22, 'G'], // the product has no such date
        ['2024-06-04', 0.23, ''], // unflagged: accepted
      ]),
    },
    { id: 'OUTSIDE', lon: 9.9, lat: 45.75, obs: series([['2024-06-01', 0.3]]) },
    { id: 'DEEP', ...centre(0, 1), depth: 0.1, obs: series([['2024-06-01', 0.3, 'G']]) },
    { id: 'FLAGGED', ...centre(3, 2), obs: series([['2024-06-01', 0.3, 'D02'], ['2024-06-02', 0.31, 'D02']]) },
    { id: 'MISSING-DATE', ...centre(0, 0), obs: series([['2024-06-03', 0.3, 'G']]) },
    { id: 'NAN-PIXEL', ...centre(1, 2), obs: series([['2024-06-01', 0.31, 'G'], ['2024-06-02', 0.32, 'G']]) },
    // On the corner of four pixels: it belongs to the one east and south of it.
    { id: 'EDGE', lon: 10.5, lat: 45.5, obs: series([['2024-06-02', 0.4]]) },
    { id: 'NO-SERIES', ...centre(2, 2) },
    // On the grid's east edge: outside (a pixel holds its west and north edges only).
    { id: 'EAST-EDGE', lon: 12, lat: 45.75, obs: series([['2024-06-01', 0.3]]) },
  ]);
  // The product has no value at pixel 9 (col 1, row 2) on its second date.
  const hasValue = (d: number, k: number) => !(d === 1 && k === 9);
  const sampled = sampleStationsAtPixels(stations, { grid: GRID, dates: DATES, depthMax: 0.05, flags: ['G'], hasValue });
  assert.deepEqual(sampled.map(plain), [
    { id: 'GOOD', pixel: { col: 2, row: 0, index: 2 }, excluded: null, dates: [0, 2], observations: [1, 4], values: [f(0.2), f(0.23)], dropped: { 'no-value': [0], 'rejected-flag': [2], 'no-product-date': [3] } },
    { id: 'OUTSIDE', pixel: null, excluded: 'outside-grid', dates: [], observations: [], values: [], dropped: {} },
    { id: 'DEEP', pixel: { col: 0, row: 1, index: 4 }, excluded: 'too-deep', dates: [], observations: [], values: [], dropped: {} },
    { id: 'FLAGGED', pixel: { col: 3, row: 2, index: 11 }, excluded: null, dates: [], observations: [], values: [], dropped: { 'rejected-flag': [0, 1] } },
    { id: 'MISSING-DATE', pixel: { col: 0, row: 0, index: 0 }, excluded: null, dates: [], observations: [], values: [], dropped: { 'no-product-date': [0] } },
    { id: 'NAN-PIXEL', pixel: { col: 1, row: 2, index: 9 }, excluded: null, dates: [0], observations: [0], values: [f(0.31)], dropped: { 'no-product-value': [1] } },
    { id: 'EDGE', pixel: { col: 1, row: 1, index: 5 }, excluded: null, dates: [1], observations: [0], values: [f(0.4)], dropped: {} },
    { id: 'NO-SERIES', pixel: { col: 2, row: 2, index: 10 }, excluded: 'no-observations', dates: [], observations: [], values: [], dropped: {} },
    { id: 'EAST-EDGE', pixel: null, excluded: 'outside-grid', dates: [], observations: [], values: [], dropped: {} },
  ]);
  // Stations come back projected to the grid's CRS; the pixels are those stationPixels gives.
  assert.deepEqual(sampled[6].station, { id: 'EDGE', lon: 10.5, lat: 45.5, depth: 0.05, x: 10.5, y: 45.5 });
  assert.deepEqual(stationPixels(stations, GRID), sampled.map((s) => s.pixel));
  // A wider depth limit and more flags take in the deep station and the flagged one.
  const wide = sampleStationsAtPixels(stations, { grid: GRID, dates: DATES, depthMax: 0.1, flags: ['G', 'D02'] });
  assert.deepEqual(plain(wide[2]).dates, [0]);
  assert.deepEqual(plain(wide[3]).dates, [0, 1]);
  // Without hasValue every match is a sample.
  assert.deepEqual(plain(wide[5]).dates, [0, 1]);
});

test('sampleStationsAtPixels: within maxDaysApart each product date takes the nearest observation, the earlier on ties', () => {
  const stations = stationsOf([
    { id: 'T', ...centre(1, 0), obs: series([['2024-06-03', 0.1], ['2024-06-05', 0.2], ['2024-06-20', 0.3]]) },
  ]);
  const at = (maxDaysApart: number) => plain(sampleStationsAtPixels(stations, { grid: GRID, dates: ['2024-06-02', '2024-06-04', '2024-06-08'], depthMax: 1, flags: [], maxDaysApart })[0]);
  // 06-02 ← 06-03; 06-04: 06-03 and 06-05 both a day away → 06-03; 06-08 has nothing within a day.
  assert.deepEqual(at(1), { id: 'T', pixel: { col: 1, row: 0, index: 1 }, excluded: null, dates: [0, 1], observations: [0, 0], values: [f(0.1), f(0.1)], dropped: { 'not-nearest': [1], 'no-product-date': [2] } });
  assert.deepEqual(at(3).observations, [0, 0, 1]);
  assert.deepEqual(at(0).dropped, { 'no-product-date': [0, 1, 2] });
});

test('sampleStationsAtPixels: a station projected from lon/lat lands in the pixel whose centre it is (UTM grid)', () => {
  const grid: Grid = createGrid(6, 5, [500000, 30, 0, 4200000, 0, -30], 'EPSG:32633');
  const cells = [[3, 2], [0, 4], [5, 0]] as const;
  const { x: lon, y: lat } = transformCoordinates('EPSG:32633', 'EPSG:4326', Float64Array.from(cells, ([c]) => 500015 + 30 * c), Float64Array.from(cells, ([, r]) => 4199985 - 30 * r));
  const stations = stationsOf(cells.map((_, i) => ({ id: `S${i}`, lon: lon[i], lat: lat[i], obs: series([['2024-06-01', 0.25]]) })));
  const sampled = sampleStationsAtPixels(stations, { grid, dates: ['2024-06-01'], depthMax: 0.05, flags: [] });
  assert.deepEqual(sampled.map((s) => s.pixel), cells.map(([col, row]) => ({ col, row, index: row * 6 + col })));
  assert.deepEqual(sampled.map((s) => [...s.values]), cells.map(() => [f(0.25)]));
});

test('sampleStationsAtPixels: every observation of a sampled station is a sample or dropped for exactly one reason (random networks)', () => {
  const rng = createRng(7);
  const dates = Array.from({ length: 40 }, (_, d) => new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10));
  for (let trial = 0; trial < 20; trial++) {
    const productDates = dates.filter(() => rng.next() < 0.6);
    const list = Array.from({ length: 12 }, (_, s) => ({
      id: `R${s}`,
      lon: 9.8 + 2.4 * rng.next(),
      lat: 44.4 + 1.8 * rng.next(),
      depth: rng.next() < 0.2 ? 0.1 : 0.05,
      obs: series(dates.filter(() => rng.next() < 0.5).map((d) => [d, rng.next() < 0.1 ? Number.NaN : rng.next(), rng.next() < 0.2 ? 'D01' : 'G'] as [string, number, string])),
    }));
    const maxDaysApart = trial % 3;
    const sampled = sampleStationsAtPixels(stationsOf(list), { grid: GRID, dates: productDates, depthMax: 0.05, flags: ['G'], maxDaysApart, hasValue: (d, k) => (d + k) % 7 !== 3 });
    sampled.forEach((s, i) => {
      const obs = list[i].obs;
      if (s.excluded) return assert.equal(s.dates.length + Object.values(s.dropped).reduce((n, v) => n + v.length, 0), 0);
      const seen = new Map<number, number>();
      for (const o of [...new Set(s.observations), ...Object.values(s.dropped).flatMap((v) => [...v])]) seen.set(o, (seen.get(o) ?? 0) + 1);
      assert.deepEqual([...seen.keys()].sort((a, b) => a - b), obs.dates.map((_, j) => j), `station ${s.station.id}`);
      assert.ok([...seen.values()].every((n) => n === 1), `station ${s.station.id}: an observation counted twice`);
      s.dates.forEach((d, j) => {
        const o = s.observations[j];
        const apart = Math.abs(Date.parse(productDates[d]) - Date.parse(obs.dates[o])) / 86_400_000;
        assert.ok(apart <= maxDaysApart && obs.flags![o] === 'G' && s.values[j] === obs.values[o] && (d + s.pixel!.index) % 7 !== 3);
        if (j > 0) assert.ok(d > s.dates[j - 1], 'product dates ascending, each at most once');
      });
    });
  }
});

test('sampleStationsAtPixels: a static product takes every accepted observation as a sample of its one layer', () => {
  const stations = stationsOf([
    { id: 'A', ...centre(1, 1), obs: series([['2024-06-01', 0.2, 'G'], ['2024-06-01', 0.25, 'G'], ['2024-07-09', 0.3, 'D01'], ['2024-08-01', 0.35, '']]) },
    { id: 'DRY-PIXEL', ...centre(0, 0), obs: series([['2024-06-01', 0.1, 'G']]) },
  ]);
  const sampled = sampleStationsAtPixels(stations, { grid: GRID, dates: [], staticProduct: true, depthMax: 0.05, flags: ['G'], hasValue: (d, k) => d === 0 && k !== 0 });
  assert.deepEqual(sampled.map(plain), [
    { id: 'A', pixel: { col: 1, row: 1, index: 5 }, excluded: null, dates: [0, 0, 0], observations: [0, 1, 3], values: [f(0.2), f(0.25), f(0.35)], dropped: { 'rejected-flag': [2] } },
    { id: 'DRY-PIXEL', pixel: { col: 0, row: 0, index: 0 }, excluded: null, dates: [], observations: [], values: [], dropped: { 'no-product-value': [0] } },
  ]);
  // Without the flag, a product with no dates matches nothing.
  assert.equal(sampleStationsAtPixels(stations, { grid: GRID, dates: [], depthMax: 0.05, flags: ['G'] })[0].dates.length, 0);
});
