import { inflate } from 'node:zlib';
import { undoFloatingPointPredictor } from './geotiff-tile-encoder.js';

/**
 * Block decoders plugged into geotiff.js, each bounded by the size a block may decode to: a damaged
 * or hostile stream stops at `maxBytes` (the block's pixel bytes) instead of growing an array until
 * memory runs out (geotiff.js's own LZW decoder took 36 s and 2.7 GB on a mutated 1.6 KB file).
 * DEFLATE goes through node's native zlib (several times faster than pako, and async so the blocks
 * of one read inflate in parallel on libuv's thread pool). A short result is the caller's to detect:
 * it knows the block's exact size (the last strip is shorter).
 */

/** What geotiff.js hands a decoder, plus the most bytes one block may hold. */
export interface BoundedDecoderParameters {
  tileWidth: number;
  tileHeight: number;
  predictor: number;
  planarConfiguration: number;
  bitsPerSample: number | ArrayLike<number> | undefined;
  /** tileWidth × tileHeight × bytes per pixel (of one plane when planar). */
  maxBytes: number;
  /** LERC's version and additional compression (tag 50674), for geotiff.js's LERC decoder. */
  LercParameters?: unknown;
}

type GeotiffModule = typeof import('geotiff');
let zstd: import('zstddec').ZSTDDecoder | undefined;

/** zstddec (geotiff.js's own ZSTD dependency), used directly for its size-bounded one-shot decode. */
async function initZstd(): Promise<void> {
  if (zstd) return;
  const { ZSTDDecoder } = await import('zstddec');
  const decoder = new ZSTDDecoder();
  await decoder.init();
  zstd = decoder;
}

let geotiffModule: Promise<GeotiffModule> | undefined;

/**
 * geotiff.js, loaded on first use (so importing core does not load it, e.g. in worker threads), with
 * soilscale's bounded decoders registered for LZW, DEFLATE, PackBits and ZSTD.
 */
export function loadGeotiff(): Promise<GeotiffModule> {
  geotiffModule ??= import('geotiff').then((m) => {
    class BoundedDecoder extends m.BaseDecoder {
      get bounded(): BoundedDecoderParameters {
        return (this as unknown as { parameters: BoundedDecoderParameters }).parameters;
      }

      /** Float32 + predictor 3 with one sample per block (what soilscale writes): undone here, faster than geotiff.js's row loop. */
      override async decode(buffer: ArrayBuffer): Promise<ArrayBuffer> {
        const p = this.bounded;
        const bits = typeof p.bitsPerSample === 'number' ? [p.bitsPerSample] : Array.from(p.bitsPerSample ?? []);
        if (p.predictor === 3 && bits[0] === 32 && (bits.length === 1 || p.planarConfiguration === 2)) {
          const block = (await this.decodeBlock(buffer)) as ArrayBuffer;
          undoFloatingPointPredictor(new Uint8Array(block), p.tileWidth);
          return block;
        }
        return (await super.decode(buffer)) as ArrayBuffer;
      }
    }
    class DeflateDecoder extends BoundedDecoder {
      override decodeBlock(buffer: ArrayBuffer): Promise<ArrayBuffer> {
        return new Promise((resolve, reject) =>
          inflate(new Uint8Array(buffer), { maxOutputLength: Math.max(1, this.bounded.maxBytes) }, (err, out) =>
            err ? reject(err) : resolve(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer),
          ),
        );
      }
    }
    class LzwDecoder extends BoundedDecoder {
      override decodeBlock(buffer: ArrayBuffer): ArrayBuffer {
        return decodeLzw(new Uint8Array(buffer), this.bounded.maxBytes).slice().buffer;
      }
    }
    class PackBitsDecoder extends BoundedDecoder {
      override decodeBlock(buffer: ArrayBuffer): ArrayBuffer {
        return decodePackBits(new Uint8Array(buffer), this.bounded.maxBytes).slice().buffer;
      }
    }
    class ZstdDecoder extends BoundedDecoder {
      override decodeBlock(buffer: ArrayBuffer): ArrayBuffer {
        // One-shot into a buffer of the block's size: a frame without a declared size (GDAL writes
        // those) cannot stream past it, and a corrupt one fails instead of growing.
        return zstd!.decode(new Uint8Array(buffer), Math.max(1, this.bounded.maxBytes)).slice().buffer;
      }
    }
    m.addDecoder([8, 32946], async () => DeflateDecoder as never, decoderParameters as never, false);
    m.addDecoder(5, async () => LzwDecoder as never, decoderParameters as never, false);
    m.addDecoder(32773, async () => PackBitsDecoder as never, decoderParameters as never, false);
    m.addDecoder(
      50000,
      async () => {
        await initZstd();
        return ZstdDecoder as never;
      },
      decoderParameters as never,
      false,
    );
    return m;
  });
  return geotiffModule;
}

/** The directory reads the decoder parameters need (geotiff.js's `ImageFileDirectory`). */
interface DirectoryValues {
  hasTag(tag: string | number): boolean;
  loadValue(tag: string | number): Promise<unknown>;
}

