import { readFileSync } from 'node:fs';

export { sharedDataPath as sharedData } from '../../../test/support/shared-data.js';

/** Columns of a numeric CSV with a header row, by header name. */
export function readCsvColumns(path: string): Record<string, Float64Array> {
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',').map((s) => s.trim());
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  return Object.fromEntries(header.map((h, k) => [h, Float64Array.from(rows, (r) => r[k])]));
}
