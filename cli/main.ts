#!/usr/bin/env node
/**
 * The `soilscale` command line: run and validate pipelines, list and describe plugins, print or write
 * the pipeline schema, run the demo. Exit codes: 0 ok, 1 run failed, 2 invalid usage or pipeline.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stacCommand } from './stac.js';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { createConsoleLogger, exitOnSignals, type Logger, isSoilscaleError, resolveParams, silentProgress, usageError, writeFileAtomic } from '../core/index.js';
import { builtinRegistry, checkRedis, createQueueExecutor, generatePipelineSchema, openRunDir, preparePipeline, runPipeline, soilscaleVersion, warningSummary, type PluginRegistry, type TileExecutor } from '../host/index.js';
import { expandPipelineArgs, parseParamArgs, parseSeed } from './options.js';
import { createTerminalProgress } from './progress.js';
import { saveModelsOption, savedModelsLine } from './save-models.js';
import { pluginInitCommand } from './plugin-init-command.js';
import { workerCommand } from './worker.js';

/** The repository (or installed package) root: where `schemas/` and `pipelines/` live. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCHEMA_PATH = join(ROOT, 'schemas', 'pipeline.schema.json');

export { parseParamArgs };

/** The pipeline schema text for a registry (what `schemas/pipeline.schema.json` must contain). */
export function schemaText(registry: PluginRegistry): string {
  return JSON.stringify(generatePipelineSchema(registry), null, 2) + '\n';
}

/** The pipeline `soilscale demo` runs. */
export const DEMO_PIPELINE = 'mmsdf.json';

interface RunArgs {
  out: string;
  param?: string[];
  overwrite: boolean;
  quiet: boolean;
  strict: boolean;
  seed?: number;
  saveModels?: boolean;
  queue?: string;
  queueOutage: number;
  resumable?: boolean;
  resume?: boolean;
  tileSize?: number;
  report?: boolean;
}

/** Options every running command (run, compare, demo) shares. */
const RUN_OPTIONS = {
  overwrite: { type: 'boolean', default: false, describe: 'replace --out when it holds a complete earlier soilscale run (nothing else is ever replaced)' },
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'no progress or info logs' },
  strict: { type: 'boolean', default: false, describe: 'fail the run (exit 1, nothing kept) when it raises any warning' },
  seed: { type: 'string', coerce: parseSeed, describe: 'run seed, an integer (default: the pipeline param "seed", else 0)' },
  queue: { type: 'string', describe: 'run the tiles on `soilscale worker` processes through this Redis: redis://host:port/db (docs/scale-out.md)' },
  'queue-outage': { type: 'number', default: 120, describe: 'with --queue: seconds Redis may stay unreachable before the run fails' },
} as const;

/** Tiled runs: resuming an interrupted run, and the tile size (docs/scale-out.md, "Resume"). */
const TILE_OPTIONS = {
  resumable: { type: 'boolean', default: false, describe: 'stage in <out>.resume and keep the finished tiles there if the run fails or is interrupted' },
  resume: { type: 'boolean', default: false, describe: 'continue the interrupted resumable run of --out (same pipeline, params and seed): finished tiles are kept, the rest redone' },
  'tile-size': { type: 'number', describe: 'tile edge in output pixels for per-pixel stages (default 512); the product does not depend on it' },
} as const;

