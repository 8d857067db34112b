import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { createAjv, formatAjvErrors } from '../pipeline/ajv-messages.js';
import { isObject, readJsonFile, resolveHref, type JsonRequest } from './stac-json.js';
import { nextPage } from './stac-walk.js';

/** The vendored schemas (see `schemas/stac/README.md`): `<package root>/schemas/stac`, from `dist/core/stac/`. */
const SCHEMA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'schemas', 'stac');
const CORE = 'https://schemas.stacspec.org/v1.0.0';
const CORE_SCHEMAS: Record<string, string> = {
  Feature: `${CORE}/item-spec/json-schema/item.json`,
  Collection: `${CORE}/collection-spec/json-schema/collection.json`,
  Catalog: `${CORE}/catalog-spec/json-schema/catalog.json`,
  FeatureCollection: 'https://soilscale.local/schemas/stac/v1.0.0/item-collection.json',
};
/** STAC versions whose core schemas are vendored. */
export const VENDORED_STAC_VERSIONS = ['1.0.0'] as const;

/** One problem: the JSON file, the JSON path inside it, and what was expected and found (in `message`). */
export interface StacProblem {
  readonly file: string;
  /** `features[2].assets.sm_coarse.proj:shape`, or `` for the whole object. */
  readonly path: string;
  readonly message: string;
}

/** What `validateStac` found: every JSON file it read, and the problems (none = valid). */
export interface StacValidation {
  readonly files: readonly string[];
  readonly problems: readonly StacProblem[];
}

// ajv-formats is CommonJS: its default export is the function (or wraps it, depending on the loader).
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

let ajvInstance: Ajv | undefined;

/** ajv with every vendored schema registered under its `$id`, and STAC's `iri`/`iri-reference` formats. */
function stacAjv(): Ajv {
  if (ajvInstance) return ajvInstance;
  const ajv = createAjv();
  // ajv-formats has no IRI formats: an IRI is a URI that may hold non-ASCII characters.
  addFormats(ajv);
  ajv.addFormat('iri', (s: string) => URL.canParse(s));
  ajv.addFormat('iri-reference', (s: string) => URL.canParse(s, 'file:///base/'));
  for (const file of schemaFiles(SCHEMA_DIR)) ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')) as object);
  ajvInstance = ajv;
  return ajv;
}

function schemaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? schemaFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []));
}

function schemaFor(id: string): ValidateFunction | undefined {
  const ajv = stacAjv();
  return ajv.getSchema(id) ?? ajv.getSchema(`${id}#`) ?? ajv.getSchema(id.replace(/#$/, ''));
}

/**
 * Validate a STAC file and every file it links to (`item`/`child` links, ItemCollection features)
 * against the vendored STAC 1.0.0 core schemas and the schemas of each object's `stac_extensions`.
 * An extension or STAC version without a vendored schema is a problem, not a silent pass.
 *
 * @example
 * ```sh
 * soilscale stac validate scene/collection.json   # exit 2 and one line per problem when invalid
 * ```
 */
export async function validateStac(entry: string): Promise<StacValidation> {
  const problems: StacProblem[] = [];
  const files: string[] = [];
  const visited = new Set<string>();
  const visit = async (file: string, request?: JsonRequest) => {
    const key = request ? `${request.method} ${file} ${JSON.stringify(request.body ?? null)}` : file;
    if (visited.has(key)) return;
    visited.add(key);
    files.push(file);
    const json = await readJsonFile(file, request);
    if (!isObject(json)) return void problems.push({ file, path: '', message: `must be a JSON object, got ${Array.isArray(json) ? 'an array' : typeof json}` });
    problems.push(...validateObject(json, file, ''));
    if (json.type === 'FeatureCollection' && Array.isArray(json.features)) {
      json.features.forEach((f, i) => problems.push(...(isObject(f) ? validateObject(f, file, `features[${i}]`) : [{ file, path: `features[${i}]`, message: `must be a STAC Item object, got ${JSON.stringify(f)}` }])));
      const next = nextPage(json, file, request); // the next page of a STAC API search
      if (next) await visit(next.href, next.request);
    }
    if (!Array.isArray(json.links)) return;
    for (const [i, link] of json.links.entries()) {
      if (!isObject(link) || (link.rel !== 'item' && link.rel !== 'child')) continue;
      let target: string;
      try {
        target = resolveHref(link.href, file, `links[${i}].href`);
      } catch (e) {
        problems.push({ file, path: `links[${i}].href`, message: (e as Error).message });
        continue;
      }
      await visit(target);
    }
  };
  await visit(/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ? entry : resolve(entry));
  return { files, problems };
}

/** Problems of one STAC object (not its linked files): core schema by `type`, then each extension. */
function validateObject(json: Record<string, unknown>, file: string, base: string): StacProblem[] {
  const at = (p: string) => (base && p ? `${base}.${p}` : base || p);
  const coreId = typeof json.type === 'string' ? CORE_SCHEMAS[json.type] : undefined;
  if (!coreId) return [{ file, path: at('type'), message: `must be one of "Feature", "Collection", "Catalog", "FeatureCollection", got ${JSON.stringify(json.type)}` }];
  const version = json.stac_version;
  if (json.type !== 'FeatureCollection' && !VENDORED_STAC_VERSIONS.includes(version as never)) {
    return [{ file, path: at('stac_version'), message: `must be a STAC version whose schemas are vendored (${VENDORED_STAC_VERSIONS.join(', ')}), got ${JSON.stringify(version)}` }];
  }
  const out = run(schemaFor(coreId)!, json, file, base);
  const extensions = Array.isArray(json.stac_extensions) ? json.stac_extensions : [];
  extensions.forEach((url, i) => {
    const validate = typeof url === 'string' ? schemaFor(url) : undefined;
    if (!validate) {
      out.push({ file, path: at(`stac_extensions[${i}]`), message: `must be an extension schema vendored in schemas/stac (projection v2.0.0, raster v1.1.0/v2.0.0, eo v1.1.0/v2.0.0), got ${JSON.stringify(url)}` });
    } else out.push(...run(validate, json, file, base));
  });
  return out;
}

function run(validate: ValidateFunction, json: unknown, file: string, base: string): StacProblem[] {
  if (validate(json)) return [];
  const problems = formatAjvErrors(validate.errors ?? [], () => base).map((line) => {
    // formatAjvErrors writes `path: expected…, got found`; a root-level problem has an empty path.
    const i = line.startsWith(': ') ? 0 : line.indexOf(': ');
    return { file, path: i > 0 ? line.slice(0, i) : base, message: line.slice(i + 2) };
  });
  // The STAC schemas wrap their rules in anyOf/oneOf: keep the failed alternatives' summary only when nothing more precise was found.
  const precise = problems.filter((p) => !p.message.startsWith('must be a valid value'));
  return precise.length ? precise : problems;
}
