import type { CliIo } from './io.js';

/** What a command module gets: the IO to use and a way to set the exit code. */
export interface CommandContext {
  io: CliIo;
  setExit(code: number): void;
}
