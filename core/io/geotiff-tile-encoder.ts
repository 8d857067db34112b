import { deflate } from 'node:zlib';
import { runtimeError } from '../errors.js';

/** Sample types the writer produces. */
export type WritableDataType = 'float32' | 'int16' | 'uint8';

export interface TileEncoding {
  readonly dataType: WritableDataType;
  /** File value for engine NaN. */
  readonly nodata: number;
  readonly tileSize: number;
  readonly compression: 'deflate' | 'none';
  /** TIFF predictor: 3 (floating point) for float32, 2 (horizontal) for integers, when compressing. */
  readonly predictor: boolean;
  /** For error messages. */
  readonly file: string;
}

const RANGES: Record<WritableDataType, [number, number]> = {
  float32: [-Infinity, Infinity],
  int16: [-32768, 32767],
  uint8: [0, 255],
};

export const BYTES_PER_SAMPLE: Record<WritableDataType, number> = { float32: 4, int16: 2, uint8: 1 };

/** TIFF predictor code the encoder applies (1 = none). */
export function predictorCode(e: Pick<TileEncoding, 'compression' | 'predictor' | 'dataType'>): 1 | 2 | 3 {
  if (e.compression !== 'deflate' || !e.predictor) return 1;
  return e.dataType === 'float32' ? 3 : 2;
}

function deflateAsync(data: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => deflate(data, { level: 6 }, (err, out) => (err ? reject(err) : resolve(out))));
}

/**
 * Turns one tile of a Float32 band (engine values, NaN = nodata) into the bytes stored in the file:
 * type conversion, padding of edge tiles with nodata, predictor, DEFLATE (zlib, run on libuv's thread
 * pool so several tiles compress at once). One buffer per tile, no per-pixel allocation.
 */
export class TileEncoder {
  private readonly bytes: number;

  constructor(readonly encoding: TileEncoding) {
    this.bytes = BYTES_PER_SAMPLE[encoding.dataType];
  }

  /** Raw (uncompressed) size of one tile in bytes. */
  get tileBytes(): number {
    return this.encoding.tileSize * this.encoding.tileSize * this.bytes;
  }

  /**
   * Encode the tile whose top-left is column `x0` of `rows` (a row-major block `width` wide and
   * `rowCount` tall, the tile's rows starting at row 0 of the block).
   */
  async encode(rows: Float32Array, width: number, rowCount: number, x0: number, band: number, level: number): Promise<Uint8Array> {
    const raw = this.fill(rows, width, rowCount, x0, band, level);
    const e = this.encoding;
    const predictor = predictorCode(e);
    const prepared = predictor === 3 ? floatingPointPredictor(raw, e.tileSize) : predictor === 2 ? horizontalPredictor(raw, e.tileSize, e.dataType) : raw;
    return e.compression === 'deflate' ? deflateAsync(prepared) : prepared;
  }

  private fill(rows: Float32Array, width: number, rowCount: number, x0: number, band: number, level: number): Uint8Array {
    const { tileSize: ts, dataType, nodata } = this.encoding;
    const cols = Math.min(ts, width - x0);
    const validRows = Math.min(ts, rowCount);
    if (dataType === 'float32') {
      const tile = new Float32Array(ts * ts);
      const fillValue = nodata;
      for (let r = 0; r < validRows; r++) {
        const src = rows.subarray(r * width + x0, r * width + x0 + cols);
        tile.set(src, r * ts);
        if (!Number.isNaN(fillValue)) {
          for (let c = 0; c < cols; c++) if (src[c] !== src[c]) tile[r * ts + c] = fillValue;
        }
        if (cols < ts) tile.fill(fillValue, r * ts + cols, (r + 1) * ts);
      }
      if (validRows < ts) tile.fill(fillValue, validRows * ts);
      return new Uint8Array(tile.buffer);
    }
    const tile = dataType === 'int16' ? new Int16Array(ts * ts) : new Uint8Array(ts * ts);
    const [lo, hi] = RANGES[dataType];
    tile.fill(nodata);
    for (let r = 0; r < validRows; r++) {
      const base = r * width + x0;
      const out = r * ts;
      for (let c = 0; c < cols; c++) {
        const v = rows[base + c];
        if (v !== v) {
          tile[out + c] = nodata;
        } else {
          const q = Math.round(v);
          if (q < lo || q > hi) {
            throw runtimeError(`value does not fit the output data type ${dataType}`, {
              file: this.encoding.file,
              path: `band ${band + 1}${level > 0 ? ` overview ${level}` : ''}, tile column at x=${x0 + c}`,
              expected: `a value in [${lo}, ${hi}] (or NaN for nodata)`,
              found: String(v),
            });
          }
          tile[out + c] = q;
        }
      }
    }
    return new Uint8Array(tile.buffer);
  }
}

/**
 * TIFF predictor 3 (Adobe Photoshop TIFF tech note 3, as libtiff/GDAL write it): per row, the bytes
 * of the little-endian floats are regrouped most-significant byte first, then byte-wise differenced.
 */
export function floatingPointPredictor(raw: Uint8Array, tileWidth: number): Uint8Array {
  const w = tileWidth;
  const rowBytes = w * 4;
  const rows = raw.length / rowBytes;
  const words = new Uint32Array(raw.buffer, raw.byteOffset, raw.byteLength >> 2);
  const out = new Uint8Array(raw.length);
  for (let r = 0; r < rows; r++) {
    const base = r * rowBytes;
    const src = r * w;
    // Byte planes, most significant first (the words are little-endian floats).
    for (let i = 0; i < w; i++) {
      const u = words[src + i];
      out[base + i] = u >>> 24;
      out[base + w + i] = (u >>> 16) & 0xff;
      out[base + 2 * w + i] = (u >>> 8) & 0xff;
      out[base + 3 * w + i] = u & 0xff;
    }
    // Byte-wise differences along the row (forward pass keeping the previous original byte).
    let prev = out[base];
    for (let j = base + 1; j < base + rowBytes; j++) {
      const cur = out[j];
      out[j] = cur - prev;
      prev = cur;
    }
  }
  return out;
}

/** Inverse of `floatingPointPredictor` for one block of 32-bit floats (in place). */
export function undoFloatingPointPredictor(block: Uint8Array, tileWidth: number): void {
  const w = tileWidth;
  const rowBytes = w * 4;
  const rows = Math.floor(block.length / rowBytes);
  const words = new Uint32Array(block.buffer, block.byteOffset, rows * w);
  const row = new Uint8Array(rowBytes);
  for (let r = 0; r < rows; r++) {
    const base = r * rowBytes;
    let acc = 0;
    for (let j = 0; j < rowBytes; j++) {
      acc = (acc + block[base + j]) & 0xff;
      row[j] = acc;
    }
    const dst = r * w;
    for (let i = 0; i < w; i++) {
      words[dst + i] = ((row[i] << 24) | (row[w + i] << 16) | (row[2 * w + i] << 8) | row[3 * w + i]) >>> 0;
    }
  }
}

/** TIFF predictor 2 (horizontal differencing in sample units), in place on a fresh tile buffer. */
export function horizontalPredictor(raw: Uint8Array, tileWidth: number, dataType: WritableDataType): Uint8Array {
  const v = dataType === 'int16' ? new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2) : raw;
  const rows = v.length / tileWidth;
  for (let r = 0; r < rows; r++) {
    const base = r * tileWidth;
    for (let i = base + tileWidth - 1; i > base; i--) v[i] = v[i] - v[i - 1];
  }
  return raw;
}
