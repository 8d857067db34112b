import { open } from 'node:fs/promises';
import { inputError } from '../errors.js';
import { isRemote, remoteHead } from './http-source.js';

/** The raster container formats soilscale reads. NetCDF-4 files are HDF5 on disk. */
export type RasterFileFormat = 'geotiff' | 'hdf5' | 'netcdf3';

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** HDF5 allows a user block: the superblock is then at 512, 1024, 2048, … bytes. */
const HDF5_OFFSETS = [0, 512, 1024, 2048, 4096, 8192];

/**
 * The container format of a file from its magic bytes: TIFF/BigTIFF, HDF5 (NetCDF-4 included) or
 * NetCDF-3 (classic, 64-bit offset, CDF-5).
 *
 * @throws SoilscaleError (input) naming the file and the bytes found when it is none of them.
 * @example
 * ```ts
 * await sniffFormat('SMAP_L3_SM_P_20190401_R19240_001.h5'); // 'hdf5'
 * ```
 */
export async function sniffFormat(path: string): Promise<RasterFileFormat> {
  const head = isRemote(path) ? (await remoteHead(path)).head.subarray(0, HDF5_OFFSETS[HDF5_OFFSETS.length - 1] + 8) : await localHead(path);
  const format = formatOfBytes(head);
  if (format) return format;
  throw inputError('not a GeoTIFF, HDF5/NetCDF-4 or NetCDF-3 file', {
    file: path,
    path: 'first bytes',
    expected: 'TIFF "II*\\0"/"MM\\0*", HDF5 "\\x89HDF\\r\\n\\x1a\\n" or NetCDF "CDF\\x01/\\x02/\\x05"',
    found: head.length === 0 ? 'an empty file' : describeMagic(head.subarray(0, 8)),
  });
}


async function localHead(path: string): Promise<Uint8Array> {
  let head: Uint8Array;
  try {
    const fh = await open(path, 'r');
    try {
      const buffer = new Uint8Array(HDF5_OFFSETS[HDF5_OFFSETS.length - 1] + 8);
      const { bytesRead } = await fh.read(buffer, 0, buffer.length, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw inputError('cannot read raster file', { file: path, expected: 'an existing readable file', found: (e as NodeJS.ErrnoException).code ?? String(e) });
  }
  return head;
}

/** The format a file's first bytes announce, or undefined. */
export function formatOfBytes(head: Uint8Array): RasterFileFormat | undefined {
  const at = (offset: number, bytes: readonly number[]) => bytes.every((b, i) => head[offset + i] === b);
  if (at(0, [0x49, 0x49, 0x2a, 0x00]) || at(0, [0x4d, 0x4d, 0x00, 0x2a]) || at(0, [0x49, 0x49, 0x2b, 0x00]) || at(0, [0x4d, 0x4d, 0x00, 0x2b])) return 'geotiff';
  if (HDF5_OFFSETS.some((o) => at(o, HDF5_SIGNATURE))) return 'hdf5';
  if (at(0, [0x43, 0x44, 0x46]) && [1, 2, 5].includes(head[3])) return 'netcdf3';
  return undefined;
}

/** Formats users meet instead of the expected ones, by their first bytes. */
const KNOWN_OTHERS: ReadonlyArray<readonly [readonly number[], string]> = [
  [[0x0e, 0x03, 0x13, 0x01], 'HDF4 (e.g. MODIS HDF-EOS2), not supported'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive: unpack it first'],
  [[0x1f, 0x8b], 'a gzip file: decompress it first'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0x3c], 'text starting with "<" (an HTML error page or XML?)'],
  [[0x7b], 'text starting with "{" (JSON?)'],
];

/** `"PK\x03\x04" (50 4b 03 04), a ZIP archive…`: printable bytes as text, the rest escaped, hex, and the format when known. */
function describeMagic(bytes: Uint8Array): string {
  const text = [...bytes].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const known = KNOWN_OTHERS.find(([magic]) => magic.every((b, i) => bytes[i] === b));
  return `"${text}" (${hex})${known ? `: ${known[1]}` : ''}`;
}

