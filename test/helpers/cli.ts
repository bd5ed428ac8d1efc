import { readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured streams. */
export async function runCli(
  args: string[],
  stdin: string | Buffer = '',
  env: Record<string, string> = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdin: Readable.from([Buffer.from(stdin)]),
    stderrIsTTY: false,
    env,
  });
  return { code, stdout, stderr };
}

/** Compares with a golden file; `UPDATE_GOLDEN=1 npm test` rewrites it after review. */
export function expectGolden(actual: string, name: string): void {
  const url = new URL(`../golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN) writeFileSync(url, actual);
  expect(actual).toBe(readFileSync(url, 'utf8'));
}
