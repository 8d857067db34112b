import { readFile } from 'node:fs/promises';
import { inputError, recordTable, splitCsvLine, splitLines, type RecordTable } from '../../../core/index.js';

/** A column's type: how each cell is parsed (NA cells become null whatever the type). */
export type CsvColumnType = 'number' | 'integer' | 'string' | 'date' | 'boolean';

export interface CsvTableOptions {
  /** Types by column name; columns not listed are inferred (number when every non-NA cell is one, else string) and the inference is noted. */
  readonly columns: Readonly<Record<string, CsvColumnType>>;
  /** Cell texts (after trimming) that mean "no value". */
  readonly na: readonly string[];
  readonly delimiter: string;
  /** Wide to long: every column but `keep` becomes rows of (`nameColumn` = its header, `valueColumn` = its cell). */
  readonly wide?: { readonly keep: readonly string[]; readonly nameColumn: string; readonly valueColumn: string };
}

type Cell = string | number | boolean | null;

/** Read a CSV file into a typed record table; errors name the file, line, column, expected and found. */
export async function readCsvTable(path: string, options: CsvTableOptions): Promise<RecordTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw inputError('cannot read the CSV file', { file: path, expected: 'a readable CSV file', found: (e as NodeJS.ErrnoException).code ?? String(e) });
  }
  return parseCsvTable(text.replace(/^\uFEFF/, ''), path, options);
}

/** Parse CSV text (see {@link readCsvTable}); `file` names it in messages. */
export function parseCsvTable(text: string, file: string, options: CsvTableOptions): RecordTable {
  const lines = splitLines(text);
  const header = (splitCsvLine(lines[0] ?? '', options.delimiter) ?? []).map((h) => h.trim());
  if (header.length === 0 || header.every((h) => h === '')) throw inputError('the CSV file has no header', { file, path: 'line 1', expected: 'a header of column names', found: '(empty)' });
  const duplicate = header.find((h, i) => header.indexOf(h) !== i);
  if (duplicate !== undefined) throw inputError('duplicate column name in the header', { file, path: 'line 1', expected: 'distinct column names', found: JSON.stringify(duplicate) });
  for (const name of [...Object.keys(options.columns), ...(options.wide?.keep ?? [])]) {
    if (!header.includes(name) && name !== options.wide?.valueColumn) {
      throw inputError(`column '${name}' is not in the file`, { file, path: 'line 1', expected: `a column named ${JSON.stringify(name)}`, found: header.join(',').slice(0, 120) });
    }
  }
  const na = new Set(options.na);
  const cells: { line: number; fields: string[] }[] = [];
  for (let li = 1; li < lines.length; li++) {
    if (lines[li].trim() === '') continue;
    const fields = splitCsvLine(lines[li], options.delimiter);
    if (!fields) throw inputError('unclosed quote', { file, path: `line ${li + 1}`, expected: 'closed quotes', found: lines[li].slice(0, 80) });
    if (fields.length !== header.length) throw inputError('wrong number of fields', { file, path: `line ${li + 1}`, expected: `${header.length} fields (as the header)`, found: `${fields.length}` });
    cells.push({ line: li + 1, fields: fields.map((f) => f.trim()) });
  }
  const valueType = options.wide ? options.columns[options.wide.valueColumn] : undefined;
  const inferred: string[] = [];
  const types = header.map((name, j): CsvColumnType => {
    const given = options.columns[name] ?? (options.wide && !options.wide.keep.includes(name) ? valueType : undefined);
    if (given) return given;
    const type = cells.every((c) => na.has(c.fields[j]) || Number.isFinite(Number(c.fields[j]))) ? 'number' : 'string';
    inferred.push(`${name}: ${type}`);
    return type;
  });
  const notes = inferred.length ? [`${file}: column types inferred (set "columns" to fix them): ${inferred.join(', ')}`] : [];
  const parsed = cells.map(({ line, fields }) => fields.map((raw, j) => parseCell(raw, types[j], na, () => ({ file, line, column: header[j] }))));
  if (!options.wide) {
    const rows = parsed.map((values) => Object.fromEntries(header.map((h, j) => [h, values[j]])));
    return recordTable(rows, header, notes);
  }
  const { keep, nameColumn, valueColumn } = options.wide;
  const spread = header.filter((h) => !keep.includes(h));
  const rows: Record<string, Cell>[] = [];
  for (const values of parsed) {
    const ids = Object.fromEntries(keep.map((k) => [k, values[header.indexOf(k)]]));
    for (const h of spread) rows.push({ ...ids, [nameColumn]: h, [valueColumn]: values[header.indexOf(h)] });
  }
  return recordTable(rows, [...keep, nameColumn, valueColumn], notes);
}

const DATE = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?Z?)?$/;

function parseCell(raw: string, type: CsvColumnType, na: ReadonlySet<string>, where: () => { file: string; line: number; column: string }): Cell {
  if (na.has(raw)) return null;
  const bad = (expected: string): never => {
    const w = where();
    throw inputError('bad CSV cell', { file: w.file, path: `line ${w.line}, column ${w.column}`, expected, found: JSON.stringify(raw) });
  };
  switch (type) {
    case 'string':
      return raw;
    case 'number': {
      const v = Number(raw);
      return raw !== '' && Number.isFinite(v) ? v : bad(`a number (or an NA marker: ${[...na].map((s) => JSON.stringify(s)).join(', ')})`);
    }
    case 'integer': {
      const v = Number(raw);
      return raw !== '' && Number.isInteger(v) ? v : bad('an integer');
    }
    case 'boolean': {
      const v = raw.toLowerCase();
      return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : bad('true/false or 1/0');
    }
    case 'date': {
      const m = DATE.exec(raw);
      const day = m?.[1];
      const t = day === undefined ? Number.NaN : Date.parse(`${day}T00:00:00Z`);
      const valid = Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === day;
      if (!valid) return bad('a date YYYY-MM-DD (a time of 00:00 may follow)');
      // A daily table: a time other than midnight would be silently dropped, so it is an error.
      if (m![2] !== undefined && (Number(m![2]) !== 0 || Number(m![3]) !== 0 || Number(m![4] ?? 0) !== 0)) return bad('a day (time 00:00 or none)');
      return day!;
    }
  }
}
