import { inputError } from '../errors.js';

/**
 * GDAL's private TIFF tags: GDAL_NODATA (42113, ASCII number) and GDAL_METADATA (42112, XML items
 * such as per-band SCALE, OFFSET and DESCRIPTION).
 */

/** Parse GDAL_NODATA text (`-9999`, `nan`, `-inf`, `-3.4e+38`); `undefined` when absent or unparsable. */
export function parseGdalNodata(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const s = text.replace(/\0/g, '').trim().toLowerCase();
  if (s === '') return undefined;
  if (s === 'nan' || s === '-nan') return Number.NaN;
  if (s === 'inf' || s === '+inf' || s === 'infinity') return Number.POSITIVE_INFINITY;
  if (s === '-inf' || s === '-infinity') return Number.NEGATIVE_INFINITY;
  const v = Number(s);
  return Number.isNaN(v) ? undefined : v;
}

/** GDAL_NODATA text for a value, as GDAL writes it (`nan` for NaN, shortest round-trip decimal otherwise). */
export function formatGdalNodata(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
}

export interface GdalMetadata {
  scale?: number[];
  offset?: number[];
  bandNames?: string[];
}

const WELL_FORMED = /^\s*<GDALMetadata>\s*(?:<Item(?:\s+[A-Za-z_][\w.:-]*\s*=\s*"[^"<]*")*\s*>[^<]*<\/Item>\s*)*<\/GDALMetadata>\s*$/;

/**
 * Whether GDAL_METADATA text has the shape GDAL writes and parses (a `GDALMetadata` element of
 * `Item`s with quoted attributes). GDAL ignores a damaged one with an error, so a damaged one must
 * not lend the reader a scale or offset GDAL would not apply.
 */
export function isWellFormedGdalMetadata(xml: string): boolean {
  return WELL_FORMED.test(xml.replace(/\0+$/, ''));
}

const ITEM = /<Item\s+([^>]*)>([\s\S]*?)<\/Item>/g;
const ATTR = /(\w+)\s*=\s*"([^"]*)"/g;

/**
 * Per-band SCALE/OFFSET/DESCRIPTION from GDAL_METADATA XML (missing entries default to 1/0/'').
 *
 * @throws SoilscaleError (input) naming `file` when a SCALE or OFFSET is not a number: GDAL would read
 * its numeric prefix (`0.0001%` as 0.0001), ignoring it would change every value.
 */
export function parseGdalMetadata(xml: unknown, bandCount: number, file: string): GdalMetadata {
  if (typeof xml !== 'string') return {};
  const scale = new Array<number>(bandCount).fill(1);
  const offset = new Array<number>(bandCount).fill(0);
  const names = new Array<string>(bandCount).fill('');
  let hasScale = false;
  let hasOffset = false;
  let hasNames = false;
  for (const m of xml.matchAll(ITEM)) {
    const attrs = new Map<string, string>();
    for (const a of m[1].matchAll(ATTR)) attrs.set(a[1].toLowerCase(), a[2]);
    const sample = Number(attrs.get('sample'));
    if (!Number.isInteger(sample) || sample < 0 || sample >= bandCount) continue;
    const name = (attrs.get('name') ?? '').toUpperCase();
    const role = (attrs.get('role') ?? '').toLowerCase();
    const text = unescapeXml(m[2]).trim();
    const number = (what: string): number => {
      const v = Number(text);
      if (text === '' || !Number.isFinite(v)) {
        throw inputError(`GDAL_METADATA ${what} of band ${sample + 1} is not a number`, { file, path: 'tag 42112 GDAL_METADATA', expected: 'a finite number', found: JSON.stringify(text.slice(0, 40)) });
      }
      return v;
    };
    if (name === 'SCALE' || role === 'scale') {
      [scale[sample], hasScale] = [number('SCALE'), true];
    } else if (name === 'OFFSET' || role === 'offset') {
      [offset[sample], hasOffset] = [number('OFFSET'), true];
    } else if (name === 'DESCRIPTION' || role === 'description') {
      [names[sample], hasNames] = [text, true];
    }
  }
  const out: GdalMetadata = {};
  if (hasScale || hasOffset) {
    out.scale = scale;
    out.offset = offset;
  }
  if (hasNames) out.bandNames = names;
  return out;
}

/** GDAL_METADATA XML carrying band descriptions (what `gdalinfo` shows as `Description = …`). */
export function formatGdalMetadata(bandNames: readonly string[] | undefined): string | undefined {
  if (!bandNames || bandNames.every((n) => !n)) return undefined;
  const items = bandNames
    .map((n, i) => (n ? `  <Item name="DESCRIPTION" sample="${i}" role="description">${escapeXml(n)}</Item>\n` : ''))
    .join('');
  return `<GDALMetadata>\n${items}</GDALMetadata>`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