/**
 * Decoder parameters of an image: its block size (a strip is `RowsPerStrip` rows, at most the image
 * height: GDAL writes 2^32-1 for "one strip") and the most bytes one block may decode to.
 */
export async function decoderParameters(fd: DirectoryValues): Promise<BoundedDecoderParameters> {
  const num = async (tag: string) => Number((await fd.loadValue(tag)) ?? 0);
  const tiled = fd.hasTag('TileWidth');
  const height = await num('ImageLength');
  const tileWidth = tiled ? await num('TileWidth') : await num('ImageWidth');
  const tileHeight = tiled ? await num('TileLength') : Math.min(height, (await num('RowsPerStrip')) || height);
  const planarConfiguration = (await num('PlanarConfiguration')) || 1;
  const bitsPerSample = (await fd.loadValue('BitsPerSample')) as number | ArrayLike<number> | undefined;
  const samples = (await num('SamplesPerPixel')) || 1;
  const bits = typeof bitsPerSample === 'number' ? [bitsPerSample] : Array.from(bitsPerSample ?? [8]);
  const pixelBits = planarConfiguration === 2 ? bits[0] : bits.length >= samples ? bits.slice(0, samples).reduce((a, b) => a + b, 0) : bits[0] * samples;
  const maxBytes = Math.ceil((tileWidth * pixelBits) / 8) * tileHeight;
  const out: BoundedDecoderParameters = { tileWidth, tileHeight, planarConfiguration, bitsPerSample, predictor: (await num('Predictor')) || 1, maxBytes };
  if (fd.hasTag('LercParameters')) out.LercParameters = await fd.loadValue('LercParameters');
  return out;
}

const LZW_CLEAR = 256;
const LZW_EOI = 257;

/**
 * TIFF LZW (MSB-first codes of 9–12 bits, early change), decoding at most `maxBytes`. Stops at EOI,
 * at the end of the input or when the block is full; a code not yet in the table is an error (as in
 * libtiff: "Using code not yet in table").
 */
export function decodeLzw(input: Uint8Array, maxBytes: number): Uint8Array {
  const prefix = new Uint16Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) {
    suffix[i] = i;
    first[i] = i;
    length[i] = 1;
  }
  const out = new Uint8Array(maxBytes);
  const totalBits = input.length * 8;
  let o = 0;
  let bit = 0;
  let width = 9;
  let next = 258;
  let old = -1;
  while (o < maxBytes && bit + width <= totalBits) {
    const byte = bit >>> 3;
    const word = (input[byte] << 16) | ((byte + 1 < input.length ? input[byte + 1] : 0) << 8) | (byte + 2 < input.length ? input[byte + 2] : 0);
    const code = (word >>> (24 - (bit & 7) - width)) & ((1 << width) - 1);
    bit += width;
    if (code === LZW_EOI) break;
    if (code === LZW_CLEAR) {
      next = 258;
      width = 9;
      old = -1;
      continue;
    }
    if (old === -1) {
      if (code > 255) throw new Error(`LZW: code ${code} after a clear code (expected a literal)`);
      out[o++] = code;
      old = code;
      continue;
    }
    let emit: number;
    let firstByte: number;
    if (code < next) {
      emit = code;
      firstByte = first[code];
    } else if (code === next) {
      emit = old;
      firstByte = first[old];
    } else {
      throw new Error(`LZW: using code ${code} not yet in table (next free code ${next})`);
    }
    // Write the string of `emit` back to front, clipped at the block's end.
    const n = length[emit];
    let c = emit;
    for (let k = n - 1; k >= 0; k--) {
      if (o + k < maxBytes) out[o + k] = suffix[c];
      c = prefix[c];
    }
    o += n;
    if (code === next && o < maxBytes) out[o] = firstByte;
    if (code === next) o++;
    if (next < 4096) {
      prefix[next] = old;
      suffix[next] = firstByte;
      first[next] = first[old];
      length[next] = length[old] + 1;
      next++;
    }
    if (next + 1 >= 1 << width && width < 12) width++;
    old = code;
  }
  return out.subarray(0, Math.min(o, maxBytes));
}

/** PackBits (Apple RLE), decoding at most `maxBytes`; a literal run cut short by the input's end stops there. */
export function decodePackBits(input: Uint8Array, maxBytes: number): Uint8Array {
  const out = new Uint8Array(maxBytes);
  let i = 0;
  let o = 0;
  while (i < input.length && o < maxBytes) {
    const header = (input[i++] << 24) >> 24;
    if (header >= 0) {
      const n = Math.min(header + 1, input.length - i, maxBytes - o);
      out.set(input.subarray(i, i + n), o);
      i += header + 1;
      o += n;
    } else if (header !== -128) {
      if (i >= input.length) break;
      const n = Math.min(1 - header, maxBytes - o);
      out.fill(input[i++], o, o + n);
      o += n;
    }
  }
  return out.subarray(0, o);
}
