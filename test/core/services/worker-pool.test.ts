import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { createWorkerPool, workerTask } from '../../../core/index.js';
import { failTask, scaleTask, sumTask } from './kernel-fixture.js';

describe('worker pool', () => {
  const pool = createWorkerPool(2);
  const inline = createWorkerPool(1);
  after(() => Promise.all([pool.close(), inline.close()]));

  it('runs tasks on threads and returns results in call order', async () => {
    const inputs = Array.from({ length: 7 }, (_, i) => Float32Array.from({ length: 1000 }, (_, j) => i + j * 0.001));
    const sums = await Promise.all(inputs.map((a) => pool.run(sumTask, [a])));
    const expected = await Promise.all(inputs.map((a) => inline.run(sumTask, [a])));
    assert.deepEqual(sums, expected);
    assert.ok(Math.abs(sums[3] - (3 * 1000 + 0.001 * 999 * 500)) < 1e-2);
  });

  it('returns typed arrays from workers', async () => {
    const out = await pool.run(scaleTask, [Float32Array.of(1, 2, 3), 2]);
    assert.deepEqual([...out], [2, 4, 6]);
  });

  it('rejects with the worker error and keeps working', async () => {
    await assert.rejects(pool.run(failTask, ['boom']), /boom/);
    await assert.rejects(pool.run({ module: sumTask.module, fn: 'missing' }, []), /no export missing/);
    assert.equal(await pool.run(sumTask, [Float32Array.of(1, 2)]), 3);
  });
});

describe('workerTask', () => {
  it('names the one exported function it is given', () => {
    const task = workerTask('file:///k.js', { sum: (a: number) => a });
    assert.deepEqual(task, { module: 'file:///k.js', fn: 'sum' });
    assert.throws(() => workerTask('file:///k.js', { a: () => 1, b: () => 2 }), /exactly one exported function/);
  });
});
