import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createPluginContext, isSoilscaleError, type RecordTable } from '../../../core/index.js';
import { sharedDataPath } from '../../../test/support/shared-data.js';
import { csvSource } from '../index.js';
import { parseCsvTable, type CsvTableOptions } from '../src/read-csv-table.js';

const base: CsvTableOptions = { columns: {}, na: ['', 'NA', 'NaN'], delimiter: ',' };

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(isSoilscaleError(e), String(e));
    return e.message;
  }
  assert.fail('no error');
}

describe('source:csv', () => {
  it('types columns as declared, infers the rest with a note, and turns NA markers into null', () => {
    const t = parseCsvTable('station,date,sm,ok,n\nA,2018-01-02,0.25,true,3\n"B,x",2018-01-03 00:00,NA,0,\n', 'f.csv', { ...base, columns: { date: 'date', ok: 'boolean', n: 'integer' } });
    assert.deepEqual(t.columns, ['station', 'date', 'sm', 'ok', 'n']);
    assert.deepEqual(t.rows, [
      { station: 'A', date: '2018-01-02', sm: 0.25, ok: true, n: 3 },
      { station: 'B,x', date: '2018-01-03', sm: null, ok: false, n: null },
    ]);
    assert.deepEqual(t.notes, ['f.csv: column types inferred (set "columns" to fix them): station: string, sm: number']);
  });

  it('names the file, line, column, expected and found for a bad cell', () => {
    const text = 'station,date,sm\nA,2018-01-02,0.25\nA,2018-02-30,0.2\n';
    assert.match(errorOf(() => parseCsvTable(text, 'f.csv', { ...base, columns: { date: 'date' } })), /^f\.csv: line 3, column date: bad CSV cell \(expected a date YYYY-MM-DD.*found "2018-02-30"\)$/);
    assert.match(errorOf(() => parseCsvTable('a,sm\nx,wet\n', 'g.csv', { ...base, columns: { sm: 'number' } })), /^g\.csv: line 2, column sm: bad CSV cell \(expected a number .*found "wet"\)$/);
    // A time other than midnight would be dropped by a daily table: refused.
    assert.match(errorOf(() => parseCsvTable('d\n2018-01-01 12:00\n', 'h.csv', { ...base, columns: { d: 'date' } })), /line 2, column d: .*expected a day \(time 00:00 or none\)/);
    assert.match(errorOf(() => parseCsvTable('a,b\n1,2,3\n', 'i.csv', base)), /^i\.csv: line 2: wrong number of fields \(expected 2 fields/);
    assert.match(errorOf(() => parseCsvTable('a,b\n1,2\n', 'j.csv', { ...base, columns: { c: 'number' } })), /^j\.csv: line 1: column 'c' is not in the file/);
  });

  it('reads the real DEOS file wide → long: 28 stations × 365 days, every "NaN" cell null', async () => {
    const path = sharedDataPath('real', 'deos-delaware-warnerdl', 'deos_daily_vwc.csv');
    const source = await csvSource.create({ path, columns: { Time: 'date', vwc: 'number' }, na: ['NaN'], wide: { keep: ['Time'], nameColumn: 'station', valueColumn: 'vwc' } }, createPluginContext());
    const t = (await source.load()) as RecordTable;
    assert.equal(t.kind, 'records');
    assert.deepEqual(t.columns, ['Time', 'station', 'vwc']);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    assert.equal(t.rows.length, (lines.length - 1) * (header.length - 1));
    const nanCells = lines.slice(1).reduce((n, l) => n + l.split(',').filter((c) => c === 'NaN').length, 0);
    assert.equal(t.rows.filter((r) => r.vwc === null).length, nanCells);
    // Spot check against the text: line 3 (2018-01-02), station column DCLY.
    const j = header.indexOf('DCLY');
    const row = t.rows.find((r) => r.Time === '2018-01-02' && r.station === 'DCLY')!;
    assert.equal(row.vwc, Number(lines[2].split(',')[j]));
  });
});
