// The inventory cancel (CEB623) and the return (CEB625) made from a declaration: the fields the specification has
// them repeat from the inventory, XSD-valid once signed (libxml2 through xmllint-wasm and the xmllint command line),
// signed by both signers, and read back by parseCebXml as they were written.
import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSandanError } from '../../src/errors.js';
import { createLocalSigner, signMessage, verifyMessage } from '../../src/sign/index.js';
import {
  buildMessage,
  CANCEL_ISSUE_CODES,
  invtCancelOf,
  invtRefundOf,
  parseCebXml,
  RETURN_ISSUE_CODES,
  tryInvtCancelOf,
  tryInvtRefundOf,
} from '../../src/xml/index.js';
import { skipWithout } from '../helpers/tools.js';
import { makeKeys, type TestKeys } from '../sign/helpers.js';
import { exampleDeclaration, fixedEnv, SENDER, validateAgainstXsd, withPlaceholderSignature } from './helpers.js';

let keys: TestKeys;
beforeAll(() => {
  // The tests signing with the keys are skipped without OpenSSL: then so is making them.
  if (skipWithout('openssl')) return;
  keys = makeKeys();
}, 60_000);
afterAll(() => keys?.cleanup());

const INVT_NO = '29242026I000000001';

/** The head the specification's InvtCancel and InvtRefundHead repeat from the example's inventory, written out. */
const HEAD = {
  customsCode: '2924',
  orderNo: 'SD202611200001',
  ebpCode: '3301964J31',
  ebpName: '杭州示例跨境电商平台有限公司',
  ebcCode: '3301964J31',
  ebcName: '杭州示例跨境电商平台有限公司',
  logisticsNo: 'ZT7700012345678',
  logisticsCode: '3301980ZT1',
  logisticsName: '示例速运有限公司',
  invtNo: INVT_NO,
  buyerIdType: '1',
  buyerIdNumber: '330106199003071519',
  buyerName: '张三',
  buyerTelephone: '13800000000',
  agentCode: '3301980BRK',
  agentName: '示例报关有限公司',
};

function signer(kind: 'rsa' | 'sm2') {
  return createLocalSigner({
    key: readFileSync(keys.path(`${kind}.key`)),
    certificate: readFileSync(keys.path(`${kind}.crt`)),
  });
}

async function builtAndSigned(type: 'CEB623' | 'CEB625', doc: never, kind: 'rsa' | 'sm2') {
  const built = buildMessage(type, doc, { ...fixedEnv(), sender: SENDER });
  expect(built.issues).toEqual([]);
  if (!built.ok) throw new Error('not built');
  return (await signMessage(built.xml, signer(kind))).xml;
}

