import { documentNode } from '../xml/build.js';
import { buildReceipt, CEB_NS, documentLayout, formatReturnInfo as formatInfo, serializeXml } from '../xml/index.js';
import type { EmulatorReceiptType } from './types.js';

/*
 * The one place the engine turns a receipt document into XML: sandan's receipt builders
 * (`buildReceipt`). A document they refuse (a field the engine could not fill, e.g. the copNo of
 * a cancel for an inventory nobody declared) is still answered, written field by field over the
 * content model by the builders' own per-document writer (`documentNode`), so that no receipt is
 * ever lost for want of a value.
 */

/** A receipt document: XSD field names, values as text (amounts as decimal text), lines under `items`. */
export type ReceiptDoc = Record<string, unknown>;

/** returnInfo holds at most 1000 characters in every receipt but CEB900 (5000). */
const MAX_DESC = 400;

/**
 * The Desc of a refusal for a finding: its message, then its issue code in full-width brackets, `…（positive-list）`.
 * The message is what is cut to fit returnInfo, never the code: `explainReceipt` reads the code at the end (a long
 * message, e.g. one quoting a goods name, had cut it off and the refusal read as an officer's).
 */
export function descWithCode(message: string, code: string): string {
  const suffix = `（${code}）`;
  let text = message.replace(/\s+/g, ' ').trim();
  const room = MAX_DESC - suffix.length;
  // (cut between the halves of a surrogate pair, a character would be lost to a lone half)
  if (text.length > room) text = text.slice(0, room).replace(/[\uD800-\uDBFF]$/, '');
  return `${text}${suffix}`;
}

/**
 * `[Code:…;Desc:…]` with a description cut to fit and kept readable back by `parseReturnInfo`.
 * The description may quote a sender's value (`币制 "],["`), so the two things that would end
 * its group early are written as full-width brackets and commas: a `]` that closes no `[`, and `],[`.
 */
export function returnInfo(code: string, desc: string): string {
  const clean = desc.replace(/\s+/g, ' ').trim().slice(0, MAX_DESC).trim();
  return formatInfo(code, clean === '' ? code : readable(clean));
}

function readable(text: string): string {
  let depth = 0;
  let out = '';
  for (const c of text) {
    if (c === '[') depth++;
    else if (c === ']' && depth-- === 0) {
      depth = 0;
      out += '］';
      continue;
    }
    out += c;
  }
  return out.replace(/\]\s*,\s*\[/g, ']，[');
}

/** One receipt message (one document) as XML; `guid` is the message's root guid. */
export function renderReceipt(
  type: EmulatorReceiptType,
  doc: ReceiptDoc,
  guid: string,
  env: { now(): Date; newId(): string },
): string {
  const r = buildReceipt(type, doc as never, { ...env, guid });
  return r.ok ? r.xml : fallback(type, doc, guid);
}

function fallback(type: EmulatorReceiptType, doc: ReceiptDoc, guid: string): string {
  const root = `${type}Message`;
  return serializeXml({
    name: `ceb:${root}`,
    attrs: [
      ['guid', guid],
      ['version', '1.0'],
      ['xmlns:ceb', CEB_NS],
    ],
    children: [documentNode(documentLayout('import', root), doc, { keepEmptyRequired: true })],
  });
}
