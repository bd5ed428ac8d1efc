import type { Command } from 'commander';
import type { CliIo } from './io.js';

/** What a command module gets: the IO to use and a way to set the exit code. */
export interface CommandContext {
  io: CliIo;
  setExit(code: number): void;
}

/** What a command module exports: registers its command (options, help, action) on the program. */
export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

/**
 * Codes that refuse an input XML itself (malformed, too deep, too large, a DTD, a root sandan does not read): a finding
 * about the file, exit 1 like any other problem with the input, not 2; `status` names such a file and reads the rest.
 */
export const REFUSED_XML_CODES: ReadonlySet<string> = new Set(['XML_MALFORMED', 'XML_TOO_LARGE', 'XML_UNKNOWN_ROOT']);
