/**
 * Test helpers: locate `../shared` (the sibling of the repo) and read the ESTARFM reference cases'
 * `.npy` arrays. Test-only code; the data are never copied into the repo.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Walk up from this file and from the working directory until a folder has `shared/data`. */
export function findSharedDir(): string {
  const starts = [dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
    let dir = start;
    for (;;) {
      const candidate = join(dir, 'shared');
      if (existsSync(join(candidate, 'data', 'estarfm', 'manifest.json'))) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error('cannot find the shared data folder (../shared/data/estarfm) above ' + starts.join(' or '));
}

export interface NpyArray {
  readonly shape: readonly number[];
  readonly dtype: string;
  /** Values as float64, C order. */
  readonly data: Float64Array;
}

/** Read a little-endian, C-order `.npy` file (versions 1–3) of numeric dtype. */
export function readNpy(path: string): NpyArray {
  const buf = readFileSync(path);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '';
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (!descr || fortran) throw new Error(`${path}: unsupported header ${header}`);
  const offset = start + headerLen;
  const n = shape.reduce((a, b) => a * b, 1);
  const view = new DataView(buf.buffer, buf.byteOffset + offset, buf.byteLength - offset);
  const data = new Float64Array(n);
  const kind = descr.replace(/^[<|=]/, '');
  const readers: Record<string, [number, (i: number) => number]> = {
    i1: [1, (i) => view.getInt8(i)],
    u1: [1, (i) => view.getUint8(i)],
    i2: [2, (i) => view.getInt16(i, true)],
    i4: [4, (i) => view.getInt32(i, true)],
    f4: [4, (i) => view.getFloat32(i, true)],
    f8: [8, (i) => view.getFloat64(i, true)],
  };
  const reader = readers[kind];
  if (!reader) throw new Error(`${path}: unsupported dtype ${descr}`);
  const [size, get] = reader;
  for (let i = 0; i < n; i++) data[i] = get(i * size);
  return { shape, dtype: kind, data };
}

/** Split a (bands, rows, cols) array into per-band Float32Arrays. */
export function bandsOf(a: NpyArray): Float32Array[] {
  const [nb, rows, cols] = a.shape.length === 3 ? a.shape : [1, a.shape[0], a.shape[1]];
  const n = rows * cols;
  return Array.from({ length: nb }, (_, b) => Float32Array.from(a.data.subarray(b * n, (b + 1) * n)));
}

export interface ReferenceCase {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly fine1: Float32Array[];
  readonly coarse1: Float32Array[];
  readonly fine2: Float32Array[];
  readonly coarse2: Float32Array[];
  readonly coarse0: Float32Array[];
  readonly truth: Float32Array[];
  readonly dir: string;
}

/** Inputs of one reference case (`crop100_3band`, `crop100_3band_nodata`, `crop100_ndvi_1band`). */
export function loadCase(name: string): ReferenceCase {
  const dir = join(findSharedDir(), 'data', 'estarfm', name);
  const load = (f: string) => readNpy(join(dir, `${f}.npy`));
  const f1 = load('fine_t1');
  const [, height, width] = f1.shape;
  return {
    name,
    width,
    height,
    fine1: bandsOf(f1),
    coarse1: bandsOf(load('coarse_t1')),
    fine2: bandsOf(load('fine_t2')),
    coarse2: bandsOf(load('coarse_t2')),
    coarse0: bandsOf(load('coarse_t0')),
    truth: bandsOf(load('fine_t0_truth')),
    dir,
  };
}

/** A reference output file of a case, e.g. `pred_float64` or `diagnostics/branch`. */
export function loadReference(c: ReferenceCase, file: string): NpyArray {
  return readNpy(join(c.dir, 'reference_output', `${file}.npy`));
}
