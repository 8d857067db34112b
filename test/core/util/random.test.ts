import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createRng } from '../../../core/index.js';

describe('createRng', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 5 }, () => a.next());
    assert.deepEqual(sa, Array.from({ length: 5 }, () => b.next()));
    assert.notDeepEqual(sa, Array.from({ length: 5 }, () => c.next()));
  });

  it('draws uniform and standard normal values with the right moments', () => {
    const rng = createRng(1);
    let su = 0, sn = 0, sn2 = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      su += rng.next();
      const z = rng.normal();
      sn += z;
      sn2 += z * z;
    }
    assert.ok(Math.abs(su / n - 0.5) < 0.005);
    assert.ok(Math.abs(sn / n) < 0.01);
    assert.ok(Math.abs(sn2 / n - 1) < 0.02);
  });

  it('forks independent, reproducible streams', () => {
    const x = createRng(9).fork(3).next();
    assert.equal(x, createRng(9).fork(3).next());
    assert.notEqual(x, createRng(9).fork(4).next());
  });
});
