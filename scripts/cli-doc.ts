/**
 * docs/cli.md: the help of every command (from the CLI itself), its exit codes and examples.
 * `npm run gen` writes it; a test fails when it is stale, and every example in it is run.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { SandanConfigSchema } from '../src/cli/config.js';
import { main } from '../src/cli/main.js';

interface CommandDoc {
  name: string;
  exit: Array<[number, string]>;
  examples: string[];
  /** Subcommands whose own help (their options) follows the command's. */
  subcommands?: string[];
}

const COMMANDS: CommandDoc[] = [
  {
    name: 'validate',
    exit: [
      [0, 'valid (warnings allowed); for NDJSON: every declaration valid'],
      [1, 'any error issue (including unreadable JSON or non-UTF-8 input)'],
      [
        2,
        'usage error, unreadable file, broken ruleset or rate table, unknown district; also a file found in a folder (or named) that cannot be read when it comes to its turn (a broken symbolic link, a link loop, no permission): it is reported as an `input-unreadable` error of that file in every format, the other files are still validated and reported, and the run ends with 2 (not every file was checked), even when another file is invalid',
      ],
      [75, 'the --quota-db SQLite ledger stayed locked past --quota-busy-timeout; try again'],
    ],
    examples: [
      'npx sandan validate examples/hangzhou-1210.json --rates examples/rates.example.json',
      'npx sandan validate examples/ci/declarations/batch.ndjson --format json',
      'npx sandan validate examples/guangzhou-9610.json --district 5100 --at 2018-06-01',
      'npx sandan validate examples/hangzhou-1210.json --goods-records examples/goods-records.json',
    ],
  },
  {
    name: 'tax',
    exit: [
      [0, 'every figure computed (warnings allowed up to --max-warnings)'],
      [
        1,
        "a rate is missing, the order is not admissible as CBEC, the input is invalid, or more warnings than --max-warnings. A declaration whose field errors all lie in fields the tax does not read (a waybill's weight, an order line's price) is still computed, under the line `figures of a declaration with field errors …` and the error `tax-declaration-invalid`; an error in a field the tax reads gives no figures ([tax.md](tax.md))",
      ],
      [
        2,
        'usage error, unreadable file, rate table or ruleset, invalid configuration; also a file found in a folder (or named) that cannot be read when it comes to its turn (a broken symbolic link, a link loop, no permission): as in validate, it is reported as an `input-unreadable` error of that file in every format, the other files are still computed and reported, and the run ends with 2',
      ],
    ],
    examples: [
      'npx sandan tax examples/guangzhou-9610.json --rates examples/rates.example.json',
      'npx sandan tax examples/hangzhou-1210.json --rates examples/rates.example.json --format json',
    ],
  },
  {
    name: 'build',
    exit: [
      [0, 'built'],
      [1, 'the documents cannot be built, or the input holds more than one declaration (issues printed)'],
      [2, 'usage error (e.g. no sender profile, an --out that is an input file), unreadable file'],
    ],
    examples: ['npx sandan build examples/hangzhou-1210.json --message CEB621 --sender examples/sender.json'],
  },
  {
    name: 'parse',
    exit: [
      [0, 'read'],
      [1, 'refused (unsafe, malformed, unknown root) or read with errors'],
      [2, 'usage error, unreadable file'],
    ],
    examples: ['npx sandan parse examples/finance/2026-11/receipts/CEB622-000001.xml --format text'],
  },
  {
    name: 'sign',
    exit: [
      [0, 'signed'],
      [1, 'the input is not XML sandan signs (malformed, nested too deep, a character XML forbids, over 50 MB)'],
      [
        2,
        'usage error (including --out naming the key or certificate, --district listing no algorithm for the key), unreadable input (missing, empty, not UTF-8), a message already signed without --replace, bad key, passphrase or certificate, signer failure',
      ],
    ],
    examples: [],
  },
  {
    name: 'verify',
    exit: [
      [0, 'valid signature, and trusted (`--cert`) or accepted untrusted (`--accept-untrusted`)'],
      [
        1,
        'invalid signature (the reason is printed; with `--at`, a certificate not valid then), or valid but untrusted: no `--cert` and no `--accept-untrusted`; input that is not XML sandan reads (malformed, too large)',
      ],
      [2, 'usage error, unreadable input (missing, empty, not UTF-8)'],
    ],
    examples: [],
  },
  {
    name: 'quota',
    exit: [
      [0, 'done'],
      [1, 'refused (e.g. over the annual limit; the remaining quota is printed)'],
      [2, 'error (bad options, store unreachable, wrong secret, no ledger yet for remaining or history)'],
      [75, 'busy: another process held the SQLite write lock past --busy-timeout; nothing written, try again'],
    ],
    examples: [],
    subcommands: ['remaining', 'reserve', 'commit', 'release', 'refund', 'history'],
  },
  {
    name: 'reconcile',
    exit: [
      [0, 'every order is matched, cancelled, refunded or rejected (without a bill), and every input was read'],
      [
        1,
        "anything does not match (mismatch, bill missing, unlinked, a bill of a rejected order, …), an input could not be used, or no declaration was read (the report's problems say which)",
      ],
      [2, 'usage error (including an --out that is an input file), unreadable input'],
    ],
    examples: [],
  },
  {
    name: 'positive-list import',
    exit: [
      [0, 'every row and remark read; edition file written'],
      [1, 'rows or remarks it could not read (listed; the file is still written), or no line at all (nothing written)'],
      [2, 'usage error, unreadable file, no header row, unknown edition without --from, an --out that is the annex'],
    ],
    examples: [],
  },
  {
    name: 'status',
    exit: [
      [0, 'no anomaly'],
      [
        1,
        'an anomaly (rejection, no delivery, no acknowledgement, inconsistent receipts); a declaration or XML file it could not read, or a receipt that names no order (each named on standard error and skipped; the rest is reported); --order that no input names',
      ],
      [2, 'usage error, a path that cannot be read, a folder with no .xml, .json or .ndjson file'],
    ],
    examples: [],
  },
  {
    name: 'emulate',
    exit: [
      [0, 'stopped cleanly after SIGINT, SIGTERM or SIGHUP (requests and files in hand finished, state closed)'],
      [2, 'could not start: usage error, unreadable certificate or rate table, unknown district, port in use'],
    ],
    examples: [],
  },
];

