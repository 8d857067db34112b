import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wasmListing, type LazyWasmKernel } from '../../core/kernel.js';

/** The repository's root: the first folder above this file with a package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (package.json) above the tests');
    dir = up;
  }
  return dir;
}

/**
 * The kernel's checked-in listing (`watPath`, relative to the repository) is the listing of the bytes it
 * compiles; after changing a kernel, regenerate it with `node scripts/wasm-listings.mjs`.
 */
export function assertKernelListing(kernel: LazyWasmKernel, watPath: string): void {
  const file = join(repoRoot(), watPath);
  assert.ok(existsSync(file), `${watPath} is missing: run node scripts/wasm-listings.mjs`);
  assert.equal(wasmListing(kernel.bytes()), readFileSync(file, 'utf8'), `${watPath} is stale: run node scripts/wasm-listings.mjs`);
}

/** How many calls into the kernel's WebAssembly code `work` made on this thread. */
export async function kernelCallsDuring(kernel: LazyWasmKernel, work: () => unknown): Promise<number> {
  const before = kernel.calls;
  await work();
  return kernel.calls - before;
}
