import { Decimal } from 'decimal.js';
import { expect } from 'vitest';
import { SandanError } from '../../src/errors.js';
import { scanCebText, type ScannedDocument } from '../../src/reconcile/scan.js';
import { parseCebXml } from '../../src/xml/parse.js';

/**
 * parseCebXml's documents in the scanner's shape: Decimal and numbers as text, receipts without returnInfoParsed.
 * A DxpMsg (alone or in a DxpMsgSv) gives those of its message; undefined when it holds none the parser reads.
 */
export function parserDocuments(text: string):
  | {
      messageType: string;
      documents: Array<{ fields: Record<string, unknown>; items: Array<Record<string, unknown>> }>;
    }
  | undefined {
  const parsed = parseCebXml(text);
  const msg = parsed.kind === 'dxp' ? parsed.message : parsed;
  if (msg === undefined) return undefined;
  return {
    messageType: msg.messageType,
    documents: msg.documents.map((d) => {
      const { items, returnInfoParsed: _r, ...fields } = d as Record<string, unknown>;
      return { fields, items: (items as Array<Record<string, unknown>> | undefined) ?? [] };
    }),
  };
}

/** Compares one scanned record with the parser's: same keys; decimals equal as numbers, integers as numbers, text exactly. */
export function expectSameRecord(scanned: Record<string, string>, parsed: Record<string, unknown>): void {
  expect(Object.keys(scanned).sort()).toEqual(Object.keys(parsed).sort());
  for (const [k, v] of Object.entries(parsed)) {
    const s = scanned[k]!;
    if (Decimal.isDecimal(v)) expect(new Decimal(s.trim()).eq(v as Decimal), `${k}: ${s} vs ${String(v)}`).toBe(true);
    else if (typeof v === 'number') expect(Number(s.trim())).toBe(v);
    else expect(s).toBe(v);
  }
}

/**
 * Asserts the scanner reads exactly the parser's documents from `text`; returns them. A DxpMsg whose message the
 * parser does not read (no Data, two DxpMsg in a DxpMsgSv…) the scanner refuses: no documents.
 */
export function expectScannerAgrees(text: string): ScannedDocument[] {
  const parsed = parserDocuments(text);
  if (parsed === undefined) {
    expect(() => scanCebText(text), 'the scanner refuses a DxpMsg without a message').toThrow(SandanError);
    return [];
  }
  const scanned = scanCebText(text);
  expect(scanned.messageType).toBe(parsed.messageType);
  expect(scanned.documents).toHaveLength(parsed.documents.length);
  scanned.documents.forEach((d, i) => {
    expectSameRecord(d.fields, parsed.documents[i]!.fields);
    expect(d.items).toHaveLength(parsed.documents[i]!.items.length);
    for (const [j, it] of d.items.entries()) expectSameRecord(it, parsed.documents[i]!.items[j]!);
  });
  return scanned.documents;
}