async function runAndReport(pipeline: string | object, a: RunArgs): Promise<string> {
  const quiet = a.quiet || Boolean(process.env.CI);
  const logger = createConsoleLogger(a.quiet ? 'warn' : 'info');
  const tileExecutor = a.queue ? await openTileQueue(a.queue, a.queueOutage, logger) : undefined;
  const { outDir, manifest, warnings } = await runPipeline(pipeline, {
    out: a.out,
    overwrite: a.overwrite,
    strict: a.strict,
    params: parseParamArgs(a.param),
    registry: registry(),
    seed: a.seed,
    saveModels: a.saveModels,
    resumable: a.resumable,
    resume: a.resume,
    tileSize: a.tileSize,
    report: a.report,
    // Nothing here reads the outputs' pixels after the run: tiled products stay out of memory (streamed to their files).
    outputsInMemory: false,
    logger,
    progress: !quiet && process.stderr.isTTY ? createTerminalProgress() : silentProgress,
    tileExecutor,
  }).finally(() => tileExecutor?.close());
  for (const n of manifest.notes) process.stderr.write(`note: ${n}\n`);
  for (const line of warningSummary(warnings)) process.stderr.write(`${line}\n`);
  if (a.saveModels) print(savedModelsLine(manifest));
  print(`wrote ${manifest.files.length} files to ${outDir} in ${(manifest.durationMs / 1000).toFixed(1)} s`);
  if (manifest.files.includes('report.html')) print(`open the report: ${join(outDir, 'report.html')}`);
  return outDir;
}

/** `--queue`: the BullMQ executor, after checking that Redis answers (before any node runs, not at the first tile stage). */
async function openTileQueue(url: string, outageSeconds: number, logger: Logger): Promise<TileExecutor> {
  const executor = createQueueExecutor({ url, logger, unreachableMs: outageSeconds * 1000 });
  await checkRedis(executor.address);
  return executor;
}

function parseJsonOption(name: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw usageError(`${name} is not valid JSON: ${(e as Error).message}`, { path: name, expected: 'a JSON object', found: JSON.stringify(text) });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw usageError(`${name} must be a JSON object`, { path: name, expected: 'a JSON object', found: JSON.stringify(text) });
  }
  return value as Record<string, unknown>;
}

