import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createGrid, createPluginContext, makeSeries, type RecordTable, type Series, type Stations } from '../../../core/index.js';
import { sampleAtStationsTransform } from '../index.js';

// Fine grid: 5 × 4 pixels of 0.5° from (-100, 40); coarse grid: 3 × 2 pixels of 1°.
const fine = createGrid(5, 4, [-100, 0.5, 0, 40, 0, -0.5], 'EPSG:4326');
const coarse = createGrid(3, 2, [-100, 1, 0, 40, 0, -1], 'EPSG:4326');
const dates = ['2018-01-01', '2018-01-02'];
const ndvi: Series = makeSeries({ variable: 'ndvi', grid: fine, dates, values: dates.map((_, d) => Float32Array.from({ length: 20 }, (_, p) => (d === 1 && p === 19 ? Number.NaN : p + 100 * d))) });
const dem: Series = makeSeries({ variable: 'dem', grid: fine, dates: [], values: [Float32Array.from({ length: 20 }, (_, p) => 1000 + p)] });
const sm: Series = makeSeries({ variable: 'sm', grid: coarse, dates, values: dates.map((_, d) => Float32Array.from({ length: 6 }, (_, p) => 0.01 * p + d)) });
const stations: Stations = {
  kind: 'stations',
  // A: fine pixel (col 1, row 1) = 6, coarse (0, 0) = 0; C: fine (4, 3) = 19, coarse (2, 1) = 5; B: outside.
  stations: [
    { id: 'A', lon: -99.2, lat: 39.1, depth: 0.05 },
    { id: 'B', lon: -90, lat: 39, depth: 0.05 },
    { id: 'C', lon: -97.9, lat: 38.3, depth: 0.05 },
  ],
  observations: new Map([
    ['A', { dates: ['2018-01-01', '2018-01-02', '2018-01-03'], values: Float32Array.of(0.25, Number.NaN, 0.5) }],
    ['B', { dates: ['2018-01-01'], values: Float32Array.of(0.125) }],
    ['C', { dates: ['2018-01-02'], values: Float32Array.of(0.375) }],
  ]),
};

async function sample(rows: 'observed' | 'all') {
  const t = await sampleAtStationsTransform.create({ rows }, createPluginContext());
  const r = (await t.apply({ predictors: { ndvi, dem, sm_coarse: sm } as never, stations })) as unknown as { table: RecordTable; notes: string[] };
  return r;
}

describe('transform:sample-at-stations', () => {
  it('one row per observed station-day on a predictor date, each predictor at the station\'s pixel of its own grid', async () => {
    const { table, notes } = await sample('observed');
    assert.deepEqual(table.columns, ['station', 'lon', 'lat', 'date', 'sm', 'ndvi', 'dem', 'sm_coarse']);
    assert.deepEqual(
      table.rows.map((r) => ({ ...r, sm_coarse: Number((r.sm_coarse as number).toFixed(6)) })),
      [
        { station: 'A', lon: -99.2, lat: 39.1, date: '2018-01-01', sm: 0.25, ndvi: 6, dem: 1006, sm_coarse: 0 },
        // C's fine pixel has no NDVI on 2018-01-02: null, not a value from another date.
        { station: 'C', lon: -97.9, lat: 38.3, date: '2018-01-02', sm: 0.375, ndvi: null, dem: 1019, sm_coarse: 1.05 },
      ],
    );
    assert.deepEqual(notes, ["1 stations outside every predictor's grid left out: B"]);
  });

  it('rows "all": every predictor date for every station inside, the target null where not observed', async () => {
    const { table } = await sample('all');
    assert.deepEqual(table.rows.map((r) => [r.station, r.date, r.sm, r.ndvi]), [
      ['A', '2018-01-01', 0.25, 6],
      ['A', '2018-01-02', null, 106],
      ['C', '2018-01-01', null, 19],
      ['C', '2018-01-02', 0.375, null],
    ]);
  });
});
