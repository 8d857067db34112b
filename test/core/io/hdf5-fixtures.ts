import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gdal } from './helpers.js';

type H5 = typeof import('h5wasm').default;
async function h5(): Promise<H5> {
  const m = (await import('h5wasm/node')).default as unknown as H5;
  await m.ready;
  return m;
}

/**
 * An ESA CCI SM daily file's layout (formats.md): NetCDF-4 (HDF5 with dimension scales, so GDAL's
 * netCDF driver sees lat/lon), `sm` [1][720][1440] float32 fill −9999, `flag` int8 fill 127,
 * `dnflag`, `time` in days since 1970 (no `t0`: 8 MB of float64 the tests do not need). `southUp` stores latitudes ascending, as some versions do.
 * `sm` and `flag` are given north-up (row 0 = 90°N); they are stored flipped when `southUp`.
 */
export async function writeCciLayout(path: string, o: { southUp: boolean; days: number; sm: Float32Array; flag: Int8Array }): Promise<void> {
  const W = 1440;
  const H = 720;
  const lib = await h5();
  const f = new lib.File(path, 'w');
  try {
    const scale = (name: string, data: Float32Array | Float64Array, dtype: string, units: string) => {
      const d = f.create_dataset({ name, data, shape: [data.length], dtype });
      d.create_attribute('units', units);
      d.make_scale(name);
    };
    scale('time', new Float64Array([o.days]), '<d', 'days since 1970-01-01 00:00:00 UTC');
    scale('lat', Float32Array.from({ length: H }, (_, i) => (o.southUp ? -89.875 + 0.25 * i : 89.875 - 0.25 * i)), '<f', 'degrees_north');
    scale('lon', Float32Array.from({ length: W }, (_, i) => -179.875 + 0.25 * i), '<f', 'degrees_east');
    const stored = <T extends Float32Array | Int8Array>(a: T): T => {
      if (!o.southUp) return a;
      const out = a.slice() as T;
      for (let r = 0; r < H; r++) out.set(a.subarray((H - 1 - r) * W, (H - r) * W), r * W);
      return out;
    };
    const variable = (name: string, data: Float32Array | Int8Array, dtype: string, fill: number, extra: Record<string, string> = {}) => {
      const d = f.create_dataset({ name, data, shape: [1, H, W], dtype, chunks: [1, 360, 720], compression: 'gzip', compression_opts: 4 });
      d.create_attribute('_FillValue', dtype === '<b' ? new Int8Array([fill]) : new Float32Array([fill]), [], dtype);
      for (const [k, v] of Object.entries(extra)) d.create_attribute(k, v);
      d.attach_scale(0, '/time');
      d.attach_scale(1, '/lat');
      d.attach_scale(2, '/lon');
    };
    variable('sm', stored(o.sm), '<f', -9999, { units: 'm3 m-3' });
    variable('flag', stored(o.flag), '<b', 127);
    const dn = Int8Array.from(o.sm, (v) => (v === -9999 ? 0 : 1));
    variable('dnflag', stored(dn), '<b', 0);
  } finally {
    f.close();
  }
}

/**
 * A SMAP L4 SPL4SMGP file's layout (formats.md): `/Geophysical_Data/sm_surface` and `sm_rootzone`
 * float32 [1624][3856] fill −9999, 1-D `/x`, `/y` (cell centres, metres) and `/time`.
 */
export async function writeSmapL4Layout(path: string, o: { surface: Float32Array; rootzone: Float32Array; seconds: number; ulx?: number }): Promise<void> {
  const W = 3856;
  const H = 1624;
  const cell = 9008.055210146;
  const ulx = o.ulx ?? -17367530.445;
  const lib = await h5();
  const f = new lib.File(path, 'w');
  try {
    const g = f.create_group('Geophysical_Data');
    for (const [name, data] of [['sm_surface', o.surface], ['sm_rootzone', o.rootzone]] as const) {
      const d = g.create_dataset({ name, data, shape: [H, W], dtype: '<f', chunks: [406, 482], compression: 'gzip', compression_opts: 4 });
      d.create_attribute('_FillValue', new Float32Array([-9999]), [], '<f');
      d.create_attribute('units', 'm3 m-3');
    }
    f.create_dataset({ name: 'x', data: Float64Array.from({ length: W }, (_, i) => ulx + (i + 0.5) * cell), shape: [W], dtype: '<d' });
    f.create_dataset({ name: 'y', data: Float64Array.from({ length: H }, (_, i) => 7314540.831 - (i + 0.5) * cell), shape: [H], dtype: '<d' });
    const t = f.create_dataset({ name: 'time', data: new Float64Array([o.seconds]), shape: [1], dtype: '<d' });
    t.create_attribute('units', 'seconds since 2000-01-01 11:58:55.816');
    const proj = f.create_dataset({ name: 'EASE2_global_projection', data: new Int8Array([0]), shape: [1], dtype: '<b' });
    proj.create_attribute('grid_mapping_name', 'lambert_cylindrical_equal_area');
    proj.create_attribute('standard_parallel', new Float64Array([30]), [], '<d');
  } finally {
    f.close();
  }
}

/** A band as GDAL decodes it (any GDAL name, subdatasets included), raw values of `type`. */
export function gdalValues(name: string, type: 'Float32' | 'Int16' | 'UInt16', dir: string): Float32Array | Int16Array | Uint16Array {
  const out = join(dir, `gdal-${Math.random().toString(36).slice(2)}.bin`);
  gdal('gdal_translate', ['-q', '-of', 'ENVI', '-ot', type, name, out]);
  const buf = readFileSync(out);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return type === 'Float32' ? new Float32Array(ab) : type === 'Int16' ? new Int16Array(ab) : new Uint16Array(ab);
}
