import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needTool, skipWithout } from '../helpers/tools.js';

/*
 * docs/signing.md, "Trying it with a test key": the commands a new user copies, run as written
 * (`sandan` being bin/sandan.js) in a folder holding the examples; each output line shown after a
 * command is what that command prints, `…` standing for the generated serial number.
 */

const doc = readFileSync('docs/signing.md', 'utf8');
const section = doc.slice(doc.indexOf('### Trying it with a test key'));
const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
const steps: Array<{ command: string; output: string[] }> = [];
for (const line of block.split('\n').filter((l) => l !== '')) {
  if (line.startsWith('$ ')) steps.push({ command: line.slice(2), output: [] });
  else steps.at(-1)?.output.push(line);
}
const dir = mkdtempSync(join(tmpdir(), 'sandan-doc-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(skipWithout('openssl'))('docs/signing.md: trying it with a test key', () => {
  it('the section has the key, certificate, build, sign and verify commands', () => {
    expect(steps.map((s) => s.command.split(' ').slice(0, 2).join(' '))).toEqual([
      'openssl genpkey',
      'openssl req',
      'openssl req',
      'sandan build',
      'sandan sign',
      'sandan verify',
      'sandan sign',
      'sandan verify',
    ]);
  });

  it('every command runs as written and prints what the section shows', () => {
    needTool('openssl');
    cpSync('examples', join(dir, 'examples'), { recursive: true });
    const bin = resolve('bin/sandan.js');
    for (const { command, output } of steps) {
      const line = command.replace(/^sandan /, `node ${JSON.stringify(bin)} `);
      const r = spawnSync('sh', ['-c', line], { cwd: dir, encoding: 'utf8' });
      expect(r.status, `${command}\n${r.stderr}`).toBe(0);
      const shown = output.map(
        (o) => new RegExp(`^${o.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/…/g, '[^ ,()]+')}$`),
      );
      expect(
        r.stdout
          .trimEnd()
          .split('\n')
          .filter((l) => l !== ''),
        command,
      ).toEqual(shown.map((re) => expect.stringMatching(re)));
    }
  });
});
