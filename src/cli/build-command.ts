import { randomUUID } from 'node:crypto';
import { Option, type Command } from 'commander';
import { SandanError, counted, messageOf, oneLine } from '../errors.js';
import { isRecord } from '../model/guards.js';
import type { Issue } from '../model/issue.js';
import { inputIssue } from '../model/json-input.js';
import { createValidator, extensionsFor } from '../rules/index.js';
import { readRulesetFile } from './data-files.js';
import { readJsonFile } from './json-file.js';
import {
  BUILDABLE,
  buildMessage,
  checkDocuments,
  checkSenderProfile,
  isBuildableType,
  wrapDxp,
  type BuildableType,
  type SenderProfile,
} from '../xml/index.js';
import type { CommandContext } from './command.js';
import { countSeverities, formatIssuesText } from './format.js';
import { openInput, readRecords } from './input.js';
import type { CliIo } from './io.js';
import { refuseOutputOverInput, writeFileAtomic } from './atomic-file.js';

/** Options of `sandan build` as commander passes them. */
interface BuildCommandOptions {
  message: string;
  sender?: string;
  out?: string;
  format: 'text' | 'json';
  dxp?: boolean;
  appType?: '1' | '2' | '3';
  appStatus?: '1' | '2';
  /** District whose ruleset's extension fields are written (e.g. 6400). */
  district?: string;
  /** A user ruleset file whose extension fields are written too. */
  ruleset?: string;
}

/** Reads a sender profile file; an unreadable or incomplete one is a usage error naming what is wrong. */
async function readSender(path: string, origin: string): Promise<SenderProfile> {
  const data = await readJsonFile(path, `the sender profile (${origin})`);
  try {
    return checkSenderProfile(data);
  } catch (e) {
    throw new SandanError('INVALID_OPTION', `${path}: ${messageOf(e)}`, { cause: e });
  }
}

function missingDocument(type: BuildableType, index: number | undefined): Issue {
  const key = BUILDABLE[type].key;
  const path = index === undefined ? key : `[${index}].${key}`;
  return {
    code: 'document-missing',
    severity: 'error',
    path,
    ruleId: 'xml/build',
    message: {
      // (a bare document, as an order system writes one, is the likely slip: say the shape that is read)
      zh: `输入中没有 ${key}：${type} 由申报中的 ${key} 生成，或由以 ${key} 为键的对象生成：{ "${key}": { … } }`,
      en: `The input has no ${key}; ${type} is built from the ${key} of a declaration, or of an object holding it under that key: { "${key}": { … } }`,
    },
  };
}

/** A second declaration in the input (NDJSON): build makes one message from one input. */
function manyDeclarations(): Issue {
  return inputIssue(
    'input-ndjson',
    '输入含有多份申报（NDJSON）；build 由一份申报（或一个单证数组）生成一个报文：请逐行分别生成，或用 jq -s 合成数组',
    'The input holds more than one declaration (NDJSON); build makes one message from one declaration, or from a JSON array of documents: build one message per line, or make an array with jq -s',
  );
}

function report(io: CliIo, label: string, type: BuildableType, issues: Issue[], format: 'text' | 'json'): void {
  if (format === 'json') {
    io.stdout(`${JSON.stringify({ built: false, message: type, issues }, null, 2)}\n`);
    return;
  }
  const { errors } = countSeverities(issues);
  io.stdout(`${oneLine(label)}: cannot build ${type}: ${counted(errors, 'error')}\n${formatIssuesText(issues)}\n`);
}

