import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file of a run folder but the manifest and report (they hold timings), by relative path, in path order. */
export function runOutputFiles(out: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (!['manifest.json', 'report.html'].includes(e.name)) files.set(relative(out, join(dir, e.name)), readFileSync(join(dir, e.name)));
    }
  };
  walk(out);
  return files;
}
