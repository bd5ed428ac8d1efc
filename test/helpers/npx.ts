import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * A folder holding a stand-in `npx` that runs the built CLI when called as the example scripts call it
 * (`npx --no -- sandan …`) and exits 99 otherwise. The real npx costs seconds per call and, on a fresh
 * machine, may ask the registry first; the scripts' fallback is what the tests check, not npx.
 */
export function standInNpx(): string {
  const bin = mkdtempSync(join(tmpdir(), 'sandan-npx-'));
  writeFileSync(
    join(bin, 'npx'),
    `#!/bin/sh\n[ "$1 $2 $3" = "--no -- sandan" ] || exit 99\nshift 3\nexec node ${JSON.stringify(resolve('bin/sandan.js'))} "$@"\n`,
  );
  chmodSync(join(bin, 'npx'), 0o755);
  return bin;
}

/**
 * A PATH with `sandan` first on it: a folder holding a stand-in that runs the built CLI, as `npm install` would link
 * the package's bin (the journeys run the docs' commands as written).
 */
export function pathWithSandan(): string {
  const bin = mkdtempSync(join(tmpdir(), 'sandan-bin-'));
  writeFileSync(join(bin, 'sandan'), `#!/bin/sh\nexec node ${JSON.stringify(resolve('bin/sandan.js'))} "$@"\n`);
  chmodSync(join(bin, 'sandan'), 0o755);
  return `${bin}:${process.env.PATH}`;
}
