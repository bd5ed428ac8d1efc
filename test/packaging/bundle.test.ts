/**
 * A Node program bundled with esbuild the way docs/getting-started.md says (its `npx esbuild …` line, run as
 * written in a throwaway project that has sandan in node_modules) starts, validates and computes tax; its import
 * of the signing module loads sm-crypto-v2. A bundle with sandan inside crashed as it started
 * (`Dynamic require of "node:crypto" is not supported`) and the getting-started guide said nothing of bundling.
 * Needs a fresh dist/ (vitest's global setup builds it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createConsumer, ROOT } from '../helpers/consumer.js';

const ESBUILD = join(ROOT, 'node_modules', '.bin', 'esbuild');

const APP = `
import { readFileSync } from 'node:fs';
import { computeTax, DEFAULT_TAX_POLICY_2019, parseDeclaration, parseRateTable, validate } from 'sandan';
import { signMessage } from 'sandan/sign';

const json: unknown = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'));
const rates = parseRateTable(JSON.parse(readFileSync(process.argv[3] ?? '', 'utf8')), 'rates');
const { valid } = validate(json, { rates });
const parsed = parseDeclaration(json);
if (!parsed.success) throw new Error('not a declaration');
const tax = computeTax(parsed.data, { policy: DEFAULT_TAX_POLICY_2019, rates });
console.log(valid, tax.taxTotal.toFixed(2), typeof signMessage);
`;

/** The `npx esbuild …` command of docs/getting-started.md. */
function documentedCommand(): string[] {
  const doc = readFileSync(join(ROOT, 'docs', 'getting-started.md'), 'utf8');
  const line = doc.split('\n').find((l) => l.startsWith('npx esbuild '));
  expect(line, 'docs/getting-started.md shows how to bundle with esbuild').toBeDefined();
  return (line ?? '').split(/\s+/).slice(2);
}

describe('bundling a program that uses sandan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandan-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the bundle made by the documented esbuild command runs', () => {
    const args = documentedCommand();
    createConsumer(dir, { type: 'module', sandan: 'link', compilerOptions: {}, files: { 'src/app.ts': APP } });
    execFileSync(ESBUILD, [...args, '--log-level=error'], { cwd: dir });
    const out = args.find((a) => a.startsWith('--outfile='))?.slice('--outfile='.length) ?? '';
    const r = spawnSync(
      process.execPath,
      [out, join(ROOT, 'examples', 'guangzhou-9610.json'), join(ROOT, 'examples', 'rates.example.json')],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('true 161.41 function\n');
  });
});
