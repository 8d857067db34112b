import { usageError } from '../errors.js';

/**
 * Dates in file names: a template with `{YYYY}`, `{MM}`, `{DD}` or `{YYYY}` + `{DOY}` (day of year,
 * MODIS `A2019091`), `*` for any text, matched anywhere in the file name; or a regular expression
 * with named groups `year` and `month` + `day`, or `year` + `doy` (recognised by `(?<`).
 *
 * `NDVI_{YYYY}{MM}{DD}` gives `2019-04-01` for `MOD_NDVI_20190401_v6.tif`; `A{YYYY}{DOY}` gives
 * `2019-04-01` for `MOD13A2.A2019091.h18v04.tif`.
 *
 * @throws SoilscaleError (usage) for a pattern without a complete date.
 */
export function compileDatePattern(pattern: string): (name: string) => string | undefined {
  const regex = pattern.includes('(?<') ? userRegex(pattern) : templateRegex(pattern);
  const groups = new Set([...regex.source.matchAll(/\(\?<([a-z]+)>/g)].map((m) => m[1]));
  if (!groups.has('year') || !(groups.has('doy') || (groups.has('month') && groups.has('day')))) {
    throw usageError('date pattern does not give a full date', { path: '--date-pattern', expected: '{YYYY}{MM}{DD}, {YYYY}{DOY}, or a regex with groups (?<year>…)(?<month>…)(?<day>…) or (?<year>…)(?<doy>…)', found: JSON.stringify(pattern) });
  }
  return (name) => {
    const g = regex.exec(name)?.groups;
    if (!g) return undefined;
    const year = Number(g.year);
    const date = g.doy !== undefined ? new Date(Date.UTC(year, 0, Number(g.doy))) : new Date(Date.UTC(year, Number(g.month) - 1, Number(g.day)));
    const iso = date.toISOString().slice(0, 10);
    const valid = g.doy !== undefined ? date.getUTCFullYear() === year && Number(g.doy) >= 1 : iso === `${g.year}-${g.month.padStart(2, '0')}-${g.day.padStart(2, '0')}`;
    if (!valid) {
      throw usageError(`file name holds no valid date where the pattern expects one`, { file: name, path: '--date-pattern', expected: `a calendar date matching ${regex.source}`, found: g.doy !== undefined ? `year ${g.year}, day ${g.doy}` : `${g.year}-${g.month}-${g.day}` });
    }
    return iso;
  };
}

const TOKENS: Record<string, string> = { '{YYYY}': '(?<year>\\d{4})', '{MM}': '(?<month>\\d{2})', '{DD}': '(?<day>\\d{2})', '{DOY}': '(?<doy>\\d{3})' };

function templateRegex(pattern: string): RegExp {
  const source = pattern
    .split(/(\{[A-Z]+\}|\*)/)
    .map((part) => {
      if (part === '*') return '.*?';
      if (/^\{[A-Z]+\}$/.test(part)) {
        if (!TOKENS[part]) throw usageError('unknown date-pattern token', { path: '--date-pattern', expected: Object.keys(TOKENS).join(', '), found: part });
        return TOKENS[part];
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(source);
}

function userRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (e) {
    throw usageError(`date pattern is not a valid regular expression (${(e as Error).message})`, { path: '--date-pattern', expected: 'a JavaScript regular expression with named groups', found: JSON.stringify(pattern) });
  }
}

/** An asset rule: files whose name (or path relative to the folder, when the glob has a `/`) match `glob` become asset `key`. */
export interface AssetRule {
  readonly key: string;
  readonly glob: string;
  readonly test: (relativePath: string) => boolean;
}

/**
 * Parse `key=glob` (`ndvi_1km=*_NDVI_*.tif`): `*` any text except `/`, `**` any text, `?` one character.
 *
 * @throws SoilscaleError (usage) naming the rule when it is not `key=glob` or the key is not an asset key.
 */
export function parseAssetRule(text: string): AssetRule {
  const i = text.indexOf('=');
  const key = text.slice(0, i);
  const glob = text.slice(i + 1);
  if (i <= 0 || glob === '' || !/^[a-z][a-z0-9_]*$/.test(key)) {
    throw usageError('bad --asset rule', { path: '--asset', expected: 'key=glob with a lower-case asset key, e.g. ndvi_1km=*_NDVI_*.tif', found: JSON.stringify(text) });
  }
  const source = glob
    .split(/(\*\*|\*|\?)/)
    .map((p) => (p === '**' ? '.*' : p === '*' ? '[^/]*' : p === '?' ? '[^/]' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`);
  const onPath = glob.includes('/');
  return { key, glob, test: (rel) => regex.test(onPath ? rel : rel.slice(rel.lastIndexOf('/') + 1)) };
}
