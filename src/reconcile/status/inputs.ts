import { SandanError } from '../../errors.js';
import type { Issue, Message } from '../../model/issue.js';
import { nearestFieldName } from '../../model/field-names.js';
import { checkArgument, describeInput, isRecord } from '../../model/guards.js';
import { beijingMillis } from '../../time/beijing.js';
import type { DxpResponse, DxpResponseEntry, ParsedXml } from '../../xml/parse.js';
import { sentFromDeclaration, sentFromMessage } from './sent.js';
import { statusReceipt, unplacedReceipt } from './status.js';
import { isSentType, isStatusReceiptType, type SentDocument, type StatusReceipt } from './types.js';

/** Rule id of the issues of {@link statusInputsOfDeclaration} and {@link statusInputsOfMessage}. */
export const STATUS_INPUT_RULE_ID = 'reconcile/status-input';

/**
 * Every code the status inputs report. Stable: added, never renamed. An error is something {@link status} will not
 * see whole (a document left out, a time it cannot place); `status-message-other`, a message it has no use for, is a
 * warning. docs/reconcile.md lists them; a test holds the list to this table.
 */
export const STATUS_INPUT_ISSUE_CODES = {
  'status-not-declaration': {
    severity: 'error',
    zh: 'JSON 记录不是申报（不是对象，或不含 order、payment、logistics、inventory 中任何一个）；已跳过',
    en: 'A JSON record that is no declaration (not an object, or none of order, payment, logistics, inventory); skipped',
  },
  'status-document-not-object': {
    severity: 'error',
    zh: '申报中的单证不是对象；已略去',
    en: "A declaration's document that is not an object; left out",
  },
  'status-time-invalid': {
    severity: 'error',
    zh: 'appTime 或 returnTime 不是时间；该单证在时间线中无时间（因而永不逾期）',
    en: 'An appTime or returnTime that is no time; the document is in the timeline without one (and so never late)',
  },
  'status-receipt-unplaced': {
    severity: 'error',
    zh: '回执未指明任何订单（无单号，或 CEB900 退回的报文无法读取）；已跳过，但它可能是一次退单',
    en: 'A receipt that names no order (no key, or a CEB900 of a message that cannot be read); skipped, though it may be a rejection',
  },
  'status-message-unread': {
    severity: 'error',
    zh: 'DxpMsg 中没有可读取的 CEB 报文；已跳过',
    en: 'A DxpMsg that holds no CEB message that can be read; skipped',
  },
  'status-message-other': {
    severity: 'warning',
    zh: '不是进口订单的报文（如 CEB712）；status 不读取',
    en: 'A message of no import order (a CEB712, say); status does not read it',
  },
  'status-dxp-response': {
    severity: 'warning',
    zh: '交换平台对 DxpMsg 的响应报文（DxpRep）：其代码照录，不作解释；status 不读取',
    en: "The exchange's response to a DxpMsg (DxpRep): its codes named as read, not interpreted; status does not read it",
  },
} as const satisfies Record<string, { severity: Issue['severity']; zh: string; en: string }>;

/** A code of {@link STATUS_INPUT_ISSUE_CODES}. */
export type StatusInputIssueCode = keyof typeof STATUS_INPUT_ISSUE_CODES;

/**
 * What {@link status} takes from one input: the receipts and sent documents it holds, and `issues` about what could not
 * be read of it (each with a path into the input). Nothing is dropped without an issue.
 */
export interface StatusInputs {
  receipts: StatusReceipt[];
  sent: SentDocument[];
  issues: Issue[];
}

function inputIssue(code: StatusInputIssueCode, path: string, message: Message): Issue {
  return { code, severity: STATUS_INPUT_ISSUE_CODES[code].severity, path, message, ruleId: STATUS_INPUT_RULE_ID };
}

/**
 * An issue when a CEB time (a document's appTime, a receipt's returnTime: Beijing time as `format` says) gives its
 * document no time; none when it gives one or there is none (absent or blank). `what` names the field in the message.
 */
function timeIssue(
  value: unknown,
  path: string,
  what: string,
  format: 'yyyyMMddHHmmss' | 'yyyyMMddHHmmssSSS' = 'yyyyMMddHHmmss',
): Issue[] {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return [];
  if (typeof value === 'string' && !Number.isNaN(beijingMillis(value))) return [];
  const got = describeInput(value);
  return [
    inputIssue('status-time-invalid', path, {
      zh: `${what} 不是 ${format} 格式的时间（实际为 ${got}）；时间线中显示为无时间`,
      en: `${what} is not a time as ${format} (got ${got}); shown without a time`,
    }),
  ];
}

/** The documents of a declaration (sandan's JSON shape). */
const DOCUMENTS = ['order', 'payment', 'logistics', 'inventory'] as const;

