/**
 * `npm run bench synthetic-scene`: time to generate the default synthetic study area (`source:synthetic`, all
 * defaults: 240 days, 6 × 6 coarse cells, one coarse cell at 30 m) and to write it as a STAC scene, in wall and
 * CPU seconds, with the scene's size on disk. The budget is the whole demo (generate + pipeline) in
 * under a minute; the generator's share is meant to stay near ten seconds on a quiet machine.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSyntheticScene } from '../plugins/source-synthetic/src/generate.js';
import { resolveOptions } from '../plugins/source-synthetic/src/options.js';
import { writeScene } from '../plugins/source-synthetic/src/write-scene.js';
import { peakRssMiB, printTable, timed } from './report.js';

function folderBytes(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) {
      const sub = folderBytes(p);
      bytes += sub.bytes;
      files += sub.files;
    } else {
      bytes += s.size;
      files++;
    }
  }
  return { bytes, files };
}

const cpuSeconds = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

export default async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-bench-synthetic-'));
  try {
    const options = resolveOptions({});
    let c0 = process.cpuUsage();
    const gen = await timed(() => generateSyntheticScene(options));
    const genCpu = cpuSeconds(process.cpuUsage(c0));
    c0 = process.cpuUsage();
    const write = await timed(() => writeScene(gen.value, join(dir, 'scene'), { generatorVersion: 'bench', hash: 'bench' }));
    const writeCpu = cpuSeconds(process.cpuUsage(c0));
    const { bytes, files } = folderBytes(join(dir, 'scene'));
    printTable(`default synthetic scene (${options.days} days from ${options.start}); peak RSS ${peakRssMiB().toFixed(0)} MiB`, [
      { task: 'generate (wall)', ours: gen.seconds, unit: 's', note: `CPU ${genCpu.toFixed(1)} s` },
      { task: 'write STAC + GeoTIFFs (wall)', ours: write.seconds, unit: 's', note: `CPU ${writeCpu.toFixed(1)} s, ${files} files, ${(bytes / 2 ** 20).toFixed(0)} MiB` },
      { task: 'total (wall)', ours: gen.seconds + write.seconds, unit: 's' },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
