import { dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { SandanError, messageOf, oneLine } from '../errors.js';
import type { CustomsEmulatorOptions } from '../emulator/index.js';
import { validate } from '../rules/index.js';
import { loadCertificates } from '../sign/load.js';
import { makeFolder } from '../io/atomic-file.js';
import { CLEANUP_SIGNALS, type CleanupSignal } from './cleanup.js';
import type { CommandContext } from './command.js';
import { readRatesFile } from './data-files.js';
import { readJsonFile } from './json-file.js';
import {
  changedSettings,
  emulatorOptionsOf,
  parseEmulatorSettings,
  type EmulatorSettings,
} from '../emulator/settings-file.js';
import { DEFAULT_MAX_SCENARIOS } from '../emulator/settings.js';
import type { CliIo } from './io.js';
import { beijingIso, beijingTimeOption } from '../time/beijing.js';
import { docsUrl } from '../model/docs-url.js';

/** Options of `sandan emulate`. */
export interface EmulateCommandOptions {
  host: string;
  port: string;
  allowHost?: string[];
  platDataOpen?: string;
  send: string;
  receive: string;
  http: boolean;
  folder: boolean;
  state: string;
  memory?: boolean;
  synchronous: 'normal' | 'full';
  trust?: string[];
  requireSignature: boolean;
  district?: string;
  rates?: string;
  clock: 'real' | 'manual';
  start?: string;
  interval: string;
  history: string;
  maxScenarios: string;
  settings?: string;
  quiet?: boolean;
}

/** Where `sandan emulate` keeps its folders and state unless told: beside the user, visible, kept across runs. */
const EMULATOR_HOME = 'sandan-emulator';
/** The default HTTP port of `sandan emulate` (621: the inventory, CEB621). */
const DEFAULT_EMULATOR_PORT = 8621;

function wholeNumber(text: string, what: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max)
    throw new SandanError(
      'INVALID_OPTION',
      `${what} must be a whole number from 0 to ${max}, got ${JSON.stringify(text)}`,
    );
  return Number(text);
}

/**
 * The emulator's options from the command line (files read, the district checked), with those of
 * the `--settings` file, and the settings themselves (for the banner).
 */
export async function emulatorOptions(
  opts: EmulateCommandOptions,
): Promise<{ options: CustomsEmulatorOptions; settings: EmulatorSettings | undefined }> {
  if (!opts.http && !opts.folder)
    throw new SandanError('INVALID_OPTION', '--no-http and --no-folder together leave no way in; keep one');
  const port = wholeNumber(opts.port, '--port', 65_535);
  const interval = wholeNumber(opts.interval, '--interval', 3_600_000);
  if (interval < 1) throw new SandanError('INVALID_OPTION', '--interval must be at least 1 ms');
  const history = wholeNumber(opts.history, '--history', 100_000_000);
  const maxScenarios = wholeNumber(opts.maxScenarios, '--max-scenarios', 100_000_000);
  // An unknown district is a usage error now, not a refusal of every message later.
  if (opts.district !== undefined) validate({}, { district: opts.district });
  if (opts.start !== undefined && opts.clock !== 'manual')
    throw new SandanError('INVALID_OPTION', '--start takes a time, with --clock manual');
  // Read as every --at is (without a zone, Beijing time; an impossible date refused), not by the host's zone.
  const start = opts.start === undefined ? undefined : beijingTimeOption(opts.start, '--start', 'INVALID_OPTION');
  // A mistake in the settings file stops the start before anything is made on disk.
  const settings =
    opts.settings !== undefined
      ? parseEmulatorSettings(await readJsonFile(opts.settings, 'emulator settings'), opts.settings)
      : undefined;
  const store: CustomsEmulatorOptions['store'] = opts.memory
    ? 'memory'
    : { sqlite: resolve(opts.state), synchronous: opts.synchronous === 'full' ? 'FULL' : 'NORMAL' };
  if (store !== 'memory') await makeFolder(dirname(store.sqlite));
  // Every certificate of a PEM bundle is trusted, as `sandan verify --cert` trusts them.
  const certificates = (await Promise.all((opts.trust ?? []).map(loadCertificates))).flat();
  const options: CustomsEmulatorOptions = {
    ...(settings && emulatorOptionsOf(settings)),
    store,
    clock: opts.clock,
    ...(start !== undefined && { start }),
    ...(certificates.length > 0 && { trust: { certificates } }),
    requireSignature: opts.requireSignature,
    history,
    maxScenarios,
    ...(opts.district !== undefined && { validate: { district: opts.district } }),
    ...(opts.rates !== undefined && { rates: await readRatesFile(opts.rates) }),
    http: opts.http && {
      host: opts.host,
      port,
      ...(opts.allowHost && { allowedHosts: opts.allowHost }),
      ...(opts.platDataOpen !== undefined && { platDataOpen: opts.platDataOpen }),
    },
    folder: opts.folder && { send: resolve(opts.send), receive: resolve(opts.receive), intervalMs: interval },
  };
  return { options, settings };
}

