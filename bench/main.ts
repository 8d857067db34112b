/**
 * `npm run bench [name ...]`: runs the benchmarks in `bench/*.bench.ts` (all, or those named),
 * each printing our figures beside the peer's and the ratio. Never part of `npm test`.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface BenchArgs {
  /** Remaining command-line words after the benchmark names (e.g. `--run-peer`). */
  readonly flags: readonly string[];
}

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .map((f) => f.slice(0, -'.bench.js'.length))
  .sort();
const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('--'));
const flags = args.filter((a) => a.startsWith('--'));
const unknown = names.filter((n) => !available.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
for (const name of names.length ? names : available) {
  console.log(`\n=== ${name} ===`);
  const mod = (await import(new URL(`./${name}.bench.js`, import.meta.url).href)) as { default: (a: BenchArgs) => Promise<void> };
  await mod.default({ flags });
}
