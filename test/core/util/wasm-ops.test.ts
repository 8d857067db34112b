import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ins, lazyWasmKernel, wasmKernelModuleBytes, wasmListing, wasmVector } from '../../../core/kernel.js';

/** `scale(at, n)`: f64 x[i] ← 2·x[i] + 0.5 for i < n (two lanes at a time), then store n·8 at address 0. */
function scaleBody(): number[] {
  const [AT, N, END] = [0, 1, 2];
  return [
    ...wasmVector([[1, 0x7f]]),
    ...ins('local.get', AT), ...ins('local.get', N), ...ins('i32.const', 3), ...ins('i32.shl'), ...ins('i32.add'), ...ins('local.set', END),
    ...ins('block'), ...ins('loop'),
    ...ins('local.get', AT), ...ins('local.get', END), ...ins('i32.ge_u'), ...ins('br_if', 1),
    ...ins('local.get', AT),
    ...ins('local.get', AT), ...ins('v128.load'), ...ins('f64.const', 2), ...ins('f64x2.splat'), ...ins('f64x2.mul'),
    ...ins('f64.const', 0.5), ...ins('f64x2.splat'), ...ins('f64x2.add'), ...ins('v128.store'),
    ...ins('local.get', AT), ...ins('i32.const', 16), ...ins('i32.add'), ...ins('local.set', AT),
    ...ins('br', 0), ...ins('end'), ...ins('end'),
    ...ins('i32.const', 0), ...ins('local.get', N), ...ins('i32.const', -8), ...ins('i32.mul'), ...ins('i32.store', 0),
    ...ins('end'),
  ];
}

describe('core WebAssembly vocabulary and listing', () => {
  const kernel = lazyWasmKernel(() => wasmKernelModuleBytes([{ name: 'scale', params: 2, body: scaleBody() }]));

  it('assembles a SIMD kernel that runs, and counts its calls', () => {
    const instance = kernel.instantiate(1024);
    assert.ok(instance, 'WebAssembly SIMD is available on Node 20');
    const x = new Float64Array(instance.buffer, 16, 6);
    x.set([1, -2, 3.5, 0, 10, 1e-3]);
    const before = kernel.calls;
    (instance.exports.scale as (at: number, n: number) => void)(16, 6);
    assert.equal(kernel.calls, before + 1);
    assert.deepEqual(Array.from(x), [2.5, -3.5, 7.5, 0.5, 20.5, 0.502]);
    assert.equal(new Int32Array(instance.buffer, 0, 1)[0], -48, 'signed i32.const');
  });

  it('lists the bytes back as text, blocks indented, immediates decoded', () => {
    const lines = wasmListing(kernel.bytes()).split('\n');
    assert.equal(lines[0], '(import "m" "mem" (memory 1))');
    assert.equal(lines[1], '(func $scale (param i32 i32) (local i32)');
    assert.ok(lines.includes('      v128.load align=16'), lines.join('\n'));
    assert.ok(lines.includes('      f64.const 0.5'));
    assert.ok(lines.includes('      br_if 1'));
    assert.ok(lines.includes('  i32.const -8'));
    assert.ok(lines.includes('  i32.store align=4'));
    assert.equal(lines.filter((l) => l.trim() === 'end').length, 2, 'the function\'s own end closes the listing');
  });

  it('names an opcode it does not know instead of listing garbage', () => {
    const bytes = wasmKernelModuleBytes([{ name: 'odd', params: 0, body: [0, 0xc0, 0x0b] }]); // i32.extend8_s: not in the vocabulary
    assert.throws(() => wasmListing(bytes), /opcode 0xc0 .* not in the vocabulary/);
  });
});
