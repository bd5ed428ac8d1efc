import { Option, type Command } from 'commander';
import { counted, hasEdgeSpace, isSandanError, oneLine, SandanError } from '../errors.js';
import {
  DEFAULT_MAX_XML_BYTES,
  explainReceipt,
  MESSAGE_NAMES,
  refusedByFormatCheck,
  toJsonValue,
  type CebMessage,
  type DxpResponse,
  type ParsedXml,
} from '../xml/index.js';
import { writeJsonText } from '../xml/parse.js';
import { extensionsFor } from '../rules/index.js';
import type { CommandContext } from './command.js';
import { readRulesetFile } from './data-files.js';
import type { CliIo } from './io.js';
import { readXmlInput } from './input.js';
import { parseCebOrDxpRep } from './xml-message.js';

/** Options of `sandan parse` as commander passes them. */
interface ParseCommandOptions {
  format: 'text' | 'json';
  maxBytes?: string;
  lenient?: boolean;
  /** District whose ruleset's extension fields are read and kept (e.g. 6400). */
  district?: string;
  /** A user ruleset file whose extension fields are read and kept too. */
  ruleset?: string;
}

/** A field's text as the report shows it: quoted as JSON when it is empty or white space at an end would not show. */
function shownText(v: string): string {
  return v === '' || hasEdgeSpace(v) ? JSON.stringify(v) : v;
}

function cebText(msg: CebMessage, indent = ''): string[] {
  const out = [
    `${indent}${msg.root} ${msg.name.zh} (${msg.name.en}), guid ${msg.guid}, version ${msg.version}: ${counted(msg.documents.length, 'document')}`,
  ];
  msg.documents.forEach((doc, i) => {
    if (typeof doc.returnStatus === 'string') {
      const x = explainReceipt(doc, msg.messageType);
      const other = x.otherReceipts;
      out.push(
        `${indent}  [${i + 1}] returnStatus ${x.status}${x.statusMeaning ? ` ${x.statusMeaning.zh} (${x.statusMeaning.en})` : ''}${
          other
            ? ` 不是 ${msg.messageType} 的回执状态，回执状态表只对 ${other.receipts.join('、')} 列出（${other.meaning.zh}） (no status of a ${msg.messageType}: the receipt catalogue lists it for ${other.receipts.join(', ')} only, ${other.meaning.en})`
            : ''
        }`,
      );
      if (typeof doc.returnInfo === 'string') out.push(`${indent}      returnInfo ${doc.returnInfo}`);
      if (x.codeMeaning) out.push(`${indent}      code ${x.code}: ${x.codeMeaning.zh} (${x.codeMeaning.en})`);
      // (the emulator's refusal of a finding of sandan's rules: which one, and where its rule is described)
      if (x.issue)
        out.push(
          `${indent}      issue ${x.issue.code} (rule ${x.issue.rule}): ${x.issue.meaning.zh} (${x.issue.meaning.en}) ${x.issue.docs}`,
        );
      // (a waiting status needs no advice; a code that makes it wait does: -621008's "do not resend")
      if (x.fix && (x.outcome === 'pending' ? x.code !== undefined : x.outcome !== 'accepted' && x.outcome !== 'final'))
        out.push(`${indent}      fix: ${x.fix.zh} / ${x.fix.en}`);
      return;
    }
    const fields = Object.entries(toJsonValue(doc) as Record<string, unknown>)
      .filter(([k]) => k !== 'items')
      .map(([k, v]) => `${k}=${typeof v === 'string' ? shownText(v) : JSON.stringify(v)}`);
    const items = Array.isArray(doc.items) ? `, ${counted(doc.items.length, 'line')}` : '';
    out.push(`${indent}  [${i + 1}] ${fields.join(' ')}${items}`);
  });
  if (msg.baseTransfer)
    out.push(
      `${indent}  BaseTransfer ${Object.entries(msg.baseTransfer)
        .map(([k, v]) => `${k}=${shownText(v)}`)
        .join(' ')}`,
    );
  if (msg.signature)
    out.push(
      `${indent}  Signature ${msg.signature.signatureMethod ?? '(no method)'}${msg.signature.keyName ? `, KeyName ${msg.signature.keyName}` : ''}`,
    );
  return out;
}

