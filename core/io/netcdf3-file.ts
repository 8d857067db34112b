import { readFile } from 'node:fs/promises';
import { inputError } from '../errors.js';
import { normaliseVariablePath, type ArrayFile, type ArrayVariable, type AttrValue, type IndexRange } from './array-file.js';

type NetCDFReader = import('netcdfjs').NetCDFReader;
type NcVariable = NetCDFReader['variables'][number];

const NC_TYPES: Record<string, string> = { byte: 'int8', char: 'char', short: 'int16', int: 'int32', float: 'float32', double: 'float64' };

/**
 * Open a NetCDF-3 file (classic or 64-bit offset) with netcdfjs. The file is read whole (NetCDF-3
 * files are uncompressed and netcdfjs has no partial reads); variables are decoded on first use.
 *
 * @throws SoilscaleError (input) naming the file when netcdfjs cannot parse it (e.g. CDF-5).
 */
export async function openNetcdf3File(path: string): Promise<ArrayFile> {
  const { NetCDFReader } = await import('netcdfjs');
  const bytes = await readFile(path);
  if (bytes[3] === 5) {
    throw inputError('NetCDF-3 CDF-5 (64-bit data) files are not supported', { file: path, path: 'first bytes', expected: 'NetCDF-3 classic (CDF\\x01), 64-bit offset (CDF\\x02) or NetCDF-4', found: 'CDF\\x05 (convert with nccopy -k nc4)' });
  }
  let reader: NetCDFReader;
  try {
    reader = new NetCDFReader(bytes);
  } catch (e) {
    throw inputError(`cannot parse NetCDF-3 file (${(e as Error).message})`, { file: path, expected: 'a NetCDF-3 classic or 64-bit offset file', found: 'an unreadable header (truncated or corrupt?)' });
  }
  return new Netcdf3ArrayFile(path, reader);
}

class Netcdf3ArrayFile implements ArrayFile {
  readonly formatName = 'NetCDF-3';
  private readonly decoded = new Map<string, Float64Array>();

  constructor(
    readonly path: string,
    private readonly reader: NetCDFReader,
  ) {}

  attr(name: string): AttrValue | undefined {
    return normaliseAttr(this.reader.globalAttributes.find((a) => a.name === name)?.value);
  }

  variable(path: string): ArrayVariable | undefined {
    const name = normaliseVariablePath(path);
    const v = this.reader.variables.find((x) => `/${x.name}` === name);
    if (!v || NC_TYPES[v.type] === undefined) return undefined;
    const shape = v.dimensions.map((id) => (v.record && id === this.reader.recordDimension.id ? this.reader.recordDimension.length : this.reader.dimensions[id].size));
    return {
      name,
      shape,
      dtype: NC_TYPES[v.type],
      attr: (key) => normaliseAttr((v.attributes as Array<{ name: string; value: unknown }>).find((a) => a.name === key)?.value),
      read: (ranges) => {
        if (v.type === 'char') throw inputError('variable is not numeric', { file: this.path, path: name, expected: 'a numeric variable', found: 'NetCDF char' });
        return sliceRowMajor(this.values(v), shape, ranges);
      },
    };
  }

  variableNames(): string[] {
    return this.reader.variables.filter((v) => v.type !== 'char').map((v) => `/${v.name}`);
  }

  close(): void {
    this.decoded.clear();
  }

  private values(v: NcVariable): Float64Array {
    let out = this.decoded.get(v.name);
    if (!out) {
      out = Float64Array.from((this.reader.getDataVariable(v) as unknown[]).flat(Infinity) as number[]);
      this.decoded.set(v.name, out);
    }
    return out;
  }
}

/** The hyper-rectangle `ranges` of a row-major array of `shape`. */
export function sliceRowMajor(values: ArrayLike<number>, shape: readonly number[], ranges: readonly IndexRange[]): Float64Array {
  const counts = ranges.map(([a, b]) => b - a);
  const out = new Float64Array(counts.reduce((p, c) => p * c, 1));
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, c) => p * c, 1));
  let k = 0;
  const walk = (dim: number, base: number) => {
    const [start, end] = ranges[dim];
    if (dim === shape.length - 1) {
      for (let i = start; i < end; i++) out[k++] = values[base + i];
      return;
    }
    for (let i = start; i < end; i++) walk(dim + 1, base + i * strides[dim]);
  };
  if (shape.length === 0) out[0] = values[0];
  else walk(0, 0);
  return out;
}

function normaliseAttr(value: unknown): AttrValue | undefined {
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((x) => typeof x === 'number')) return value as number[];
  return undefined;
}
