import {
  buildReceipt,
  CEB_NS,
  decimalText,
  documentLayout,
  formatReturnInfo as formatInfo,
  serializeXml,
  type Particle,
  type XNode,
} from '../xml/index.js';
import type { EmulatorReceiptType } from './types.js';

/*
 * The one place the engine turns a receipt document into XML: sandan's receipt builders
 * (`buildReceipt`). A document they refuse (a field the engine could not fill, e.g. the copNo of
 * a cancel for an inventory nobody declared) is still answered, written field by field over the
 * content model, so that no receipt is ever lost for want of a value.
 */

/** A receipt document: XSD field names, values as text (amounts as decimal text), lines under `items`. */
export type ReceiptDoc = Record<string, unknown>;

/** returnInfo holds at most 1000 characters in every receipt but CEB900 (5000). */
const MAX_DESC = 400;

/** `[Code:…;Desc:…]` with a description cut to fit and kept readable back by `parseReturnInfo`. */
export function returnInfo(code: string, desc: string): string {
  const clean = desc
    .replace(/\]\s*,\s*\[/g, '] , [')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_DESC)
    .trim();
  return formatInfo(code, clean === '' ? code : clean);
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

function leaves(fields: readonly Particle[], values: Record<string, unknown>): XNode[] {
  const out: XNode[] = [];
  for (const p of fields) {
    if (p.kind === undefined) continue;
    const v = values[p.name];
    if (v === undefined || v === null || (v === '' && p.min === 0)) continue;
    const text = p.kind === 'd' && !(typeof v === 'string' && /^\d+(\.\d+)?$/.test(v)) ? decimalText(v) : String(v);
    out.push({ name: `ceb:${p.name}`, text });
  }
  return out;
}

function fallback(type: EmulatorReceiptType, doc: ReceiptDoc, guid: string): string {
  const root = `${type}Message`;
  const layout = documentLayout('import', root);
  const head = leaves(layout.head.fields, doc);
  let docNode: XNode;
  if (!layout.head.name) docNode = { name: `ceb:${layout.element.name}`, children: head };
  else {
    const children: XNode[] = [{ name: `ceb:${layout.head.name}`, children: head }];
    const items = (doc.items as Array<Record<string, unknown>> | undefined) ?? [];
    if (layout.list)
      for (const item of items)
        children.push({ name: `ceb:${layout.list.particle.name}`, children: leaves(layout.list.fields, item) });
    docNode = { name: `ceb:${layout.element.name}`, children };
  }
  return serializeXml({
    name: `ceb:${root}`,
    attrs: [
      ['guid', guid],
      ['version', '1.0'],
      ['xmlns:ceb', CEB_NS],
    ],
    children: [docNode],
  });
}
