import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { reconcileArgs } from './helpers.js';

// A file name may hold any byte but "/" and NUL: a line break and a terminal escape in one were written to the text
// report and to standard error as they were, a forged line ("matched 100") and a colour change in the terminal.
const dir = mkdtempSync(join(tmpdir(), 'sandan-control-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
cpSync('examples/finance/2026-11', dir, { recursive: true });
const EVIL = 'evil\n  matched   100\u001b[31mRED';
writeFileSync(join(dir, 'bills', `${EVIL}.xml`), '<broken');
symlinkSync('missing.xml', join(dir, 'bills', `${EVIL}-link.xml`));

describe('sandan reconcile: a file name with control characters', () => {
  it('is shown escaped, on one line, in the text report and on standard error', async () => {
    const r = await runCli([...reconcileArgs(dir), '--quiet']);
    const shown = 'evil\\n  matched   100\\u001b[31mRED';
    expect(r.stdout).toContain(`  ${join(dir, 'bills', `${shown}.xml`)}: The XML is not well-formed`);
    expect(r.stderr).toContain(
      `sandan reconcile: skipped Cannot read ${join(dir, 'bills', `${shown}-link.xml`)}: a broken symbolic link`,
    );
    expect(`${r.stdout}${r.stderr}`).not.toContain('\u001b');
    expect(`${r.stdout}${r.stderr}`).not.toContain('\n  matched   100');
  });

  it('sandan status and validate name a path they cannot read on one line, the path as it is in details', async () => {
    const shown = join(dir, 'bills', 'evil\\n  matched   100\\u001b[31mRED-link.xml');
    for (const command of ['status', 'validate']) {
      const r = await runCli([command, join(dir, 'bills')]);
      expect(r.code, command).toBe(2);
      expect(r.stderr, command).toContain(`sandan: Cannot read ${shown}: a broken symbolic link (to missing.xml)`);
      expect(r.stderr, command).not.toContain('\u001b');
    }
  });

  it('sandan validate and tax name a file they read on one line in their text output', async () => {
    const folder = join(dir, 'declarations');
    mkdirSync(folder);
    const name = 'v\n  forged\u001b[31m.json';
    cpSync('test/fixtures/invalid-hangzhou.json', join(folder, name));
    const shown = join(folder, 'v\\n  forged\\u001b[31m.json');
    for (const command of ['validate', 'tax']) {
      const r = await runCli([command, folder]);
      expect(r.stdout, command).toContain(`${shown}${command === 'validate' ? ': ' : ' (rules: '}`);
      expect(r.stdout, command).toMatch(new RegExp(`${shown.replace(/[\\[.]/g, '\\$&')}:\\d+:\\d+`));
      expect(r.stdout, command).not.toContain('\u001b');
      expect(r.stdout, command).not.toContain('\n  forged');
    }
  });
});
