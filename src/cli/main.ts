import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pkg from '../../package.json';
import { isSandanError, oneLine, type SandanError } from '../errors.js';
import { EXIT_PIPE, OutputClosedError, processIo, type CliIo } from './io.js';
import { installSignalCleanup } from './cleanup.js';
import { type CommandContext, REFUSED_XML_CODES, type RegisterCommand } from './command.js';
import { redactSecrets, redactedMessage } from '../redact.js';
import { docsUrl } from '../model/docs-url.js';

/**
 * Every command in the order help lists them, and how to load the module that registers it.
 * The modules are imported only when needed (never statically here): `sandan validate` loads the
 * validate command alone, and `sandan --version` none, so start-up does not pay for every
 * command's dependencies.
 */
export const COMMANDS: ReadonlyArray<readonly [name: string, load: () => Promise<RegisterCommand>]> = [
  ['validate', async () => (await import('./validate-command.js')).registerValidateCommand],
  ['tax', async () => (await import('./tax-command.js')).registerTaxCommand],
  ['sign', async () => (await import('./sign-command.js')).registerSignCommand],
  ['verify', async () => (await import('./sign-command.js')).registerVerifyCommand],
  ['build', async () => (await import('./build-command.js')).registerBuildCommand],
  ['parse', async () => (await import('./parse-command.js')).registerParseCommand],
  ['quota', async () => (await import('./quota-command.js')).registerQuotaCommand],
  ['reconcile', async () => (await import('./reconcile-command.js')).registerReconcileCommand],
  ['status', async () => (await import('./reconcile-command.js')).registerStatusCommand],
  ['positive-list', async () => (await import('./positive-list-command.js')).registerPositiveListCommand],
  ['emulate', async () => (await import('./emulate-command.js')).registerEmulateCommand],
];

/**
 * The commands a command line needs registered: the one it names first, none for a lone
 * `--version`, and otherwise (help, no command, an unknown one) all of them, so that help and
 * commander's "did you mean" see every command.
 */
export function commandsFor(argv: readonly string[]): ReadonlyArray<(typeof COMMANDS)[number]> {
  const named = COMMANDS.find(([name]) => name === argv[0]);
  if (named) return [named];
  if (argv.length === 1 && (argv[0] === '-V' || argv[0] === '--version')) return [];
  return COMMANDS;
}

/**
 * `pipe`: the reader of our output went away (see {@link EXIT_PIPE}). `busy`: another process
 * held the quota database's write lock past the busy timeout; a temporary failure worth retrying
 * (75 is EX_TEMPFAIL of sysexits.h).
 */
export const EXIT = { ok: 0, findings: 1, usage: 2, busy: 75, pipe: EXIT_PIPE } as const;