/** The banner's lines of a settings file: the settings it changes from the defaults, each with its default. */
function settingsLines(file: string, settings: EmulatorSettings): string[] {
  const changed = changedSettings(settings);
  if (changed.length === 0) return [`  settings ${file} (the defaults)`];
  const width = Math.max(...changed.map(([name]) => name.length));
  return [
    `  settings ${file}`,
    ...changed.map(([name, value, byDefault]) => `    ${name.padEnd(width)}  ${value}  (default: ${byDefault})`),
  ];
}

/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP. Meanwhile the CLI's own handlers (clean up
 * and exit at once, cleanup.ts) are set aside, so that the emulator can finish its requests and
 * close its state; they are back after the first signal, so a second one stops it at once.
 */
function firstSignal(): { signal: Promise<CleanupSignal>; restore(): void } {
  const saved = new Map(CLEANUP_SIGNALS.map((s) => [s, process.listeners(s)] as const));
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    for (const s of CLEANUP_SIGNALS) {
      process.removeAllListeners(s);
      for (const l of saved.get(s) ?? []) process.on(s, l as NodeJS.SignalsListener);
    }
  };
  const signal = new Promise<CleanupSignal>((resolveSignal) => {
    for (const s of CLEANUP_SIGNALS) {
      process.removeAllListeners(s);
      process.once(s, () => {
        restore();
        resolveSignal(s);
      });
    }
  });
  return { signal, restore };
}

/** `sandan emulate`: runs until a signal, then stops cleanly; exit 0, or 2 when it cannot start. */
async function emulateCommand(opts: EmulateCommandOptions, io: CliIo): Promise<number> {
  const { options, settings } = await emulatorOptions(opts);
  const { createCustomsEmulator } = await import('../emulator/index.js');
  /**
   * A line on standard error that may not stop the emulator (its reader may be gone); on one line, its control
   * characters escaped (an orderNo or a file name of a message sent may hold a line break or a terminal escape).
   */
  const note = (text: string) => {
    try {
      io.stderr(`${oneLine(text)}\n`);
    } catch {
      // Standard error closed: nothing to tell it; the emulator carries on.
    }
  };
  const stop = firstSignal();
  try {
    const folder = typeof options.folder === 'object' && {
      ...options.folder,
      onError: (e: unknown) => note(`sandan emulate: folder: ${messageOf(e)}`),
    };
    const http = typeof options.http === 'object' && {
      ...options.http,
      onError: (e: unknown, request: string) => note(`sandan emulate: http: ${request}: ${messageOf(e)}`),
    };
    const customs = await createCustomsEmulator({ ...options, ...(folder && { folder }), ...(http && { http }) });
    // From here on the emulator is closed however the command ends (a signal, or output that went away).
    const order = (orderNo: string | undefined, ebpCode: string | undefined) =>
      orderNo !== undefined ? `  order ${orderNo}${ebpCode !== undefined ? ` (${ebpCode})` : ''}` : '';
    const unlistenReceipts = opts.quiet
      ? () => {}
      : customs.onReceipt((r) =>
          note(
            `${r.at}  ${r.type}${r.returnStatus !== undefined ? ` ${r.returnStatus}` : ''}${order(r.orderNo, r.ebpCode)}  ${r.name}`,
          ),
        );
    // A note says what the emulator could not do (no tax bill sent): shown under --quiet too, which leaves out only
    // the list of receipts; the note was kept on the received message alone (GET /admin/received) and went unseen.
    const unlistenNotes = customs.onNote((n) =>
      note(`${n.at}  note${order(n.orderNo, n.ebpCode)}  received #${n.seq}: ${n.note}`),
    );
    const unlisten = () => {
      unlistenReceipts();
      unlistenNotes();
    };
    try {
      const lines = [
        `sandan emulate: a local customs emulator (its verdicts are sandan's rules, not customs')`,
        `  clock   ${options.clock}${opts.clock === 'manual' ? ` (now ${beijingIso(customs.now().getTime())}; POST /admin/advance?by=2h moves it)` : ''}`,
        `  state   ${options.store === 'memory' ? 'memory (gone on exit)' : options.store!.sqlite}`,
        ...(customs.url !== undefined ? [`  http    ${customs.url}  (POST /ceb, GET /receipts, /admin/…)`] : []),
        ...(customs.url !== undefined && opts.platDataOpen !== undefined
          ? [`  179     asks ${opts.platDataOpen}; uploads to ${customs.url}/ceb2grab/grab/realTimeDataUpload`]
          : []),
        ...(customs.folders !== undefined
          ? [`  send    ${customs.folders.send}`, `  receive ${customs.folders.receive}`]
          : []),
        ...(settings !== undefined && opts.settings !== undefined
          ? settingsLines(resolve(opts.settings), settings)
          : []),
        'Stop with Ctrl-C (SIGINT) or SIGTERM.',
      ];
      io.stdout(`${lines.map(oneLine).join('\n')}\n`);
      if (!options.trust && opts.requireSignature)
        note(
          'sandan emulate: no --trust certificate, so every signed message is refused as untrusted; pass --trust cert.pem',
        );
      const signal = await stop.signal;
      note(`sandan emulate: ${signal}: stopping (finishing the requests and files in hand)`);
    } finally {
      unlisten();
      await customs.close();
    }
    note('sandan emulate: stopped');
    return 0;
  } finally {
    stop.restore();
  }
}

