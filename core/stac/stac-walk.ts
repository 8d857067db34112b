import { inputError } from '../errors.js';
import { isObject, readJsonFile, resolveHref, type JsonRequest } from './stac-json.js';

/** A STAC Item and the JSON file it was read from (for resolving hrefs and for messages). */
export interface LocatedItem {
  readonly item: Record<string, unknown>;
  /** The JSON file holding the item (its own file, or the ItemCollection). */
  readonly file: string;
  /** JSON path of the item inside `file`: `` (whole file) or `features[3]`. */
  readonly path: string;
}

export interface StacWalk {
  readonly id: string;
  readonly items: LocatedItem[];
  /** The collection-level `stations` asset, resolved, with the file that declared it. */
  readonly stations?: { readonly path: string; readonly declaredIn: string };
  /** Every JSON file read. */
  readonly jsonFiles: string[];
}

/**
 * Read a STAC entry file and everything it links to: a Collection or Catalog (`links` with
 * `rel: item` / `rel: child`, followed recursively), an ItemCollection (`type: FeatureCollection`
 * with inline `features`), or a single Item.
 */
export async function walkStac(entry: string): Promise<StacWalk> {
  const items: LocatedItem[] = [];
  const jsonFiles: string[] = [];
  const visited = new Set<string>();
  let stations: StacWalk['stations'];
  let id: string | undefined;

  const noteStations = (assets: unknown, file: string) => {
    if (!isObject(assets) || !isObject(assets.stations)) return;
    const path = resolveHref(assets.stations.href, file, 'assets.stations.href');
    if (stations && stations.path !== path) {
      throw inputError('more than one stations asset', { file, path: 'assets.stations', expected: 'one collection-level stations asset per scene', found: `${stations.path} (in ${stations.declaredIn}) and ${path}` });
    }
    stations = { path, declaredIn: file };
  };

  const visit = async (file: string, expectItem: boolean, request?: JsonRequest) => {
    const key = request ? `${request.method} ${file} ${JSON.stringify(request.body ?? null)}` : file;
    if (visited.has(key)) return;
    visited.add(key);
    if (!jsonFiles.includes(file)) jsonFiles.push(file);
    const json = await readJsonFile(file, request);
    if (!isObject(json)) throw inputError('not a STAC object', { file, expected: 'a JSON object', found: Array.isArray(json) ? 'an array' : typeof json });
    const type = json.type;
    if (type === 'Feature') {
      items.push({ item: json, file, path: '' });
      if (id === undefined) id = typeof json.id === 'string' ? json.id : undefined;
      return;
    }
    if (expectItem) {
      throw inputError('item link does not point to a STAC Item', { file, path: 'type', expected: '"Feature"', found: JSON.stringify(type) });
    }
    if (id === undefined && typeof json.id === 'string') id = json.id;
    if (type === 'FeatureCollection') {
      if (!Array.isArray(json.features)) throw inputError('ItemCollection without features', { file, path: 'features', expected: 'an array of STAC Items', found: JSON.stringify(json.features) });
      json.features.forEach((f, i) => {
        if (!isObject(f) || f.type !== 'Feature') {
          throw inputError('not a STAC Item', { file, path: `features[${i}].type`, expected: '"Feature"', found: JSON.stringify(isObject(f) ? f.type : f) });
        }
        items.push({ item: f, file, path: `features[${i}]` });
      });
      noteStations(json.assets, file);
      const next = nextPage(json, file, request);
      if (next) await visit(next.href, false, next.request);
      return;
    }
    if (type !== 'Collection' && type !== 'Catalog') {
      throw inputError('unknown STAC object type', { file, path: 'type', expected: '"Collection", "Catalog", "FeatureCollection" or "Feature"', found: JSON.stringify(type) });
    }
    noteStations(json.assets, file);
    const links = json.links ?? [];
    if (!Array.isArray(links)) throw inputError('bad links', { file, path: 'links', expected: 'an array', found: typeof links });
    for (const [i, link] of links.entries()) {
      if (!isObject(link) || (link.rel !== 'item' && link.rel !== 'child')) continue;
      const target = resolveHref(link.href, file, `links[${i}].href`);
      await visit(target, link.rel === 'item');
    }
  };

  await visit(entry, false);
  return { id: id ?? entry, items, stations, jsonFiles };
}

/**
 * The next page of a paged ItemCollection (STAC API item search): the `rel: "next"` link, a GET, or a
 * POST with its `body` (merged over the previous body when `merge` is true, as the API spec allows).
 */
export function nextPage(json: Record<string, unknown>, file: string, previous?: JsonRequest): { href: string; request?: JsonRequest } | undefined {
  const links = Array.isArray(json.links) ? json.links : [];
  const i = links.findIndex((l) => isObject(l) && l.rel === 'next');
  if (i < 0) return undefined;
  const link = links[i] as Record<string, unknown>;
  const href = resolveHref(link.href, file, `links[${i}].href`);
  const method = typeof link.method === 'string' ? link.method.toUpperCase() : 'GET';
  if (method === 'GET') return { href };
  if (method !== 'POST') throw inputError('unsupported next-link method', { file, path: `links[${i}].method`, expected: '"GET" or "POST"', found: JSON.stringify(link.method) });
  const body = link.merge === true && isObject(previous?.body) && isObject(link.body) ? { ...previous!.body, ...link.body } : link.body;
  return { href, request: { method, body } };
}
