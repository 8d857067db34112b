import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { recordTable } from '../../../core/index.js';
import { usableRows } from '../src/table-rows.js';

const records = recordTable([
  { station: 'A', date: '2018-01-01', sm: 0.2, ndvi: 0.5, wet: true },
  { station: 'A', date: '2018-01-02', sm: null, ndvi: 0.4, wet: false },
  { station: null, date: '2018-01-03', sm: 0.3, ndvi: 0.3, wet: false },
  { station: 'B', date: '2018-01-04', sm: 0.25, ndvi: null, wet: true },
  { station: 'B', date: '2018-01-05', sm: 0.35, ndvi: 0.1, wet: false },
]);

describe('model:table rows', () => {
  it('keeps complete rows (booleans as 0/1, date features from the date column) and counts the rest', () => {
    const rows = usableRows(records, { target: 'sm', features: ['ndvi', 'wet'], groupBy: 'station', dateColumn: 'date', dateFeatures: 'season' });
    assert.deepEqual([...rows.source], [0, 4]);
    assert.deepEqual(rows.groups, ['A', 'B']);
    assert.deepEqual(rows.table.columns, ['ndvi', 'wet', 'season_djf', 'season_mam', 'season_jja', 'season_son']);
    assert.deepEqual([...rows.table.x.slice(0, 6)], [0.5, 1, 1, 0, 0, 0]);
    assert.deepEqual([...rows.observed], [0.2, 0.35]);
    assert.deepEqual(rows.notes, ['2 of 5 rows left out: the target or a feature is missing', '1 rows left out: no station']);
  });

  it('refuses a missing column, a text feature and a non-date in the date column, naming row and column', () => {
    assert.throws(() => usableRows(records, { target: 'sm', features: ['lst'], dateFeatures: 'none' }), /with: the table has no column 'lst' \(expected columns among station, date, sm, ndvi, wet/);
    assert.throws(() => usableRows(records, { target: 'sm', features: ['station'], dateFeatures: 'none' }), /table row 1, column station: a feature or target cell is not a number \(expected a number, a boolean or null .*found "A"\)/);
    assert.throws(() => usableRows(records, { target: 'sm', features: ['ndvi'], dateColumn: 'station', dateFeatures: 'doy' }), /table row 1, column station: not a date/);
    assert.throws(() => usableRows(records, { target: 'sm', features: [], dateFeatures: 'none' }), /with\.features: no feature/);
  });
});
