import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The files under a folder, depth first in name order (byte order of the names, so the same on
 * every machine); entries whose name `skip` accepts are left out, folders with all they hold.
 */
export async function* filesUnder(dir: string, skip: (name: string) => boolean = () => false): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (skip(e.name)) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* filesUnder(path, skip);
    else if (e.isFile()) yield path;
  }
}
