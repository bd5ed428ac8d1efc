import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { createProgress, progressEnabled } from '../../src/cli/progress.js';

function fakeIo(stderrIsTTY: boolean, env: Record<string, string> = {}): CliIo & { err: () => string } {
  let err = '';
  return {
    stdout() {},
    stderr(t: string) {
      err += t;
    },
    stdin: new PassThrough(),
    stderrIsTTY,
    env,
    err: () => err,
  };
}

describe('progress bar', () => {
  it('draws percentage, amount, rate and ETA on a terminal, and clears its line at stop', () => {
    const io = fakeIo(true);
    const p = createProgress(io);
    p.phase('validate', 2048, 'bytes');
    p.update(1024);
    p.stop();
    const out = io.err();
    expect(out).toContain('validate [');
    expect(out).toContain('50% | 1.0 KB of 2.0 KB | ');
    expect(out).toMatch(/\/s \| ETA /);
    // Cleared on stop: the last thing written erases the line.
    expect(out.endsWith('\u001b[2K')).toBe(true);
    // The cursor is never hidden: a command killed mid-bar must not leave the terminal without one.
    expect(out).not.toContain('\u001b[?25l');
  });

  it('starts from nothing done: the first frame reads 0% and 0 B', () => {
    const io = fakeIo(true);
    const p = createProgress(io);
    p.phase('validate', 2048, 'bytes');
    expect(io.err()).toContain('validate [░░░░░░░░░░░░░░░░░░░░░░░░] 0% | 0 B of 2.0 KB | ');
    p.stop();
  });

  it('counts items without a total', () => {
    const io = fakeIo(true);
    const p = createProgress(io);
    p.phase('read', undefined, 'items');
    p.update(7);
    p.stop();
    expect(io.err()).toMatch(/read 7 \| [\d.]+ items\/s/);
  });

  it('is silent when stderr is not a terminal, with --quiet, in CI or with NO_PROGRESS', () => {
    for (const [io, quiet] of [
      [fakeIo(false), false],
      [fakeIo(true), true],
      [fakeIo(true, { CI: 'true' }), false],
      [fakeIo(true, { NO_PROGRESS: '1' }), false],
      [fakeIo(true, { TERM: 'dumb' }), false],
    ] as const) {
      expect(progressEnabled(io, { quiet })).toBe(false);
      const p = createProgress(io, { quiet });
      p.phase('validate', 10, 'items');
      p.update(5);
      p.stop();
      expect(io.err()).toBe('');
    }
    expect(progressEnabled(fakeIo(true, { CI: 'false' }))).toBe(true);
  });
});
