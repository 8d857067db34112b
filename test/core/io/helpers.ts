import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export { sharedDataPath as sharedData } from '../../support/shared-data.js';

let gdalChecked: boolean | undefined;
export function hasGdal(): boolean {
  if (gdalChecked === undefined) gdalChecked = spawnSync('gdalinfo', ['--version'], { encoding: 'utf8' }).status === 0;
  return gdalChecked;
}

/** True when GDAL can be used; skips the test locally without it, fails it in CI. */
export function needGdal(t: TestContext): boolean {
  if (hasGdal()) return true;
  if (process.env.CI) throw new Error('gdalinfo/gdal_translate are required in CI (install gdal-bin)');
  t.skip('GDAL command-line tools not installed');
  return false;
}

/** Run a GDAL tool; throws with its stderr on failure. */
export function gdal(tool: string, args: string[]): string {
  const r = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export function gdalinfoJson(path: string, ...extra: string[]): any {
  return JSON.parse(gdal('gdalinfo', ['-json', ...extra, path]));
}

/** Values at pixel (col,row) of band (1-based) as GDAL reads them (raw, unscaled). */
export function gdalValue(path: string, band: number, col: number, row: number): number {
  const s = gdal('gdallocationinfo', ['-valonly', '-b', String(band), path, String(col), String(row)]).trim();
  return s === 'nan' || s === '-nan' ? Number.NaN : Number(s);
}

/** All pixels of one band (1-based; 0 = all bands, band-sequential) as GDAL decodes them, via an ENVI raw copy. */
export function gdalRawBand(path: string, band: number, type: 'Float32' | 'Int16' | 'Byte', dir: string): ArrayLike<number> {
  const out = join(dir, `raw-${band}-${Math.random().toString(36).slice(2)}.bin`);
  gdal('gdal_translate', ['-q', '-of', 'ENVI', '-co', 'INTERLEAVE=BSQ', '-ot', type, ...(band > 0 ? ['-b', String(band)] : []), path, out]);
  const buf = readFileSync(out);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return type === 'Float32' ? new Float32Array(ab) : type === 'Int16' ? new Int16Array(ab) : new Uint8Array(ab);
}

export function tempDir(t: TestContext, prefix = 'soilscale-geotiff-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Minimal `.npy` reader (little-endian int16/float32/float64, C order) for reference arrays. */
export function readNpy(path: string): { shape: number[]; data: Int16Array | Float32Array | Float64Array } {
  const buf = readFileSync(path);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)![1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)![1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (/'fortran_order':\s*True/.test(header)) throw new Error('fortran order not supported');
  const body = buf.subarray(10 + headerLen);
  const ab = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
  const data = descr === '<i2' ? new Int16Array(ab) : descr === '<f4' ? new Float32Array(ab) : descr === '<f8' ? new Float64Array(ab) : null;
  if (!data) throw new Error(`npy dtype ${descr} not supported`);
  return { shape, data };
}

/** Statistics over non-NaN values; GDAL 3.6's `gdalinfo -stats` reports the sample (n-1) standard deviation, other versions the population one. */
export function stats(values: ArrayLike<number>): { min: number; max: number; mean: number; std: number; stdSample: number; count: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    count++;
  }
  const mean = sum / count;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) ss += (v - mean) * (v - mean);
  }
  return { min, max, mean, std: Math.sqrt(ss / count), stdSample: Math.sqrt(ss / (count - 1)), count };
}

/** Bit-exact equality of two float arrays, NaN equal to NaN. Returns the first differing index or -1. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (!(x === y || (x !== x && y !== y))) return i;
  }
  return -1;
}

/** Full-precision statistics from `gdalinfo -json -stats` (the metadata items; the top-level ones are rounded). */
export function gdalStats(path: string): Array<{ min: number; max: number; mean: number; std: number; validPercent: number }> {
  const info = gdalinfoJson(path, '-stats');
  return info.bands.map((b: any) => {
    const m = b.metadata[''];
    return { min: Number(m.STATISTICS_MINIMUM), max: Number(m.STATISTICS_MAXIMUM), mean: Number(m.STATISTICS_MEAN), std: Number(m.STATISTICS_STDDEV), validPercent: Number(m.STATISTICS_VALID_PERCENT ?? 100) };
  });
}

/** Whether GDAL's standard deviation matches ours (population or sample form, GDAL versions differ). */
export function sameStd(ours: { std: number; stdSample: number }, gdalStd: number, tol: number): boolean {
  return Math.abs(ours.std - gdalStd) <= tol || Math.abs(ours.stdSample - gdalStd) <= tol;
}
