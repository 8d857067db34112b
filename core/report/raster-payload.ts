import { deflateSync } from 'node:zlib';
import { OverviewReducer, type OverviewResampling } from '../io/geotiff-overviews.js';

/**
 * One band as the report's map viewer receives it: 12-bit codes `q` with `value = offset + q·scale`
 * (a step of 1/4094 of the band's range: finer than any soil-moisture accuracy, coarse enough to
 * compress), nodata coded 65535. Each code is predicted by the mean of its left and upper neighbours,
 * the residual zigzag-coded into 16 bits and split into a high-byte and a low-byte plane (so deflate
 * sees runs), zlib-deflated and base64-encoded. The page inflates it with the browser's
 * `DecompressionStream('deflate')` and undoes the prediction — no decoder is shipped.
 */
export interface EncodedBand {
  readonly width: number;
  readonly height: number;
  readonly scale: number;
  readonly offset: number;
  /** Number of finite pixels (0 = an all-nodata band). */
  readonly valid: number;
  readonly data: string;
}

export const NODATA_CODE = 65535;
/** Largest value code (12 bits). */
const MAX_CODE = 4094;

/**
 * Halve a band `levels` times with the GeoTIFF writer's own overview reducer, so the viewer shows the
 * same values as the product COG's overview of that level (mean of the valid pixels, or the mode for
 * class maps).
 */
export async function overviewOf(values: Float32Array, width: number, height: number, levels: number, resampling: OverviewResampling = 'average'): Promise<{ values: Float32Array; width: number; height: number }> {
  let cur = values;
  let w = width;
  let h = height;
  for (let level = 0; level < levels; level++) {
    const outW = Math.ceil(w / 2);
    const out = new Float32Array(outW * Math.ceil(h / 2));
    let row = 0;
    const reducer = new OverviewReducer(w, 1, resampling, async (rows) => {
      out.set(rows[0], row++ * outW);
    });
    for (let y = 0; y < h; y++) await reducer.pushRow([cur], y * w);
    await reducer.finish();
    cur = out;
    w = outW;
    h = Math.ceil(h / 2);
  }
  return { values: cur, width: w, height: h };
}

/** Quantise and pack one band (see {@link EncodedBand}); the step is (max − min)/65534 of its finite values. */
export function encodeBand(values: Float32Array, width: number, height: number): EncodedBand {
  let min = Infinity;
  let max = -Infinity;
  let valid = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v && v !== Infinity && v !== -Infinity) {
      valid++;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const offset = valid ? min : 0;
  const scale = valid && max > min ? (max - min) / MAX_CODE : 1;
  const n = values.length;
  const codes = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    codes[i] = Number.isFinite(v) ? Math.min(MAX_CODE, Math.max(0, Math.round((v - offset) / scale))) : NODATA_CODE;
  }
  const planes = new Uint8Array(2 * n);
  for (let i = 0; i < n; i++) {
    // Residual wrapped to int16 (codes are modulo 2^16), then zigzag: small residuals → small numbers.
    const d = ((codes[i] - predict(codes, i, width) + 32768) & 0xffff) - 32768;
    const z = ((d << 1) ^ (d >> 31)) & 0xffff;
    planes[i] = z >> 8;
    planes[n + i] = z & 0xff;
  }
  return { width, height, scale, offset, valid, data: deflateSync(planes, { level: 6 }).toString('base64') };
}

/** The inverse of {@link encodeBand} (what the page does), for tests and checks: NaN for nodata. */
export function decodeBand(band: EncodedBand, inflate: (bytes: Uint8Array) => Uint8Array): Float32Array {
  const planes = inflate(Buffer.from(band.data, 'base64'));
  const n = band.width * band.height;
  const codes = new Uint16Array(n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const z = (planes[i] << 8) | planes[n + i];
    codes[i] = (predict(codes, i, band.width) + ((z >>> 1) ^ -(z & 1))) & 0xffff;
    out[i] = codes[i] === NODATA_CODE ? Number.NaN : band.offset + codes[i] * band.scale;
  }
  return out;
}

/** The prediction of code i: the mean of its left and upper neighbours (the one there is at an edge, 0 at the origin). */
function predict(codes: Uint16Array, i: number, width: number): number {
  const x = i % width;
  const left = x ? codes[i - 1] : i >= width ? codes[i - width] : 0;
  const up = i >= width ? codes[i - width] : left;
  return (left + up) >> 1;
}
