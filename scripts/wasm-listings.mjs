#!/usr/bin/env node
// Writes the text listing of every hand-assembled WebAssembly kernel beside its source: each compiled
// `dist/**/wasm-*.js` module's exported kernels (objects with `bytes()` and `calls`), listed from their
// bytes into `<source>.wat`. Run after `npx tsc -p tsconfig.json`; the kernels' tests check the listings.
import { readdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const { wasmListing } = await import(pathToFileURL(join(dist, 'core/kernel.js')).href);
const modules = readdirSync(dist, { recursive: true })
  .filter((f) => /^wasm-.*\.js$/.test(basename(f)) && !f.split('/').includes('test'))
  .map((f) => join(dist, f));
for (const file of modules.sort()) {
  const exports = await import(pathToFileURL(file).href);
  const kernels = Object.values(exports).filter((k) => k && typeof k.bytes === 'function' && typeof k.calls === 'number');
  if (kernels.length === 0) continue;
  const listing = kernels.map((k) => wasmListing(k.bytes())).join('\n');
  const target = join(root, relative(dist, file)).replace(/\.js$/, '.wat');
  writeFileSync(target, listing);
  console.log(`${relative(root, target)}: ${listing.split('\n').length} lines`);
}
