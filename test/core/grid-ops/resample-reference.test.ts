import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createGrid, createRng, resampleToGrid, type Grid } from '../../../core/index.js';

/**
 * An independent, deliberately naive resampler (one pixel at a time from the affine transforms) that
 * the fast per-axis paths of `resampleToGrid` must match exactly.
 */
function naiveResample(values: Float32Array, from: Grid, to: Grid, method: 'nearest' | 'bilinear'): Float32Array {
  const out = new Float32Array(to.width * to.height);
  const [a, b, , d, , f] = from.transform;
  const t = to.transform;
  for (let r = 0; r < to.height; r++) {
    for (let c = 0; c < to.width; c++) {
      const x0 = t[0] + 0.5 * t[1];
      const y0 = t[3] + 0.5 * t[5];
      const u0 = (x0 - a) / b;
      const v0 = (y0 - d) / f;
      const u = u0 + c * ((x0 + t[1] - a) / b - u0);
      const v = v0 + r * ((y0 + t[5] - d) / f - v0);
      if (!(u >= 0 && u < from.width && v >= 0 && v < from.height)) {
        out[r * to.width + c] = Number.NaN;
        continue;
      }
      if (method === 'nearest') {
        out[r * to.width + c] = values[Math.floor(v) * from.width + Math.floor(u)];
        continue;
      }
      const x = u - 0.5;
      const y = v - 0.5;
      const xf = Math.floor(x);
      const yf = Math.floor(y);
      const clampX = (i: number) => Math.min(from.width - 1, Math.max(0, i));
      const clampY = (i: number) => Math.min(from.height - 1, Math.max(0, i));
      let sum = 0;
      let wsum = 0;
      for (const [dy, wy] of [[0, 1 - (y - yf)], [1, y - yf]] as const) {
        for (const [dx, wx] of [[0, 1 - (x - xf)], [1, x - xf]] as const) {
          const w = wy * wx;
          const val = values[clampY(yf + dy) * from.width + clampX(xf + dx)];
          if (w > 0 && !Number.isNaN(val)) {
            sum += w * val;
            wsum += w;
          }
        }
      }
      out[r * to.width + c] = wsum > 0 ? sum / wsum : Number.NaN;
    }
  }
  return out;
}

describe('resampleToGrid per-axis paths match a naive per-pixel resampler', () => {
  const coarse = createGrid(7, 5, [1000, 250, 0, 9000, 0, -250], 'EPSG:3035');
  const rng = createRng(5);
  const values = Float32Array.from({ length: 35 }, () => rng.next());
  values[8] = Number.NaN;
  values[20] = Number.NaN;
  const targets: Record<string, Grid> = {
    'nested, same extent': createGrid(70, 50, [1000, 25, 0, 9000, 0, -25], 'EPSG:3035'),
    'non-integer ratio, offset, partly outside': createGrid(33, 29, [1080, 60, 0, 9100, 0, -45], 'EPSG:3035'),
    'coarser than the source': createGrid(3, 2, [1000, 600, 0, 9000, 0, -600], 'EPSG:3035'),
  };
  for (const [name, grid] of Object.entries(targets)) {
    for (const method of ['nearest', 'bilinear'] as const) {
      it(`${method}: ${name}`, () => {
        const fast = resampleToGrid(values, coarse, grid, method);
        const ref = naiveResample(values, coarse, grid, method);
        assert.equal(fast.length, ref.length);
        for (let i = 0; i < ref.length; i++) {
          if (Number.isNaN(ref[i])) assert.ok(Number.isNaN(fast[i]), `pixel ${i}: expected NaN, got ${fast[i]}`);
          else assert.ok(Math.abs(fast[i] - ref[i]) <= 1e-6, `pixel ${i}: ${fast[i]} vs ${ref[i]}`);
        }
        assert.ok(fast.some((v) => !Number.isNaN(v)));
      });
    }
  }
});
