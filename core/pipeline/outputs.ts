import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { runtimeError } from '../errors.js';
import type { Raster } from '../model/raster.js';
import { isStatic, seriesRaster, type Series } from '../model/series.js';
import type { Stations } from '../model/stations.js';
import type { RecordTable, Table } from '../model/table.js';
import type { Artifact, SavedModel } from '../plugin/artifact.js';
import type { StreamedCount } from '../tiles/assemble.js';
import { noteTileOutputWritten, streamableTileOutput } from '../tiles/tile-series.js';
import { concatTables } from './partition.js';

/** Writes a single-band or multi-band raster as GeoTIFF (core/io's writer, loaded on first use). */
type GeoTiffWriter = (path: string, raster: Raster) => Promise<void>;

let writerPromise: Promise<GeoTiffWriter> | undefined;
async function geoTiffWriter(): Promise<GeoTiffWriter> {
  // Loaded lazily: runs that write no rasters never load geotiff.
  writerPromise ??= import('../io/geotiff-write.js').then((m) => (p: string, r: Raster) => m.writeGeoTiff(p, r));
  return writerPromise;
}

/**
 * Write one named output into `dir` with the standard layout:
 * temporal series → `<name>/<YYYY-MM-DD>.tif`; static series or raster → `<name>.tif`;
 * RecordTable → `<name>.csv` + `<name>.json`; SavedModel → `<name>.model.json` (+ `<name>.model.<key>.bin`);
 * Alternatives → each as `<name>-<alternative>…` (record tables merged with a leading `method` column).
 * Returns the written paths relative to `dir`. A tile-stage series nobody has read is streamed from the
 * tile store (same bytes, memory bounded by a tile row); its valid-value count goes into `counted`.
 */
export async function writeArtifact(dir: string, name: string, artifact: Artifact, counted?: Map<Artifact, StreamedCount>): Promise<string[]> {
  switch (artifact.kind) {
    case 'series':
      return writeSeries(dir, name, artifact, counted);
    case 'raster': {
      await (await geoTiffWriter())(join(dir, `${name}.tif`), artifact);
      return [`${name}.tif`];
    }
    case 'records':
      return writeRecordTable(dir, name, artifact);
    case 'model':
      return writeModel(dir, name, artifact);
    case 'stations':
      return writeStations(dir, name, artifact);
    case 'table':
      return writeFeatureTable(dir, name, artifact);
    case 'geojson': {
      await writeFile(join(dir, `${name}.geojson`), JSON.stringify(artifact.data) + '\n');
      return [`${name}.geojson`];
    }
    case 'alternatives': {
      const items = [...artifact.items];
      if (items.length && items.every(([, a]) => a.kind === 'records')) {
        return writeRecordTable(dir, name, concatTables(items as [string, RecordTable][], 'method'));
      }
      const files: string[] = [];
      for (const [alt, a] of items) files.push(...(await writeArtifact(dir, `${name}-${alt}`, a, counted)));
      return files;
    }
    case 'scene':
      throw runtimeError(`output '${name}' is a whole scene, which has no file form`, { path: `outputs.${name}`, expected: 'a series, raster, table or model (reference an asset: "output": "<asset key>")', found: 'a scene' });
  }
}

async function writeSeries(dir: string, name: string, s: Series, counted?: Map<Artifact, StreamedCount>): Promise<string[]> {
  const tiled = streamableTileOutput(s);
  if (tiled) {
    const { streamOutputToCogs } = await import('../tiles/assemble.js');
    const { files, count } = await streamOutputToCogs(tiled, join(dir, name));
    const written = files.map((f) => relative(dir, f).split(sep).join('/'));
    noteTileOutputWritten(s, written);
    counted?.set(s, count);
    return written;
  }
  const write = await geoTiffWriter();
  if (isStatic(s)) {
    await write(join(dir, `${name}.tif`), seriesRaster(s, 0));
    return [`${name}.tif`];
  }
  await mkdir(join(dir, name), { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < s.dates.length; i++) {
    const rel = `${name}/${s.dates[i]}.tif`;
    await write(join(dir, rel), seriesRaster(s, i));
    files.push(rel);
  }
  return files;
}

/** CSV (RFC 4180 quoting, empty cell for null/NaN) and JSON (`{columns, rows, notes}`). */
export async function writeRecordTable(dir: string, name: string, t: RecordTable): Promise<string[]> {
  await mkdir(join(dir, name, '..'), { recursive: true });
  await writeFile(join(dir, `${name}.csv`), recordsToCsv(t));
  await writeFile(join(dir, `${name}.json`), JSON.stringify({ columns: t.columns, rows: t.rows, ...(t.notes?.length ? { notes: t.notes } : {}) }, jsonNumbers, 2) + '\n');
  return [`${name}.csv`, `${name}.json`];
}

export function recordsToCsv(t: RecordTable): string {
  const lines = [t.columns.map(csvCell).join(',')];
  for (const r of t.rows) lines.push(t.columns.map((c) => csvCell(r[c])).join(','));
  return lines.join('\n') + '\n';
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** JSON has no NaN/Infinity: write them as null. */
function jsonNumbers(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

async function writeModel(dir: string, name: string, m: SavedModel): Promise<string[]> {
  await mkdir(join(dir, name, '..'), { recursive: true });
  const files: string[] = [];
  const binary: Record<string, { file: string; type: string; length: number }> = {};
  for (const [key, arr] of Object.entries(m.binary ?? {})) {
    const file = `${name}.model.${key}.bin`;
    // Typed arrays are little-endian on every platform Node supports.
    await writeFile(join(dir, file), new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    // Named relative to the JSON beside it, so the model reads back from wherever it is.
    binary[key] = { file: basename(file), type: arr.constructor.name, length: arr.length };
    files.push(file);
  }
  const { binary: _b, ...rest } = m;
  await writeFile(join(dir, `${name}.model.json`), JSON.stringify({ ...rest, ...(files.length ? { binary } : {}) }, jsonNumbers, 2) + '\n');
  return [`${name}.model.json`, ...files];
}

async function writeStations(dir: string, name: string, s: Stations): Promise<string[]> {
  const rows: Record<string, string | number | null>[] = [];
  for (const st of s.stations) {
    const obs = s.observations.get(st.id);
    obs?.dates.forEach((d, i) => rows.push({ station: st.id, lon: st.lon, lat: st.lat, depth_m: st.depth, date: d, sm: obs.values[i], flag: obs.flags?.[i] ?? '' }));
  }
  await writeFile(join(dir, `${name}.csv`), recordsToCsv({ kind: 'records', columns: ['station', 'lon', 'lat', 'depth_m', 'date', 'sm', 'flag'], rows }));
  return [`${name}.csv`];
}

async function writeFeatureTable(dir: string, name: string, t: Table): Promise<string[]> {
  const columns = [...t.columns, ...(t.y ? ['target'] : [])];
  const rows = Array.from({ length: t.rows }, (_, r) => {
    const row: Record<string, number> = {};
    t.columns.forEach((c, j) => (row[c] = t.x[r * t.columns.length + j]));
    if (t.y) row.target = t.y[r];
    return row;
  });
  await writeFile(join(dir, `${name}.csv`), recordsToCsv({ kind: 'records', columns, rows }));
  return [`${name}.csv`];
}
