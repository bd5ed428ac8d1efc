/**
 * npm runs a dependency's install script only when the project approves it in package.json's `allowScripts` (npm
 * 11.16 warns about the rest; a later npm skips them). better-sqlite3 builds its native part there and esbuild fetches
 * its binary, so an unapproved one would leave CI without SQLite or without a build. The installed tree is read as
 * npm sees it: every package with a preinstall, install or postinstall script must be approved by name, and every
 * approval must still name one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

/** The names of the installed packages (nested ones too) that have an install-time script. */
function withInstallScripts(modules: string, found = new Set<string>()): Set<string> {
  if (!existsSync(modules)) return found;
  for (const entry of readdirSync(modules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = join(modules, entry.name);
    if (entry.name.startsWith('@')) {
      withInstallScripts(dir, found);
      continue;
    }
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name, scripts = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name: string;
        scripts?: Record<string, string>;
      };
      if (scripts.preinstall || scripts.install || scripts.postinstall) found.add(name);
    }
    withInstallScripts(join(dir, 'node_modules'), found);
  }
  return found;
}

describe("package.json's allowScripts", () => {
  it('approves every installed package that has an install script, and nothing else', () => {
    const { allowScripts = {} } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      allowScripts?: Record<string, boolean>;
    };
    const needed = [...withInstallScripts(join(ROOT, 'node_modules'))].sort();
    // The two known today: a change in the tree shows here first.
    expect(needed).toEqual(['better-sqlite3', 'esbuild']);
    expect(allowScripts).toEqual(Object.fromEntries(needed.map((n) => [n, true])));
  });
});

describe("README's approval of better-sqlite3's install script", () => {
  // npm 11.16 and 11.17 know `npm approve-scripts`; npm 11.18 and later name it `npm install-scripts approve` (the
  // name their install warning prints) and keep approve-scripts as its alias. A reader with either npm finds theirs.
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');

  it('gives both names of the command, and the npm versions that know each', () => {
    expect(readme).toContain('`npm approve-scripts better-sqlite3`');
    expect(readme).toContain('`npm install-scripts approve better-sqlite3`');
    expect(readme).toMatch(/npm 11\.18 and later/);
  });

  it('is a command the npm running this test knows, in both names when it knows install-scripts (npm ≥ 11.18)', () => {
    const knows = (...words: string[]) =>
      spawnSync('npm', [...words, '--help'], { stdio: 'ignore', shell: process.platform === 'win32' }).status === 0;
    const [major = 0, minor = 0] = (spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout ?? '')
      .split('.')
      .map(Number);
    if (major > 11 || (major === 11 && minor >= 18)) expect(knows('install-scripts')).toBe(true);
    if (major > 11 || (major === 11 && minor >= 16)) expect(knows('approve-scripts')).toBe(true);
  });
});