const HINTS: Record<string, string> = {
  FILE_UNREADABLE: 'Check the path; use - to read standard input.',
  DISTRICT_UNKNOWN: 'Pass a 4-digit customs district code, or leave --district out.',
  INVALID_OPTION: 'See `sandan <command> --help`.',
  RULESET_INVALID: `Fix the ruleset file; its format is in ${docsUrl('rulesets.md')} and sandan's schemas/ruleset.schema.json.`,
  RULESET_UNKNOWN_RULE: `Rule ids are listed in ${docsUrl('rules.md#rules')}.`,
  RULESET_BAD_OPTIONS: `Rule options are listed in ${docsUrl('rules.md#rules')}.`,
  RULESET_EXTENDS: 'A ruleset may extend "national" or a district ruleset such as "district/2900".',
  SIGN_KEY_INVALID:
    'Give a PEM, PKCS#8 or DER private key (RSA or SM2); for an encrypted key pass --passphrase-env VAR.',
  SIGN_CERT_INVALID: 'Give the signing certificate as PEM or DER; it must match the key.',
  SIGN_ALREADY_SIGNED: 'Check the signature it has with `sandan verify`.',
  SIGN_SIGNER_FAILED: 'The signer (key, device or remote service) failed; check it and try again.',
  XML_MALFORMED: 'The input is not well-formed XML (or holds a DTD, which sandan refuses: no XXE).',
  XML_TOO_LARGE: 'The input is larger than the limit; raise it with --max-bytes if it is genuine.',
  XML_UNKNOWN_ROOT: `sandan reads CEB messages, receipts, tax bills, DxpMsg and DxpMsgSv (parse and status a DxpRep too); see ${docsUrl('xml.md')}.`,
  QUOTA_INVALID: 'Check --buyer-id, --order, --amount and --at; see `sandan quota --help`.',
  QUOTA_BUYER_ID: "Give the buyer's 18-character resident ID card number (GB 11643), as declared in buyerIdNumber.",
  QUOTA_CONFLICT:
    'An order (platform and orderNo) is reserved once, for one buyer, year and amount; a cancelled one is not reserved again. See the order in `sandan quota history --buyer-id …`.',
  QUOTA_STORE:
    'Check --db (a .sqlite path or postgres:// URL) and that SANDAN_QUOTA_SECRET is the secret the ledger was created with.',
  // (an installed sandan's schema is under node_modules/sandan/: the bare schemas/ path named no file of the project)
  CONFIG_INVALID: `Fix the configuration file (sandan.config.json or the "sandan" key of package.json); its keys are in ${docsUrl('cli.md#the-configuration-file')}, its JSON Schema in sandan's schemas/sandan.config.schema.json.`,
  EMULATOR_STATE_LOCKED:
    'Stop the other emulator (Ctrl-C or SIGTERM), or start this one with a state of its own: --state <file>, or --memory.',
  QUOTA_BUSY:
    'Another process is writing to the quota ledger. Try again, or wait longer: --busy-timeout <ms> (sandan quota), --quota-busy-timeout <ms> (sandan validate).',
};

/**
 * sandan's own copy of the file, when a path `examples/…` named no file (the README's commands run as written in a
 * project that installed sandan, not in a clone): relative to the working folder when under it
 * (`node_modules/sandan/examples/…`), else absolute (a global install, npx's cache). Undefined when sandan has none.
 */
function shippedExample(e: SandanError): string | undefined {
  const path = e.details?.file;
  if (typeof path !== 'string' || !e.message.endsWith(': no such file')) return undefined;
  const rest = /^(?:\.\/)?(examples\/.+)$/.exec(path)?.[1];
  if (rest === undefined) return undefined;
  // (dist/cli.js in the package; src/cli/main.ts when the tests run the sources)
  const here = import.meta.url;
  const file = join(fileURLToPath(new URL(here.endsWith('.ts') ? '../../' : '../', here)), rest);
  if (!existsSync(file)) return undefined;
  const shown = relative(process.cwd(), file);
  return shown.startsWith('..') || isAbsolute(shown) ? file : shown;
}

/** The commands whose main input may be `-` (standard input). */
const STDIN_INPUT: ReadonlySet<string> = new Set(['validate', 'tax', 'build', 'parse', 'sign', 'verify']);

/**
 * The hint for an error, where the code's hint would be wrong for what failed or in this command:
 * a write (the code's hint is about reading), a quota ledger named by `--quota-db` (validate),
 * the emulator's SQLite state (its code is the ledger's, but it has no `--db` and no secret).
 */
