import { describe, expect, it } from 'vitest';
import type { Issue } from '../../../src/model/issue.js';
import { parseDeclaration } from '../../../src/model/parse.js';
import { guidConventionIssue } from '../../../src/model/primitives.js';
import { fieldSchema } from '../../../src/rules/fields/schema.js';
import type { Json } from '../../helpers/examples.js';
import { example } from '../../helpers/examples.js';
import { projectFile, ruleTester } from '../rule-tester.js';

/** The parser's own text for the issue at `path` (the rule shows it as it is). */
function parsed(mutate: (d: Json) => void, path: string) {
  const d = example('hangzhou-1210');
  mutate(d);
  const hit = parseDeclaration(d).issues.find((i) => i.path === path);
  if (!hit) throw new Error(`no parse issue at ${path}`);
  return { text: hit.message };
}

const GUID = 'a1b2c3d4-0000-4000-8000-00000000000a';

ruleTester(fieldSchema, {
  valid: [
    { name: 'the example declaration' },
    { name: 'an upper-case UUID guid', set: { 'order.guid': GUID.toUpperCase() } },
    // Optional (minOccurs 0): '' is absent, as the empty element is in XML; its fixed length 1 is not asked of it.
    {
      name: 'an empty packing type, note and line note',
      set: { 'inventory.wrapType': '', 'order.note': '', 'inventory.items[1].note': '' },
    },
  ],
  invalid: [
    {
      name: 'payment.payCode missing',
      set: { 'payment.payCode': null },
      errors: [
        {
          code: 'field-required',
          path: 'payment.payCode',
          data: parsed((d) => delete d.payment.payCode, 'payment.payCode'),
        },
      ],
    },
    {
      name: 'a number where text belongs',
      set: { 'order.orderNo': 12345 },
      errors: [
        { code: 'field-type', path: 'order.orderNo', data: parsed((d) => (d.order.orderNo = 12345), 'order.orderNo') },
      ],
    },
    {
      name: 'a name of 251 characters',
      set: { 'inventory.items[0].gname': '奶'.repeat(251) },
      errors: [
        {
          code: 'field-too-long',
          path: 'inventory.items[0].gname',
          expected: '≤ 250 characters',
          actual: '251 characters',
          data: parsed((d) => (d.inventory.items[0].gname = '奶'.repeat(251)), 'inventory.items[0].gname'),
        },
      ],
    },
    {
      name: 'an empty order number',
      set: { 'order.orderNo': '' },
      errors: [
        { code: 'field-empty', path: 'order.orderNo', data: parsed((d) => (d.order.orderNo = ''), 'order.orderNo') },
      ],
    },
    {
      name: 'a packing type of two characters',
      set: { 'inventory.wrapType': '22' },
      errors: [
        {
          code: 'field-too-long',
          path: 'inventory.wrapType',
          data: parsed((d) => (d.inventory.wrapType = '22'), 'inventory.wrapType'),
        },
      ],
    },
    {
      name: 'six decimals',
      set: { 'order.goodsValue': '1.234567' },
      errors: [
        {
          code: 'field-format',
          path: 'order.goodsValue',
          data: parsed((d) => (d.order.goodsValue = '1.234567'), 'order.goodsValue'),
        },
      ],
    },
    {
      name: 'a currency other than 142',
      set: { 'order.currency': '502' },
      errors: [
        {
          code: 'field-value',
          path: 'order.currency',
          data: parsed((d) => (d.order.currency = '502'), 'order.currency'),
        },
      ],
    },
    {
      name: 'an order without lines',
      set: { 'order.items': [] },
      errors: [
        { code: 'field-too-few', path: 'order.items', data: parsed((d) => (d.order.items = []), 'order.items') },
      ],
    },
    {
      name: '100 order lines (at most 99)',
      mutate: (d) => (d.order.items = Array.from({ length: 100 }, () => d.order.items[0])),
      errors: [
        {
          code: 'field-too-many',
          path: 'order.items',
          data: parsed((d) => (d.order.items = Array.from({ length: 100 }, () => d.order.items[0])), 'order.items'),
        },
      ],
    },
    {
      name: 'a guid of another length: the schema’s finding, not the convention’s',
      set: { 'order.guid': 'abc' },
      errors: [{ code: 'field-length', path: 'order.guid', data: parsed((d) => (d.order.guid = 'abc'), 'order.guid') }],
    },
    {
      name: 'a lower-case guid: a warning of convention',
      set: { 'order.guid': GUID, 'inventory.guid': GUID },
      errors: [
        {
          code: 'guid-convention',
          path: 'order.guid',
          severity: 'warning',
          expected: 'an upper-case UUID',
          actual: JSON.stringify(GUID),
          data: { text: guidConventionIssue(GUID, 'order.guid', 'fields/schema')!.message },
        },
        {
          code: 'guid-convention',
          path: 'inventory.guid',
          severity: 'warning',
          data: { text: guidConventionIssue(GUID, 'inventory.guid', 'fields/schema')!.message },
        },
      ],
    },
    {
      // validate called these valid, and build refused them: a valid declaration must build.
      name: 'a control character and a lone surrogate, which no XML can carry',
      set: { 'order.note': 'a\u0001b', 'inventory.items[1].gmodel': '50ml\uD800' },
      errors: [
        {
          code: 'xml-invalid-char',
          path: 'order.note',
          data: {
            text: {
              zh: 'order.note 含有 XML 不允许的字符 U+0001',
              en: 'order.note: character U+0001 is not allowed in XML',
            },
          },
        },
        {
          code: 'xml-invalid-char',
          path: 'inventory.items[1].gmodel',
          data: {
            text: {
              zh: 'inventory.items[1].gmodel 含有孤立的代理项 U+D800（不是有效的 Unicode 文本），XML 无法写入',
              en: 'inventory.items[1].gmodel: a lone surrogate U+D800 is not a character (the text is not proper Unicode)',
            },
          },
        },
      ],
    },
    {
      // No declaration input makes zod report anything else; the parser maps the rest to field-invalid.
      name: 'a parse issue of a code the rule does not know reads as field-invalid',
      context: (ctx) => ({
        ...ctx,
        parseIssues: [
          issue('field-invalid', 'order.note', 'warning'),
          issue('field-someday', 'order.freight', 'error'),
          { ...issue('unknown-field', 'order.x', 'warning'), ruleId: 'fields/unknown' },
        ],
      }),
      errors: [
        {
          code: 'field-invalid',
          path: 'order.note',
          severity: 'warning',
          data: { text: { zh: 'field-invalid', en: 'field-invalid' } },
        },
        { code: 'field-invalid', path: 'order.freight', data: { text: { zh: 'field-someday', en: 'field-someday' } } },
      ],
    },
  ],
});

function issue(code: string, path: string, severity: Issue['severity']): Issue {
  return { code, path, severity, ruleId: 'fields/schema', message: { zh: code, en: code } };
}

describe('fields/schema and the parser', () => {
  it('has a message for every field code the parser reports', () => {
    const source = projectFile('src/model/parse.ts') + projectFile('src/xml/extensions.ts');
    const codes = new Set([...source.matchAll(/code: '(field-[a-z-]+)'/g)].map((m) => m[1] as string));
    codes.delete('field-misspelled'); // fields/unknown's
    expect([...codes].filter((c) => !(c in fieldSchema.messages))).toEqual([]);
  });
});