function registry(): PluginRegistry {
  return builtinRegistry();
}

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const cli = yargs(argv)
    .scriptName('soilscale')
    .usage('$0 <command> [options]')
    .command(
      'run <pipeline>',
      'Run a pipeline, writing its outputs and manifest.json into --out',
      (y) =>
        y
          .positional('pipeline', { type: 'string', demandOption: true, describe: 'pipeline JSON file' })
          .option('param', { alias: 'p', type: 'string', array: true, describe: 'override a pipeline param: name=value (repeatable)' })
          .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'output folder (new or empty)' })
          .options(RUN_OPTIONS)
          .options(TILE_OPTIONS)
          .option('save-models', saveModelsOption)
          .option('report', { type: 'boolean', default: true, describe: 'write report.html; it reads every product whole, so --no-report keeps the memory of a run with products larger than memory bounded by its tiles' }),
      async (a) => {
        await runAndReport(a.pipeline, a);
      },
    )
    .command(
      'compare <pipeline>',
      'Run alternatives for one node on identical inputs, splits and seeds; write and print one table of all metrics with ranks (comparison.csv)',
      (y) =>
        y
          .positional('pipeline', { type: 'string', demandOption: true, describe: 'pipeline JSON file' })
          .option('node', { alias: 'n', type: 'string', describe: 'node whose alternatives are compared (default: the pipeline\'s own compare nodes)' })
          .option('alt', { alias: 'a', type: 'string', array: true, describe: 'an alternative: name=<plugin id> or name=<JSON {"uses", "with"}> (repeatable)' })
          .option('original', { type: 'boolean', default: true, describe: 'keep the node\'s own plugin as the first alternative (--no-original to drop it)' })
          .option('param', { alias: 'p', type: 'string', array: true, describe: 'override a pipeline param: name=value (repeatable)' })
          .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'output folder (new or empty)' })
          .options(RUN_OPTIONS),
      async (a) => {
        const { comparePipeline, formatTextTable, parseAlternativeArg, readComparison } = await import('./compare.js');
        const doc = comparePipeline(a.pipeline, a.node, (a.alt ?? []).map(parseAlternativeArg), a.original);
        const outDir = await runAndReport(doc, a);
        const table = readComparison(outDir);
        if (table) print(formatTextTable(table));
        else process.stderr.write('note: no validator tables to compare (add a validator node downstream of the compared node)\n');
      },
    )
    .command(
      'validate <pipelines..>',
      'Check pipelines without running them (all problems of each file at once; a quoted *.json pattern is expanded)',
      (y) =>
        y
          .positional('pipelines', { type: 'string', array: true, demandOption: true })
          .option('param', { alias: 'p', type: 'string', array: true, describe: 'override a pipeline param: name=value' }),
      async (a) => {
        const params = parseParamArgs(a.param);
        for (const file of expandPipelineArgs(a.pipelines)) {
          try {
            const plan = await preparePipeline(file, { registry: registry(), params });
            print(`${file}: valid (${plan.order.length} nodes: ${plan.order.join(' → ')})`);
          } catch (e) {
            exitCode = Math.max(exitCode, reportError(e));
          }
        }
      },
    )
    .command('plugins', 'List or describe plugins', (y) =>
      y
        .command('list', 'List the built-in plugins', {}, () => {
          const rows = registry().list();
          const w = Math.max(...rows.map((m) => m.id.length), 2);
          for (const m of rows) print(`${m.id.padEnd(w)}  ${m.version.padEnd(8)}  ${m.title}`);
        })
        .command(
          'describe <id>',
          'Show a plugin: description, inputs, params with defaults',
          (yy) => yy.positional('id', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }),
          (a) => {
            const d = registry().describe(a.id);
            if (a.json) return print(JSON.stringify(d, null, 2));
            const lines = [`${d.id} ${d.version} — ${d.title}`, '', d.description, ''];
            const inputs = Object.entries(d.inputs);
            if (inputs.length) {
              lines.push('inputs:');
              for (const [k, p] of inputs) lines.push(`  ${k} (${p.type}${p.required ? ', required' : ''}): ${p.description}`);
            }
            const outputs = Object.entries(d.outputs);
            if (outputs.length || d.moreOutputs) {
              lines.push('outputs:');
              for (const [k, p] of outputs) lines.push(`  ${k} (${p.type}): ${p.description}`);
              if (d.moreOutputs) lines.push(`  … ${d.moreOutputs}`);
            }
            if (d.use === 'nested') lines.push(`not a node: nest it in another plugin's params ({"uses": "${d.id}", "with": {…}})`);
            const props = Object.entries((d.params as { properties?: Record<string, Record<string, unknown>> }).properties ?? {});
            lines.push('params:');
            if (!props.length) lines.push('  (none)');
            for (const [k, s] of props) {
              const type = s['x-plugin-kind'] ? `${s['x-plugin-kind']} plugin` : Array.isArray(s.type) ? s.type.join('|') : (s.type ?? 'any');
              const def = 'default' in s ? ` = ${JSON.stringify(s.default)}` : '';
              lines.push(`  ${k} (${type})${def}${s.description ? ': ' + s.description : ''}`);
            }
            print(lines.join('\n'));
          },
        )
        .demandCommand(1, 'name a subcommand: list or describe <id>'),
    )
    .command('plugin', 'Plugin kit: scaffold a plugin package', (y) => y.command(pluginInitCommand(print)).demandCommand(1, 'name a subcommand: init <kind> <name>'))
    .command(
      'schema',
      'Print the pipeline JSON Schema (every registered plugin); --write updates schemas/pipeline.schema.json',
      (y) => y.option('write', { type: 'boolean', default: false }).option('check', { type: 'boolean', default: false, describe: 'exit 1 when the committed schema is out of date' }),
      async (a) => {
        const text = schemaText(registry());
        if (a.check) {
          const current = existsSync(SCHEMA_PATH) ? readFileSync(SCHEMA_PATH, 'utf8') : '';
          if (current !== text) {
            process.stderr.write(`${SCHEMA_PATH} is out of date: run \`npm run schema\`\n`);
            exitCode = 1;
          } else print('schema up to date');
        } else if (a.write) {
          await writeFileAtomic(SCHEMA_PATH, text);
          print(`wrote ${SCHEMA_PATH}`);
        } else print(text);
      },
    )
    .command(
      'demo',
      `Run the default pipeline (pipelines/${DEMO_PIPELINE}) on the built-in synthetic study area`,
      (y) =>
        y
          .option('out', { alias: 'o', type: 'string', default: 'out/demo', describe: 'output folder (new or empty)' })
          .option('param', { alias: 'p', type: 'string', array: true, describe: 'override a pipeline param, e.g. demo={"days":60}' })
          .options(RUN_OPTIONS),
      async (a) => {
        await runAndReport(join(ROOT, 'pipelines', DEMO_PIPELINE), a);
      },
    )
    .command(
      'synth',
      'Write the synthetic study area (STAC scene) without running anything',
      (y) =>
        y
          .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'scene folder (new or empty)' })
          .option('options', { type: 'string', default: '{}', describe: 'JSON of source:synthetic params, e.g. {"days":60,"climate":"humid"}' })
          .option('native', { type: 'boolean', default: false, describe: 'write the files as downloaded (SMAP HDF5, MODIS sinusoidal and UTM GeoTIFFs, stations CSV), no catalog' }),
      async (a) => {
        const options = resolveParams<Record<string, unknown>>(registry().get('source:synthetic'), parseJsonOption('--options', a.options), '--options');
        const { writeSyntheticScene, writeSyntheticNativeScene, NATIVE_ASSET_RULES, NATIVE_DATE_PATTERN } = await import('../plugins/source-synthetic/index.js');
        // Like a run: written into a staging folder, renamed into place only when complete.
        const dir = await openRunDir(a.out);
        try {
          if (a.native) await writeSyntheticNativeScene(options, dir.staging);
          else await writeSyntheticScene(options, dir.staging);
          await dir.commit();
        } catch (e) {
          await dir.abort();
          throw e;
        }
        if (!a.native) print(`wrote the synthetic scene to ${join(dir.out, 'catalog.json')}`);
        else {
          const rules = NATIVE_ASSET_RULES.map((r) => ` --asset '${r}'`).join('');
          print(`wrote the synthetic scene in native formats to ${dir.out}; catalogue it with:\n  soilscale stac build ${dir.out} --out <collection.json> --stations ${join(dir.out, 'stations.csv')} --date-pattern '${NATIVE_DATE_PATTERN}'${rules}`);
        }
      },
    )
    .command(stacCommand)
    .command(workerCommand)
    .demandCommand(1, 'name a command (see --help)')
    .strict()
    .help()
    .alias('h', 'help')
    .version('version', 'Show the soilscale version', soilscaleVersion())
    .fail((msg, err) => {
      // yargs wraps errors of option parsing (e.g. a --seed coerce) in a YError: a usage problem.
      if (err?.name === 'YError') throw usageError(err.message);
      throw err ?? usageError(msg);
    });
  try {
    await cli.parseAsync();
  } catch (e) {
    return reportError(e);
  }
  return exitCode;
}

