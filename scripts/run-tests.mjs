#!/usr/bin/env node
// Runs the compiled tests (dist/**/*.test.js) with node's test runner.
// Usage: node scripts/run-tests.mjs [substring ...]   — only test files whose path contains a substring.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const filters = process.argv.slice(2);
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules' && name !== 'fixtures') walk(p);
    } else if (name.endsWith('.test.js')) {
      const rel = relative(root, p);
      if (filters.length > 0 && !filters.some((f) => rel.includes(f))) continue;
      // tsc never deletes outputs: a test whose source was moved or removed is a stale leftover in dist/.
      if (existsSync(join(root, rel.replace(/^dist\//, '').replace(/\.js$/, '.ts')))) files.push(rel);
      else console.error(`skipped ${rel}: its source is gone (stale build output; delete it from dist/)`);
    }
  }
})(dist);
files.sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ') || 'dist/**/*.test.js'}`);
  process.exit(1);
}
const concurrency = process.env.SOILSCALE_TEST_CONCURRENCY ?? '2';
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...files], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
