import type { CommandModule } from 'yargs';
import { soilscaleVersion } from '../host/index.js';
import { SCAFFOLD_KINDS, scaffoldPlugin } from './plugin-init.js';

/** `soilscale plugin init <kind> <name> [--dir]` (yargs command; `print` writes a line to stdout). */
export function pluginInitCommand(print: (text: string) => void): CommandModule<object, { kind: string; name: string; dir?: string }> {
  return {
    command: 'init <kind> <name>',
    describe: `Scaffold a plugin package (kinds: ${SCAFFOLD_KINDS.join(', ')}) that builds and passes its tests as it is`,
    builder: (y) =>
      y
        .positional('kind', { type: 'string', demandOption: true, choices: SCAFFOLD_KINDS, describe: 'the plugin kind' })
        .positional('name', { type: 'string', demandOption: true, describe: 'the plugin name (id <kind>:<name>, package soilscale-plugin-<name>)' })
        .option('dir', { type: 'string', describe: 'folder to create (default ./soilscale-plugin-<name>)' }),
    handler: (a) => {
      const { dir, files } = scaffoldPlugin({ kind: a.kind, name: a.name, dir: a.dir, soilscaleVersion: soilscaleVersion() });
      print(`wrote ${files.length} files to ${dir}: ${files.join(', ')}\nnext: cd ${dir} && npm install && npm test`);
    },
  };
}