/** One clean line per problem on stderr; exit 2 for usage/input problems, 1 for run failures. */
export function reportError(e: unknown): number {
  const debug = process.env.SOILSCALE_DEBUG === '1';
  if (isSoilscaleError(e)) {
    if (e.problems.length) {
      const head = e.message.split('\n')[0];
      process.stderr.write(`error: ${head}\n${e.problems.map((p) => `  ${p}\n`).join('')}`);
    } else process.stderr.write(`error: ${e.message}\n`);
    if (debug) process.stderr.write(`${e.stack}\n${(e as { cause?: Error }).cause?.stack ?? ''}\n`);
    return e.kind === 'runtime' ? 1 : 2;
  }
  process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
  if (debug) process.stderr.write(`${(e as Error)?.stack}\n`);
  return 1;
}

// npx and global installs start the CLI through a symlink in a .bin folder: compare real paths.
const invoked = process.argv[1] !== undefined && existsSync(process.argv[1]) && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invoked) {
  // `worker` stops gracefully on a signal itself (finishing its running jobs); every other command exits at once.
  if (hideBin(process.argv)[0] !== 'worker') exitOnSignals();
  // Until main settles: a process that ends because nothing is left to wait on (a lost connection) has not succeeded.
  process.exitCode = 1;
  main(hideBin(process.argv)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.exitCode = reportError(e);
    },
  );
}
