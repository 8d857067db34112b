import { inputError } from '../errors.js';

/**
 * Size claims inside a compressed block, checked before the (third-party) ZSTD and LERC decoders
 * allocate what they claim: a ZSTD frame's content size and a LERC blob's rows × columns must fit
 * the block. LZW, DEFLATE, PackBits and ZSTD decode into a buffer of the block's size besides.
 */

const ZSTD = 50000;
const LERC = 34887;

/** @throws SoilscaleError (input) when the block's header claims more than `expectedBytes` of pixels. */
export function checkBlockPayload(raw: Uint8Array, compression: number, expectedBytes: number, file: string, what: string): void {
  const claimed = compression === ZSTD ? zstdContentSize(raw) : compression === LERC ? lercPixels(raw) : undefined;
  if (claimed !== undefined && claimed > expectedBytes) {
    throw inputError(`${what} claims more data than the block holds (corrupt header)`, {
      file,
      path: `${what} ${compression === ZSTD ? 'ZSTD frame content size' : 'LERC blob rows × columns'}`,
      expected: `at most ${expectedBytes} ${compression === ZSTD ? 'bytes' : 'pixels'}`,
      found: String(claimed),
    });
  }
}

/** Frame_Content_Size of a ZSTD frame (RFC 8878 §3.1.1.1), when the header states it . */
function zstdContentSize(b: Uint8Array): number | undefined {
  if (b.length < 6 || b[0] !== 0x28 || b[1] !== 0xb5 || b[2] !== 0x2f || b[3] !== 0xfd) return undefined;
  const descriptor = b[4];
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const dictBytes = [0, 1, 2, 4][descriptor & 3];
  const fcsBytes = fcsFlag === 0 ? singleSegment : [0, 2, 4, 8][fcsFlag];
  if (fcsBytes === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + dictBytes;
  if (at + fcsBytes > b.length) return undefined;
  let v = 0;
  for (let k = fcsBytes - 1; k >= 0; k--) v = v * 256 + b[at + k];
  return fcsBytes === 2 ? v + 256 : v;
}

/** rows × columns × depth of a LERC2 blob (header: "Lerc2 ", version, [checksum], rows, cols, [depth]). */
function lercPixels(b: Uint8Array): number | undefined {
  if (b.length < 22 || String.fromCharCode(...b.subarray(0, 6)) !== 'Lerc2 ') return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const version = view.getInt32(6, true);
  let at = 10 + (version >= 3 ? 4 : 0);
  if (at + 12 > b.length) return undefined;
  const rows = view.getInt32(at, true);
  const cols = view.getInt32((at += 4), true);
  const depth = version >= 4 ? view.getInt32((at += 4), true) : 1;
  if (rows <= 0 || cols <= 0 || depth <= 0) return Number.POSITIVE_INFINITY;
  return rows * cols * depth;
}