/**
 * What {@link status} takes from one declaration (sandan's JSON shape, as read from a file): its sent documents, with
 * their appTime. Issues: a record that is no declaration (not an object, or none of order, payment, logistics and
 * inventory: a configuration file, say), which gives nothing; a document that is not an object (left out); an appTime
 * that is no time (the document is in the timeline without one, and so never late).
 */
export function statusInputsOfDeclaration(input: unknown): StatusInputs {
  const none = (message: Message): StatusInputs => ({
    receipts: [],
    sent: [],
    issues: [inputIssue('status-not-declaration', '', message)],
  });
  if (!isRecord(input)) {
    const kind = Array.isArray(input) ? 'array' : input === null ? 'null' : typeof input;
    return none({
      zh: `不是申报：JSON ${kind}，不是对象；已跳过`,
      en: `not a declaration: a JSON ${kind}, not an object; skipped`,
    });
  }
  const d = input as Record<string, unknown>;
  if (!DOCUMENTS.some((k) => d[k] !== undefined)) {
    const keys = Object.keys(d);
    const near = keys.map((k) => [k, nearestFieldName(k, DOCUMENTS)] as const).find(([, n]) => n !== undefined);
    const listed = `${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}`;
    return none({
      zh: `不是申报：不含 order、payment、logistics、inventory 中的任何一个${
        near ? `（${near[0]}：是否应为 ${near[1]}？）` : keys.length ? `（其键：${listed}）` : ''
      }；已跳过`,
      en: `not a declaration: it has none of order, payment, logistics, inventory${
        near ? ` (${near[0]}: did you mean ${near[1]}?)` : keys.length ? ` (its keys: ${listed})` : ''
      }; skipped`,
    });
  }
  const issues: Issue[] = [];
  for (const k of DOCUMENTS) {
    const doc = d[k];
    if (doc === undefined) continue;
    if (!isRecord(doc)) {
      const got = describeInput(doc);
      issues.push(
        inputIssue('status-document-not-object', k, {
          zh: `${k} 不是对象（实际为 ${got}）；已略去`,
          en: `${k} is not an object (got ${got}); left out`,
        }),
      );
      continue;
    }
    issues.push(...timeIssue(doc.appTime, `${k}.appTime`, `${k}.appTime`));
  }
  return { receipts: [], sent: sentFromDeclaration(input), issues };
}

/** A value of a DxpRep as read, '' shown as such (the XSD requires it: the parser reported it missing). */
const asRead = (v: string, zh: boolean) => (v === '' ? (zh ? '（空）' : '(empty)') : v);

/**
 * The warning of one Response of a DxpRep: the message it answers (its OriHead's MsgType and CopMsgId) and the codes
 * and information of the response and of each receiver's result, as read. Not interpreted: sandan has no source for
 * what the exchange's codes mean, so none is called an error or a success.
 */
function dxpResponseIssue(r: DxpResponseEntry | undefined, path: string): Issue {
  const text = (zh: boolean) => {
    if (r === undefined) return zh ? '中没有 Response' : 'holds no Response';
    const { msgType, copMsgId } = r.oriHead;
    const info = (v: string | undefined) => (v === undefined ? '' : zh ? `（${v}）` : ` (${v})`);
    const about = zh
      ? `回应 ${msgType || '报文'}${copMsgId ? `（CopMsgId ${copMsgId}）` : ''}`
      : `to ${msgType || 'a message'}${copMsgId ? ` CopMsgId ${copMsgId}` : ''}`;
    const results = r.results.map(
      (x) =>
        `${zh ? '；' : '; '}Result ${asRead(x.recId, zh)}${zh ? '：' : ': '}Code ${asRead(x.code, zh)}${info(x.info)}`,
    );
    return `${about}${zh ? '：' : ': '}ResponseCode ${asRead(r.responseCode, zh)}${info(r.responseInfo)}${results.join('')}`;
  };
  return inputIssue('status-dxp-response', path, {
    zh: `交换平台的响应报文（DxpRep）${text(true)}；status 不读取（sandan 不知道交换平台各代码的含义）；已跳过`,
    en: `the exchange's response (DxpRep) ${text(false)}; status does not read it (sandan does not know what the exchange's codes mean); skipped`,
  });
}

/**
 * What {@link status} takes from one parsed message ({@link parseCebXml}: a CEB message, or a DxpMsg carrying one):
 * the documents of a receipt (CEB312 … CEB900, reduced to what status reads) or of a sent message (CEB311 … CEB625).
 * Issues: a DxpMsg that holds no message that can be read, a receipt that names no order (skipped: it may be a
 * rejection), a returnTime or appTime that is no time, and a message status has no use for (a warning). Paths are
 * into the parsed message, e.g. `message.documents[0].returnTime` in a DxpMsg. The exchange's response to a DxpMsg
 * ({@link parseDxpRep}: an inbox holds them beside the receipts) gives nothing: a warning for each of its Responses
 * names the message answered and the codes as read (path `responses[0]`). A value no parser returns throws
 * `INVALID_OPTION` naming the part (`parsed.responses[0].oriHead must be an object`).
 */