async function help(args: string[]): Promise<string> {
  let out = '';
  await main(args, {
    stdout: (t) => void (out += t),
    stderr: (t) => void (out += t),
    stdin: Readable.from([]),
    stderrIsTTY: false,
    env: {},
  });
  return out.trimEnd();
}

export async function cliReference(): Promise<string> {
  const lines = [
    '# Command line reference',
    '',
    '<!-- Generated by `npm run gen` from the CLI itself (scripts/cli-doc.ts); do not edit. -->',
    '',
    'The commands read files (validate, tax, build, parse, sign, verify and `reconcile --declarations` also `-`, standard input), print to standard output, and report misuse on standard error with a hint, never a stack trace. Running it in CI: [getting-started.md](getting-started.md#running-sandan-in-ci). Exit codes: 0 means the answer is yes, 1 that the input has problems (which are printed), 2 that the command could not do its job (usage, unreadable files, an output it could not write: a full disk is told as `sandan: cannot write to standard output: ENOSPC: …`). When the reader of the output goes away (`sandan … | head`), the command stops quietly with 141, as a Unix tool ended by SIGPIPE does. The text output of validate and tax is coloured on a terminal only; `NO_COLOR` (https://no-color.org) turns colour off, `FORCE_COLOR` decides over both, read as Node reads it: `1`, `2`, `3`, `true` or empty colour, in a pipe or a file too; `0`, `false` or any other value no colour. No other output has colour. The CI formats of validate and tax (`github`, `sarif`, `junit`) name each file by its path from `GITHUB_WORKSPACE` when that is set and the file lies under it (a step with `working-directory:`), else from the working directory; SARIF marks such a path with `uriBaseId` `%SRCROOT%` and gives the folder in `originalUriBaseIds`. When validate or tax fails before it has results (exit 2: a bad option, configuration or ruleset, a folder with no declarations; an option refused after `--format` was read), `--format sarif` still writes a SARIF log whose invocation has `executionSuccessful: false` and the error as a notification, and `--format junit` a document with the error as a test case in error. A file that cannot be read at its turn (exit 2 after the others are reported) is also such a notification of the run, naming the file. A folder with no declaration file or a pattern that matches none is an error (exit 2), as ESLint and Prettier make it; `--no-error-on-unmatched-pattern` makes it name no file instead (a run that names no file at all exits 0).',
    '',
    '```',
    await help(['--help']),
    '```',
  ];
  for (const c of COMMANDS) {
    const text = await help([...c.name.split(' '), '--help']);
    if (/unknown command/.test(text)) continue;
    lines.push(
      '',
      `## sandan ${c.name}`,
      '',
      '```',
      text,
      '```',
      '',
      '| exit | meaning |',
      '|---|---|',
      ...c.exit.map(([code, meaning]) => `| ${code} | ${meaning} |`),
    );
    if (c.examples.length) lines.push('', '```sh', ...c.examples, '```');
    for (const sub of c.subcommands ?? [])
      lines.push(
        '',
        `### sandan ${c.name} ${sub}`,
        '',
        '```',
        await help([...c.name.split(' '), sub, '--help']),
        '```',
      );
  }
  lines.push(...dataFiles());
  return `${lines.join('\n')}\n`;
}