/** The lines of a DxpRep: the receiver, then each response with the message it answers and each receiver's result. */
function dxpRepText(label: string, rep: DxpResponse): string[] {
  const lines = [
    `${label}: DxpRep RecevierId ${shownText(rep.recevierId)}${rep.adNodeId === undefined ? '' : `, AdNodeId ${shownText(rep.adNodeId)}`}: ${counted(rep.responses.length, 'response')}`,
  ];
  rep.responses.forEach((r, i) => {
    const o = r.oriHead;
    lines.push(
      `  [${i + 1}] ResponseCode ${shownText(r.responseCode)}${r.responseInfo === undefined ? '' : ` ${shownText(r.responseInfo)}`}${r.nodeId === undefined ? '' : `, NodeId ${shownText(r.nodeId)}`}, NoticeTime ${shownText(r.noticeTime)}${r.note === undefined ? '' : `, Note ${shownText(r.note)}`}`,
      `      for CopMsgId ${shownText(o.copMsgId)}, SenderId ${shownText(o.senderId)}, ReceiverIds ${o.receiverIds.map(shownText).join(',')}, CreatTime ${shownText(o.creatTime)}, MsgType ${shownText(o.msgType)}`,
    );
    for (const x of r.results)
      lines.push(
        `      Result RecId ${shownText(x.recId)}, Code ${shownText(x.code)}${x.info === undefined ? '' : `, Info ${shownText(x.info)}`}${x.note === undefined ? '' : `, Note ${shownText(x.note)}`}`,
      );
  });
  return lines;
}

function textReport(label: string, parsed: ParsedXml | DxpResponse): string {
  const lines: string[] = [];
  if (parsed.kind === 'dxpRep') lines.push(...dxpRepText(label, parsed));
  else if (parsed.kind === 'dxp') {
    const t = parsed.transInfo;
    const sv = parsed.transfer;
    if (sv)
      lines.push(
        `${label}: DxpMsgSv MsgId ${sv.msgId}${sv.subMsgId === undefined ? '' : `, SubMsgId ${sv.subMsgId}`}, SendTime ${sv.sendTime}, EndNode ${sv.endNode}, StaNode ${sv.staNode}`,
      );
    lines.push(
      // (an empty MsgType is valid, minLength 0: shown as "", not as a trailing space)
      `${label}: DxpMsg CopMsgId ${shownText(t.copMsgId)}, SenderId ${shownText(t.senderId)}, ReceiverIds ${t.receiverIds.map(shownText).join(',')}, CreatTime ${shownText(t.creatTime)}, MsgType ${shownText(t.msgType)}`,
    );
    // (line by line: a spread of a message of 130,000 documents overflowed the stack)
    if (parsed.message) for (const l of cebText(parsed.message, '  ')) lines.push(l);
  } else {
    lines.push(`${label}:`);
    for (const l of cebText(parsed, '')) lines.push(l);
  }
  const issues = issuesOf(parsed);
  for (const i of issues)
    lines.push(
      `  ${i.severity === 'error' ? 'error  ' : 'warning'} ${i.path}  [${i.code}]  ${i.message.zh} / ${i.message.en}`,
    );
  const refused = issues.filter(refusedByFormatCheck).length;
  const message = parsed.kind === 'dxp' ? parsed.message : parsed.kind === 'ceb' ? parsed : undefined;
  // A receipt or a tax bill is customs' to write: no format check of customs answers it.
  if (
    refused &&
    message &&
    Object.hasOwn(MESSAGE_NAMES, message.root) &&
    MESSAGE_NAMES[message.root]!.sender === 'customs'
  )
    lines.push(
      `  此报文应由海关发出，却有 ${refused} 处不符合 XSD：请核对生成它的程序 / customs writes this message, yet the XSD refuses it (${counted(refused, 'issue')}): check what wrote it`,
    );
  else if (refused && parsed.kind === 'dxpRep')
    lines.push(
      `  此响应由交换平台发出，却有 ${refused} 处不符合 XSD / the exchange writes this response, yet the XSD refuses it (${counted(refused, 'issue')})`,
    );
  // (the envelope of a Data that holds no CEB message, a DxpRep or unreadable text, may pass the XSD: Data is any
  // base64; customs refuses it for what it does not carry)
  else if (refused && parsed.kind === 'dxp' && !parsed.message)
    lines.push(
      `  海关格式校验会以 CEB900 退回此报文：Data 中没有可读的 CEB 报文（${refused} 处问题）/ customs' format check would answer this message with a CEB900: its Data holds no CEB message to read (${counted(refused, 'issue')})`,
    );
  else if (refused)
    lines.push(
      `  海关格式校验会以 CEB900 退回此报文（${refused} 处不符合 XSD）/ customs' format check would answer this message with a CEB900 (${counted(refused, 'issue')} the XSD refuses)`,
    );
  const notes = [...(parsed.kind === 'dxp' ? (parsed.message?.notes ?? []) : (parsed.notes ?? []))];
  for (const n of notes) lines.push(`  note    ${n.path}  [${n.code}]  ${n.message.zh} / ${n.message.en}`);
  // (the file's name and the message's values each on one line: a &#10; or a C1 escape in one forged lines)
  return `${lines.map(oneLine).join('\n')}\n`;
}

