import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/*
 * Symbolic links in a folder given to a command are followed as the shell sees them (audit
 * finding 4: they were dropped without a word, so `reconcile` read no bill from a folder of links
 * and `validate` passed a folder whose invalid declaration was a link). A link that leads nowhere
 * or back into its own folder is told as an unreadable input, never skipped.
 */

const dir = mkdtempSync(join(tmpdir(), 'sandan-symlinks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VALID = resolve('examples/hangzhou-1210.json');
const INVALID = resolve('test/fixtures/invalid-hangzhou.json');
const FINANCE = resolve('examples/finance/2026-11');
const BILLS = join(FINANCE, 'bills');

/** The output of a run with the folder's own path replaced, so runs over different folders compare. */
const within = (text: string, folder: string) => text.split(folder).join('<folder>');

describe.skipIf(process.platform === 'win32')('symbolic links in input folders', () => {
  it('validate: a linked declaration and a linked folder are validated as copies are', async () => {
    const copies = join(dir, 'decls-copies');
    mkdirSync(join(copies, 'more'), { recursive: true });
    cpSync(VALID, join(copies, 'a-valid.json'));
    cpSync(INVALID, join(copies, 'b-invalid.json'));
    cpSync(INVALID, join(copies, 'more', 'c.json'));
    const links = join(dir, 'decls-links');
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    mkdirSync(links);
    cpSync(INVALID, join(elsewhere, 'c.json'));
    cpSync(VALID, join(links, 'a-valid.json'));
    symlinkSync(INVALID, join(links, 'b-invalid.json'));
    symlinkSync(elsewhere, join(links, 'more'));
    const a = await runCli(['validate', copies, '--format', 'json']);
    const b = await runCli(['validate', links, '--format', 'json']);
    expect(a.code).toBe(1);
    expect(b.code).toBe(1);
    expect(b.stderr).toBe(a.stderr);
    expect(within(b.stdout, links)).toBe(within(a.stdout, copies));
    // Three files, the linked ones among them, each with its own result.
    const files = (JSON.parse(b.stdout) as { results: Array<{ file: string }> }).results.map((r) => r.file);
    expect(files).toEqual([join(links, 'a-valid.json'), join(links, 'b-invalid.json'), join(links, 'more', 'c.json')]);
    // A folder of links only is not "a directory with no .json files".
    const only = join(dir, 'decls-only-link');
    mkdirSync(only);
    symlinkSync(INVALID, join(only, 'x.json'));
    expect((await runCli(['validate', only])).code).toBe(1);
  });

  it('validate: a broken link and a link loop are unreadable inputs (exit 2), told at their turn', async () => {
    const broken = join(dir, 'decls-broken');
    mkdirSync(broken);
    cpSync(VALID, join(broken, 'a.json'));
    symlinkSync(join(dir, 'nothing.json'), join(broken, 'b.json'));
    const r = await runCli(['validate', broken, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `sandan: Cannot read ${join(broken, 'b.json')}: a broken symbolic link (to ${join(dir, 'nothing.json')})\n`,
    );
    const loop = join(dir, 'decls-loop');
    mkdirSync(join(loop, 'sub'), { recursive: true });
    cpSync(VALID, join(loop, 'a.json'));
    symlinkSync('..', join(loop, 'sub', 'up'));
    const l = await runCli(['validate', loop]);
    expect(l.code).toBe(2);
    expect(l.stderr).toContain(
      `sandan: Cannot read ${join(loop, 'sub', 'up')}: a symbolic link loop (it leads back to ${loop})\n`,
    );
    // The file before it was validated.
    expect(l.stdout).toContain(`${join(loop, 'a.json')}: valid`);
  });

  it('validate: a broken link is a finding of its file; SARIF and JUnit still hold every file (exit 2)', async () => {
    const folder = join(dir, 'decls-broken-reports');
    mkdirSync(folder);
    cpSync(VALID, join(folder, 'a.json'));
    symlinkSync(join(dir, 'gone.json'), join(folder, 'b.json'));
    cpSync(INVALID, join(folder, 'c.json'));
    const reason = `Cannot read ${join(folder, 'b.json')}: a broken symbolic link (to ${join(dir, 'gone.json')})`;
    const sarif = await runCli(['validate', folder, '--format', 'sarif']);
    expect(sarif.code).toBe(2);
    expect(sarif.stderr).toBe(`sandan: ${reason}\n`);
    const results = (
      JSON.parse(sarif.stdout) as {
        runs: Array<{ results: Array<{ ruleId: string; message: { text: string }; locations: unknown[] }> }>;
      }
    ).runs[0]!.results;
    const uri = (r: (typeof results)[number]) =>
      (r.locations[0] as { physicalLocation: { artifactLocation: { uri: string } } }).physicalLocation.artifactLocation
        .uri;
    const unreadable = results.filter((r) => r.ruleId === 'input-unreadable');
    expect(unreadable.map((r) => [uri(r).split('/').pop(), r.message.text])).toEqual([
      ['b.json', `(input): ${reason}`],
    ]);
    // The invalid file after it was validated.
    expect(results.some((r) => uri(r).endsWith('/c.json') && r.ruleId !== 'input-unreadable')).toBe(true);
    const junit = await runCli(['validate', folder, '--format', 'junit']);
    expect(junit.code).toBe(2);
    expect(junit.stdout).toContain('<testsuites name="sandan validate" tests="3" failures="2" errors="0">');
    expect(junit.stdout).toContain(`<failure type="input-unreadable" message="[input-unreadable] (input): ${reason}">`);
    // Exit 2 wins over an invalid file: not every file was checked.
    const json = await runCli(['validate', folder, '--format', 'json']);
    expect(json.code).toBe(2);
    const files = (JSON.parse(json.stdout) as { results: Array<{ file: string; valid: boolean }> }).results;
    expect(files.map((r) => [r.file, r.valid])).toEqual([
      [join(folder, 'a.json'), true],
      [join(folder, 'b.json'), false],
      [join(folder, 'c.json'), false],
    ]);
  });

  it('tax: a broken link is a finding of its file, the other files are still computed, exit 2 at the end', async () => {
    const folder = join(dir, 'tax-broken');
    mkdirSync(folder);
    cpSync(VALID, join(folder, 'a.json'));
    symlinkSync(join(dir, 'gone-tax.json'), join(folder, 'b.json'));
    cpSync(VALID, join(folder, 'c.json'));
    const rates = resolve('examples/rates.example.json');
    const reason = `Cannot read ${join(folder, 'b.json')}: a broken symbolic link (to ${join(dir, 'gone-tax.json')})`;
    const json = await runCli(['tax', folder, '--rates', rates, '--format', 'json']);
    expect(json.code).toBe(2);
    expect(json.stderr).toBe(`sandan: ${reason}\n`);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file?: string; taxTotal?: string; issues?: Array<{ code: string }> });
    expect(lines.map((l) => [l.file, l.taxTotal, l.issues?.map((i) => i.code)])).toEqual([
      [join(folder, 'a.json'), '49.87', []],
      [join(folder, 'b.json'), undefined, ['input-unreadable']],
      [join(folder, 'c.json'), '49.87', []],
      [undefined, undefined, undefined],
    ]);
    expect(lines[3]).toEqual({ summary: { files: 3, declarations: 3, computed: 2, failed: 1 } });
    const text = await runCli(['tax', folder, '--rates', rates]);
    expect(text.code).toBe(2);
    expect(text.stdout).toContain(`[input-unreadable] (input)  ${join(folder, 'b.json')}:1:1`);
    expect(text.stdout).toContain(`${join(folder, 'c.json')} (rules:`);
    const sarif = await runCli(['tax', folder, '--rates', rates, '--format', 'sarif']);
    expect(sarif.code).toBe(2);
    const results = (JSON.parse(sarif.stdout) as { runs: Array<{ results: Array<{ ruleId: string }> }> }).runs[0]!
      .results;
    expect(results.map((r) => r.ruleId)).toEqual(['input-unreadable']);
  });

  const reconcile = (bills: string) => [
    'reconcile',
    '--quiet',
    '--workers',
    '0',
    '--declarations',
    join(FINANCE, 'declarations.ndjson'),
    '--tax-bills',
    bills,
    '--receipts',
    join(FINANCE, 'receipts'),
    '--rates',
    join(FINANCE, 'rates.json'),
    '--format',
    'json',
  ];

  it('reconcile: a bills folder of links (to files and to a folder) reads as the copies do', async () => {
    const names = readdirSync(BILLS).sort();
    expect(names.length).toBeGreaterThan(2);
    const copies = join(dir, 'bills-copies');
    cpSync(BILLS, copies, { recursive: true });
    const links = join(dir, 'bills-links');
    mkdirSync(links);
    // The first bill file as a link to it, the rest through a link to a folder holding them.
    symlinkSync(join(BILLS, names[0]!), join(links, names[0]!));
    const rest = join(dir, 'bills-rest');
    mkdirSync(rest);
    for (const n of names.slice(1)) cpSync(join(BILLS, n), join(rest, n));
    symlinkSync(rest, join(links, 'rest'));
    const a = await runCli(reconcile(copies));
    const b = await runCli(reconcile(links));
    expect(b.stderr).toBe('');
    expect(b.code).toBe(a.code);
    const summary = (out: string) => (JSON.parse(out) as { summary: { inputs: { bills: number } } }).summary;
    expect(summary(a.stdout).inputs.bills).toBeGreaterThan(0);
    // (the report names files where it read them, e.g. a bill that came twice: the folders are set aside)
    const seenThroughLinks = within(within(within(b.stdout, join(links, 'rest')), links), rest);
    expect(summary(seenThroughLinks)).toEqual(summary(within(a.stdout, copies)));
    expect(seenThroughLinks).toBe(within(a.stdout, copies));
  });

  it('reconcile: a broken link and a loop in the bills folder are skipped and told (exit 1); the rest is read', async () => {
    const copies = join(dir, 'bills-copies-2');
    cpSync(BILLS, copies, { recursive: true });
    const clean = await runCli(reconcile(copies));
    const bad = join(dir, 'bills-bad');
    cpSync(BILLS, bad, { recursive: true });
    symlinkSync(join(dir, 'gone.xml'), join(bad, 'gone.xml'));
    symlinkSync('.', join(bad, 'loop'));
    const r = await runCli(reconcile(bad));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `sandan reconcile: skipped Cannot read ${join(bad, 'gone.xml')}: a broken symbolic link (to ${join(dir, 'gone.xml')})\n` +
        `sandan reconcile: skipped Cannot read ${join(bad, 'loop')}: a symbolic link loop (it leads back to ${bad})\n`,
    );
    expect(JSON.parse(within(r.stdout, bad)).summary).toEqual(JSON.parse(within(clean.stdout, copies)).summary);
  });

  it('status: a link loop in a receipts folder is an unreadable input (exit 2)', async () => {
    const receipts = join(dir, 'receipts-loop');
    cpSync(join(FINANCE, 'receipts'), receipts, { recursive: true });
    symlinkSync(receipts, join(receipts, 'again'));
    const r = await runCli(['status', receipts]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `sandan: Cannot read ${join(receipts, 'again')}: a symbolic link loop (it leads back to ${receipts})\n`,
    );
  });
});