function hintOf(e: SandanError, command: string | undefined): string | undefined {
  if (e.details?.disk === 'full')
    return e.code === 'RECONCILE_INDEX'
      ? 'Free some space there, or set TMPDIR to a folder on a larger disk (or use --index memory for a small month).'
      : e.code === 'QUOTA_STORE'
        ? 'The disk is full (or over its quota): free some space and try again. The change was not written.'
        : 'The disk is full (or over its quota): free some space, or write elsewhere. The output path was left as it was.';
  if (e.details?.disk === 'io') return 'The disk could not be written: check that it has free space and is working.';
  if (e.code === 'FILE_UNREADABLE' && e.details?.workbook === true)
    return 'Open the workbook in a spreadsheet program and save it again as .xlsx, or save the annex as CSV.';
  if (e.code === 'FILE_UNREADABLE' && e.details?.access === 'write')
    return 'Check the output path: its folder must exist and be writable, and it must not be a folder.';
  // The file was read: what is in it is the trouble, not its path.
  if (e.code === 'FILE_UNREADABLE' && e.details?.content === 'encoding')
    return 'Save the message as UTF-8 (with an XML declaration of encoding="UTF-8", or none).';
  if (e.code === 'FILE_UNREADABLE' && e.details?.content === 'empty')
    return 'The file holds no message: check that whatever wrote it finished.';
  // Well-formed, but Canonical XML cannot sign it: the default hint would blame the syntax.
  if (e.details?.reason === 'relative-namespace')
    return 'Give the namespace an absolute URI (e.g. urn:… or http://…), or remove its declaration if nothing uses it.';
  // Only parse has --max-bytes; sign and verify keep the library's limit.
  if (e.code === 'XML_TOO_LARGE' && command !== 'parse')
    return 'The input is larger than the limit of a CEB message (50 MiB); check that it is the message meant.';
  if (e.code === 'SIGN_CERT_INVALID' && command === 'verify')
    return 'Give the trusted certificates (--cert) as PEM or DER files.';
  const shipped = e.code === 'FILE_UNREADABLE' ? shippedExample(e) : undefined;
  if (shipped !== undefined) return `No such file here; sandan ships its examples with the package: use ${shipped}.`;
  // A folder or pattern that named nothing: `-` is no help, the path or the step that should have made the files is.
  if (e.code === 'FILE_UNREADABLE' && e.details?.nothingFound === true)
    return 'Check the path (from the working directory) and that an earlier step made the files (names starting with a dot, and node_modules, are passed over); a run that would check nothing fails.';
  // Only a command's main input may be `-`: not a key, ruleset or other named file, nor status's or reconcile's paths.
  if (e.code === 'FILE_UNREADABLE' && (e.details?.what !== undefined || !STDIN_INPUT.has(command ?? '')))
    return 'Check the path.';
  // A secret refused, or none given (the command's own --help cannot say where to get one).
  if ((e.code === 'QUOTA_INVALID' || e.code === 'INVALID_OPTION') && e.details?.secret === true)
    return 'Set SANDAN_QUOTA_SECRET to the secret the ledger was created with; for a new ledger make one, e.g. `openssl rand -hex 32`, and keep it.';
  // The driver is there but was never built (its install script did not run): the message says how; older npm has no
  // approve-scripts, and a global sandan has its own node_modules.
  if (e.details?.notBuilt === true)
    return 'Run it in the project where sandan is installed; an npm older than 11.16 has no approve-scripts, and `npm rebuild better-sqlite3` alone builds it. A global sandan: `npm install -g sandan --allow-scripts=better-sqlite3`.';
  // The store's driver is not installed: --db, --quota-db and the secret are not the trouble.
  if (e.code === 'QUOTA_STORE' && typeof e.details?.driver === 'string' && command !== 'emulate')
    return `Install ${e.details.driver} where sandan is installed: \`npm install ${e.details.driver}\` in the project, or \`npm install -g ${e.details.driver}\` beside a global sandan.`;
  if (e.code === 'QUOTA_STORE' && command === 'validate')
    return 'Check --quota-db (a .sqlite path or postgres:// URL) and that SANDAN_QUOTA_SECRET is the secret the ledger was created with.';
  if (e.code === 'QUOTA_STORE' && command === 'emulate')
    return 'Check --state (a SQLite file; it needs better-sqlite3), or keep the state in memory with --memory.';
  // (the lines of a return application the ledger refused: the files are the trouble, not --buyer-id or --amount)
  if (e.details?.returnApplication === true)
    return "Check --application (the CEB625 sent) and --inventory (its order's declaration or CEB621): each line returned must be a line of the inventory, at most its declared qty; see `sandan quota record-return --help`.";
  // (a refund key refused for what it is: the general hint named every option but --key)
  if (e.code === 'QUOTA_INVALID' && e.details?.key !== undefined)
    return "Give --key another key: the ledger's own name for one return of the order, e.g. the return's copNo; see `sandan quota refund --help`.";
  if (e.code === 'QUOTA_CONFLICT' && e.details?.key !== undefined)
    return 'A refund key (--key) is applied once, for one amount: give another return of the order its own key. See the order in `sandan quota history --buyer-id …`.';
  if (e.code === 'INVALID_OPTION' && e.details?.what === 'emulator settings')
    return `Fix the settings file; its format is sandan's schemas/emulator-settings.schema.json, and ${docsUrl('emulator.md')} says what each setting does.`;
  if (e.code === 'INVALID_OPTION' && command !== undefined) return `See \`sandan ${command} --help\`.`;
  return HINTS[e.code];
}

