import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { createWorkerPool } from '../../../core/index.js';

const kernel = new URL('./kernel-fixture.js', import.meta.url).href;

describe('worker pool', () => {
  const pool = createWorkerPool(2);
  const inline = createWorkerPool(1);
  after(() => Promise.all([pool.close(), inline.close()]));

  it('runs tasks on threads and returns results in call order', async () => {
    const inputs = Array.from({ length: 7 }, (_, i) => Float32Array.from({ length: 1000 }, (_, j) => i + j * 0.001));
    const sums = await Promise.all(inputs.map((a) => pool.run<number>({ module: kernel, fn: 'sum', args: [a] })));
    const expected = await Promise.all(inputs.map((a) => inline.run<number>({ module: kernel, fn: 'sum', args: [a] })));
    assert.deepEqual(sums, expected);
    assert.ok(Math.abs(sums[3] - (3 * 1000 + 0.001 * 999 * 500)) < 1e-2);
  });

  it('returns typed arrays from workers', async () => {
    const out = await pool.run<Float32Array>({ module: kernel, fn: 'scale', args: [Float32Array.of(1, 2, 3), 2] });
    assert.deepEqual([...out], [2, 4, 6]);
  });

  it('rejects with the worker error and keeps working', async () => {
    await assert.rejects(pool.run({ module: kernel, fn: 'fail', args: ['boom'] }), /boom/);
    await assert.rejects(pool.run({ module: kernel, fn: 'missing', args: [] }), /no export missing/);
    assert.equal(await pool.run<number>({ module: kernel, fn: 'sum', args: [Float32Array.of(1, 2)] }), 3);
  });
});
