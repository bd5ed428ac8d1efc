import cliProgress from 'cli-progress';
import type { CliIo } from './io.js';

/**
 * A progress bar for long runs, on standard error. Commands call it whether or not a bar is
 * shown: when it is not (not a terminal, `--quiet`, CI, `NO_PROGRESS`) every method does nothing.
 */
export interface Progress {
  /** Starts a new stage (a new bar); `total` in `unit`s when known, which gives percentage and ETA. */
  phase(name: string, total?: number, unit?: 'bytes' | 'items'): void;
  /** How much of the current stage is done, in its unit (absolute, not an increment). */
  update(done: number): void;
  /** Removes the bar; call it in a `finally` so that the terminal is left clean. */
  stop(): void;
}

const NOOP: Progress = { phase() {}, update() {}, stop() {} };

/** True when the environment variable is set to anything but an explicit no. */
function set(v: string | undefined): boolean {
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Whether a bar would be drawn for this IO: a terminal on stderr, not quiet, not CI, no `NO_PROGRESS`, not a dumb terminal. */
export function progressEnabled(io: CliIo, opts: { quiet?: boolean } = {}): boolean {
  return (
    io.stderrIsTTY &&
    !opts.quiet &&
    !set(io.env.NO_PROGRESS) &&
    // CI logs are not terminals even when a runner fakes one; a redrawn bar only litters them.
    !set(io.env.CI) &&
    io.env.TERM !== 'dumb'
  );
}

function human(n: number, unit: 'bytes' | 'items'): string {
  if (unit === 'items') return String(Math.round(n));
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/**
 * The progress bar of a command: cli-progress drawing through `io.stderr`, or a no-op object
 * when no bar should be shown (see {@link progressEnabled}).
 */
export function createProgress(io: CliIo, opts: { quiet?: boolean } = {}): Progress {
  if (!progressEnabled(io, opts)) return NOOP;
  // cli-progress draws on a stream; this one writes through the CLI's own stderr writer.
  const stream = {
    isTTY: true,
    columns: Number(io.env.COLUMNS) || 80,
    write(text: string, cb?: () => void): boolean {
      try {
        io.stderr(text);
      } catch {
        // The reader of stderr went away; the command notices on its own next write.
      }
      cb?.();
      return true;
    },
  };
  let bar: cliProgress.SingleBar | undefined;
  let unit: 'bytes' | 'items' = 'items';
  let started = 0;
  let name = '';
  const payload = (done: number) => {
    const secs = (Date.now() - started) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    return { phase: name, rate: `${human(rate, unit)}${unit === 'items' ? ' items' : ''}/s`, done: human(done, unit) };
  };
  const end = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    phase(phaseName, total, u = 'items') {
      end();
      name = phaseName;
      unit = u;
      started = Date.now();
      const known = total !== undefined && total > 0;
      bar = new cliProgress.SingleBar(
        {
          stream: stream as unknown as NodeJS.WritableStream,
          format: known
            ? '{phase} [{bar}] {percentage}% | {done} of {totalHuman} | {rate} | ETA {eta_formatted}'
            : '{phase} {done} | {rate}',
          barsize: 24,
          hideCursor: false,
          clearOnComplete: true,
          etaBuffer: 50,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(known ? total : 0, 0, { ...payload(0), totalHuman: known ? human(total, u) : '' });
    },
    update(done) {
      bar?.update(done, payload(done));
    },
    stop: end,
  };
}

/**
 * The progress of a run over declaration files (validate, tax), its phase started: in bytes read (`onBytes`) when
 * every input's size is known, and then no bar under 1 MiB (it would only flicker); else in declarations (stdin).
 */
export function inputsProgress(
  io: CliIo,
  inputs: ReadonlyArray<{ size?: number | undefined }>,
  phase: string,
  quiet: boolean,
) {
  const total = inputs.every((f) => f.size !== undefined) ? inputs.reduce((a, f) => a + (f.size ?? 0), 0) : undefined;
  const bar = createProgress(io, { quiet: quiet || (total !== undefined && total < 1024 * 1024) });
  bar.phase(phase, total, total === undefined ? 'items' : 'bytes');
  let bytes = 0;
  return {
    onBytes: (n: number) => void (bytes += n),
    update: (declarations: number) => bar.update(total === undefined ? declarations : bytes),
    stop: () => bar.stop(),
  };
}
