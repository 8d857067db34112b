import { resolve } from 'node:path';
import type { Dataset, File as H5File, Group } from 'h5wasm';
import { inputError } from '../errors.js';
import { normaliseVariablePath, type ArrayFile, type ArrayVariable, type AttrValue, type IndexRange } from './array-file.js';

type H5wasm = typeof import('h5wasm').default;
let h5wasmModule: Promise<H5wasm> | undefined;

/**
 * h5wasm's node build (host file system, reads only the chunks a slice touches), loaded on first use,
 * with libhdf5 errors thrown as exceptions (instead of printed, with a bad id returned).
 */
function loadH5wasm(): Promise<H5wasm> {
  h5wasmModule ??= import('h5wasm/node').then(async (m) => {
    const module = await m.default.ready;
    module.activate_throwing_error_handler();
    return m.default as unknown as H5wasm;
  });
  return h5wasmModule;
}

/**
 * Open an HDF5 file (NetCDF-4 included) read-only with h5wasm.
 *
 * @throws SoilscaleError (input) naming the file when libhdf5 cannot open it (truncated, corrupt).
 */
export async function openHdf5File(path: string): Promise<ArrayFile> {
  const h5 = await loadH5wasm();
  const absolute = resolve(path);
  let file: H5File;
  try {
    file = new h5.File(absolute, 'r');
  } catch (e) {
    throw inputError(`HDF5 library cannot open the file (${hdf5Reason(e)})`, { file: path, expected: 'a complete HDF5/NetCDF-4 file', found: 'an HDF5 signature but an unreadable file (truncated or corrupt?)' });
  }
  return new Hdf5ArrayFile(path, file, h5);
}

/** The innermost libhdf5 error of an error stack (`H5F__super_read(): unable to load superblock`). */
function hdf5Reason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const frames = [...text.matchAll(/in (\w+\(\)): (.+)$/gm)];
  return frames.length ? `${frames[frames.length - 1][1]}: ${frames[frames.length - 1][2].trim()}` : text.split('\n')[0];
}

class Hdf5ArrayFile implements ArrayFile {
  readonly formatName = 'HDF5';

  constructor(
    readonly path: string,
    private readonly file: H5File,
    private readonly h5: H5wasm,
  ) {}

  attr(name: string): AttrValue | undefined {
    return attrOf(this.file, name);
  }

  variable(path: string): ArrayVariable | undefined {
    const name = normaliseVariablePath(path);
    let entity: unknown;
    try {
      entity = this.file.get(name);
    } catch {
      return undefined;
    }
    if (!(entity instanceof this.h5.Dataset)) return undefined;
    return datasetVariable(this.path, name, entity);
  }

  variableNames(): string[] {
    const out: string[] = [];
    const walk = (group: Group, prefix: string) => {
      for (const key of group.keys()) {
        const entity = group.get(key);
        if (entity instanceof this.h5.Group) walk(entity, `${prefix}/${key}`);
        else if (entity instanceof this.h5.Dataset && dtypeName(entity) !== undefined) out.push(`${prefix}/${key}`);
      }
    };
    walk(this.file, '');
    return out;
  }

  close(): void {
    this.file.close();
  }
}

function datasetVariable(file: string, name: string, ds: Dataset): ArrayVariable {
  const shape = ds.shape ?? [];
  const dtype = dtypeName(ds) ?? String(ds.dtype);
  return {
    name,
    shape,
    dtype,
    attr: (key) => attrOf(ds, key),
    read(ranges: readonly IndexRange[]) {
      if (dtypeName(ds) === undefined) {
        throw inputError('variable is not numeric', { file, path: name, expected: 'an integer or floating-point dataset', found: `HDF5 type ${JSON.stringify(ds.dtype)}` });
      }
      let data: unknown;
      try {
        data = shape.length === 0 ? ds.value : ds.slice(ranges.map(([a, b]) => [a, b]));
      } catch (e) {
        // e.g. a compression filter this HDF5 build lacks (SZIP, Blosc, Zstd), or a corrupt chunk.
        const filters = ds.filters.map((f) => f.name || `filter ${f.id}`).join(', ') || 'none';
        throw inputError(`HDF5 library cannot read the dataset (${hdf5Reason(e)})`, { file, path: name, expected: 'intact chunks, compressed with filters this HDF5 build has (deflate, shuffle, fletcher32, scaleoffset, nbit)', found: `filters: ${filters}` });
      }
      if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float64Array.from(data, Number);
      return data as unknown as ArrayLike<number>;
    },
  };
}

/** `float32`, `uint16`, … from h5wasm metadata (type 0 = integer, 1 = float); undefined when not numeric. */
function dtypeName(ds: Dataset): string | undefined {
  const m = ds.metadata;
  if (m.type === 1 && (m.size === 4 || m.size === 8)) return `float${m.size * 8}`;
  if (m.type === 0 && [1, 2, 4, 8].includes(m.size)) return `${m.signed ? 'int' : 'uint'}${m.size * 8}`;
  return undefined;
}

function attrOf(entity: { attrs: Record<string, { value: unknown }> }, name: string): AttrValue | undefined {
  let value: unknown;
  try {
    const a = entity.attrs[name];
    if (!a) return undefined;
    value = a.value;
  } catch {
    return undefined;
  }
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number | bigint>, Number);
  if (Array.isArray(value)) {
    if (value.length === 1 && typeof value[0] === 'string') return value[0];
    if (value.every((v) => typeof v === 'number' || typeof v === 'bigint')) return value.map(Number);
  }
  return undefined;
}
