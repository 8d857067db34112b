import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Path of a file under the project's `shared/data`, found by walking up from this file (src or dist). */
export function sharedData(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, '..', 'shared', 'data', rel);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`shared/data/${rel} not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Columns of a numeric CSV with a header row, by header name. */
export function readCsvColumns(path: string): Record<string, Float64Array> {
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',').map((s) => s.trim());
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  return Object.fromEntries(header.map((h, k) => [h, Float64Array.from(rows, (r) => r[k])]));
}