/** `sandan build`: exit 0 built, 1 the documents cannot be built (issues printed), 2 usage or unreadable input. */
async function buildCommand(file: string, opts: BuildCommandOptions, io: CliIo): Promise<number> {
  const type = opts.message.toUpperCase().replace(/MESSAGE$/, '');
  if (!isBuildableType(type))
    throw new SandanError(
      'INVALID_OPTION',
      `--message must be one of ${Object.keys(BUILDABLE).join(', ')}, got ${opts.message}`,
    );
  const senderPath = opts.sender ?? io.env.SANDAN_SENDER;
  if (opts.out !== undefined)
    await refuseOutputOverInput(opts.out, [
      ['declaration', file],
      [opts.sender ? '--sender' : 'SANDAN_SENDER', senderPath],
      ['--ruleset', opts.ruleset],
    ]);
  if (!senderPath) {
    throw new SandanError(
      'INVALID_OPTION',
      'build needs a sender profile (BaseTransfer: copCode, copName, dxpId, dxpMode): pass --sender FILE or set SANDAN_SENDER to such a JSON file',
    );
  }
  const sender = await readSender(senderPath, opts.sender ? '--sender' : 'SANDAN_SENDER');
  // The district's and the user ruleset's extension fields are checked and written; others stay unknown.
  const rulesetOptions = {
    ...(opts.district !== undefined && { district: opts.district }),
    ...(opts.ruleset !== undefined && { ruleset: await readRulesetFile(opts.ruleset) }),
  };
  const extensions = extensionsFor(rulesetOptions);
  const label = file === '-' ? '<stdin>' : file;
  const stream = await openInput(file, io.stdin);
  let value: unknown;
  let records = 0;
  for await (const rec of readRecords(stream, { arrays: true })) {
    // One message is built from one input: a second record (NDJSON) would otherwise be dropped without a word.
    if (++records === 2) {
      report(io, label, type, [manyDeclarations()], opts.format);
      return 1;
    }
    if (rec.issue) {
      report(io, label, type, [rec.issue], opts.format);
      return 1;
    }
    value = rec.value;
  }
  const key = BUILDABLE[type].key;
  const inputs = Array.isArray(value) ? value : [value];
  const issues: Issue[] = [];
  const docs: unknown[] = [];
  inputs.forEach((v, i) => {
    const doc = isRecord(v) ? v[key] : undefined;
    if (doc === undefined) issues.push(missingDocument(type, Array.isArray(value) ? i : undefined));
    else docs.push(doc);
  });
  if (issues.length === 0) issues.push(...checkDocuments(type, docs, extensions));
  if (countSeverities(issues).errors) {
    report(io, label, type, issues, opts.format);
    return 1;
  }
  for (const w of issues) io.stderr(`sandan: warning: ${oneLine(`${w.path}: ${w.message.en}`)}\n`);
  // A whole declaration may break cross-document rules; the message still builds, but say so.
  if (isRecord(value) && 'order' in value && 'payment' in value && 'logistics' in value) {
    const v = createValidator(rulesetOptions)(value);
    const { errors } = countSeverities(v.issues);
    if (errors)
      io.stderr(
        `sandan: warning: ${oneLine(label)} has ${counted(errors, 'validation error')} (see sandan validate); ${type} was built because its ${key} is well-formed\n`,
      );
  }
  const env = { now: () => new Date(), newId: () => randomUUID() };
  const result = buildMessage(type, docs as never, {
    ...env,
    sender,
    validate: false,
    extensions,
    ...(opts.appType !== undefined && { appType: opts.appType }),
    ...(opts.appStatus !== undefined && { appStatus: opts.appStatus }),
  });
  if (!result.ok) {
    report(io, label, type, result.issues, opts.format);
    return 1;
  }
  let xml = result.xml;
  if (opts.dxp) xml = wrapDxp(xml, { ...env, senderId: sender.dxpId });
  if (opts.out) {
    await writeFileAtomic(opts.out, `${xml}\n`);
  } else io.stdout(`${xml}\n`);
  if (BUILDABLE[type].signatureRequired && !opts.dxp)
    io.stderr(`sandan: note: ${type} must be signed (ds:Signature) before it is sent\n`);
  return 0;
}

/** Registers `sandan build` on the program. */
export function registerBuildCommand(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('build')
    .description(
      'Build a CEB message (XML) from a declaration (JSON), or from an object holding the document under its key, e.g. { "order": { … } } for CEB311 (an array of them builds one message with several documents).',
    )
    .argument('<file>', 'a declaration or { "<key>": document } file (.json), or - for standard input')
    .requiredOption('--message <type>', `message to build: ${Object.keys(BUILDABLE).join(', ')}`)
    .option('--sender <file>', 'sender profile JSON { copCode, copName, dxpId, dxpMode } (default: $SANDAN_SENDER)')
    .option('--out <file>', 'write the XML to this file instead of standard output')
    .addOption(
      new Option('--app-type <n>', 'appType for every document (1 new, 2 change, 3 delete)').choices(['1', '2', '3']),
    )
    .addOption(
      new Option('--app-status <n>', 'appStatus for every document (1 temp-save, 2 declare)').choices(['1', '2']),
    )
    .option('--dxp', 'wrap the message in a DxpMsg (SenderId = the sender profile dxpId)')
    .option('--district <code>', "write the extension fields the district's ruleset declares (e.g. 6400 for Hainan)")
    .option('--ruleset <file>', 'a user ruleset (JSON) whose extension fields are written too')
    .addOption(
      new Option('--format <format>', 'format of the issues when the message cannot be built')
        .choices(['text', 'json'])
        .default('text'),
    )
    .action(async (file: string, opts: BuildCommandOptions) => {
      setExit(await buildCommand(file, opts, io));
    });
}
