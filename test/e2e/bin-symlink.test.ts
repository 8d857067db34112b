import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const cli = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

describe('soilscale bin', () => {
  it('runs as an executable through a symlink, as npx and global installs start it', () => {
    const link = join(mkdtempSync(join(tmpdir(), 'soilscale-bin-')), 'soilscale');
    symlinkSync(cli, link);
    // Executed directly (shebang + executable bit, both needed by npx), not through `node`.
    const r = spawnSync(link, ['plugins', 'list'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /downscaler:bilinear/);
  });
});
