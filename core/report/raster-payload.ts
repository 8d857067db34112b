import { deflateSync } from 'node:zlib';
import { OverviewReducer, type OverviewResampling } from '../io/geotiff-overviews.js';

/**
 * One band as the report's map viewer receives it: 16-bit codes `q` with `value = offset + q·scale`
 * (65535 = nodata), delta-coded along the row-major pixel order, split into a high-byte and a
 * low-byte plane (so deflate sees runs), zlib-deflated and base64-encoded. The page inflates it with
 * the browser's `DecompressionStream('deflate')` — no decoder is shipped.
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
const MAX_CODE = 65534;

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
  const planes = new Uint8Array(2 * n);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const q = Number.isFinite(v) ? Math.min(MAX_CODE, Math.max(0, Math.round((v - offset) / scale))) : NODATA_CODE;
    const delta = (q - prev) & 0xffff;
    prev = q;
    planes[i] = delta >> 8;
    planes[n + i] = delta & 0xff;
  }
  return { width, height, scale, offset, valid, data: deflateSync(planes, { level: 9 }).toString('base64') };
}

/** The inverse of {@link encodeBand} (what the page does), for tests and checks: NaN for nodata. */
export function decodeBand(band: EncodedBand, inflate: (bytes: Uint8Array) => Uint8Array): Float32Array {
  const planes = inflate(Buffer.from(band.data, 'base64'));
  const n = band.width * band.height;
  const out = new Float32Array(n);
  let q = 0;
  for (let i = 0; i < n; i++) {
    q = (q + ((planes[i] << 8) | planes[n + i])) & 0xffff;
    out[i] = q === NODATA_CODE ? Number.NaN : band.offset + q * band.scale;
  }
  return out;
}
