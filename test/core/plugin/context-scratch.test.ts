/** A context outside a run makes its scratch folder only when asked, and removes it when the process exits. */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const core = fileURLToPath(new URL('../../../core/index.js', import.meta.url));

test('a script context creates no scratch folder until tempDir is read, and none is left after exit', () => {
  const script = `
    import { existsSync, readdirSync, writeFileSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    const { createPluginContext } = await import(${JSON.stringify(core)});
    const unused = createPluginContext({});
    const context = createPluginContext({});
    const before = readdirSync(tmpdir()).length;
    const dir = context.tempDir;
    writeFileSync(join(dir, 'x.bin'), 'x');
    console.log(JSON.stringify({ dir, same: context.tempDir === dir, made: existsSync(dir), before, unused: typeof unused.seed }));
  `;
  const tmp = mkdtempSync(join(tmpdir(), 'soilscale-context-'));
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp } }).trim().split('\n').pop()!);
  assert.equal(out.before, 0, 'two contexts made no folder before tempDir was read');
  assert.equal(out.same, true);
  assert.equal(out.made, true);
  assert.equal(existsSync(out.dir), false, `${out.dir} left behind`);
  assert.deepEqual(readdirSync(tmp), []);
});