describe('invtCancelOf: a CEB623 from a declaration', () => {
  it('repeats the inventory head, adds what the caller gives, and leaves out the inventory’s own numbers', () => {
    const d = exampleDeclaration('hangzhou-1210');
    const doc = invtCancelOf(d, {
      reason: '买家取消订单',
      invtNo: INVT_NO,
      copNo: 'CANCEL0001',
      appTime: '20261120103000',
    });
    // Not the inventory's copNo (INV202611200001), guid or appTime: a cancel is an application of its own.
    expect(doc).toEqual({ ...HEAD, copNo: 'CANCEL0001', appTime: '20261120103000', reason: '买家取消订单' });
    // From the inventory alone, and from one that already carries its invtNo.
    expect(invtCancelOf(d.inventory, { reason: 'x', invtNo: INVT_NO })).toEqual({ ...HEAD, reason: 'x' });
    expect(invtCancelOf({ ...d.inventory!, invtNo: INVT_NO }, { reason: 'x' })).toEqual({ ...HEAD, reason: 'x' });
  });

  for (const kind of ['rsa', 'sm2'] as const)
    it.skipIf(skipWithout('openssl'))(
      `builds, signs (${kind}), validates against the official import XSD and parses back`,
      async () => {
        const doc = invtCancelOf(exampleDeclaration('hangzhou-1210'), {
          reason: '买家取消订单',
          invtNo: INVT_NO,
          copNo: 'CANCEL0001',
        });
        const xml = await builtAndSigned('CEB623', doc as never, kind);
        const xsd = await validateAgainstXsd(xml, 'ceb-import.xsd');
        expect(xsd.errors).toEqual([]);
        expect(xsd.valid).toBe(true);
        expect(verifyMessage(xml).valid).toBe(true);
        const parsed = parseCebXml(xml);
        expect(parsed.kind === 'ceb' && parsed.messageType).toBe('CEB623');
        expect(parsed.issues).toEqual([]);
        const [back] = parsed.kind === 'ceb' ? parsed.documents : [];
        expect(back).toMatchObject({
          ...HEAD,
          copNo: 'CANCEL0001',
          reason: '买家取消订单',
          appType: '1',
          appStatus: '2',
        });
        expect((back as { appTime: string }).appTime).toBe('20261120101500'); // fixedEnv's 02:15 UTC in Beijing time
      },
    );

  it('misuse throws INVALID_OPTION: no reason, no invtNo, a declaration without an inventory', () => {
    const d = exampleDeclaration('hangzhou-1210');
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isSandanError(e) ? `${e.code}: ${e.message}` : String(e);
      }
      return 'no error';
    };
    expect(code(() => invtCancelOf(d, { reason: ' ', invtNo: INVT_NO }))).toMatch(/^INVALID_OPTION: .*reason/);
    expect(code(() => invtCancelOf(d, { reason: '取消' }))).toMatch(/^INVALID_OPTION: .*invtNo is needed.*CEB622/);
    expect(code(() => invtCancelOf({ ...d, inventory: undefined }, { reason: '取消', invtNo: INVT_NO }))).toMatch(
      /^INVALID_OPTION: .*no inventory/,
    );
    expect(code(() => invtCancelOf(null, { reason: '取消', invtNo: INVT_NO }))).toMatch(/^INVALID_OPTION/);
  });

  it('tryInvtCancelOf answers an empty or white-space reason with cancel-no-reason at `reason`; invtCancelOf throws it', () => {
    const d = exampleDeclaration('hangzhou-1210');
    for (const reason of ['', ' ', '\t\u3000\n'])
      expect(
        tryInvtCancelOf(d, { reason, invtNo: INVT_NO }).issues.map((i) => [i.code, i.severity, i.path, i.ruleId]),
      ).toEqual([['cancel-no-reason', 'error', 'reason', 'xml/build']]);
    expect(tryInvtCancelOf(d, { reason: ' ', invtNo: INVT_NO })).toEqual({
      ok: false,
      issues: [
        {
          code: 'cancel-no-reason',
          severity: 'error',
          path: 'reason',
          ruleId: 'xml/build',
          message: {
            zh: '撤单原因（reason）为空，实为 " "；请填写买家撤单的原因',
            en: 'reason (撤单原因) is empty, got " "; give the buyer\'s reason for the cancel',
          },
        },
      ],
    });
    // With a reason: the document invtCancelOf makes, and no issue.
    const fill = { reason: '买家取消订单', invtNo: INVT_NO, copNo: 'CANCEL0001' };
    expect(tryInvtCancelOf(d, fill)).toEqual({ ok: true, data: invtCancelOf(d, fill), issues: [] });
    expect(tryInvtCancelOf(d, fill).data).toEqual({ ...HEAD, copNo: 'CANCEL0001', reason: '买家取消订单' });
    let thrown: unknown;
    try {
      invtCancelOf(d, { reason: '  ', invtNo: INVT_NO });
    } catch (e) {
      thrown = e;
    }
    expect(isSandanError(thrown) && [thrown.code, thrown.message, thrown.details]).toEqual([
      'INVALID_OPTION',
      'invtCancelOf: reason (撤单原因) is empty, got "  "; give the buyer\'s reason for the cancel',
      { field: 'reason' },
    ]);
  });

  it('tryInvtCancelOf throws INVALID_OPTION for misuse: a reason that is no text, no invtNo, no inventory', () => {
    const d = exampleDeclaration('hangzhou-1210');
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isSandanError(e) ? `${e.code}: ${e.message}` : String(e);
      }
      return 'no error';
    };
    expect(code(() => tryInvtCancelOf(d, { reason: undefined as never, invtNo: INVT_NO }))).toMatch(
      /^INVALID_OPTION: tryInvtCancelOf: reason \(撤单原因 \/ 退货原因\) must be text, got undefined/,
    );
    expect(code(() => tryInvtCancelOf(d, { reason: '' }))).toMatch(/^INVALID_OPTION: .*invtNo is needed.*CEB622/);
    expect(code(() => tryInvtCancelOf({ ...d, inventory: undefined }, { reason: '取消', invtNo: INVT_NO }))).toMatch(
      /^INVALID_OPTION: .*no inventory/,
    );
    expect(code(() => tryInvtCancelOf(d, null as never))).toMatch(/^INVALID_OPTION: tryInvtCancelOf: .*fill/);
  });

  it('docs/xml.md lists every code of CANCEL_ISSUE_CODES, and no other', () => {
    const doc = readFileSync('docs/xml.md', 'utf8');
    const at = doc.indexOf('#### Cancel issue codes');
    const section = doc.slice(at, doc.indexOf('#### ', at + 1));
    const rows = [...section.matchAll(/^\| `(-?[a-z0-9-]+)` +\|/gm)].map((m) => m[1]);
    expect(rows).toEqual(Object.keys(CANCEL_ISSUE_CODES));
  });

  it('a field the inventory lacks is left out and reported by the build, not invented', () => {
    const d = exampleDeclaration('hangzhou-1210');
    const { buyerTelephone: _, ...inventory } = d.inventory!;
    const r = buildMessage('CEB623', invtCancelOf(inventory, { reason: '取消', invtNo: INVT_NO }), {
      ...fixedEnv(),
      sender: SENDER,
    });
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.path)).toEqual(['invtCancel.buyerTelephone']);
  });
});

