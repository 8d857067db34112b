import { inputError } from '../errors.js';

/**
 * A strict walk over a TIFF's structure before geotiff.js parses it: the header, the chain of image
 * file directories (IFDs) and where each entry's data lies. A damaged or hostile header must fail
 * here with a message naming the file and the field, instead of making the parser allocate what the
 * header declares (a 1.6 KB file claiming 2^32 entries), loop forever on an IFD chain that points
 * back, or read zero-filled bytes past the end of the file as tag values.
 */

/** Most IFDs a file may chain (full-resolution image, overviews and masks; GDAL COGs use a few dozen). */
export const MAX_IFDS = 1024;
/** Most entries one IFD may hold; libtiff rejects more than 4096 too ("Sanity check on directory count failed"). */
export const MAX_IFD_ENTRIES = 4096;

/** Byte size of each TIFF field type (TIFF 6.0 + BigTIFF). */
const TYPE_SIZE: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };

/** Field types accepted for an integer, a real and a text tag (libtiff converts within the numeric classes). */
const INTEGER_TYPES = new Set([1, 3, 4, 6, 8, 9, 16, 17]);
const REAL_TYPES = new Set([1, 3, 4, 5, 6, 8, 9, 10, 11, 12, 16, 17]);
const TEXT_TYPES = new Set([2]);

/** The tags soilscale (or GDAL, rejecting the file) reads, by the class of type they must have. */
const TAG_CLASS: Readonly<Record<number, ReadonlySet<number>>> = {
  254: INTEGER_TYPES, 256: INTEGER_TYPES, 257: INTEGER_TYPES, 258: INTEGER_TYPES, 259: INTEGER_TYPES, 262: INTEGER_TYPES,
  273: INTEGER_TYPES, 277: INTEGER_TYPES, 278: INTEGER_TYPES, 279: INTEGER_TYPES, 284: INTEGER_TYPES, 317: INTEGER_TYPES,
  322: INTEGER_TYPES, 323: INTEGER_TYPES, 324: INTEGER_TYPES, 325: INTEGER_TYPES, 338: INTEGER_TYPES, 339: INTEGER_TYPES,
  33550: REAL_TYPES, 33922: REAL_TYPES, 34264: REAL_TYPES, 34735: INTEGER_TYPES, 34736: REAL_TYPES,
  34737: TEXT_TYPES, 42112: TEXT_TYPES, 42113: TEXT_TYPES,
};

/** Tags that hold exactly one value (libtiff: "Incorrect count for …"). */
const SINGLE_VALUE_TAGS = new Set([254, 256, 257, 259, 262, 277, 278, 284, 317, 322, 323]);

/** One IFD entry: its field type and value count (the values themselves are geotiff.js's to read). */
export interface IfdEntry {
  readonly type: number;
  readonly count: number;
}

export interface TiffStructure {
  readonly littleEndian: boolean;
  readonly bigTiff: boolean;
  /** Entries of each IFD in chain order, by tag id. */
  readonly ifds: ReadonlyArray<ReadonlyMap<number, IfdEntry>>;
}

/** Positional reads of exact byte ranges inside the file. */
export interface ByteReader {
  read(offset: number, length: number): Promise<DataView>;
}

/**
 * Walk the header and IFD chain of a TIFF of `size` bytes.
 *
 * @throws SoilscaleError (input) naming `file` and the offending header field.
 */
export async function readTiffStructure(reader: ByteReader, size: number, file: string): Promise<TiffStructure> {
  const head = await reader.read(0, Math.min(size, 16));
  const order = head.getUint16(0, false);
  if (order !== 0x4949 && order !== 0x4d4d) {
    throw inputError('not a readable TIFF: wrong byte-order mark', { file, path: 'bytes 0–1', expected: '"II" or "MM"', found: JSON.stringify(String.fromCharCode(head.getUint8(0), head.getUint8(1))) });
  }
  const le = order === 0x4949;
  const magic = head.getUint16(2, le);
  if (magic !== 42 && magic !== 43) {
    throw inputError('not a readable TIFF: wrong version number', { file, path: 'bytes 2–3', expected: '42 (TIFF) or 43 (BigTIFF)', found: String(magic) });
  }
  const bigTiff = magic === 43;
  if (bigTiff && size < 16) {
    throw inputError('BigTIFF header is truncated', { file, path: 'header', expected: '16 bytes', found: `${size} bytes` });
  }
  if (bigTiff && (head.getUint16(4, le) !== 8 || head.getUint16(6, le) !== 0)) {
    throw inputError('BigTIFF header is invalid', { file, path: 'bytes 4–7', expected: 'offset size 8, reserved 0', found: `${head.getUint16(4, le)}, ${head.getUint16(6, le)}` });
  }
  let next = bigTiff ? readUint64(head, 8, le, file, 'header first IFD offset') : head.getUint32(4, le);
  const ifds: Array<Map<number, IfdEntry>> = [];
  const seen = new Set<number>();
  while (next !== 0) {
    const where = ifds.length === 0 ? 'first IFD offset' : `IFD ${ifds.length - 1} next-IFD offset`;
    if (seen.has(next)) {
      throw inputError('IFD chain loops back to an earlier directory', { file, path: where, expected: 'a new IFD offset or 0', found: `${next} (IFD ${[...seen].indexOf(next)} again)` });
    }
    if (ifds.length >= MAX_IFDS) {
      throw inputError('too many image directories', { file, path: where, expected: `at most ${MAX_IFDS} IFDs`, found: `more than ${MAX_IFDS}` });
    }
    seen.add(next);
    const parsed = await readIfd(reader, next, size, le, bigTiff, file, ifds.length, where);
    ifds.push(parsed.entries);
    next = parsed.next;
  }
  if (ifds.length === 0) {
    throw inputError('TIFF has no image directory', { file, path: 'header first IFD offset', expected: 'the offset of the first IFD', found: '0' });
  }
  return { littleEndian: le, bigTiff, ifds };
}

