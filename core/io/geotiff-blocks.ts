import type { GeoTIFFImage } from 'geotiff';
import type { PixelWindow } from '../model/grid.js';
import { loadGeotiff, type RasterDataType } from './geotiff-read.js';

/**
 * Fast block assembly for the common layouts (one sample per block: single band or band-separate
 * planes; little-endian): decoded blocks are copied row by row through typed-array views straight into
 * the Float32 result, with nodata → NaN and scale/offset applied in the same pass. geotiff.js's own
 * `readRasters` goes through a DataView call per pixel and an intermediate array; it stays the fallback
 * for pixel-interleaved multi-band, big-endian and LERC files.
 */

const BLOCKS_IN_FLIGHT = 16;

const FAST_COMPRESSIONS = new Set([1, 5, 8, 32946, 32773, 50000]);

type Typed = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

const VIEWS: Record<RasterDataType, (b: ArrayBuffer) => Typed> = {
  int8: (b) => new Int8Array(b),
  uint8: (b) => new Uint8Array(b),
  int16: (b) => new Int16Array(b, 0, b.byteLength >> 1),
  uint16: (b) => new Uint16Array(b, 0, b.byteLength >> 1),
  int32: (b) => new Int32Array(b, 0, b.byteLength >> 2),
  uint32: (b) => new Uint32Array(b, 0, b.byteLength >> 2),
  float32: (b) => new Float32Array(b, 0, b.byteLength >> 2),
  float64: (b) => new Float64Array(b, 0, b.byteLength >> 3),
};

export interface BandTransform {
  readonly nodata?: number;
  readonly scale: number;
  readonly offset: number;
}

/** Whether `readBlocksFast` handles this image. */
export function canReadFast(image: GeoTIFFImage, bandCount: number, compression: number): boolean {
  return image.littleEndian && (bandCount === 1 || image.planarConfiguration === 2) && FAST_COMPRESSIONS.has(compression);
}

export async function readBlocksFast(
  image: GeoTIFFImage,
  dataType: RasterDataType,
  compression: number,
  window: PixelWindow,
  bands: readonly number[],
  transforms: readonly BandTransform[],
): Promise<Float32Array[]> {
  const fd = image.getFileDirectory();
  const tiled = image.isTiled;
  const tw = image.getTileWidth();
  const th = image.getTileHeight();
  const { getDecoder } = await loadGeotiff();
  const decoder = await getDecoder(compression, {
    tileWidth: tiled ? tw : image.getWidth(),
    tileHeight: tiled ? th : ((await fd.loadValue('RowsPerStrip')) as number) || image.getHeight(),
    planarConfiguration: image.planarConfiguration,
    bitsPerSample: (await fd.loadValue('BitsPerSample')) as never,
    predictor: ((await fd.loadValue('Predictor')) as number) || 1,
  } as never);
  const view = VIEWS[dataType];
  const x0 = window.x;
  const y0 = window.y;
  const x1 = window.x + window.width;
  const y1 = window.y + window.height;
  const out = bands.map(() => new Float32Array(window.width * window.height));
  const jobs: Array<() => Promise<void>> = [];
  for (let bi = 0; bi < bands.length; bi++) {
    const dst = out[bi];
    const { nodata, scale, offset } = transforms[bi];
    // Compare in the file's precision: a float32 file stores fround(nodata).
    const nd = nodata === undefined || Number.isNaN(nodata) ? undefined : dataType === 'float32' ? Math.fround(nodata) : nodata;
    const identity = scale === 1 && offset === 0;
    for (let ty = Math.floor(y0 / th); ty * th < y1; ty++) {
      for (let tx = Math.floor(x0 / tw); tx * tw < x1; tx++) {
        jobs.push(() =>
          image.getTileOrStrip(tx, ty, bands[bi], decoder as never).then(({ data }) => {
            const src = view(data as ArrayBuffer);
            const rowStart = Math.max(y0, ty * th);
            const rowEnd = Math.min(y1, (ty + 1) * th);
            const colStart = Math.max(x0, tx * tw);
            const colEnd = Math.min(x1, (tx + 1) * tw);
            const n = colEnd - colStart;
            for (let y = rowStart; y < rowEnd; y++) {
              const s = (y - ty * th) * tw + (colStart - tx * tw);
              const d = (y - y0) * window.width + (colStart - x0);
              if (nd === undefined && identity) {
                dst.set(src.subarray(s, s + n), d);
              } else {
                for (let k = 0; k < n; k++) {
                  const v = src[s + k];
                  dst[d + k] = v === nd ? Number.NaN : v * scale + offset;
                }
              }
            }
          }),
        );
      }
    }
  }
  // Bounded concurrency: enough blocks in flight to keep the zlib threads busy, not the whole file.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(BLOCKS_IN_FLIGHT, jobs.length) }, worker));
  return out;
}
