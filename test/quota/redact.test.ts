import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openPostgresQuotaStore } from '../../src/quota/postgres.js';
import { redactSecrets, redactedCause } from '../../src/redact.js';
import { BUYER, SECRET } from './contract.js';

// The built CLI, as users run it (dist/ is built before the suite: see test/setup/build.ts).
const BIN = new URL('../../bin/sandan.js', import.meta.url).pathname;
const EXAMPLE = new URL('../../examples/hangzhou-1210.json', import.meta.url).pathname;

/** A port on 127.0.0.1 nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

const PW = 'Hunter2-s3cr3t';

/** Each form a password takes in a URL pg accepts; every one names PW. */
const forms = (port: number): Array<[string, string]> => [
  ['userinfo', `postgres://user:${PW}@127.0.0.1:${port}/db`],
  ['userinfo with a raw @', `postgres://user:${PW}@x@127.0.0.1:${port}/db`],
  ['password= parameter', `postgres://user@127.0.0.1:${port}/db?password=${PW}`],
  ['password= after another parameter', `postgresql://127.0.0.1:${port}/db?user=u&password=${PW}&sslmode=disable`],
  ['percent-encoded name', `postgres://user@127.0.0.1:${port}/db?pass%77ord=${PW}`],
  ['sslpassword= (sslkey passphrase)', `postgres://user@127.0.0.1:${port}/db?sslmode=disable&sslpassword=${PW}`],
  // (pg takes a raw space or tab in the password; the URL was shown whole)
  ['userinfo with a raw space', `postgres://user:${PW.replace('-', ' ')}@127.0.0.1:${port}/db`],
  ['userinfo with a raw tab', `postgres://user:${PW.replace('-', '\t')}@127.0.0.1:${port}/db`],
];

describe('redactSecrets', () => {
  it.each(forms(5432))('takes the password out of %s and keeps host and database', (_name, url) => {
    const out = redactSecrets(url);
    expect(out).not.toContain(PW);
    expect(out).not.toContain('s3cr3t');
    expect(out).toContain('5432/db');
    expect(out).toContain('***');
  });

  it('keeps a URL without a secret unchanged and leaves the user name readable', () => {
    const url = 'postgres://user@db.example:5432/quota?sslmode=require&application_name=sandan';
    expect(redactSecrets(url)).toBe(url);
    expect(redactSecrets(`postgres://user:${PW}@h/db`)).toBe('postgres://user:***@h/db');
    expect(redactSecrets(`postgres://u@h/db?password=${PW}&sslmode=require`)).toBe(
      'postgres://u@h/db?password=***&sslmode=require',
    );
  });

  it('takes secrets out of free text: libpq keyword/value strings and messages quoting a URL', () => {
    expect(redactSecrets(`host=h user=u password=${PW} dbname=q`)).toBe('host=h user=u password=*** dbname=q');
    expect(redactSecrets(`host=h password='a ${PW} b' dbname=q`)).toBe('host=h password=*** dbname=q');
    expect(redactSecrets(`cannot parse postgres://u:${PW}@h/db: bad port`)).toBe(
      'cannot parse postgres://u:***@h/db: bad port',
    );
  });

  it('makes a driver error fit to keep as a cause: message and stack redacted, code kept', () => {
    const e = Object.assign(new Error(`failed for postgres://u:${PW}@h/db`), { code: 'ECONNREFUSED' });
    const c = redactedCause(e) as Error & { code: string };
    expect([c.message, c.code]).toEqual(['failed for postgres://u:***@h/db', 'ECONNREFUSED']);
    expect(c.stack).not.toContain(PW);
    const clean = new Error('connect ECONNREFUSED');
    expect(redactedCause(clean)).toBe(clean);
  });
});

describe('no password of a quota database URL reaches an error', () => {
  it('openPostgresQuotaStore: the error and its cause chain name no secret', async () => {
    const port = await closedPort();
    for (const [name, url] of forms(port)) {
      const e = await openPostgresQuotaStore(url).then(
        () => undefined,
        (x: unknown) => x as Error & { code: string; cause?: unknown },
      );
      expect(e, name).toBeDefined();
      expect(e?.code, name).toBe('QUOTA_STORE');
      expect(e?.message, name).toContain(`127.0.0.1:${port}`);
      const seen = [e?.message, e?.stack, String(e?.cause), (e?.cause as Error | undefined)?.stack].join('\n');
      expect(seen, name).not.toContain(PW);
      expect(seen, name).not.toContain('s3cr3t');
    }
  });

  function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { env: { ...process.env, SANDAN_QUOTA_SECRET: SECRET } },
        (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it('sandan quota and sandan validate --quota-db print no secret (server down on 127.0.0.1)', async () => {
    const port = await closedPort();
    for (const [name, url] of forms(port)) {
      const q = await run(['quota', 'remaining', '--db', url, '--buyer-id', BUYER]);
      expect(q.code, name).toBe(2);
      expect(q.stderr, name).toContain('ECONNREFUSED');
      expect(q.stdout + q.stderr, name).not.toContain('s3cr3t');

      const v = await run(['validate', EXAMPLE, '--quota-db', url]);
      expect(v.code, name).toBe(2);
      expect(v.stderr, name).toMatch(/quota database|cannot connect/);
      expect(v.stdout + v.stderr, name).not.toContain('s3cr3t');
    }
  }, 60_000);
});
