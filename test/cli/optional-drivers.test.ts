import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// better-sqlite3 and pg are optional dependencies (`npm install --omit=optional` leaves them out).
// A module-resolution hook makes them unresolvable, as they are in such an install, for the built CLI
// and the built library.
const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/sandan.js');
const SECRET = 'optional-drivers-test-secret-0123456789';

function node(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SANDAN_QUOTA_SECRET: SECRET },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d));
    child.stderr.on('data', (d: Buffer) => void (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('without the optional database drivers', () => {
  let dir: string;
  let hide: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandan-no-drivers-'));
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `export async function resolve(specifier, context, next) {
  if (specifier === 'pg' || specifier === 'better-sqlite3') {
    throw Object.assign(new Error(\`Cannot find package '\${specifier}' imported from \${context.parentURL}\`), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  return next(specifier, context);
}
`,
    );
    hide = join(dir, 'hide-drivers.mjs');
    writeFileSync(hide, `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the hook really hides them', async () => {
    const r = await node(['--import', hide, '--input-type=module', '-e', "await import('pg')"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Cannot find package 'pg'");
  });

  it('sandan quota --db postgres://… exits 2 and names the missing package (pg)', async () => {
    // Port 9 (discard) on loopback: never contacted, the driver is missing before any connection.
    const r = await node([
      '--import',
      hide,
      BIN,
      'quota',
      'remaining',
      '--db',
      'postgres://sandan@127.0.0.1:9/sandan',
      '--buyer-id',
      '11010519491231002X',
    ]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    // The hint is about installing the driver, not about --db or the secret.
    expect(r.stderr).toBe(
      'sandan: The PostgreSQL quota store needs the optional dependency pg: npm install pg\n' +
        'hint: Install pg where sandan is installed: `npm install pg` in the project, or `npm install -g pg` beside a global sandan.\n',
    );
  });

  it('sandan quota --db FILE.sqlite exits 2 and names the missing package (better-sqlite3)', async () => {
    const r = await node([
      '--import',
      hide,
      BIN,
      'quota',
      'remaining',
      '--db',
      join(dir, 'q.sqlite'),
      '--buyer-id',
      '11010519491231002X',
    ]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      'sandan: The SQLite quota store needs the optional dependency better-sqlite3: npm install better-sqlite3\n' +
        'hint: Install better-sqlite3 where sandan is installed: `npm install better-sqlite3` in the project, or `npm install -g better-sqlite3` beside a global sandan.\n',
    );
  });

  it('sandan validate --quota-db exits 2 and hints at installing the driver (not at --quota-db or the secret)', async () => {
    const r = await node([
      '--import',
      hide,
      BIN,
      'validate',
      'examples/hangzhou-1210.json',
      '--quota-db',
      'postgres://sandan@127.0.0.1:9/sandan',
    ]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      'sandan: The PostgreSQL quota store needs the optional dependency pg: npm install pg\n' +
        'hint: Install pg where sandan is installed: `npm install pg` in the project, or `npm install -g pg` beside a global sandan.\n',
    );
  });

  it('sandan emulate --state FILE.sqlite exits 2, names better-sqlite3 and hints at --state or --memory (not --db or the quota secret)', async () => {
    const r = await node([
      '--import',
      hide,
      BIN,
      'emulate',
      '--state',
      join(dir, 'state.sqlite'),
      '--no-folder',
      '--port',
      '0',
    ]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      'sandan: The emulator state in SQLite needs the optional dependency better-sqlite3: npm install better-sqlite3\n' +
        'hint: Check --state (a SQLite file; it needs better-sqlite3), or keep the state in memory with --memory.\n',
    );
  });

  it('sandan reconcile keeps its index in memory by default (--index auto), and --index sqlite names better-sqlite3', async () => {
    const month = 'examples/finance/2026-11';
    const args = [
      '--import',
      hide,
      BIN,
      'reconcile',
      '--declarations',
      `${month}/declarations.ndjson`,
      '--tax-bills',
      `${month}/bills`,
      '--receipts',
      `${month}/receipts`,
      '--rates',
      `${month}/rates.json`,
      '--format',
      'json',
      '--quiet',
    ];
    const auto = await node(args);
    expect([auto.code, auto.stderr]).toEqual([1, '']);
    expect(JSON.parse(auto.stdout).summary.orders).toBe(101);
    // The same report as with the driver there, from the SQLite index.
    const withDriver = await node([...args.slice(2), '--index', 'sqlite']);
    expect([withDriver.code, withDriver.stdout]).toEqual([1, auto.stdout]);
    const sqlite = await node([...args, '--index', 'sqlite']);
    expect([sqlite.code, sqlite.stdout]).toEqual([2, '']);
    expect(sqlite.stderr).toMatch(/^sandan: .*better-sqlite3/);
  });

  it('the library: openPostgresQuotaStore rejects with SandanError QUOTA_STORE', async () => {
    const script = `
      import { openPostgresQuotaStore } from 'sandan/quota/postgres';
      import { SandanError } from 'sandan';
      try { await openPostgresQuotaStore('postgres://sandan@127.0.0.1:9/sandan'); console.log('opened'); }
      catch (e) { console.log(JSON.stringify({ sandan: e instanceof SandanError, code: e.code, cause: e.cause?.code })); }`;
    const r = await node(['--import', hide, '--input-type=module', '-e', script]);
    expect(JSON.parse(r.stdout)).toEqual({ sandan: true, code: 'QUOTA_STORE', cause: 'ERR_MODULE_NOT_FOUND' });
  });
});

// npm builds better-sqlite3's native part in its install script, which it skips under --ignore-scripts or for a
// dependency the project's allowScripts does not approve. Then the package is there and opening a database fails
// deep in the `bindings` package. A hook resolves better-sqlite3 to a copy of the real package without its build.
describe('with better-sqlite3 installed but not built', () => {
  let dir: string;
  let unbuilt: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandan-unbuilt-'));
    const modules = join(dir, 'node_modules');
    for (const name of ['bindings', 'file-uri-to-path', 'better-sqlite3']) {
      const from = join(ROOT, 'node_modules', name);
      cpSync(from, join(modules, name), {
        recursive: true,
        filter: (src) => src !== join(from, 'build') && src !== join(from, 'deps') && src !== join(from, 'src'),
      });
    }
    const main = pathToFileURL(join(modules, 'better-sqlite3/lib/index.js')).href;
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `export async function resolve(specifier, context, next) {
  if (specifier === 'better-sqlite3') return { url: ${JSON.stringify(main)}, format: 'commonjs', shortCircuit: true };
  return next(specifier, context);
}
`,
    );
    unbuilt = join(dir, 'unbuilt.mjs');
    writeFileSync(unbuilt, `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const WHAT =
    "better-sqlite3 is installed but not built (npm did not run its install script: --ignore-scripts, or the project's package.json allowScripts does not approve it); approve and build it: npm approve-scripts better-sqlite3 && npm rebuild better-sqlite3";

  it('the copy really is unbuilt: the bindings package cannot find the native part', async () => {
    const r = await node([
      '--import',
      unbuilt,
      '--input-type=module',
      '-e',
      "const { default: D } = await import('better-sqlite3'); new D(':memory:')",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Could not locate the bindings file');
  });

  it('sandan quota, sandan emulate --state and the library say what to do, not where bindings looked', async () => {
    const args = ['quota', 'reserve', '--buyer-id', '11010519491231002X', '--order', 'O-1', '--amount', '10'];
    args.push('--db', join(dir, 'q.sqlite'));
    const quota = await node(['--import', unbuilt, BIN, ...args]);
    expect([quota.code, quota.stdout]).toEqual([2, '']);
    const HINT =
      'hint: Run it in the project where sandan is installed; an npm older than 11.16 has no approve-scripts, and `npm rebuild better-sqlite3` alone builds it. A global sandan: `npm install -g sandan --allow-scripts=better-sqlite3`.\n';
    expect(quota.stderr).toBe(`sandan: Cannot open the quota database ${join(dir, 'q.sqlite')}: ${WHAT}\n${HINT}`);
    const state = join(dir, 'state.sqlite');
    const emulate = await node(['--import', unbuilt, BIN, 'emulate', '--state', state, '--no-folder', '--port', '0']);
    expect([emulate.code, emulate.stdout]).toEqual([2, '']);
    expect(emulate.stderr).toBe(`sandan: Cannot open the emulator state ${state}: ${WHAT}\n${HINT}`);
    const script = `
      import { openSqliteQuotaStore } from 'sandan/quota/sqlite';
      import { openSqliteStore } from 'sandan';
      for (const open of [() => openSqliteQuotaStore(':memory:'), () => openSqliteStore()]) {
        try { await open(); console.log('opened'); }
        catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message, details: e.details })); }
      }`;
    const lib = await node(['--import', unbuilt, '--input-type=module', '-e', script]);
    expect(
      lib.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      {
        code: 'QUOTA_STORE',
        message: `Cannot open the quota database :memory:: ${WHAT}`,
        details: { driver: 'better-sqlite3', notBuilt: true },
      },
      {
        code: 'RECONCILE_INDEX',
        message: `Cannot create the reconciliation index: ${WHAT}`,
        details: { driver: 'better-sqlite3', notBuilt: true },
      },
    ]);
  });
});