/**
 * Runs the `sandan` command line; returns the exit code. Without `io` it runs as the process:
 * on SIGINT, SIGTERM or SIGHUP it removes its temporary files and stops its worker threads,
 * then exits with 128 + the signal's number (130, 143, 129); see cleanup.ts.
 */
export async function main(argv: readonly string[], io?: CliIo): Promise<number> {
  if (io === undefined) {
    installSignalCleanup();
    io = processIo();
  }
  return run(argv, io);
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const registered = commandsFor(argv);
  // A lone --version needs no command parser: it is answered before commander is loaded (start-up, issue #18),
  // as commander would answer it.
  if (registered.length === 0) {
    try {
      io.stdout(`${pkg.version}\n`);
    } catch (e) {
      return report(e, io, undefined);
    }
    return io.closed?.() ? EXIT.pipe : EXIT.ok;
  }
  const { Command, CommanderError } = await import('commander');
  let exit: number = EXIT.ok;
  let refusal: string | undefined;
  const program = new Command('sandan')
    .description(
      'Check China CBEC retail-import declarations (order CEB311, payment CEB411, waybill CEB511, inventory CEB621) before they are sent.',
    )
    .version(pkg.version, '-V, --version', 'print the version of sandan')
    .exitOverride()
    // Commander's own refusals (an unknown option or command, a missing or invalid argument) are kept, not written:
    // they are told below as every other sandan error is, `sandan: …` and a hint.
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      outputError: (s) => void (refusal = s),
    });

  const ctx: CommandContext = { io, setExit: (code) => void (exit = code) };

  try {
    const registers = await Promise.all(registered.map(([, load]) => load()));
    for (const register of registers) register(program, ctx);
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError && !io.closed?.()) {
      if (e.exitCode === 0) return EXIT.ok;
      if (refusal === undefined) return EXIT.usage;
      const command = commandOf(program, argv);
      try {
        await refusalDocument(program, command, refusal, io);
      } catch (w) {
        if (w instanceof OutputClosedError) return EXIT.pipe;
        throw w;
      }
      return reportRefusal(refusal, io, command);
    }
    return report(e, io, commandOf(program, argv));
  }
  return io.closed?.() ? EXIT.pipe : exit;
}

/**
 * The command a command line runs, as its help is asked for: `validate`, or with a subcommand
 * `quota reserve`; undefined when it names none. The program's own options (--help, --version)
 * take no value, so the first other word is the command; a word after it is a subcommand only
 * when the command has one of that name (`quota frobnicate` is `quota`, whose help lists them).
 */
