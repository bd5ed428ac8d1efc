import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedDescriptorFiles } from '../scripts/gen-descriptors.js';
import { FIELD_NAMES_ZH } from '../src/model/field-names.js';
import { CEB_EXPORT_ELEMENTS, CEB_IMPORT_ELEMENTS, type CebChild } from '../src/model/generated/ceb-elements.js';
import { convertInventory } from '../src/model/generated/converters.js';
import { CEB_OVERLAY } from '../src/model/overlay.js';
import { documentLayout } from '../src/xml/content-model.js';
import { BUILDABLE, MESSAGE_NAMES } from '../src/xml/messages.js';

const read = (p: string) => readFileSync(new URL(`../${p}`, import.meta.url), 'utf8');
const TABLES = { import: CEB_IMPORT_ELEMENTS, export: CEB_EXPORT_ELEMENTS };

/** The leaves of every model document, with the element (`schema:Key`) they belong to. */
function modelLeaves(): Array<{ where: string; child: CebChild }> {
  return Object.values(BUILDABLE).flatMap((info) => {
    const layout = documentLayout(info.schema, info.root);
    const head = layout.head.name ?? layout.element.def!;
    const keys = [layout.head.name ? documentKey(info.schema, layout.element.def!, head) : head];
    if (layout.list) keys.push(layout.list.particle.def!);
    return keys.flatMap((key) =>
      TABLES[info.schema]
        [key]!.children.filter((c) => c.type)
        .map((child) => ({ where: `${info.schema}:${key}`, child })),
    );
  });
}
const documentKey = (schema: 'import' | 'export', wrapper: string, head: string) =>
  TABLES[schema][wrapper]!.children.find((c) => c.name === head)!.ref!;

describe('CEB element descriptors (src/model/generated)', () => {
  it('regenerating them (and the DxpMsg and ds:Signature tree models, and the message table) from the XSDs and src/model/overlay.ts changes nothing (else run `npm run gen`)', () => {
    const files = generatedDescriptorFiles();
    expect(Object.keys(files)).toHaveLength(7);
    for (const [path, text] of Object.entries(files)) expect(read(path), path).toBe(text);
  }, 30_000);

  it('carry the XSD facets of a leaf: OrderHead.goodsValue is N19,5, orderNo C..60, guid C36', () => {
    const head = CEB_IMPORT_ELEMENTS.OrderHead!.children;
    const byName = (n: string) => head.find((c) => c.name === n)!;
    expect(byName('goodsValue').type).toEqual({ base: 'decimal', fractionDigits: 5, totalDigits: 19 });
    expect(byName('orderNo').type).toEqual({ base: 'string', maxLength: 60, minLength: 1 });
    expect(byName('guid').type).toEqual({ base: 'string', length: 36 });
    expect(byName('orderType')).toMatchObject({ zh: '订单类型', model: { literal: 'I' } });
    expect(CEB_EXPORT_ELEMENTS.OrderHead!.children.find((c) => c.name === 'orderType')!.model).toEqual({
      enum: ['E', 'B', 'W'],
    });
  });

  it('the buildable messages are the overlay documents, signed where the XSD makes ds:Signature mandatory', () => {
    expect(
      Object.values(BUILDABLE)
        .map((b) => b.root)
        .sort(),
    ).toEqual(CEB_OVERLAY.documents.map((d) => d.root).sort());
    // ds:Signature has minOccurs 1 in these four roots of the import XSD, 0 in every other (as sandan listed them by hand).
    const signed = Object.entries(BUILDABLE).filter(([, b]) => b.signatureRequired);
    expect(signed.map(([type]) => type)).toEqual(['CEB621', 'CEB623', 'CEB625', 'CEB711']);
  });

  it('MESSAGE_NAMES names every message root of the two XSDs, with the XSD that defines it', () => {
    const roots = (file: string) =>
      [...read(`test/fixtures/ceb-spec/xsd-202205/${file}`).matchAll(/<xs:element name="(CEB\d+Message)"/g)].map(
        (m) => m[1]!,
      );
    const bySchema = (schema: string) =>
      Object.entries(MESSAGE_NAMES)
        .filter(([, n]) => n.schema === schema)
        .map(([root]) => root)
        .sort();
    expect(bySchema('import')).toEqual(roots('ceb-import.xsd').sort());
    expect(bySchema('export')).toEqual(roots('ceb-export.xsd').sort());
    expect(Object.values(MESSAGE_NAMES).filter((n) => !n.zh || !n.en)).toEqual([]);
  });

  it('every leaf of a model document has a Chinese name', () => {
    const missing = modelLeaves().filter(({ child }) => !child.zh || FIELD_NAMES_ZH[child.name] !== child.zh);
    expect(missing.map(({ where, child }) => `${where}.${child.name}`)).toEqual([]);
  });

  it('every overlay rule is used by some field of a model document (no dead rules)', () => {
    const leaves = modelLeaves();
    const unused = Object.entries(CEB_OVERLAY.rules).filter(([key, rule]) => {
      const [, schema, element, field] = /^(?:(import|export):)?([\w*]+)\.(\w+)$/.exec(key) ?? [];
      return !leaves.some(
        ({ where, child }) =>
          child.name === field &&
          (schema === undefined || where.startsWith(`${schema}:`)) &&
          (element === '*' || where.endsWith(`:${element}`)) &&
          JSON.stringify(child.model) === JSON.stringify(rule),
      );
    });
    expect(unused.map(([k]) => k)).toEqual([]);
  });

  it('the generated converters turn wire amounts and integers into Decimal and number, lines included', () => {
    const inv = convertInventory({ freight: '1.50', packNo: '2', items: [{ qty: 3, gnum: '1', gname: 'x' }] });
    expect(String(inv.freight)).toBe('1.5');
    expect(inv.packNo).toBe(2);
    const line = (inv.items as Array<Record<string, unknown>>)[0]!;
    expect([String(line.qty), line.gnum, line.gname]).toEqual(['3', 1, 'x']);
  });
});
