import { Command, CommanderError } from 'commander';
import pkg from '../../package.json';
import { isSandanError } from '../errors.js';
import { EXIT_PIPE, OutputClosedError, processIo, type CliIo } from './io.js';
import { installSignalCleanup } from './cleanup.js';
import type { CommandContext } from './command.js';
import { registerValidateCommand } from './validate-command.js';
import { registerTaxCommand } from './tax-command.js';
import { registerBuildCommand } from './build-command.js';
import { registerParseCommand } from './parse-command.js';
import { registerSignCommand, registerVerifyCommand } from './sign-command.js';
import { registerQuotaCommand } from './quota-command.js';
import { registerReconcileCommand, registerStatusCommand } from './reconcile-command.js';
import { registerPositiveListCommand } from './positive-list-command.js';
import { redactSecrets, redactedMessage } from '../redact.js';

/** Every command; each module registers itself on the program. */
const COMMANDS = [
  registerValidateCommand,
  registerTaxCommand,
  registerSignCommand,
  registerVerifyCommand,
  registerBuildCommand,
  registerParseCommand,
  registerQuotaCommand,
  registerReconcileCommand,
  registerStatusCommand,
  registerPositiveListCommand,
];

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
  RULESET_INVALID: 'Fix the ruleset file; its format is in docs/rulesets.md and schemas/ruleset.schema.json.',
  RULESET_UNKNOWN_RULE: 'Rule ids are listed in docs/rules.md.',
  RULESET_BAD_OPTIONS: 'Rule options are listed in docs/rules.md.',
  RULESET_EXTENDS: 'A ruleset may extend "national" or a district ruleset such as "district/2900".',
  SIGN_KEY_INVALID:
    'Give a PEM, PKCS#8 or DER private key (RSA or SM2); for an encrypted key pass --passphrase-env VAR.',
  SIGN_CERT_INVALID: 'Give the signing certificate as PEM or DER; it must match the key.',
  SIGN_ALREADY_SIGNED: 'The message already has a ds:Signature; pass --replace to sign it again.',
  SIGN_XML_MALFORMED: 'The input is not well-formed XML; build it with `sandan build`.',
  SIGN_SIGNER_FAILED: 'The signer (key, device or remote service) failed; check it and try again.',
  XML_UNSAFE: 'sandan refuses DOCTYPE and entity declarations (XXE); send the message without them.',
  XML_MALFORMED: 'The input is not well-formed XML.',
  XML_TOO_LARGE: 'The input is larger than the limit; raise it with --max-bytes if it is genuine.',
  XML_UNKNOWN_ROOT: 'sandan reads CEB messages, receipts, tax bills and DxpMsg; see docs/xml.md.',
  QUOTA_INVALID: 'Check --buyer-id, --order, --amount and --at; see `sandan quota --help`.',
  QUOTA_BUYER_ID: "Give the buyer's 18-character resident ID card number (GB 11643), as declared in buyerIdNumber.",
  QUOTA_CONFLICT: 'An order number is reserved once, for one buyer and amount; release it before reserving it again.',
  QUOTA_STORE:
    'Check --db (a .sqlite path or postgres:// URL) and that SANDAN_QUOTA_SECRET is the secret the ledger was created with.',
  CONFIG_INVALID:
    'Fix the configuration file (sandan.config.json or the "sandan" key of package.json); its format is schemas/sandan.config.schema.json.',
  QUOTA_BUSY:
    'Another process is writing to the quota ledger. Try again, or wait longer: --busy-timeout <ms> (sandan quota), --quota-busy-timeout <ms> (sandan validate).',
};

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
  let exit: number = EXIT.ok;
  const program = new Command('sandan')
    .description(
      'Check China CBEC retail-import declarations (order CEB311, payment CEB411, waybill CEB511, inventory CEB621) before they are sent.',
    )
    .version(pkg.version, '-V, --version', 'print the version of sandan')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run with --help for usage)');

  const ctx: CommandContext = { io, setExit: (code) => void (exit = code) };
  for (const register of COMMANDS) register(program, ctx);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    return report(e, io);
  }
  return io.closed?.() ? EXIT.pipe : exit;
}

/** Codes that refuse the input XML itself: exit 1 like any other problem with the input, not 2. */
const REFUSED_XML: ReadonlySet<string> = new Set([
  'XML_MALFORMED',
  'XML_UNSAFE',
  'XML_TOO_LARGE',
  'XML_UNKNOWN_ROOT',
  'SIGN_XML_MALFORMED',
]);

/** The exit code for what a command threw, told on standard error; nothing is told when the output is closed. */
function report(e: unknown, io: CliIo): number {
  if (e instanceof OutputClosedError || io.closed?.()) return EXIT.pipe;
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  try {
    if (isSandanError(e)) {
      io.stderr(`sandan: ${redactSecrets(e.message)}\n${HINTS[e.code] ? `hint: ${HINTS[e.code]}\n` : ''}`);
      if (e.code === 'QUOTA_BUSY') return EXIT.busy;
      // Input that is not XML sandan reads (malformed, too deep, too large, a DTD) is a finding about the file.
      if (REFUSED_XML.has(e.code)) return EXIT.findings;
    } else {
      io.stderr(`sandan: internal error: ${redactedMessage(e)}\nPlease report this with the input that caused it.\n`);
    }
  } catch (w) {
    if (w instanceof OutputClosedError) return EXIT.pipe;
    throw w;
  }
  return EXIT.usage;
}
