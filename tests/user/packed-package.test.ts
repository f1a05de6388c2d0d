// The packed package (npm pack, what `npm install simdnn` gets) in an empty
// project, running a user's PyTorch-style script: a module that registers its
// layers by assignment, the plain training loop with no tidy and no dispose, a
// custom loss from tensor arithmetic, clipping and metrics. Needs dist/ (npm run build).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'simdnn-user-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a user project with the packed package', () => {
  it('trains a PyTorch-style module with flat memory and the right parameters', () => {
    // --ignore-scripts: dist/ is already built; the tarball holds exactly what a user installs.
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: root, stdio: 'pipe' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    const project = join(work, 'project');
    const pkgDir = join(project, 'node_modules', 'simdnn');
    mkdirSync(pkgDir, { recursive: true });
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', pkgDir, '--strip-components=1']);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', type: 'module', private: true }));
    cpSync(join(root, 'tests/user/pytorch-style.mjs'), join(project, 'train.mjs'));
    // The core entry has no run-time dependencies: nothing else is installed.
    const out = execFileSync(process.execPath, ['train.mjs'], { cwd: project, encoding: 'utf8', timeout: 120_000 });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    expect(r.names).toEqual(['conv1.weight', 'conv1.bias', 'bn1.weight', 'bn1.bias', 'fc.weight', 'fc.bias']);
    expect(r.stateKeys).toEqual(['conv1.weight', 'conv1.bias', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var', 'bn1.num_batches_tracked', 'fc.weight', 'fc.bias']);
    expect(r.lastLoss).toBeLessThan(r.firstLoss / 4);
    expect(r.accuracy).toBe(1);
    expect(r.memory220).toBe(r.memory20);
    expect(r.live220).toBe(r.live20);
    expect(r.top).toEqual(Array.from({ length: 16 }, (_, i) => i % 10));
  }, 180_000);
});
