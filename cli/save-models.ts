import type { RunManifest } from '../host/index.js';

/** `soilscale run --save-models`: the option, and the line the CLI prints about what it saved. */
export const saveModelsOption = {
  type: 'boolean',
  default: false,
  describe: 'write every fitted model into <out>/models/ (listed in manifest.json under "models"); transform:apply-model applies one by path',
} as const;

/** What `--save-models` wrote, for the terminal; a note when the pipeline fitted no model. */
export function savedModelsLine(manifest: RunManifest): string {
  const models = Object.entries(manifest.models ?? {});
  if (models.length === 0) return 'note: --save-models: no node of this pipeline produced a fitted model';
  return `saved ${models.length} model${models.length > 1 ? 's' : ''} into models/: ${models.map(([node, files]) => `${node} (${files.find((f) => f.endsWith('.model.json')) ?? files[0]}${files.filter((f) => f.endsWith('.model.json')).length > 1 ? ', …' : ''})`).join(', ')}`;
}