/**
 * The files options name whose format no help text gives: the configuration (its keys from the schema the CLI
 * checks it with) and the goods records. A new user met `--config` and `--goods-records` with no word of what goes in.
 */
function dataFiles(): string[] {
  const schema = z.toJSONSchema(SandanConfigSchema, { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, { description?: string }>;
  };
  const keys = Object.entries(schema.properties).filter(([k]) => k !== '$schema');
  return [
    '',
    '## The configuration file',
    '',
    '`sandan validate` and `sandan tax` take their options from `sandan.config.json`, or from the `"sandan"` key of `package.json`: the first found from the working directory up, or the file `--config` names. A flag given on the command line wins over the file. Paths in it are relative to the file. `sandan validate` reads every key; `sandan tax` reads `district`, `ruleset` and `rates`; the other commands read none (`reconcile`, `status` and `emulate` take `--rates` and the rest as options). An unknown key or a wrong value is a usage error (exit 2) naming the key.',
    '',
    '| key | meaning |',
    '|---|---|',
    ...keys.map(([k, v]) => `| \`${k}\` | ${(v.description ?? '').replace(/\|/g, '\\|')} |`),
    '',
    'For example, in a project that keeps its ruleset and rate table beside the file (the example of `examples/ci` is [examples/ci/sandan.config.json](../examples/ci/sandan.config.json)):',
    '',
    '```json',
    '{',
    '  "$schema": "./node_modules/sandan/schemas/sandan.config.schema.json",',
    '  "district": "2900",',
    '  "ruleset": "shop-ruleset.json",',
    '  "rates": "rates.json"',
    '}',
    '```',
    '',
    '`$schema` is for editors (completion and checks as you type): the schema ships in the package, at `node_modules/sandan/schemas/sandan.config.schema.json` in a project that installed sandan.',
    '',
    '## Goods records (`--goods-records`)',
    '',
    'The items the platform filed (商品备案), for the rule `goods/records` ([rules.md](rules.md#goodsrecords)): one JSON object whose keys are the account-book item numbers (`itemRecordNo`) or SKUs (`itemNo`) the inventory lines carry, each with the filed `gcode` (10 digits), `gname`, `unit1` (the legal first unit, 3 digits) and, when filed, `unit2` and `country` (3-digit codes); `note` is free text. A line is looked up by its `itemRecordNo`, else its `itemNo`; a line with no record is `goods-record-missing`, and each of `gcode`, `gname`, `unit1`, `unit2` and `country` that differs from its record is `goods-record-mismatch` (a record without `country` fixes none; one without `unit2` expects none). In code the same object is `validate(declaration, { goodsRecords: loadGoodsRecords(json) })`. [examples/goods-records.json](../examples/goods-records.json) holds the records of `examples/hangzhou-1210.json`:',
    '',
    '```json',
    readFileSync(new URL('../examples/goods-records.json', import.meta.url), 'utf8').trimEnd(),
    '```',
  ];
}