describe('invtRefundOf: a CEB625 from a declaration', () => {
  it('a partial return: the line’s gnum, gcode, gname and unit from the inventory, the quantity given', () => {
    const doc = invtRefundOf(exampleDeclaration('hangzhou-1210'), {
      reason: '质量问题',
      invtNo: INVT_NO,
      copNo: 'RETURN0001',
      items: [{ gnum: 1, qty: '1' }],
    });
    expect(doc).toEqual({
      ...HEAD,
      copNo: 'RETURN0001',
      reason: '质量问题',
      items: [{ gnum: 1, gcode: '1901101000', gname: '婴儿配方奶粉 800g', qty: new Decimal(1), unit: '122' }],
    });
  });

  it('without items, every line whole', () => {
    const doc = invtRefundOf(exampleDeclaration('hangzhou-1210'), { reason: '七天无理由', invtNo: INVT_NO });
    expect(doc.items.map((l) => [l.gnum, l.gcode, l.gname, l.qty.toFixed(), l.unit])).toEqual([
      [1, '1901101000', '婴儿配方奶粉 800g', '2', '122'],
      [2, '3304990039', '保湿面霜 50ml', '1', '142'],
    ]);
  });

  for (const kind of ['rsa', 'sm2'] as const)
    it.skipIf(skipWithout('openssl'))(
      `builds, signs (${kind}), validates against the official import XSD and parses back`,
      async () => {
        const doc = invtRefundOf(exampleDeclaration('hangzhou-1210'), {
          reason: '质量问题',
          invtNo: INVT_NO,
          copNo: 'RETURN0001',
          items: [{ gnum: 2, qty: 1, note: '破损' }],
        });
        const xml = await builtAndSigned('CEB625', doc as never, kind);
        const xsd = await validateAgainstXsd(xml, 'ceb-import.xsd');
        expect(xsd.errors).toEqual([]);
        expect(xsd.valid).toBe(true);
        expect(verifyMessage(xml).valid).toBe(true);
        expect(xml.replace(/>\s+</g, '><')).toContain(
          '<ceb:InvtRefundList><ceb:gnum>2</ceb:gnum><ceb:gcode>3304990039</ceb:gcode><ceb:gname>保湿面霜 50ml</ceb:gname><ceb:qty>1</ceb:qty><ceb:unit>142</ceb:unit><ceb:note>破损</ceb:note></ceb:InvtRefundList>',
        );
        const parsed = parseCebXml(xml);
        expect(parsed.issues).toEqual([]);
        const [back] = parsed.kind === 'ceb' ? parsed.documents : [];
        expect(back).toMatchObject({ ...HEAD, copNo: 'RETURN0001', reason: '质量问题' });
        const items = (back as { items: Array<Record<string, unknown>> }).items;
        expect(items.map((l) => [l.gnum, l.gcode, l.gname, String(l.qty), l.unit, l.note])).toEqual([
          [2, '3304990039', '保湿面霜 50ml', '1', '142', '破损'],
        ]);
      },
    );

  it('refuses a line the inventory has not, a line twice, a quantity of 0 or above the declared', () => {
    const d = exampleDeclaration('hangzhou-1210');
    const refused = (items: Array<{ gnum: number; qty: string }>) => {
      try {
        invtRefundOf(d, { reason: '质量问题', invtNo: INVT_NO, items });
        return 'no error';
      } catch (e) {
        return isSandanError(e) ? `${e.code}: ${e.message}` : String(e);
      }
    };
    expect(refused([{ gnum: 3, qty: '1' }])).toMatch(
      /^INVALID_OPTION: .*gnum 3 is no line of the inventory \(its gnums: 1, 2\)/,
    );
    expect(
      refused([
        { gnum: 1, qty: '1' },
        { gnum: 1, qty: '1' },
      ]),
    ).toMatch(/gnum 1 is returned twice/);
    expect(refused([{ gnum: 1, qty: '0' }])).toMatch(/above 0 and at most the 2/);
    expect(refused([{ gnum: 1, qty: '2.5' }])).toMatch(/above 0 and at most the 2 the inventory declared of line 1/);
    expect(refused([])).toMatch(/at least one line/);
  });
});

