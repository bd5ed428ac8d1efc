/**
 * date-fns is imported by function (`date-fns/addDays`), never through its barrel (`date-fns`): the barrel loads some
 * 870 modules, which doubled the import of sandan/model (about 250 to 500 ms) while src/time imported two functions
 * from it, and still weighed on sandan, sandan/quota and sandan/emulator (the return window, the emulator's clock). Counted in a plain node child process (vitest's loader is not Node's), through the package's exports map,
 * with a resolve hook that writes each date-fns module it resolves on standard error. Needs a fresh dist/ (vitest's
 * global setup builds it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'sandan-date-fns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hook = join(dir, 'hook.mjs');
writeFileSync(
  hook,
  `export async function resolve(s, c, next) {
  const r = await next(s, c);
  if (/\\/node_modules\\/(@date-fns\\/tz|date-fns)\\//.test(r.url)) console.error('DATE-FNS ' + r.url);
  return r;
}\n`,
);
const register = join(dir, 'register.mjs');
writeFileSync(
  register,
  `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`,
);

/** The distinct date-fns and @date-fns/tz modules `import(entry)` resolves. */
function dateFnsModules(entry: string): Set<string> {
  const r = spawnSync(
    process.execPath,
    ['--import', register, '--input-type=module', '-e', `await import(${JSON.stringify(entry)});`],
    { cwd: root, encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  return new Set(r.stderr.split('\n').filter((l) => l.startsWith('DATE-FNS ')));
}

describe('date-fns by function, not its barrel', () => {
  it.each([
    'sandan/model',
    'sandan/rules',
    'sandan/tax',
    'sandan/xml',
    'sandan/sign',
    'sandan',
    'sandan/quota',
    'sandan/emulator',
  ])('%s loads a few dozen date-fns modules at most, not the 870 of its barrel', (entry) => {
    const modules = dateFnsModules(entry);
    // (the functions used and what they import: none for sandan/model, 34 for sandan/emulator, when this was written)
    expect(modules.size).toBeLessThan(60);
  });
});
