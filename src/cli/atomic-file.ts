import {
  AtomicFile as IoAtomicFile,
  appendChunksTo,
  writeChunksTo,
  writeFileAtomic as writeIoFileAtomic,
  type AtomicFileOptions as IoAtomicFileOptions,
} from '../io/atomic-file.js';
import { realpath } from 'node:fs/promises';
import { SandanError } from '../errors.js';
import { processCleanup, type CleanupRegistry } from './cleanup.js';

/*
 * The CLI's output files: src/io/atomic-file.ts (written whole or not at all), with each
 * temporary file's removal registered with the process's signal clean-up unless another
 * registry is given, so that Ctrl-C leaves no stray copy of the data.
 */

/** Options of {@link AtomicFile.open}. */
interface AtomicFileOptions extends Omit<IoAtomicFileOptions, 'cleanup'> {
  /** Where the temporary file's removal is registered for signals (default: the process's). */
  cleanup?: CleanupRegistry;
}

const withCleanup = (options: AtomicFileOptions): IoAtomicFileOptions => ({
  ...options,
  cleanup: options.cleanup ?? processCleanup,
});

/** An output file being written (see src/io/atomic-file.ts). */
export type AtomicFile = IoAtomicFile;
export const AtomicFile = {
  /** Creates the temporary file beside `target` (see src/io/atomic-file.ts), removed on a signal. */
  open: (target: string, options: AtomicFileOptions = {}): Promise<AtomicFile> =>
    IoAtomicFile.open(target, withCleanup(options)),
};

/** Writes a whole file atomically, the temporary file removed on a signal. */
export function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: AtomicFileOptions = {},
): Promise<void> {
  return writeIoFileAtomic(target, data, withCleanup(options));
}

export { appendChunksTo, writeChunksTo };

/**
 * Refuses an output path that is one of the command's input files (the same file, through any path or link): the
 * output would replace what it was made from (a declaration by its XML, the month's declarations by the report).
 * `inputs` maps each input's option to its path; `-` and paths that do not exist yet are no input file.
 */
export async function refuseOutputOverInput(
  out: string,
  inputs: ReadonlyArray<readonly [option: string, path: string | undefined]>,
): Promise<void> {
  const real = (p: string) => realpath(p).catch(() => undefined);
  const target = await real(out);
  if (target === undefined) return;
  for (const [option, path] of inputs) {
    if (path === undefined || path === '-') continue;
    if ((await real(path)) === target)
      throw new SandanError(
        'INVALID_OPTION',
        `--out ${out} is the ${option} input ${path}: writing there would replace the input; write to another file`,
      );
  }
}
