import { definePlugin, type ParamsOf } from '../../core/index.js';
import type { CsvColumnType } from './src/read-csv-table.js';

const schema = {
  type: 'object',
  properties: {
    path: { type: 'string', minLength: 1, description: 'CSV file, relative to the working directory. The first line is the header.' },
    columns: {
      type: 'object',
      additionalProperties: { enum: ['number', 'integer', 'string', 'date', 'boolean'] },
      default: {},
      description: 'Column types by name (date: YYYY-MM-DD, a 00:00 time may follow). Columns not listed are inferred — number when every non-NA cell is one, else string — and the inference is noted with the table.',
    },
    na: { type: 'array', items: { type: 'string' }, default: ['', 'NA', 'NaN', 'nan', 'N/A', 'null'], description: 'Cell texts that mean "no value" (null in the table).' },
    delimiter: { type: 'string', minLength: 1, maxLength: 1, default: ',', description: 'Field separator.' },
    wide: {
      type: 'object',
      description: 'A wide file (one column per station) turned long: every column but `keep` becomes rows of (nameColumn = the header, valueColumn = the cell); the value column\'s type is columns[valueColumn].',
      properties: {
        keep: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Columns kept on every row (e.g. the date).' },
        nameColumn: { type: 'string', minLength: 1, default: 'station' },
        valueColumn: { type: 'string', minLength: 1, default: 'value' },
      },
      required: ['keep'],
      additionalProperties: false,
    },
  },
  required: ['path'],
  additionalProperties: false,
} as const;

export type CsvSourceParams = ParamsOf<typeof schema>;

/**
 * `source:csv` — a CSV file as a typed record table (node output `table`): station-days with
 * predictors, ready for `model:table`. Bad cells are errors naming the file, line, column, expected
 * and found; NA markers become null.
 *
 * @example
 * ```json
 * { "uses": "source:csv", "with": { "path": "deos_daily_vwc.csv", "columns": { "Time": "date", "vwc": "number" },
 *   "na": ["NaN"], "wide": { "keep": ["Time"], "nameColumn": "station", "valueColumn": "vwc" } } }
 * ```
 */
export const csvSource = definePlugin({
  id: 'source:csv',
  version: '1.0.0',
  title: 'CSV table',
  description: 'Reads a CSV file into a typed table (numbers, integers, dates, booleans, strings; NA markers → null), optionally from wide (one column per station) to long.',
  params: schema,
  create: (params: CsvSourceParams) => ({
    async load() {
      const { readCsvTable } = await import('./src/read-csv-table.js');
      // The schema's enum: ParamsOf leaves a map's values unknown.
      const columns = params.columns as Readonly<Record<string, CsvColumnType>>;
      const wide = params.wide && { keep: params.wide.keep, nameColumn: params.wide.nameColumn, valueColumn: params.wide.valueColumn };
      return readCsvTable(params.path, { columns, na: params.na, delimiter: params.delimiter, wide });
    },
  }),
});