async function readIfd(
  reader: ByteReader,
  offset: number,
  size: number,
  le: boolean,
  bigTiff: boolean,
  file: string,
  index: number,
  where: string,
): Promise<{ entries: Map<number, IfdEntry>; next: number }> {
  const countSize = bigTiff ? 8 : 2;
  const entrySize = bigTiff ? 20 : 12;
  const inline = bigTiff ? 8 : 4;
  if (offset + countSize > size) {
    throw inputError('IFD offset points past the end of the file (truncated?)', { file, path: where, expected: `an offset below ${size - countSize}`, found: String(offset) });
  }
  const countView = await reader.read(offset, countSize);
  const count = bigTiff ? readUint64(countView, 0, le, file, `IFD ${index} entry count`) : countView.getUint16(0, le);
  if (count === 0 || count > MAX_IFD_ENTRIES) {
    throw inputError('IFD entry count is not plausible', { file, path: `IFD ${index} entry count`, expected: `1 to ${MAX_IFD_ENTRIES} entries`, found: String(count) });
  }
  const bodyLength = count * entrySize + (bigTiff ? 8 : 4); // entries + next-IFD offset
  if (offset + countSize + bodyLength > size) {
    throw inputError('IFD runs past the end of the file (truncated?)', { file, path: `IFD ${index}`, expected: `${countSize + bodyLength} bytes from offset ${offset}`, found: `${size - offset} bytes left` });
  }
  const body = await reader.read(offset + countSize, bodyLength);
  const entries = new Map<number, IfdEntry>();
  for (let i = 0; i < count; i++) {
    const at = i * entrySize;
    const tag = body.getUint16(at, le);
    const type = body.getUint16(at + 2, le);
    const field = `IFD ${index} tag ${tag}`;
    const typeSize = TYPE_SIZE[type];
    if (typeSize === undefined) {
      throw inputError('IFD entry has an unknown field type', { file, path: field, expected: 'a TIFF field type 1–13 or 16–18', found: String(type) });
    }
    if (TAG_CLASS[tag] && !TAG_CLASS[tag].has(type)) {
      throw inputError('tag has an incompatible field type', { file, path: field, expected: `one of types ${[...TAG_CLASS[tag]].join(', ')}`, found: String(type) });
    }
    const n = bigTiff ? readUint64(body, at + 4, le, file, `${field} count`) : body.getUint32(at + 4, le);
    if (SINGLE_VALUE_TAGS.has(tag) && n !== 1) {
      throw inputError('tag must hold exactly one value', { file, path: field, expected: 'count 1', found: `count ${n}` });
    }
    const bytes = n * typeSize;
    if (bytes > inline) {
      const dataOffset = bigTiff ? readUint64(body, at + 12, le, file, `${field} offset`) : body.getUint32(at + 8, le);
      if (dataOffset + bytes > size) {
        throw inputError('tag data runs past the end of the file (truncated or corrupt directory)', { file, path: field, expected: `${n} values (${bytes} bytes) inside the file`, found: `offset ${dataOffset} in a file of ${size} bytes` });
      }
    }
    entries.set(tag, { type, count: n });
  }
  const next = bigTiff ? readUint64(body, count * entrySize, le, file, `IFD ${index} next-IFD offset`) : body.getUint32(count * entrySize, le);
  return { entries, next };
}

/** A BigTIFF 64-bit value that must fit a JS number exactly (files are far below 2^53 bytes). */
function readUint64(view: DataView, at: number, le: boolean, file: string, field: string): number {
  const v = view.getBigUint64(at, le);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw inputError('BigTIFF value out of range', { file, path: field, expected: `at most ${Number.MAX_SAFE_INTEGER}`, found: v.toString() });
  }
  return Number(v);
}