describe('tryInvtRefundOf: the lines a buyer asks to return are data, answered with issues', () => {
  const d = exampleDeclaration('hangzhou-1210');
  const tried = (items: Array<{ gnum: unknown; qty: unknown }>) =>
    tryInvtRefundOf(d, { reason: '质量问题', invtNo: INVT_NO, items: items as never });
  const found = (items: Array<{ gnum: unknown; qty: unknown }>) => {
    const r = tried(items);
    expect(r.ok).toBe(false);
    expect(r.data).toBeUndefined();
    return r.issues.map((i) => [i.code, i.severity, i.path, i.ruleId, i.message.zh, i.message.en]);
  };

  it('a request it can return: the same document invtRefundOf makes, and no issue', () => {
    const fill = { reason: '质量问题', invtNo: INVT_NO, items: [{ gnum: 2, qty: '1' }] };
    expect(tryInvtRefundOf(d, fill)).toEqual({ ok: true, data: invtRefundOf(d, fill), issues: [] });
    expect(tryInvtRefundOf(d, { reason: '七天无理由', invtNo: INVT_NO }).ok).toBe(true);
  });

  it('each line that cannot be returned is an issue with its code, path, and message in zh and en', () => {
    // Line 1 declares 2 cans, line 2 one jar.
    expect(found([{ gnum: 3, qty: '1' }])).toEqual([
      [
        '-625209',
        'error',
        'items[0].gnum',
        'xml/build',
        '商品序号 3 不是原清单的表体（其商品序号：1, 2）',
        'items[0].gnum 3 is no line of the inventory (its gnums: 1, 2)',
      ],
    ]);
    expect(
      found([
        { gnum: 1, qty: '1' },
        { gnum: 1, qty: '1' },
      ]),
    ).toEqual([
      [
        'return-line-twice',
        'error',
        'items[1].gnum',
        'xml/build',
        '商品序号 1 退货两次；每行只给一次，数量为该行退货的总数',
        'items[1].gnum 1 is returned twice; give each line once, with the whole quantity',
      ],
    ]);
    expect(
      found([
        { gnum: 2, qty: '1' },
        { gnum: 1, qty: '2.5' },
      ]),
    ).toEqual([
      [
        'return-qty-over',
        'error',
        'items[1].qty',
        'xml/build',
        '退货数量须大于 0 且不超过原清单第 1 项申报的 2，实为 "2.5"',
        'items[1].qty must be above 0 and at most the 2 the inventory declared of line 1, got "2.5"',
      ],
    ]);
    for (const qty of ['0', -1, 'abc', '0.000001'])
      expect(found([{ gnum: 2, qty }]).map(([code, , path]) => [code, path])).toEqual([
        ['return-qty-not-positive', 'items[0].qty'],
      ]);
    expect(found([])).toEqual([
      [
        'return-no-lines',
        'error',
        'items',
        'xml/build',
        '退货申请单至少需要一行表体',
        'a return needs at least one line',
      ],
    ]);
  });

  it('every line is looked at: all the issues of a request at once, in the order of its lines', () => {
    const r = tried([
      { gnum: 9, qty: '1' },
      { gnum: 1, qty: '3' },
      { gnum: 1, qty: '1' },
      { gnum: 2, qty: '0' },
    ]);
    expect(r.issues.map((i) => [i.code, i.path])).toEqual([
      ['-625209', 'items[0].gnum'],
      ['return-qty-over', 'items[1].qty'],
      ['return-line-twice', 'items[2].gnum'],
      ['return-qty-not-positive', 'items[3].qty'],
    ]);
  });

  it('the E-Port code carries the receipt catalogue’s word on it; sandan’s own codes none', () => {
    const [unknown] = tried([{ gnum: 3, qty: '1' }]).issues;
    expect(unknown?.help).toMatchObject({ code: '-625209', receipt: { zh: '退货表体在原清单中不存在' } });
    expect(tried([{ gnum: 1, qty: '3' }]).issues[0]?.help).toBeUndefined();
  });

  it('an empty or white-space reason is the buyer’s request too: return-no-reason at `reason`, with the lines’ issues', () => {
    const fill = { invtNo: INVT_NO, items: [{ gnum: 2, qty: '1' }] };
    for (const reason of ['', ' ', '\t\u3000\n'])
      expect(tryInvtRefundOf(d, { ...fill, reason }).issues.map((i) => [i.code, i.severity, i.path, i.ruleId])).toEqual(
        [['return-no-reason', 'error', 'reason', 'xml/build']],
      );
    expect(tryInvtRefundOf(d, { ...fill, reason: ' ' })).toEqual({
      ok: false,
      issues: [
        {
          code: 'return-no-reason',
          severity: 'error',
          path: 'reason',
          ruleId: 'xml/build',
          message: {
            zh: '退货原因（reason）为空，实为 " "；请填写买家退货的原因',
            en: 'reason (退货原因) is empty, got " "; give the buyer\'s reason for the return',
          },
        },
      ],
    });
    // every issue at once: the reason first, then the lines (or the want of them)
    expect(
      tryInvtRefundOf(d, { invtNo: INVT_NO, reason: '', items: [{ gnum: 9, qty: '1' }] }).issues.map((i) => i.code),
    ).toEqual(['return-no-reason', '-625209']);
    expect(tryInvtRefundOf(d, { invtNo: INVT_NO, reason: '', items: [] }).issues.map((i) => i.code)).toEqual([
      'return-no-reason',
      'return-no-lines',
    ]);
    // invtRefundOf throws it, its path as details.field, as invtCancelOf throws tryInvtCancelOf's
    let thrown: unknown;
    try {
      invtRefundOf(d, { ...fill, reason: '  ' });
    } catch (e) {
      thrown = e;
    }
    expect(isSandanError(thrown) && [thrown.code, thrown.message, thrown.details]).toEqual([
      'INVALID_OPTION',
      'invtRefundOf: reason (退货原因) is empty, got "  "; give the buyer\'s reason for the return',
      { field: 'reason' },
    ]);
    expect(() => invtCancelOf(d, { reason: ' ', invtNo: INVT_NO })).toThrow(
      /^invtCancelOf: reason \(撤单原因\) is empty/,
    );
  });

  it('misuse still throws INVALID_OPTION: no inventory, a reason that is no text, items not a list, a line not an object', () => {
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isSandanError(e) ? `${e.code}: ${e.message}` : String(e);
      }
      return 'no error';
    };
    const fill = { reason: '质量问题', invtNo: INVT_NO };
    expect(thrown(() => tryInvtRefundOf({ ...d, inventory: undefined }, fill))).toMatch(
      /^INVALID_OPTION: .*no inventory/,
    );
    // (a reason that is no text is the caller's code; an empty one is the buyer's, return-no-reason)
    expect(thrown(() => tryInvtRefundOf(d, { ...fill, reason: undefined as never }))).toMatch(
      /^INVALID_OPTION: tryInvtRefundOf: reason \(撤单原因 \/ 退货原因\) must be text, got undefined/,
    );
    expect(thrown(() => tryInvtRefundOf(d, { ...fill, reason: 7 as never }))).toMatch(/^INVALID_OPTION: .*reason/);
    expect(thrown(() => tryInvtRefundOf(d, { ...fill, items: 'all' as never }))).toMatch(/^INVALID_OPTION: .*items/);
    expect(thrown(() => tryInvtRefundOf(d, { ...fill, items: [null as never] }))).toMatch(
      /^INVALID_OPTION: tryInvtRefundOf: items\[0\] must be \{ gnum, qty \}/,
    );
  });

  it('invtRefundOf throws the first of tryInvtRefundOf’s issues as INVALID_OPTION, its path as details.field', () => {
    const fill = {
      reason: '质量问题',
      invtNo: INVT_NO,
      items: [
        { gnum: 2, qty: 1 },
        { gnum: 1, qty: 5 },
        { gnum: 7, qty: 1 },
      ],
    };
    const [first] = tryInvtRefundOf(d, fill).issues;
    expect([first?.code, first?.path]).toEqual(['return-qty-over', 'items[1].qty']);
    try {
      invtRefundOf(d, fill);
      expect.unreachable();
    } catch (e) {
      // The message it threw before the issues existed, word for word.
      expect(isSandanError(e) && [e.code, e.message, e.details]).toEqual([
        'INVALID_OPTION',
        `invtRefundOf: ${first?.message.en}`,
        { field: first?.path },
      ]);
      expect((e as Error).message).toBe(
        'invtRefundOf: items[1].qty must be above 0 and at most the 2 the inventory declared of line 1, got 5',
      );
    }
  });

  it('docs/xml.md lists every code of RETURN_ISSUE_CODES, and no other', () => {
    const doc = readFileSync('docs/xml.md', 'utf8');
    const section = doc.slice(
      doc.indexOf('#### Return issue codes'),
      doc.indexOf('```ts', doc.indexOf('#### Return issue codes')),
    );
    const rows = [...section.matchAll(/^\| `(-?[a-z0-9-]+)` +\|/gm)].map((m) => m[1]);
    expect(rows).toEqual(Object.keys(RETURN_ISSUE_CODES));
  });
});

