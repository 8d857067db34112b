/**
 * GDAL as the fuzz oracle for GeoTIFFs: does GDAL read the file (header and every pixel), and if so,
 * what size, geotransform, nodata, scale/offset and raw values does it see.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import type { Raster } from '../../core/model/raster.js';

export type GdalVerdict =
  | { readonly ok: false; readonly why: string }
  | {
      readonly ok: true;
      readonly width: number;
      readonly height: number;
      readonly geoTransform?: number[];
      readonly bands: ReadonlyArray<{ nodata?: number; scale: number; offset: number }>;
      /** Raw values, band-sequential, as Float64. */
      readonly raw: Float64Array;
    };

/**
 * gdalinfo reports the corners in longitude/latitude too; a geotransform far outside the CRS's domain
 * makes that report fail ("Point outside of projection domain") though the file reads — not a rejection.
 */
const REPORT_ONLY = /Point outside of projection domain/;

function run(tool: string, args: string[]): { ok: boolean; stdout: string; why: string } {
  const r = spawnSync(tool, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 2 ** 20 });
  const errors = (r.stderr ?? '').split('\n').filter((l) => /^ERROR/.test(l) && !REPORT_ONLY.test(l));
  return { ok: r.status === 0 && errors.length === 0, stdout: r.stdout ?? '', why: errors.join(' | ') || `exit ${r.status}` };
}

/** GDAL's reading of `file` (a scratch `.bin` beside `scratch` is written and removed). */
export function gdalVerdict(file: string, scratch: string): GdalVerdict {
  const info = run('gdalinfo', ['-json', file]);
  if (!info.ok) return { ok: false, why: info.why };
  const json = JSON.parse(info.stdout) as { size: [number, number]; geoTransform?: number[]; bands: Array<{ noDataValue?: number | string; scale?: number; offset?: number }> };
  const out = `${scratch}.bin`;
  // Pixels only (the geotransform was compared from gdalinfo): ENVI cannot hold every geotransform.
  const raw = run('gdal_translate', ['-q', '-of', 'ENVI', '-co', 'INTERLEAVE=BSQ', '-ot', 'Float64', '-a_ullr', '0', String(json.size[1]), String(json.size[0]), '0', file, out]);
  try {
    if (!raw.ok) return { ok: false, why: raw.why };
    const buf = readFileSync(out);
    const bands = json.bands.map((b) => {
      const nd = b.noDataValue === undefined ? undefined : typeof b.noDataValue === 'string' ? Number(b.noDataValue.replace(/^-?inf(inity)?$/i, (s) => (s.startsWith('-') ? '-Infinity' : 'Infinity'))) : b.noDataValue;
      return { nodata: nd, scale: b.scale ?? 1, offset: b.offset ?? 0 };
    });
    return { ok: true, width: json.size[0], height: json.size[1], geoTransform: json.geoTransform, bands, raw: new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)) };
  } finally {
    rmSync(out, { force: true });
    rmSync(`${scratch}.hdr`, { force: true });
    rmSync(`${out}.aux.xml`, { force: true });
  }
}

/** Where soilscale's reading differs from GDAL's, or `undefined` when it does not. */
export function differenceFromGdal(r: Raster, g: Extract<GdalVerdict, { ok: true }>): string | undefined {
  if (r.grid.width !== g.width || r.grid.height !== g.height) return `size ${r.grid.width}×${r.grid.height} vs GDAL ${g.width}×${g.height}`;
  if (r.bands.length !== g.bands.length) return `${r.bands.length} bands vs GDAL ${g.bands.length}`;
  if (g.geoTransform && r.grid.crs !== '') {
    const px = Math.max(Math.abs(g.geoTransform[1]), Math.abs(g.geoTransform[5]), 1e-300);
    if (g.geoTransform.some((v, i) => !(Math.abs(v - r.grid.transform[i]) <= 1e-9 * Math.max(px, Math.abs(v))))) return `geotransform [${r.grid.transform.join(', ')}] vs GDAL [${g.geoTransform.join(', ')}]`;
  }
  const n = g.width * g.height;
  for (let b = 0; b < g.bands.length; b++) {
    const { nodata, scale, offset } = g.bands[b];
    for (let i = 0; i < n; i++) {
      const v = g.raw[b * n + i];
      const isNodata = nodata !== undefined && (v === nodata || (Number.isNaN(nodata) && Number.isNaN(v)) || Math.fround(v) === Math.fround(nodata));
      const want = isNodata ? Number.NaN : Math.fround(v * scale + offset);
      const got = r.bands[b][i];
      if (!(got === want || (Number.isNaN(got) && Number.isNaN(want)))) return `band ${b + 1} pixel ${i}: ${got} vs GDAL ${want} (raw ${v})`;
    }
  }
  return undefined;
}