export function registerEmulateCommand(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('emulate')
    .description(
      "Run a local customs emulator to test an order service against: CEB messages by HTTP (POST /ceb) or DXP-like folders, answered with receipts (CEB312–CEB712) and CEB816 tax bills from sandan's own rules and tax (a CEB818 bill status when POST /admin/tax-bill-status asks for one). Runs until Ctrl-C; exit 0 after a clean stop, 2 when it cannot start.",
    )
    .option('--host <host>', 'interface the HTTP endpoint listens on', '127.0.0.1')
    .option('--port <port>', 'HTTP port (0: any free port; the address is printed)', String(DEFAULT_EMULATOR_PORT))
    .option(
      '--allow-host <names...>',
      'other host names (NAME or NAME:PORT) the HTTP endpoint may be reached by; requests naming any other Host or from another Origin are refused (403), besides the --host address and localhost, 127.0.0.1, [::1]',
    )
    .option(
      '--plat-data-open <url>',
      'the order service\'s platDataOpen URL: POST /admin/payment-data-request posts the "179" openReq there, as customs does, and the upload is taken at POST /ceb2grab/grab/realTimeDataUpload',
    )
    .option('--no-http', 'no HTTP endpoint (folders only)')
    .option('--send <dir>', 'folder messages are dropped into (DXP client style)', join(EMULATOR_HOME, 'send'))
    .option(
      '--receive <dir>',
      'folder receipts are written into, each whole (temporary file + rename)',
      join(EMULATOR_HOME, 'receive'),
    )
    .option('--no-folder', 'no send/receive folders (HTTP only)')
    .option('--interval <ms>', 'how often the send folder is looked at, in ms', '500')
    .addOption(
      new Option('--state <file>', 'SQLite file of the state (survives a restart)')
        .default(join(EMULATOR_HOME, 'state.sqlite'))
        .conflicts('memory'),
    )
    .option('--memory', 'keep the state in memory only (gone on exit)')
    .addOption(
      new Option(
        '--synchronous <mode>',
        "SQLite's: normal loses nothing when the process is killed, full also survives a power loss (slower)",
      )
        .choices(['normal', 'full'])
        .default('normal'),
    )
    .option(
      '--trust <certs...>',
      'certificate files (PEM or DER; every certificate of a PEM file) whose signatures are trusted',
    )
    .option('--no-require-signature', 'accept CEB621/623/625/711 without a signature (a present one is still checked)')
    .option('--district <code>', 'customs district whose rules apply, e.g. 2900 (default: from each message)')
    .option('--rates <file>', 'a rate table (JSON) for the tax check and the tax bills, before the bundled one')
    .addOption(
      new Option('--clock <clock>', 'real time, or manual: time moves only by POST /admin/advance')
        .choices(['real', 'manual'])
        .default('real'),
    )
    .option(
      '--start <time>',
      'where a manual clock starts: ISO 8601, YYYY-MM-DD or yyyyMMddHHmmss (without a zone, Beijing time; default now)',
    )
    .option(
      '--history <n>',
      'how many of the newest received messages and receipts GET /receipts and /admin/… keep (0: none); memory stays bounded',
      '10000',
    )
    .option(
      '--max-scenarios <n>',
      'how many scenarios (POST /admin/scenario) are kept at once; one more is refused with 400 EMULATOR_SCENARIOS_FULL until some are removed (0: none taken)',
      String(DEFAULT_MAX_SCENARIOS),
    )
    .option(
      '--settings <file>',
      `a JSON file of the engine's settings: heldDocumentChange, certificateDates, duplicateCopNo, unmappedCode, quota (annualLimit as a decimal string, date), timing, paymentDataWindow, customsDxpId, enterpriseDxpId (${docsUrl('emulator.md')}; sandan's schemas/emulator-settings.schema.json); those that differ from the defaults are listed at start-up`,
    )
    .option('--quiet', 'do not list each receipt on standard error')
    .action(async (opts: EmulateCommandOptions) => {
      setExit(await emulateCommand(opts, io));
    });
}
