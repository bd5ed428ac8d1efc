import type { Command } from 'commander';
import type { CliIo } from './io.js';

/** What a command module gets: the IO to use and a way to set the exit code. */
export interface CommandContext {
  io: CliIo;
  setExit(code: number): void;
}

/** What a command module exports: registers its command (options, help, action) on the program. */
export type RegisterCommand = (program: Command, ctx: CommandContext) => void;
