/**
 * `soilscale stac build <folder> --out <collection.json>` and `soilscale stac validate <file>`: the
 * first step on real data (a STAC scene from a folder of downloads) and its check against the STAC
 * schemas (vendored in schemas/stac, offline).
 */
import type { Argv, CommandModule } from 'yargs';
import { SoilscaleError } from '../core/index.js';
import { buildStacCatalog } from '../core/stac/stac-build.js';
import { validateStac } from '../core/stac/stac-validate.js';

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

const build: CommandModule<object, { folder: string; out: string; 'date-pattern'?: string; asset?: string[]; stations?: string; id?: string; license?: string }> = {
  command: 'build <folder>',
  describe: 'Write a STAC Collection (items per date, projection + raster extensions) from a folder of SMAP, ESA CCI, GeoTIFF files',
  builder: (y) =>
    y
      .positional('folder', { type: 'string', demandOption: true, describe: 'folder of raster files (searched recursively, links followed)' })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'collection JSON to write (items go to items/ beside it)' })
      .option('date-pattern', { type: 'string', describe: 'dates in GeoTIFF names: {YYYY}{MM}{DD}, {YYYY}{DOY}, * for any text, or a regex with (?<year>)(?<month>)(?<day>) / (?<doy>)' })
      .option('asset', { alias: 'a', type: 'string', array: true, describe: "asset rule key=glob, e.g. 'ndvi_1km=*_NDVI_*.tif' (repeatable; first match wins; SMAP/CCI default to sm_coarse)" })
      .option('stations', { type: 'string', describe: 'stations CSV or ISMN file/folder to link as the stations asset' })
      .option('id', { type: 'string', describe: 'collection id (default: the folder name)' })
      .option('license', { type: 'string', describe: 'data licence: SPDX id, various or proprietary (default proprietary)' }) as unknown as Argv<{ folder: string; out: string; 'date-pattern'?: string; asset?: string[]; stations?: string; id?: string; license?: string }>,
  handler: async (a) => {
    const r = await buildStacCatalog(a.folder, { out: a.out, datePattern: a['date-pattern'], assets: a.asset, stations: a.stations, id: a.id, license: a.license });
    for (const n of r.notes) process.stderr.write(`note: ${n}\n`);
    const keys = Object.entries(r.keys).map(([k, v]) => `  ${k}: ${v.dates.length ? `${v.dates.length} dates ${v.dates[0]} … ${v.dates[v.dates.length - 1]}` : 'static'}`);
    print(`wrote ${r.collection} (${r.items.length} items)\n${keys.join('\n')}`);
  },
};

const validate: CommandModule<object, { file: string }> = {
  command: 'validate <file>',
  describe: 'Check a STAC catalog, collection, item or item collection (and what it links to) against the STAC 1.0.0 and extension schemas',
  builder: (y) => y.positional('file', { type: 'string', demandOption: true, describe: 'STAC JSON file or http(s) URL' }) as unknown as Argv<{ file: string }>,
  handler: async (a) => {
    const { files, problems } = await validateStac(a.file);
    if (problems.length) {
      throw new SoilscaleError('input', `${a.file}: not valid STAC (${problems.length} problem${problems.length > 1 ? 's' : ''} in ${files.length} files)`, {}, problems.map((p) => `${p.file}: ${p.path || '(root)'}: ${p.message}`));
    }
    print(`${a.file}: valid STAC (${files.length} files)`);
  },
};

/** The `stac` command group (registered in main.ts). */
export const stacCommand: CommandModule = {
  command: 'stac',
  describe: 'Build a STAC scene from a folder of files, or validate one',
  builder: (y) => y.command(build as CommandModule).command(validate as CommandModule).demandCommand(1, 'name a subcommand: build or validate'),
  handler: () => {},
};
