#!/usr/bin/env node
/**
 * Checks the package as npm would publish it: `npm pack` (dist/ must be built first; no
 * lifecycle scripts, so no second build), then
 *  - attw (@arethetypeswrong/cli): every entry point resolves to correct types under node10,
 *    node16 from CommonJS, node16 from ESM and bundler;
 *  - publint --strict: package.json fields and files agree.
 * Usage: `npm run check:package` or `node scripts/check-package.mjs [sandan-x.y.z.tgz]`.
 * Exits 1 when either tool reports a problem.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The CLI script of an installed tool, run with this node (no npx, no network). */
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(label, args) {
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  process.stdout.write(`--- ${label}\n${r.stdout}${r.stderr}`);
  return r.status === 0;
}

let tarball = process.argv[2];
let tmp;
if (!tarball) {
  tmp = mkdtempSync(join(tmpdir(), 'sandan-pack-'));
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], {
    cwd: root,
    encoding: 'utf8',
  });
  tarball = join(tmp, JSON.parse(out)[0].filename);
}
try {
  const attw = run('attw', [bin('attw'), resolve(tarball), '--format', 'ascii']);
  const publint = run('publint', [bin('publint'), 'run', resolve(tarball), '--strict']);
  process.exitCode = attw && publint ? 0 : 1;
} finally {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}