/** The issues of a parsed message, those of a DxpMsg's payload included. */
function issuesOf(parsed: ParsedXml | DxpResponse) {
  return [...parsed.issues, ...(parsed.kind === 'dxp' && parsed.message ? parsed.message.issues : [])];
}

/**
 * `sandan parse`: exit 0 read (warnings allowed), 1 refused, or read with issues customs' format check refuses (every
 * error, and the warnings the XSD refuses), 2 usage or unreadable input.
 */
async function parseCommand(file: string, opts: ParseCommandOptions, io: CliIo): Promise<number> {
  const maxBytes = opts.maxBytes === undefined ? DEFAULT_MAX_XML_BYTES : Number(opts.maxBytes);
  if (!Number.isInteger(maxBytes) || maxBytes <= 0)
    throw new SandanError('INVALID_OPTION', `--max-bytes must be a positive integer, got ${opts.maxBytes}`);
  // Usage errors (unknown district, broken ruleset) before reading the input.
  const extensions = extensionsFor({
    ...(opts.district !== undefined && { district: opts.district }),
    ...(opts.ruleset !== undefined && { ruleset: await readRulesetFile(opts.ruleset) }),
  });
  const label = file === '-' ? '<stdin>' : file;
  let parsed: ParsedXml | DxpResponse;
  try {
    const input = await readXmlInput(file, io.stdin, maxBytes);
    parsed = parseCebOrDxpRep(input, {
      maxBytes,
      ...(opts.lenient && { lenient: true }),
      ...(extensions.length > 0 && { extensions }),
    });
  } catch (e) {
    // Refused input is a finding about the file, not a usage error.
    if (isSandanError(e) && e.code.startsWith('XML_')) {
      if (opts.format === 'json')
        io.stdout(`${JSON.stringify({ error: { code: e.code, message: e.message } }, null, 2)}\n`);
      else io.stderr(`sandan: ${oneLine(label)}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (opts.format === 'json') {
    // In pieces: a huge message's JSON is never one more copy of it in memory.
    writeJsonText(parsed, 2, io.stdout);
    io.stdout('\n');
  } else io.stdout(textReport(label, parsed));
  // An unknown element or one out of order is only a warning (sandan reads on), but customs answers a CEB900.
  return issuesOf(parsed).some(refusedByFormatCheck) ? 1 : 0;
}

/** Registers `sandan parse` on the program. */
export function registerParseCommand(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('parse')
    .description(
      "Read a CEB message, receipt (CEB312–CEB900, tax bill CEB816/818), DxpMsg (alone or in a transfer node's DxpMsgSv) or the exchange's response to one (DxpRep) and print it as JSON or text.",
    )
    .argument('<file>', 'XML file, or - for standard input')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('json'))
    .option('--max-bytes <n>', `refuse inputs larger than this (default ${DEFAULT_MAX_XML_BYTES})`)
    .option(
      '--lenient',
      'read a CEB message in no namespace (e.g. a receipt copied from a log) as if it were in the CEB namespace, with a warning',
    )
    .option(
      '--district <code>',
      "read and keep the extension fields the district's ruleset declares (e.g. 6400 for Hainan)",
    )
    .option('--ruleset <file>', 'a user ruleset (JSON) whose extension fields are read and kept too')
    .action(async (file: string, opts: ParseCommandOptions) => {
      setExit(await parseCommand(file, opts, io));
    });
}