export function statusInputsOfMessage(parsed: ParsedXml | DxpResponse): StatusInputs {
  const what = "the parsed message (parseCebXml's or parseDxpRep's result)";
  checkArgument(parsed, 'object', 'statusInputsOfMessage', what);
  const kind: unknown = parsed.kind;
  if (kind !== 'ceb' && kind !== 'dxp' && kind !== 'dxpRep')
    throw new SandanError(
      'INVALID_OPTION',
      `statusInputsOfMessage: ${what} has kind 'ceb', 'dxp' or 'dxpRep', got ${describeInput(kind)}`,
    );
  // The parts read below, as a parser returns them: another value is misuse, named where it is (not a TypeError).
  const part = (v: unknown, is: 'object' | 'list' | 'text', at: string): void => {
    checkArgument(v, is, 'statusInputsOfMessage', `parsed.${at}`);
  };
  const out: StatusInputs = { receipts: [], sent: [], issues: [] };
  if (parsed.kind === 'dxpRep') {
    part(parsed.responses, 'list', 'responses');
    parsed.responses.forEach((r, i) => {
      part(r, 'object', `responses[${i}]`);
      part(r.oriHead, 'object', `responses[${i}].oriHead`);
      part(r.results, 'list', `responses[${i}].results`);
      for (const [k, x] of r.results.entries()) part(x, 'object', `responses[${i}].results[${k}]`);
    });
    // (it names a message by its CopMsgId, not an order: status keeps no message's CopMsgId to place it by)
    if (parsed.responses.length === 0) out.issues.push(dxpResponseIssue(undefined, ''));
    parsed.responses.forEach((r, i) => void out.issues.push(dxpResponseIssue(r, `responses[${i}]`)));
    return out;
  }
  const msg = parsed.kind === 'dxp' ? parsed.message : parsed;
  const at = parsed.kind === 'dxp' ? 'message.' : '';
  if (msg !== undefined) {
    part(msg, 'object', 'message');
    part(msg.documents, 'list', `${at}documents`);
    for (const [i, d] of msg.documents.entries()) part(d, 'object', `${at}documents[${i}]`);
    part(msg.messageType, 'text', `${at}messageType`);
  }
  if (!msg) {
    // (a DxpMsg, or DxpMsgSv, without a message read may have held a receipt: never lost silently)
    part(parsed.issues, 'list', 'issues');
    const first = parsed.issues.find((i) => isRecord(i) && i.severity === 'error');
    if (first !== undefined) part(first.message, 'object', `issues[${parsed.issues.indexOf(first)}].message`);
    const wrapper = parsed.kind === 'dxp' && parsed.transfer ? 'DxpMsgSv' : 'DxpMsg';
    out.issues.push(
      inputIssue('status-message-unread', '', {
        zh: `该 ${wrapper} 中没有可读取的 CEB 报文${first ? `（${first.path}：${first.message.zh}）` : ''}；已跳过`,
        en: `the ${wrapper} holds no CEB message that can be read${first ? ` (${first.path}: ${first.message.en})` : ''}; skipped`,
      }),
    );
    return out;
  }
  const type = msg.messageType;
  if (isStatusReceiptType(type))
    msg.documents.forEach((d, i) => {
      const path = `${at}documents[${i}]`;
      // (only what status reads: the parsed document and its file's text are not kept)
      const receipt = statusReceipt(type, d);
      const unplaced = unplacedReceipt(receipt);
      if (unplaced !== undefined) {
        out.issues.push(
          inputIssue('status-receipt-unplaced', path, {
            zh: `${unplaced.zh}；已跳过`,
            en: `${unplaced.en}; skipped`,
          }),
        );
        return;
      }
      // (a receipt without a time cannot be placed: it may hide which status is the latest)
      out.issues.push(...timeIssue(d.returnTime, `${path}.returnTime`, `${type} returnTime`, 'yyyyMMddHHmmssSSS'));
      out.receipts.push(receipt);
    });
  else if (isSentType(type)) {
    msg.documents.forEach((d, i) => {
      out.issues.push(...timeIssue(d.appTime, `${at}documents[${i}].appTime`, `${type} appTime`));
    });
    // (one at a time: a spread of a message's 130,000 documents overflowed the stack)
    for (const s of sentFromMessage(type, msg.documents)) out.sent.push(s);
  }
  // (a CEB712 is a receipt too, of no document of an order's parcel)
  else {
    part(msg.name, 'object', `${at}name`);
    out.issues.push(
      inputIssue('status-message-other', '', {
        zh: `${type}（${msg.name.zh}）不是 status 读取的进口订单报文；已跳过`,
        en: `${type} (${msg.name.en}) is no message of an import order that status reads; skipped`,
      }),
    );
  }
  return out;
}