function commandOf(program: Parameters<RegisterCommand>[0], argv: readonly string[]): string | undefined {
  const at = argv.findIndex((a) => !a.startsWith('-'));
  const command = program.commands.find((c) => c.name() === argv[at]);
  if (command === undefined) return undefined;
  const sub = command.commands.find((c) => c.name() === argv[at + 1]);
  return sub === undefined ? command.name() : `${command.name()} ${sub.name()}`;
}

/** Commander's refusal as its message and its "Did you mean …?" suggestion, if it makes one. */
function refusalParts(refusal: string): { message: string; suggestion: string | undefined } {
  // (the suggestion is commander's last line; a line break before it was typed by the user, and is shown escaped)
  const text = refusal.replace(/^error: /, '').replace(/\n$/, '');
  const said = text.match(/\n\((Did you mean [^\n]+\?)\)$/);
  return { message: said ? text.slice(0, said.index) : text, suggestion: said?.[1] };
}

/**
 * For commander's refusal of a command line in which it read `--format sarif` or `junit` (`--format sarif --formt x`),
 * the document a run that failed before results writes (validate's and tax's `failWithDocument`): a later CI step reads
 * the output file, and an empty one failed there with a parse error. A refused `--format` value itself writes nothing:
 * no format was asked for that sandan knows.
 */
async function refusalDocument(
  program: Parameters<RegisterCommand>[0],
  command: string | undefined,
  refusal: string,
  io: CliIo,
): Promise<void> {
  let cmd: Parameters<RegisterCommand>[0] | undefined = program;
  for (const name of command?.split(' ') ?? []) cmd = cmd?.commands.find((c) => c.name() === name);
  const format: unknown = cmd?.opts().format;
  if (cmd === undefined || (format !== 'sarif' && format !== 'junit')) return;
  const { failureOutput } = await import('./formats/index.js');
  const message = oneLine(redactSecrets(refusalParts(refusal).message));
  const out = failureOutput(format, { code: 'INVALID_OPTION', message }, `sandan ${command}`);
  if (out !== undefined) io.stdout(out);
}

/**
 * Tells commander's refusal of a command line (`error: unknown option '--formt'`, and commander's
 * "(Did you mean --format?)" on a line of its own) as sandan tells its errors: `sandan: …` on one
 * line, then a hint with the suggestion and the help to read. Exit 2, a usage error.
 */
function reportRefusal(refusal: string, io: CliIo, command: string | undefined): number {
  const { message, suggestion } = refusalParts(refusal);
  const help = `See \`sandan${command === undefined ? '' : ` ${command}`} --help\`.`;
  try {
    io.stderr(
      `sandan: ${oneLine(redactSecrets(message))}\nhint: ${suggestion ? `${oneLine(suggestion)} ` : ''}${help}\n`,
    );
  } catch (w) {
    if (w instanceof OutputClosedError) return EXIT.pipe;
    throw w;
  }
  return EXIT.usage;
}

/** The exit code for what a command threw, told on standard error; nothing is told when the output is closed. */
function report(e: unknown, io: CliIo, command: string | undefined): number {
  if (e instanceof OutputClosedError || io.closed?.()) return EXIT.pipe;
  try {
    if (isSandanError(e)) {
      const hint = hintOf(e, command);
      // (on one line: a message may quote a value or a key of an input, and it may hold a line break or an escape)
      io.stderr(`sandan: ${oneLine(redactSecrets(e.message))}\n${hint ? `hint: ${hint}\n` : ''}`);
      if (e.code === 'QUOTA_BUSY') return EXIT.busy;
      // Input that is not XML sandan reads (malformed, too deep, too large, a DTD) is a finding about the file.
      if (REFUSED_XML_CODES.has(e.code)) return EXIT.findings;
    } else {
      io.stderr(
        `sandan: internal error: ${oneLine(redactedMessage(e))}\nPlease report this with the input that caused it.\n`,
      );
    }
  } catch (w) {
    if (w instanceof OutputClosedError) return EXIT.pipe;
    throw w;
  }
  return EXIT.usage;
}