describe('tryInvtRefundOf: a property', () => {
  // Line 1 declares 2 (unit 122), line 2 declares 1 (unit 142); gnums 0 and 3 are no line of it.
  const qty = fc.oneof(
    fc.constantFrom('0', '-1', '1', '2', '0.5', '1.00000', '2.00001', '3'),
    // Up to 6 decimal places: the XSD's N19,5 takes 5.
    fc.integer({ min: 0, max: 2_000_000 }).map((n) => new Decimal(n).div(1_000_000).toFixed()),
  );
  const line = fc.record({ gnum: fc.integer({ min: 0, max: 3 }), qty });

  it('any request it accepts builds a CEB625 the official XSD accepts, of the lines and quantities asked', async () => {
    const d = exampleDeclaration('hangzhou-1210');
    const declared = new Map(d.inventory!.items.map((l) => [l.gnum, l.qty]));
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 3 }), async (items) => {
        const r = tryInvtRefundOf(d, { reason: '质量问题', invtNo: INVT_NO, copNo: 'RETURN0001', items });
        // Refused exactly when a line is unknown, repeated, or its quantity not an N19,5 number in (0, declared].
        const gnums = items.map((l) => l.gnum);
        const returnable =
          new Set(gnums).size === gnums.length &&
          items.every((l) => {
            const max = declared.get(l.gnum);
            const q = new Decimal(l.qty);
            return max !== undefined && q.decimalPlaces() <= 5 && q.gt(0) && q.lte(max);
          });
        expect(r.ok).toBe(returnable);
        if (!r.ok) {
          expect(r.issues.length).toBeGreaterThan(0);
          for (const i of r.issues) expect(i.path).toMatch(/^items\[\d\]\.(gnum|qty)$/);
          return;
        }
        accepted++;
        expect(r.data.items.map((l) => [l.gnum, l.qty.toFixed()])).toEqual(
          items.map((l) => [l.gnum, new Decimal(l.qty).toFixed()]),
        );
        const built = buildMessage('CEB625', r.data, { ...fixedEnv(), sender: SENDER });
        expect(built.issues).toEqual([]);
        if (!built.ok) return;
        const xsd = await validateAgainstXsd(withPlaceholderSignature(built.xml), 'ceb-import.xsd');
        expect(xsd.errors).toEqual([]);
      }),
      // (one returnable request first: 40 random ones may hold none, and the count below must not hang on chance)
      { numRuns: 40, examples: [[[{ gnum: 1, qty: '1' }]]] },
    );
    expect(accepted).toBeGreaterThan(0);
  }, 120_000);
});
