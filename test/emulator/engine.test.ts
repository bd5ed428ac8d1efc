import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/emulator/engine.js';
import { manualClock, realClock } from '../../src/emulator/clock.js';
import { defaultQuotaPolicy } from '../../src/quota/index.js';
import type { EmulatorEngine, EngineOptions } from '../../src/emulator/types.js';
import { createTaxCalculator } from '../../src/rules/index.js';
import { createLocalSigner, signMessage } from '../../src/sign/index.js';
import {
  buildMessage,
  explainCode,
  explainReceipt,
  parseCebXml,
  parseReturnInfo,
  toJsonValue,
  unwrapDxp,
  wrapDxp,
} from '../../src/xml/index.js';
import { sentFromDeclaration, status, type StatusReceipt } from '../../src/reconcile/index.js';
import { testEdition } from '../helpers/positive-list.js';
import { validateAgainstXsd } from '../xml/helpers.js';
import {
  cancelOf,
  example,
  lastInfo,
  longLived,
  makeSigning,
  message,
  messages,
  RATES,
  read,
  SENDER,
  trail,
  type DocKey,
  type Signing,
  infos,
} from './helpers.js';

// The declaration's own time (2026-11-20 10:20 Beijing): the rules and the quota year are those of its date.
const T0 = '2026-11-20T02:20:00Z';
let signing: Signing;

beforeAll(() => {
  signing = makeSigning();
}, 120_000);
afterAll(() => signing?.keys.cleanup());

async function engine(extra: Partial<EngineOptions> = {}): Promise<EmulatorEngine> {
  return createEngine({ store: 'memory', clock: manualClock(T0), trust: signing.trust, rates: RATES, ...extra });
}

/** Sends the four messages in `order`, waiting `gap` between them, then lets a day pass. */
async function declare(
  e: EmulatorEngine,
  decl: Record<string, any>,
  order: DocKey[] = ['order', 'payment', 'logistics', 'inventory'],
  gap = '0s',
): Promise<void> {
  const m = await messages(decl, signing.trusted);
  for (const k of order) {
    const ack = await e.submit(m[k], { transport: 'api' });
    expect(ack, k).toMatchObject({ accepted: true, httpStatus: 200 });
    await e.advance(gap);
  }
  await e.advance('1d');
}

/** Platform B declares an order under the number the example's platform (A) used, for the same buyer and amount. */
function onPlatformB(): Record<string, any> {
  const b = example();
  const ebp = { ebpCode: '3301964J77', ebpName: '杭州另一跨境电商平台有限公司' };
  const ebc = { ebcCode: '3301964J77', ebcName: '杭州另一跨境电商平台有限公司' };
  Object.assign(b.order, ebp, ebc, { payTransactionId: 'PAY2026112010169901' });
  Object.assign(b.payment, ebp, { payTransactionId: 'PAY2026112010169901' });
  b.logistics.logisticsNo = 'ZT7700012349901';
  Object.assign(b.inventory, ebp, ebc, {
    logisticsNo: 'ZT7700012349901',
    copNo: 'INV202611209901',
    assureCode: '3301964J77',
  });
  return b;
}

/** The example for the same buyer under other numbers. */
function secondOrder(): Record<string, any> {
  const second = example();
  second.order.orderNo =
    second.payment.orderNo =
    second.logistics.orderNo =
    second.inventory.orderNo =
      'SD202611200002';
  second.payment.payTransactionId = second.order.payTransactionId = 'PAY2026112010160002';
  second.logistics.logisticsNo = second.inventory.logisticsNo = 'ZT7700012345679';
  second.inventory.copNo = 'INV202611200002';
  return second;
}

describe('the happy path', () => {
  const orders: Array<[DocKey[], string]> = [
    [['order', 'payment', 'logistics', 'inventory'], '0s'],
    [['inventory', 'order', 'payment', 'logistics'], '10m'],
    [['logistics', 'inventory', 'payment', 'order'], '2h'],
    [['payment', 'order', 'inventory', 'logistics'], '30s'],
  ];
  it.each(orders)('arriving as %j, %s apart: 2, 3, 120, 800 and a tax bill of sandan’s figures', async (order, gap) => {
    const e = await engine();
    const decl = example();
    await declare(e, decl, order, gap);
    const rs = e.receipts();
    for (const t of ['CEB312', 'CEB412', 'CEB512']) expect(trail(rs, t), t).toEqual([`${t}:2`, `${t}:3`, `${t}:120`]);
    expect(trail(rs, 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
    expect(trail(rs, 'CEB816')).toEqual(['CEB816']);
    // seq: 1, 2, 3 … in order, nothing twice
    expect(rs.map((r) => r.seq)).toEqual(rs.map((_, i) => i + 1));
    // times never go backwards
    const times = rs.map((r) => Date.parse(r.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const released = rs.find((r) => r.type === 'CEB622' && r.returnStatus === '800')!;
    const bill = read(rs.find((r) => r.type === 'CEB816')!);
    const head = bill.documents[0]!;
    expect(head.invtNo).toBe(released.invtNo);
    expect(released.invtNo).toMatch(/^29242026I\d{9}$/);
    // sandan's own computation…
    const tax = createTaxCalculator({ rates: RATES, explain: false })(decl);
    if (!tax.ok) throw new Error('tax');
    expect(String(head.customsTax)).toBe(tax.result.customsTax.toFixed());
    expect(String(head.valueAddedTax)).toBe(tax.result.valueAddedTax.toFixed());
    expect(String(head.consumptionTax)).toBe(tax.result.consumptionTax.toFixed());
    // …by hand: CBEC within the limits pays 0 duty and 70 % of VAT 13 %: 398 × 0.7 × 0.13 = 36.218 → 36.22,
    // 150 × 0.7 × 0.13 = 13.65; the face cream (150 for 0.05 kg = 3000/kg) is under the 10 CNY/g consumption-tax threshold.
    expect(String(head.valueAddedTax)).toBe('49.87');
    expect(String(head.customsTax)).toBe('0');
    expect(String(head.consumptionTax)).toBe('0');
    expect(bill.documents[0]!.items).toMatchObject([
      { gnum: 1, gcode: '1901101000' },
      { gnum: 2, gcode: '3304990039' },
    ]);
    expect((bill.documents[0]!.items as Array<Record<string, unknown>>).map((l) => String(l.valueAddedTax))).toEqual([
      '36.22',
      '13.65',
    ]);
    await e.close();
  });

  it('writes receipts that the import XSD accepts, with the status texts of the catalogue', async () => {
    const e = await engine();
    await declare(e, example());
    const rs = e.receipts();
    // one of each type (xmllint-wasm is slow), the tax bill with its lines
    const kinds = new Map(rs.map((r) => [r.type, r]));
    expect([...kinds.keys()].sort()).toEqual(['CEB312', 'CEB412', 'CEB512', 'CEB622', 'CEB816']);
    for (const r of kinds.values()) {
      const v = await validateAgainstXsd(r.xml, 'ceb-import.xsd');
      expect(v.errors, `${r.type} ${r.returnStatus}`).toEqual([]);
    }
    const infos = rs.filter((r) => r.type === 'CEB622').map((r) => String(read(r).documents[0]!.returnInfo));
    const x = example();
    // status 2 of a new declaration in customs' words (test/fixtures/outside: dandingtest's CEB622, zhaopei0418's
    // CEB312, the 2016 official samples' CEB512)
    expect(infos).toEqual([
      `清单新增申报成功[电商企业编码：${x.inventory.ebcCode}订单编号：${x.inventory.orderNo}]`,
      '发送海关成功',
      '[Code:1800;Desc:逻辑校验通过]',
      '[Code:2600;Desc:放行]',
    ]);
    const declared = (type: string) => {
      const r = rs.find((r) => r.type === type && r.returnStatus === '2')!;
      return String(read(r).documents[0]!.returnInfo);
    };
    const headGuid = (type: string) =>
      String(read(e.received().find((r) => r.messageType === type)!.xml).documents[0]!.guid);
    expect(declared('CEB312')).toBe(`订单新增申报成功[${headGuid('CEB311')}]`);
    expect(declared('CEB412')).toBe(`新增申报成功[${headGuid('CEB411')}]`);
    expect(declared('CEB512')).toBe(`新增申报成功[${headGuid('CEB511')}]`);
    // the receipt keeps the guid of the document it answers
    const inv = read(e.received().find((r) => r.messageType === 'CEB621')!.xml);
    expect(inv.documents[0]!.guid).toMatch(/^0{8}-/);
    expect(read(rs.find((r) => r.type === 'CEB622')!).documents[0]!.guid).toBe(inv.documents[0]!.guid);
    await e.close();
  }, 60_000);

  it('answers a DxpMsg in a DxpMsg: from the customs node to the original sender', async () => {
    const e = await engine();
    const m = await messages(example(), signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) {
      const wrapped = wrapDxp(m[k], { senderId: 'DXPENT0000012345', now: () => new Date(T0), newId: () => `msg-${k}` });
      const ack = await e.submit(wrapped, { transport: 'http' });
      expect(ack).toMatchObject({ accepted: true, copMsgId: `msg-${k}` });
      expect(unwrapDxp(ack.body).transInfo).toMatchObject({
        senderId: 'DXPEDCCEB0000002',
        receiverIds: ['DXPENT0000012345'],
      });
    }
    await e.advance('1d');
    // A CEB818 asked for goes back the same way.
    await e.taxBillStatus(e.receipts().find((r) => r.type === 'CEB816')!.invtNo!, '3');
    const rs = e.receipts();
    expect(trail(rs, 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
    expect(rs.at(-1)?.type).toBe('CEB818');
    for (const r of rs) {
      const env = unwrapDxp(r.xml);
      expect(env.transInfo.senderId).toBe('DXPEDCCEB0000002');
      expect(env.transInfo.receiverIds).toEqual(['DXPENT0000012345']);
      expect(env.message?.messageType).toBe(r.type);
    }
    await e.close();
  });
});

describe('numbers customs gives', () => {
  it('an inventory declared with an invtNo of its own is numbered by customs at its 120 (the declared one is not customs’)', async () => {
    // invtNo is 海关审结标识清单唯一编号 (customs code, year, I, serial: the spec's field table), customs' number; a
    // platform's declaration service (FengFind/hryj-mall, DeclareConstant.java) lists the E-Port's -621999
    // 海关清单编号不允许修改. The emulator took the declared number as customs' own, on every receipt.
    const e = await engine();
    const decl = example();
    decl.inventory.invtNo = '29242026I999999999';
    await declare(e, decl);
    const rs = e.receipts().filter((r) => r.type === 'CEB622');
    expect(trail(rs)).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
    // none before customs numbers it (2, 3), then customs' own from the 120 on
    expect(rs.map((r) => read(r).documents[0]!.invtNo)).toEqual([
      undefined,
      undefined,
      '29242026I000000001',
      '29242026I000000001',
    ]);
    const bill = read(e.receipts().find((r) => r.type === 'CEB816')!).documents[0]!;
    expect(bill.invtNo).toBe('29242026I000000001');
  });
});

describe('DxpMsg routing', () => {
  it('a DxpMsg addressed to another node (the export receiver) is answered 2001 in a CEB900, not taken', async () => {
    const e = await engine();
    const m = await messages(example(), signing.trusted);
    const astray = wrapDxp(m.order, {
      senderId: 'DXPENT0000012345',
      receiverIds: ['DXPEDCCEB0000003'],
      now: () => new Date(T0),
      newId: () => 'msg-astray',
    });
    const ack = await e.submit(astray, { transport: 'http' });
    const answer = read(unwrapDxp(ack.body).payload as string);
    expect([
      ack.accepted,
      ack.httpStatus,
      answer.messageType,
      parseReturnInfo(String(answer.documents[0]!.returnInfo)).code,
    ]).toEqual([false, 200, 'CEB900', '2001']);
    expect(e.receipts().filter((r) => r.type === 'CEB312')).toEqual([]);
    // addressed to this node (DXPEDCCEB0000002, the default of an import message) it is taken
    const right = wrapDxp(m.order, { senderId: 'DXPENT0000012345', now: () => new Date(T0), newId: () => 'msg-right' });
    expect((await e.submit(right, { transport: 'http' })).accepted).toBe(true);
    await e.close();
  });

  it('refuses a message declared GB2312, as bytes or as a string, with 0001: customs takes UTF-8 only', async () => {
    const e = await engine();
    const m = await messages(example(), signing.trusted);
    const gb = m.order.replace(/^(\uFEFF?<\?xml[^?]*encoding=")UTF-8"/, '$1GB2312"');
    expect(gb).not.toBe(m.order);
    // (sandan reads such a receipt from an old folder; the emulator, as customs, does not take one)
    for (const input of [gb, Buffer.from(gb)]) {
      const ack = await e.submit(input, { transport: 'api' });
      expect([ack.accepted, ack.httpStatus]).toEqual([false, 400]);
      expect(JSON.stringify(ack)).toContain('declares encoding GB2312; messages sent to customs are UTF-8');
    }
    expect(e.receipts().filter((r) => r.type === 'CEB312')).toEqual([]);
    expect((await e.submit(m.order, { transport: 'api' })).accepted).toBe(true);
    await e.close();
  });

  it('refuses a message declared GBK in the Data of a DxpMsg with 0001, saying so: the parser now reads one', async () => {
    const e = await engine();
    const m = await messages(example(), signing.trusted);
    const gbk = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], {
      input: m.order.replace(/^(\uFEFF?<\?xml[^?]*encoding=")UTF-8"/, '$1GBK"'),
    });
    const env = wrapDxp(m.order, { senderId: 'DXPENT0000012345', now: () => new Date(T0), newId: () => 'msg-gbk' });
    const wrapped = env.replace(/<Data>[^<]*<\/Data>/, `<Data>${gbk.toString('base64')}</Data>`);
    expect(wrapped).not.toBe(env);
    const ack = await e.submit(wrapped, { transport: 'api' });
    expect([ack.accepted, ack.httpStatus]).toEqual([false, 400]);
    expect(JSON.stringify(ack)).toContain(
      "the message in the DxpMsg's Data declares encoding GBK; messages sent to customs are UTF-8",
    );
    expect(e.receipts().filter((r) => r.type === 'CEB312')).toEqual([]);
    await e.close();
  });
});

describe('DxpMsg with a SenderId the XSD refuses', () => {
  it('is refused 0002 in a CEB900 to the default receiver, not failed (3001, HTTP 500) by the refusal itself', async () => {
    const e = await engine();
    const m = await messages(example(), signing.trusted);
    const wrapped = wrapDxp(m.order, {
      senderId: 'DXPENT0000012345',
      now: () => new Date(T0),
      newId: () => 'msg-long',
    });
    const ack = await e.submit(wrapped.replace('DXPENT0000012345', 'X'.repeat(20)), { transport: 'http' });
    const env = unwrapDxp(ack.body);
    const answer = read(env.payload as string);
    expect([
      ack.accepted,
      ack.httpStatus,
      answer.messageType,
      parseReturnInfo(String(answer.documents[0]!.returnInfo)).code,
      env.transInfo.receiverIds,
    ]).toEqual([false, 400, 'CEB900', '0002', ['DXPENT0000000000']]);
    await e.close();
  });

  it('createEngine refuses a customsDxpId or enterpriseDxpId wrapDxp could not write (each receipt was a 3001)', async () => {
    // (wrapDxp's own check, so the message names what is wrong: the length or the character)
    for (const [extra, message] of [
      [{ customsDxpId: 'X'.repeat(17) }, `customsDxpId must have 1 to 16 characters, got "${'X'.repeat(17)}"`],
      [{ enterpriseDxpId: 'A\u0000' }, 'enterpriseDxpId: character U+0000 is not allowed in XML'],
      [{ customsDxpId: '' }, 'customsDxpId must have 1 to 16 characters, got ""'],
    ] as const)
      await expect(engine(extra)).rejects.toMatchObject({ code: 'INVALID_OPTION', message });
  });
});

describe('the manual clock', () => {
  it('runs nothing before it is due, and what is due in time order', async () => {
    const e = await engine({ timing: { sent: '2s', entered: '5s', released: '1m', taxBill: '5s' } });
    const m = await messages(example(), signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2']);
    await e.advance('1s');
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2']);
    await e.advance('1s');
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3']);
    await e.advance(5000);
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120']);
    expect(e.now().toISOString()).toBe('2026-11-20T02:20:07.000Z');
    await e.advance('59s');
    expect(trail(e.receipts(), 'CEB622')).toHaveLength(3);
    await e.advance('1s');
    const rs = e.receipts();
    expect(trail(rs).slice(-1)).toEqual(['CEB622:800']);
    expect(rs.at(-1)!.at).toBe('2026-11-20T10:21:07.000+08:00');
    await e.advance('5s');
    expect(trail(e.receipts()).slice(-1)).toEqual(['CEB816']);
    // each receipt's time is the time it fell due, Beijing time in returnTime
    expect(read(rs.at(-1)!).documents[0]!.returnTime).toBe('20261120102107000');
    await expect(e.advance('soon')).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await e.close();
  });

  it('lists receipts after a seq and by order; tells listeners after the receipt is stored', async () => {
    const e = await engine();
    const seen: number[] = [];
    const off = e.onReceipt((r) => {
      // the outbox already has it
      expect(e.receipts(r.seq - 1).map((x) => x.seq)).toContain(r.seq);
      seen.push(r.seq);
    });
    await declare(e, example());
    off();
    expect(seen).toEqual(e.receipts().map((r) => r.seq));
    expect(e.receipts(10).map((r) => r.seq)).toEqual(
      e
        .receipts()
        .slice(10)
        .map((r) => r.seq),
    );
    expect(e.receipts(0, { orderNo: 'nope' })).toEqual([]);
    expect(e.received().map((r) => r.messageType)).toEqual(['CEB311', 'CEB411', 'CEB511', 'CEB621']);
    await e.close();
  });
});

describe('the real clock', () => {
  it('runs the sequence on its own, in real time', async () => {
    const e = await createEngine({
      store: 'memory',
      clock: realClock(),
      trust: signing.trust,
      rates: RATES,
      timing: { sent: '20ms', entered: '20ms', released: '50ms', taxBill: '10ms' },
    });
    const done = new Promise<void>((resolve) => e.onReceipt((r) => r.type === 'CEB816' && resolve()));
    const m = await messages(example(), signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
    await done;
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
    // (POST /admin/advance answers with this message: it names the flag, not only the library's clock)
    await expect(e.advance('1h')).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message:
        "advance() needs a manual clock: this emulator runs on the real clock. Start it with `sandan emulate --clock manual` (createCustomsEmulator: clock: 'manual'; createEngine: clock: manualClock(start))",
    });
    await e.close();
    await expect(e.submit('<x/>', { transport: 'api' })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});

describe('rejections, each from a declaration with that defect', () => {
  const rejected = async (change: (d: Record<string, any>) => void, extra: Partial<EngineOptions> = {}) => {
    const e = await engine(extra);
    const d = example();
    change(d);
    await declare(e, d);
    const rs = e.receipts();
    await e.close();
    const returnInfo = lastInfo(rs, 'CEB622') ?? '';
    // (explained as sandan parse and status read it: the receipt's status, its returnInfo, the receipt type)
    const explained = explainReceipt({ returnStatus: trail(rs, 'CEB622').at(-1)?.split(':')[1], returnInfo }, 'CEB622');
    return { rs, trail: trail(rs, 'CEB622'), info: parseReturnInfo(returnInfo), explained };
  };
  /** What explainReceipt says of the emulator's refusal of a finding of `rule` (`code`), its anchor in docs/rules.md. */
  const refusalOf = (code: string, rule: string, anchor: string, zh: string) => ({
    code: '1300',
    outcome: 'rejected',
    codeMeaning: { zh: `模拟器退单：${zh}` },
    cause: {
      en: expect.stringContaining(`the sandan emulator's refusal for a finding of sandan's rule ${rule} (${code})`),
    },
    fix: { en: expect.stringContaining(`run sandan validate until it no longer reports ${code}`) },
    issue: {
      code,
      rule,
      meaning: { zh },
      docs: expect.stringMatching(new RegExp(`/blob/main/docs/rules\\.md#${anchor}$`)),
    },
  });

  it('amount mismatch: the payment is not what the order says was paid → 1332', async () => {
    const r = await rejected((d) => {
      d.payment.amountPaid = '500.00';
    });
    expect(r.trail).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:100']);
    expect(r.info).toMatchObject({ code: '1332', desc: '支付单支付金额与订单支付金额不一致' });
    expect(trail(r.rs, 'CEB816')).toEqual([]);
  });

  it('buyer mismatch: the inventory names another buyer than the order → 13127', async () => {
    const r = await rejected((d) => {
      d.inventory.buyerName = '李四';
    });
    expect(r.trail.at(-1)).toBe('CEB622:100');
    expect(r.info.code).toBe('13127');
  });

  it('buyer mismatch: the payer is not the buyer → 1327 (the catalogue maps payer-not-buyer)', async () => {
    const r = await rejected((d) => {
      d.payment.payerName = '李四';
    });
    expect(r.trail.at(-1)).toBe('CEB622:100');
    expect(r.info).toMatchObject({ code: '1327', desc: '订单购买人与支付单支付人名字或身份证号码不一致' });
  });

  it('three-document mismatch: items (1322), payment enterprise (13035), waybill of another order', async () => {
    const items = await rejected((d) => {
      d.order.items[1].itemName = '别的商品';
    });
    expect(items.info.code).toBe('1322');
    const pay = await rejected((d) => {
      d.order.payCode = '312226T999';
    });
    expect(pay.info.code).toBe('13035');
    const waybill = await rejected((d) => {
      d.logistics.orderNo = 'SD202611209999';
    });
    // no catalogue code for it: a manual rejection (1300) naming sandan's finding
    expect(waybill.info.code).toBe('1300');
    expect(waybill.info.desc).toContain('order-no-mismatch');
    // explained as the emulator's refusal of that finding, not as an officer's manual refusal (人工退单)
    expect(waybill.explained).toMatchObject(
      refusalOf('order-no-mismatch', 'identity/order-no', 'identityorder-no', '订单编号不一致'),
    );
  });

  it('a declaration dated before the CBEC regime (2016-04-08) → rejected 1300 naming no-cbec-regime', async () => {
    // Before session 32 the quota look-up threw (no annual limit on that day) and the emulator answered 3001.
    const r = await rejected((d) => {
      d.order.appTime = '20160301101500';
      d.payment.payTime = '20160301101600';
      d.inventory.declTime = '20160301';
    });
    expect(r.trail.at(-1)).toBe('CEB622:100');
    expect(r.info.code).toBe('1300');
    expect(r.info.desc).toContain('no-cbec-regime');
    expect(r.explained).toMatchObject(
      refusalOf(
        'no-cbec-regime',
        'tax/regime',
        'taxregime',
        '申报日期尚无跨境电商零售进口税收政策（规则集未设定限值、折算比例或关税税率）',
      ),
    );
  });

  it('the positive list: a commodity not on it → rejected, naming the finding', async () => {
    // The bundled 2022 edition is partial (it can only warn); a complete edition of the example's two lines decides.
    const edition = testEdition(
      [
        { hs8: '19011010', name: '婴儿配方奶粉', source: 'T' },
        { hs8: '33049900', name: '其他美容品', source: 'T' },
      ] as never,
      { complete: true } as never,
    );
    const fine = await rejected(() => {}, { validate: { positiveLists: [edition] } });
    expect(fine.trail.at(-1)).toBe('CEB622:800');
    const r = await rejected(
      (d) => {
        d.inventory.items[1].gcode = '0401990000';
      },
      { validate: { positiveLists: [edition] } },
    );
    expect(r.trail.at(-1)).toBe('CEB622:100');
    expect(r.info.code).toBe('1300');
    expect(r.info.desc).toContain('positive-list');
    expect(r.explained).toMatchObject(
      refusalOf('positive-list', 'goods/positive-list', 'goodspositive-list', '商品不在正面清单内'),
    );
  });

  it('the annual quota: a second order past the limit → 1313; the first one counted', async () => {
    const e = await engine({ quota: { annualLimit: '1000' } });
    await declare(e, example());
    await declare(e, secondOrder());
    const rs = e.receipts();
    expect(trail(e.receipts(0, { orderNo: 'SD202611200001' }), 'CEB622').at(-1)).toBe('CEB622:800');
    expect(trail(e.receipts(0, { orderNo: 'SD202611200002' }), 'CEB622').at(-1)).toBe('CEB622:100');
    // 548 + 548 = 1096 > 1000
    expect(parseReturnInfo(lastInfo(rs, 'CEB622') ?? '')).toMatchObject({
      code: '1313',
      desc: '订购人购买超过年度限额',
    });
    await e.close();
  });

  it('the quota year is the declaration date’s for the rules and the reservation alike (quota.date: appTime, the order’s)', async () => {
    // 548 counted in 2026; a second order of 548 placed 2026-12-31 23:50 and declared 2027-01-01 (Beijing)
    const acrossNewYear = () => {
      const d = secondOrder();
      d.order.appTime = '20261231235000';
      d.payment.payTime = '20261231234900';
      d.inventory.declTime = '20270101';
      return d;
    };
    const run = async (extra: Partial<EngineOptions>) => {
      const e = await engine({ quota: { annualLimit: '1000', ...extra.quota } });
      await declare(e, example());
      // from 2026-11-21 10:20 to 2027-01-01 00:10 Beijing: 40 days, 13 h 50 min
      for (const step of ['40d', '13h', '50m']) await e.advance(step);
      await declare(e, acrossNewYear());
      const rs = e.receipts(0, { orderNo: 'SD202611200002' });
      await e.close();
      return [trail(rs, 'CEB622').at(-1), parseReturnInfo(lastInfo(rs, 'CEB622') ?? '').code];
    };
    // the declaration's year, 2027: nothing used yet, 548 ≤ 1000 (the reservation was made in 2026,
    // where 548 + 548 = 1096 > 1000, and refused 1313 what the rules had passed)
    expect(await run({})).toEqual(['CEB622:800', '2600']);
    // the order's year, 2026, for both: 548 + 548 = 1096 > 1000
    expect(await run({ quota: { date: 'appTime' } })).toEqual(['CEB622:100', '1313']);
    await expect(engine({ quota: { date: 'released' as never } })).rejects.toThrow(/quota.date must be/);
  });

  it('two orders under one copNo: both released by default; duplicateCopNo refuse answers the second 1300', async () => {
    const twin = secondOrder();
    twin.inventory.copNo = example().inventory.copNo;
    const run = async (extra: Partial<EngineOptions>) => {
      const e = await engine(extra);
      await declare(e, example());
      await declare(e, twin);
      const rs = e.receipts(0, { orderNo: 'SD202611200002' });
      await e.close();
      const { code, desc } = parseReturnInfo(lastInfo(rs, 'CEB622') ?? '');
      const x = explainReceipt({ returnStatus: '100', returnInfo: lastInfo(rs, 'CEB622') }, 'CEB622');
      // a refusal naming no finding of sandan's rules reads as the catalogue's 1300, as before
      if (code === '1300')
        expect([x.codeMeaning?.zh, x.fix, x.issue]).toEqual(['人工退单', explainCode('1300')?.fix, undefined]);
      return [trail(rs, 'CEB622').at(-1), { code, desc }];
    };
    expect(await run({})).toEqual(['CEB622:800', { code: '2600', desc: '放行' }]);
    expect(await run({ duplicateCopNo: 'refuse' })).toEqual([
      'CEB622:100',
      {
        code: '1300',
        desc: '企业内部编号 INV202611200001 已用于订单 SD202611200001 的清单 / copNo INV202611200001 is already that of the inventory of order SD202611200001',
      },
    ]);
    // another declaring enterprise's copNo is its own
    const other = structuredClone(twin);
    other.inventory.agentCode = '3301980XYZ';
    const e = await engine({ duplicateCopNo: 'refuse' });
    await declare(e, example());
    await declare(e, other);
    expect(trail(e.receipts(0, { orderNo: 'SD202611200002' }), 'CEB622').at(-1)).toBe('CEB622:800');
    await e.close();
  });

  it('an E-Port code (-621005, over the 5,000 single-transaction limit) is the returnStatus itself, not 100 with [Code:-621005]', async () => {
    const e = await engine();
    const d = example();
    // two lines: 2 × 2,400.01 + 1 × 200.00 = 5,000.02 > 5,000 (and more than one item, so no single-item exception)
    for (const k of ['order', 'inventory']) {
      Object.assign(d[k].items[0], { price: '2400.01', totalPrice: '4800.02' });
      Object.assign(d[k].items[1], { price: '200.00', totalPrice: '200.00' });
    }
    // VAT 13 % × 70 %: 4,800.02 × 0.091 = 436.80182 → 436.80; 200.00 × 0.091 = 18.20; 455.00 in all
    Object.assign(d.order, { goodsValue: '5000.02', taxTotal: '455.00', acturalPaid: '5455.02' });
    d.payment.amountPaid = '5455.02';
    const m = await messages(d, signing.trusted);
    const acks = [];
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const)
      acks.push((await e.submit(m[k], { transport: 'api' })).accepted);
    expect(acks).toEqual([true, true, true, false]);
    await e.advance('1d');
    // The E-Port checks it when it arrives, before sending it to customs: the code answers instead of 2 and 3 (a
    // negative code after 3, 发送海关成功, would say customs had it), and it does not wait for the other documents.
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:-621005']);
    expect(lastInfo(e.receipts(), 'CEB622')).toBe('超过单次交易限值');
    // not kept: the same inventory sent again is not a duplicate (-621004) but checked again
    const again = await e.submit(await message(d, 'inventory', signing.trusted), { transport: 'api' });
    expect([again.accepted, again.reason]).toEqual([false, '-621005: 超过单次交易限值']);
    await e.advance('1d');
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:-621005', 'CEB622:-621005']);
    // alone, before its order, payment and waybill, it is refused all the same
    const f = await engine();
    await f.submit(await message(d, 'inventory', signing.trusted), { transport: 'api' });
    expect(trail(f.receipts(), 'CEB622')).toEqual(['CEB622:-621005']);
    await e.close();
    await f.close();
  });

  it('signatures: unsigned, untrusted, or changed after signing → the E-Port codes, and nothing kept', async () => {
    const e = await engine();
    const d = example();
    const unsigned = await message(d, 'inventory');
    const untrusted = await message(d, 'inventory', signing.untrusted);
    const changed = (await message(d, 'inventory', signing.trusted)).replace('张三', '李四');
    const answers = [];
    for (const xml of [unsigned, untrusted, changed]) answers.push(await e.submit(xml, { transport: 'api' }));
    expect(answers.map((a) => [a.accepted, a.httpStatus])).toEqual([
      [false, 200],
      [false, 200],
      [false, 200],
    ]);
    expect(answers.map((a) => read(a.body).documents[0]!.returnStatus)).toEqual(['-621029', '-621029', '-621028']);
    expect(answers.map((a) => a.reason)).toEqual([
      'signature: signature-missing',
      'signature: certificate-untrusted',
      'signature: digest-mismatch',
    ]);
    // a rejected inventory is not kept: the signed one is then taken as the first
    const ok = await e.submit(await message(d, 'inventory', signing.trusted), { transport: 'api' });
    expect(ok.accepted).toBe(true);
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:-621029', 'CEB622:-621029', 'CEB622:-621028', 'CEB622:2']);
    // without a trust list nothing is trusted
    const none = await engine({ trust: undefined });
    expect((await none.submit(await message(d, 'inventory', signing.trusted), { transport: 'api' })).accepted).toBe(
      false,
    );
    // …unless signatures are not required
    const lax = await engine({ trust: undefined, requireSignature: false });
    expect((await lax.submit(unsigned, { transport: 'api' })).accepted).toBe(true);
    await Promise.all([e.close(), none.close(), lax.close()]);
  });

  it('a payment or waybill whose signature fails stops at the transport: a CEB900 with 1001/1004, not a customs 100', async () => {
    const e = await engine();
    const d = example();
    const untrusted = await message(d, 'payment', signing.untrusted);
    const changed = (await message(d, 'logistics', signing.trusted)).replace('张三', '李四');
    const answers = [];
    for (const xml of [untrusted, changed]) {
      const a = await e.submit(xml, { transport: 'api' });
      const doc = read(a.body).documents[0]!;
      answers.push([
        a.accepted,
        a.httpStatus,
        read(a.body).messageType,
        doc.returnStatus,
        parseReturnInfo(String(doc.returnInfo)).code,
      ]);
    }
    expect(answers).toEqual([
      [false, 200, 'CEB900', '-1', '1001'],
      [false, 200, 'CEB900', '-1', '1004'],
    ]);
    // no receipt of the payment or waybill itself, so no 100 for an order that is not rejected; nothing kept
    expect(e.receipts().filter((r) => r.type === 'CEB412' || r.type === 'CEB512')).toEqual([]);
    const ok = await e.submit(await message(d, 'payment', signing.trusted), { transport: 'api' });
    expect(ok.accepted).toBe(true);
    await e.close();
  });

  it('a certificate not valid on the emulator clock: -621029 for an inventory, 1002 for a payment; certificateDates ignore takes it', async () => {
    // A certificate of 2020 only; the emulator's clock is at 2026-11-20.
    const cert = longLived(signing.keys, 'rsa', 'old-rsa', '20200101000000Z', '20210101000000Z');
    const early = createLocalSigner({ key: signing.keys.read('rsa.key'), certificate: cert });
    const d = example();
    const e = await engine({ trust: { certificates: [cert] } });
    const inventory = await e.submit(await message(d, 'inventory', early), { transport: 'api' });
    expect([inventory.accepted, read(inventory.body).documents[0]!.returnStatus, inventory.reason]).toEqual([
      false,
      '-621029',
      'signature: certificate-expired',
    ]);
    const payment = await e.submit(await message(d, 'payment', early), { transport: 'api' });
    const doc = read(payment.body).documents[0]!;
    expect([payment.accepted, read(payment.body).messageType, parseReturnInfo(String(doc.returnInfo)).code]).toEqual([
      false,
      'CEB900',
      '1002',
    ]);
    const lax = await engine({ trust: { certificates: [cert] }, certificateDates: 'ignore' });
    expect((await lax.submit(await message(d, 'inventory', early), { transport: 'api' })).accepted).toBe(true);
    // A certificate whose dates begin after the clock (2030): not yet valid, named so in the ack; customs'
    // tables have one code for both sides of the dates, so the codes stay -621029 and 1002.
    const future = longLived(signing.keys, 'rsa', 'future-rsa', '20300101000000Z', '20310101000000Z');
    const late = createLocalSigner({ key: signing.keys.read('rsa.key'), certificate: future });
    const f = await engine({ trust: { certificates: [future] } });
    const early2 = await f.submit(await message(d, 'inventory', late), { transport: 'api' });
    expect([early2.accepted, read(early2.body).documents[0]!.returnStatus, early2.reason]).toEqual([
      false,
      '-621029',
      'signature: certificate-not-yet-valid',
    ]);
    const pay2 = read((await f.submit(await message(d, 'payment', late), { transport: 'api' })).body);
    expect([pay2.messageType, parseReturnInfo(String(pay2.documents[0]!.returnInfo)).code]).toEqual(['CEB900', '1002']);
    await Promise.all([e.close(), lax.close(), f.close()]);
  });

  it('never throws on input: malformed, XSD-invalid, unknown or empty → CEB900 with 0001/0002', async () => {
    const e = await engine();
    const bad = [
      '<not xml',
      '',
      new Uint8Array([0xff, 0xfe, 0x00]),
      '<?xml version="1.0"?><x/>',
      (await message(example(), 'order')).replace('<ceb:orderNo>', '<ceb:orderNoX>x</ceb:orderNoX><ceb:orderNo>'),
      // The XSD message quotes the value, whose "],[" would end the returnInfo group early: the
      // receipt writer refused it and submit threw.
      (await message(example(), 'order')).replace('<ceb:currency>142<', '<ceb:currency>],[<'),
    ];
    const acks = [];
    for (const b of bad) acks.push(await e.submit(b, { transport: 'folder', name: 'x.xml' }));
    expect(acks.map((a) => a.accepted)).toEqual(Array(6).fill(false));
    expect(acks.map((a) => a.httpStatus)).toEqual(Array(6).fill(400));
    const infos = acks.map((a) => parseReturnInfo(String(read(a.body).documents[0]!.returnInfo)));
    expect(infos.map((i) => i.code)).toEqual(['0001', '0001', '0001', '0001', '0002', '0002']);
    expect(infos[5]!.desc).toContain('"］,["');
    expect(trail(e.receipts())).toEqual(Array(6).fill('CEB900:-1'));
    expect(e.received()).toHaveLength(6);
    for (const a of acks) expect((await validateAgainstXsd(a.body, 'ceb-import.xsd')).errors).toEqual([]);
    const big = await engine();
    const huge = await big.submit(`<a>${'x'.repeat(51 * 1024 * 1024)}</a>`, { transport: 'http' });
    expect(huge.httpStatus).toBe(413);
    await Promise.all([e.close(), big.close()]);
  }, 60_000);

  it('a CEB900 repeats the message it refuses in oriBizMessage: a DxpMsg’s CEB message, at most 1 Mi characters, XML-safe', async () => {
    const e = await engine();
    const order = await message(example(), 'order');
    const invalid = order.replace('<ceb:orderNo>', '<ceb:orderNoX>x</ceb:orderNoX><ceb:orderNo>');
    const wrapped = wrapDxp(invalid, { senderId: 'DXPENT0000012345', now: () => new Date(T0), newId: () => 'msg-1' });
    const sent: Array<string | Uint8Array> = ['<not xml', invalid, wrapped, new Uint8Array([0x3c, 0x00, 0xff, 0x3e])];
    const acks = [];
    for (const b of sent) acks.push(await e.submit(b, { transport: 'api' }));
    const ori = acks.map((a) => String(read(a.body).documents[0]!.oriBizMessage));
    // a DxpMsg's receipt names its copMsgId and repeats the CEB311 it carried, not the envelope
    expect(ori).toEqual(['<not xml', invalid, invalid, '<\uFFFD\uFFFD>']);
    expect(String(read(acks[2]!.body).documents[0]!.oriCopMsgId)).toBe('msg-1');
    for (const a of acks) {
      const xml = a.copMsgId === undefined ? a.body : (unwrapDxp(a.body).payload as string);
      expect((await validateAgainstXsd(xml, 'ceb-import.xsd')).errors).toEqual([]);
    }
    // too large to read: the first 1 Mi characters, not the 51 MiB
    const huge = await e.submit(`<a>${'x'.repeat(51 * 1024 * 1024)}</a>`, { transport: 'http' });
    expect(huge.httpStatus).toBe(413);
    const head = String(read(huge.body).documents[0]!.oriBizMessage);
    expect([head.length, head.slice(0, 4)]).toEqual([1024 * 1024, '<a>x']);
    // The list of messages received keeps the same first 1 Mi characters of it.
    const kept = e.received().at(-1)!;
    expect([kept.accepted, kept.xml.length, kept.xml.slice(0, 4), kept.xml.slice(-1)]).toEqual([
      false,
      1024 * 1024,
      '<a>x',
      'x',
    ]);
    // A DxpMsg that carries no CEB message is refused as unreadable (0001, HTTP 400).
    const empty = await e.submit(
      wrapDxp(order, {
        senderId: 'DXPENT0000012345',
        now: () => new Date(T0),
        newId: () => 'msg-0',
      }).replace(/<(\w+:)?Data>[^<]*<\/(\w+:)?Data>/, ''),
      { transport: 'http' },
    );
    expect([empty.accepted, empty.httpStatus, empty.reason]).toEqual([
      false,
      400,
      '0001: the DxpMsg carries no CEB message: Required element Data is missing from DxpMsg',
    ]);
    // Audit (session 40): a Data the emulator cannot read says why, not only that there is no message.
    const dxpEnv = { senderId: 'DXPENT0000012345', now: () => new Date(T0), newId: () => 'msg-1' };
    const withData = (data: string) => wrapDxp(order, dxpEnv).replace(/(<(?:\w+:)?Data>)[^<]*/, `$1${data}`);
    const reasons = [];
    for (const data of [
      '!!!not base64@@@',
      Buffer.from([0, 1, 2, 0xff]).toString('base64'),
      Buffer.from(wrapDxp(order, dxpEnv)).toString('base64'),
      Buffer.from(Buffer.from(order).toString('base64')).toString('base64'),
      '',
    ])
      reasons.push((await e.submit(withData(data), { transport: 'http' })).reason);
    expect(reasons).toEqual([
      '0001: the DxpMsg carries no CEB message: Data is not valid base64 (xs:base64Binary)',
      '0001: the DxpMsg carries no CEB message: Data does not decode to UTF-8 text: in what it holds, byte 0xFF at line 1, column 4; it looks like UTF-16BE',
      '0001: the DxpMsg carries no CEB message: Data holds another DxpMsg',
      '0001: the DxpMsg carries no CEB message: Data holds no XML message: its text is base64 again (Data was encoded twice)',
      '0001: the DxpMsg carries no CEB message: Data is empty: it holds no message',
    ]);
    await e.close();
  }, 60_000);

  // Audit (session 40): 20 MB of `<x a="1"/>` in a CEB311 took 25 s and 1 GB to refuse: the reader kept an issue for
  // each of its two million stray elements.
  it('a message of a million stray elements is refused quickly, its reader listing its first 1000 issues', async () => {
    const e = await engine();
    const stray = `<ceb:CEB311Message guid="g" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb">${'<x a="1"/>'.repeat(1_000_000)}</ceb:CEB311Message>`;
    const parsed = parseCebXml(stray);
    // 1,000,003 issues: an unknown x each (their attributes are not read), then what the message lacks (Order,
    // BaseTransfer…). The first of those is an error of a kind not yet listed: kept past the limit, so the verdict
    // stays what all the issues make it; 999,002 are counted.
    expect(parsed.kind === 'ceb' && [parsed.issues.length, parsed.issues.at(-1)?.code, parsed.notes]).toEqual([
      1001,
      'xml-missing-element',
      [
        {
          code: 'issues-omitted',
          path: '',
          message: {
            zh: '另有 999002 个问题未列出（只列前 1000 个，及其后每种首次出现的问题）',
            en: '999002 more issues are not listed (only the first 1000 are, and after them the first of each kind)',
          },
        },
      ],
    ]);
    const ack = await e.submit(stray, { transport: 'http' });
    expect([ack.accepted, ack.httpStatus, ack.reason?.startsWith('0002: 报文 XSD 校验失败：')]).toEqual([
      false,
      400,
      true,
    ]);
    await e.close();
  }, 60_000);

  it('a failure inside the emulator answers 100 with 3001 instead of leaving the inventory waiting', async () => {
    const e = await engine({
      quota: {
        policy: () => {
          throw new Error('policy store down');
        },
      },
    });
    await declare(e, example());
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:100']);
    expect(parseReturnInfo(lastInfo(e.receipts(), 'CEB622') ?? '')).toMatchObject({
      code: '3001',
      desc: 'emulator failure: policy store down',
    });
    await e.close();
  });

  it('a second new order under the same orderNo → -301010', async () => {
    const e = await engine();
    const xml = await message(example(), 'order');
    await e.submit(xml, { transport: 'api' });
    const again = await e.submit(xml, { transport: 'api' });
    expect(again).toMatchObject({ accepted: false, httpStatus: 200, reason: '-301010: 订单编号已存在' });
    expect(read(again.body).documents[0]!.returnStatus).toBe('-301010');
    await e.close();
  });

  it('a delete (appType 3) is refused (CEB900), not taken as a change that declares the inventory again', async () => {
    const e = await engine();
    const d = example();
    const m = await messages(d, signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
    await e.advance('10s'); // the inventory is in (120)
    const deleted = example();
    deleted.inventory.appType = '3';
    const ack = await e.submit(await message(deleted, 'inventory', signing.trusted), { transport: 'api' });
    expect([ack.accepted, ack.httpStatus, read(ack.body).messageType]).toEqual([false, 400, 'CEB900']);
    expect(parseReturnInfo(String(read(ack.body).documents[0]!.returnInfo))).toMatchObject({ code: '0001' });
    await e.advance('1d');
    // the declaration goes on as it was: one sequence, released once
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
    await e.close();
  });

  it('a change (appType 2) before release replaces the document and its sequence starts again (heldDocumentChange: take)', async () => {
    const e = await engine({ heldDocumentChange: 'take' });
    const d = example();
    const m = await messages(d, signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
    await e.advance('10s'); // the inventory is in (120); its release is due at 02:21:07
    const changed = example();
    changed.inventory.appType = '2';
    changed.inventory.note = '补充备注';
    const ack = await e.submit(await message(changed, 'inventory', signing.trusted), { transport: 'api' });
    expect(ack.accepted).toBe(true);
    await e.advance('1d');
    const rs = e.receipts().filter((r) => r.type === 'CEB622');
    expect(trail(rs)).toEqual([
      'CEB622:2',
      'CEB622:3',
      'CEB622:120',
      'CEB622:2',
      'CEB622:3',
      'CEB622:120',
      'CEB622:800',
    ]);
    // released once, on the changed declaration's own schedule (10 s + 2 s + 5 s + 1 min after the start), same invtNo
    expect(rs.at(-1)!.at).toBe('2026-11-20T10:21:17.000+08:00');
    expect(new Set(rs.filter((r) => r.invtNo).map((r) => r.invtNo)).size).toBe(1);
    expect(trail(e.receipts(), 'CEB816')).toEqual(['CEB816']);
    // After release, a change (appType 2) of any of the four is refused with the E-Port's code for a state that allows
    // no change (spec table 7-2), never with a customs 100 on the released inventory's invtNo (it used to be
    // 100 [Code:22007], a local port's code, which made a released parcel look rejected).
    changed.order.appType = '2';
    changed.payment.appType = '2';
    changed.logistics.appType = '2';
    const refused = {
      order: '-301011: 该订单已申报清单',
      payment: '-401008: 支付单已申报',
      logistics: '-504016: 运单已申报',
      inventory: '-621012: 清单申报状态不符合改单条件',
    };
    for (const key of ['order', 'payment', 'logistics', 'inventory'] as const) {
      const late = await e.submit(await message(changed, key, signing.trusted), { transport: 'api' });
      expect([key, late]).toMatchObject([key, { accepted: false, reason: refused[key] }]);
    }
    expect(e.receipts().filter((r) => r.returnStatus === '100')).toEqual([]);
    expect(trail(e.receipts(), 'CEB622').slice(-2)).toEqual(['CEB622:800', 'CEB622:-621012']);
    await e.close();
  });

  it('sandan status reads a released parcel refused a change as released, with a resend-refused anomaly, not rejected', async () => {
    const e = await engine();
    const d = example();
    await declare(e, d);
    const changed = example();
    for (const k of ['order', 'inventory'] as const) changed[k].appType = '2';
    for (const k of ['order', 'inventory'] as const)
      await e.submit(await message(changed, k, signing.trusted), { transport: 'api' });
    // and a second new order under the number in use (a duplicate, -301010)
    await e.submit(await message(d, 'order'), { transport: 'api' });
    const receipts = e.receipts().flatMap((r) => {
      const m = read(r.xml);
      return m.documents.map((doc) => ({
        messageType: m.messageType,
        fields: toJsonValue(doc) as Record<string, unknown>,
      }));
    });
    // (the documents as sent join the receipts into one order, as in a platform's status run)
    const [s, ...others] = status(receipts as StatusReceipt[], {
      now: new Date('2026-11-22T00:00:00Z'),
      sent: sentFromDeclaration(d),
    });
    expect(others).toEqual([]);
    expect(s!.state).toBe('released');
    expect(s!.anomalies.filter((a) => a.kind === 'rejected')).toEqual([]);
    expect(s!.anomalies.filter((a) => a.kind === 'resend-refused').map((a) => [a.document, a.code])).toEqual([
      ['order', '-301010'],
      ['inventory', '-621012'],
    ]);
    expect(s!.documents.inventory?.returnStatus).toBe('800');
    await e.close();
  });

  it('a change (appType 2) while customs holds the inventory is refused by default (-621012, -401008, -504016, -301011)', async () => {
    const e = await engine();
    const d = example();
    const m = await messages(d, signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
    await e.advance('10s'); // the inventory is in (120)
    const changed = example();
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) changed[k].appType = '2';
    changed.inventory.note = '补充备注';
    const codes = [];
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const)
      codes.push((await e.submit(await message(changed, k, signing.trusted), { transport: 'api' })).reason);
    expect(codes).toEqual([
      '-301011: 该订单已申报清单',
      '-401008: 支付单已申报',
      '-504016: 运单已申报',
      '-621012: 清单申报状态不符合改单条件',
    ]);
    await e.advance('1d');
    // the declaration customs holds goes on as it was: released once
    expect(trail(e.receipts(), 'CEB622')).toEqual([
      'CEB622:2',
      'CEB622:3',
      'CEB622:120',
      'CEB622:-621012',
      'CEB622:800',
    ]);
    await e.close();
  });

  it('a change (appType 2) of a document nobody declared finds nothing to change (-301009, -401006, -504014, -621011)', async () => {
    const e = await engine();
    const d = example();
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) d[k].appType = '2';
    const reasons = [];
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) {
      const ack = await e.submit(await message(d, k, signing.trusted), { transport: 'api' });
      reasons.push([ack.accepted, ack.reason, read(ack.body).documents[0]!.returnStatus]);
    }
    expect(reasons).toEqual([
      [false, '-301009: 未找到要修改的订单', '-301009'],
      [false, '-401006: 未找到要修改的支付单', '-401006'],
      [false, '-504014: 未找到要修改的运单', '-504014'],
      [false, '-621011: 不存在已申报的清单，无法改单', '-621011'],
    ]);
    await e.advance('1d');
    // nothing was kept: declared as new (appType 1), the four go through
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) d[k].appType = '1';
    await declare(e, d);
    expect(trail(e.receipts(), 'CEB622')).toEqual([
      'CEB622:-621011',
      'CEB622:2',
      'CEB622:3',
      'CEB622:120',
      'CEB622:800',
    ]);
    await e.close();
  });
});

describe('messages of several documents', () => {
  /** One message holding the document `key` of each declaration, in that order (the XSD allows 1 to 100). */
  async function together(decls: Array<Record<string, any>>, key: DocKey): Promise<string> {
    const element = { order: 'Order', payment: 'Payment', logistics: 'Logistics', inventory: 'Inventory' }[key];
    const block = new RegExp(`<ceb:${element}>[\\s\\S]*?</ceb:${element}>`);
    const xmls = await Promise.all(decls.map((d) => message(d, key)));
    const first = xmls[0]!;
    const all = xmls.map((x) => block.exec(x)![0]).join('');
    const xml = first.replace(block, all);
    return key === 'inventory' ? (await signMessage(xml, signing.trusted)).xml : xml;
  }

  it('each document is taken and answered in its own receipts, none left out', async () => {
    const e = await engine();
    const decls = [example(), secondOrder()];
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) {
      const ack = await e.submit(await together(decls, k), { transport: 'api' });
      expect(ack, k).toMatchObject({ accepted: true, httpStatus: 200 });
    }
    await e.advance('1d');
    for (const orderNo of ['SD202611200001', 'SD202611200002']) {
      const rs = e.receipts(0, { orderNo });
      for (const t of ['CEB312', 'CEB412', 'CEB512'])
        expect(trail(rs, t), `${orderNo} ${t}`).toEqual([`${t}:2`, `${t}:3`, `${t}:120`]);
      expect(trail(rs, 'CEB622'), orderNo).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
      expect(trail(rs, 'CEB816'), orderNo).toEqual(['CEB816']);
    }
    await e.close();
    // a document that repeats one before it in the same message is a duplicate; the message is still taken
    const f = await engine();
    const twice = await f.submit(await together([example(), example()], 'order'), { transport: 'api' });
    expect(twice).toMatchObject({ accepted: true, reason: '3301964J31|SD202611200001: -301010: 订单编号已存在' });
    expect(trail(f.receipts())).toEqual(['CEB312:2', 'CEB312:-301010']);
    // a signature covers the whole message: each of its documents is refused with it
    const unsigned = (await together([example(), secondOrder()], 'inventory')).replace(
      /<ds:Signature[\s\S]*<\/ds:Signature>/,
      '',
    );
    const refused = await f.submit(unsigned, { transport: 'api' });
    expect(refused.accepted).toBe(false);
    expect(
      f
        .receipts()
        .map((r) => [r.type, r.returnStatus, r.orderNo])
        .slice(2),
    ).toEqual([
      ['CEB622', '-621029', 'SD202611200001'],
      ['CEB622', '-621029', 'SD202611200002'],
    ]);
    await f.close();
  });
});

describe('temp-save (appStatus 1, 暂存)', () => {
  it('an inventory saved as a draft is answered 1 and not declared; sent with appStatus 2 it is, under its pre-entry number', async () => {
    const e = await engine();
    const d = example();
    d.inventory.appStatus = '1';
    await declare(e, d);
    // the three documents run their course; the inventory stays a draft at the E-Port: no check, no release, no bill
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:1']);
    expect(lastInfo(e.receipts(), 'CEB622')).toBe('电子口岸已暂存');
    expect(trail(e.receipts(), 'CEB816')).toEqual([]);
    d.inventory.appStatus = '2';
    const declared = await e.submit(await message(d, 'inventory', signing.trusted), { transport: 'api' });
    expect(declared.accepted).toBe(true);
    await e.advance('1d');
    const rs = e.receipts().filter((r) => r.type === 'CEB622');
    expect(trail(rs)).toEqual(['CEB622:1', 'CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
    expect(new Set(rs.map((r) => read(r).documents[0]!.preNo)).size).toBe(1);
    await e.close();
  });

  it('an order saved as a draft is not matched: its inventory waits until the order is declared', async () => {
    const e = await engine();
    const d = example();
    d.order.appStatus = '1';
    await declare(e, d);
    expect(trail(e.receipts(), 'CEB312')).toEqual(['CEB312:1']);
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3']);
    d.order.appStatus = '2';
    expect((await e.submit(await message(d, 'order'), { transport: 'api' })).accepted).toBe(true);
    await e.advance('1d');
    expect(trail(e.receipts(), 'CEB622').at(-1)).toBe('CEB622:800');
    await e.close();
  });

  it('a draft of a change leaves the declaration customs holds as it is', async () => {
    const e = await engine();
    const d = example();
    const m = await messages(d, signing.trusted);
    await e.submit(m.order, { transport: 'api' });
    await e.advance('10s'); // the order is in (120)
    const draft = example();
    Object.assign(draft.order, { appType: '2', appStatus: '1', buyerTelephone: '13900000000' });
    const saved = await e.submit(await message(draft, 'order'), { transport: 'api' });
    expect([saved.accepted, read(saved.body).documents[0]!.returnStatus]).toEqual([true, '1']);
    for (const k of ['payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
    await e.advance('1d');
    expect(trail(e.receipts(), 'CEB312')).toEqual(['CEB312:2', 'CEB312:3', 'CEB312:120', 'CEB312:1']);
    expect(trail(e.receipts(), 'CEB622').at(-1)).toBe('CEB622:800');
    await e.close();
  });
});

describe('scenarios', () => {
  it.each(['memory', 'sqlite'] as const)(
    'a scripted rejection is removed with null, and the corrected inventory is released (%s state)',
    async (kind) => {
      const dir = mkdtempSync(join(tmpdir(), 'sandan-scenario-'));
      const store = kind === 'memory' ? ('memory' as const) : { sqlite: join(dir, 'state.db') };
      const e = await engine({ store });
      e.scenario('SD202611200001', { reject: { code: '1320', desc: '商品编码错误' } });
      await declare(e, example());
      expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:100']);
      e.scenario('SD202611200001', null);
      const corrected = example();
      corrected.inventory.appType = '2';
      const ack = await e.submit(await message(corrected, 'inventory', signing.trusted), { transport: 'api' });
      expect(ack.accepted).toBe(true);
      await e.advance('1d');
      expect(trail(e.receipts(), 'CEB622').slice(3)).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
      // removing what is not set is no error
      e.scenario('SD202611200001', null, { ebpCode: '3301964J31' });
      await e.close();
      rmSync(dir, { recursive: true, force: true });
    },
  );

  // The message specification does not say whether an inventory refused (100) is declared again as new (appType 1)
  // or as a change (2): the refused one is no declaration in force, so either is taken as a first declaration.
  it.each(['1', '2'])(
    'an inventory refused by a scenario and declared again (appType %s, its copNo, a new guid) is released once the scenario is removed',
    async (appType) => {
      // duplicateCopNo refuse: the refused declaration of the same copNo must not count against its resend
      const e = await engine({ duplicateCopNo: 'refuse' });
      e.scenario('SD202611200001', { reject: { code: '1320', desc: '商品编码错误' } });
      await declare(e, example());
      expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:100']);
      expect(
        e
          .receipts()
          .filter((r) => r.type === 'CEB622')
          .at(-1)?.returnInfo,
      ).toBe('[Code:1320;Desc:商品编码错误]');
      const resend = async () => {
        const corrected = example();
        corrected.inventory.appType = appType;
        const xml = await message(corrected, 'inventory', signing.trusted);
        const ack = await e.submit(xml, { transport: 'api' });
        expect(ack).toMatchObject({ accepted: true, httpStatus: 200 });
        await e.advance('1d');
        return String(read(xml).documents[0]?.guid);
      };
      // the scenario stays until removed: a resend while it is set is refused again, as documented
      await resend();
      expect(trail(e.receipts(), 'CEB622').slice(3)).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:100']);
      e.scenario('SD202611200001', null);
      const guid = await resend();
      const after = e.receipts().slice(trail(e.receipts()).lastIndexOf('CEB622:100') + 1);
      expect(trail(after)).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800', 'CEB816']);
      // the receipts answer the resend: its guid and the copNo it shares with the refused declarations
      for (const r of after.filter((x) => x.type === 'CEB622')) {
        expect(read(r).documents[0]).toMatchObject({ guid, copNo: 'INV202611200001' });
      }
      expect(after[2]?.invtNo).toMatch(/^\d{4}2026I\d{9}$/);
      await e.close();
    },
  );

  it('reject with a given code, at the inventory or at a document', async () => {
    const e = await engine();
    e.scenario('SD202611200001', { reject: { code: '1332' } });
    await declare(e, example());
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:100']);
    expect(parseReturnInfo(lastInfo(e.receipts(), 'CEB622') ?? '').code).toBe('1332');
    const p = await engine();
    p.scenario('SD202611200001', { reject: { code: '22001', desc: '支付企业未备案', at: 'payment' } });
    await declare(p, example());
    expect(trail(p.receipts(), 'CEB412')).toEqual(['CEB412:2', 'CEB412:3', 'CEB412:100']);
    expect(lastInfo(p.receipts(), 'CEB412')).toBe('[Code:22001;Desc:支付企业未备案]');
    // the inventory waits for a payment that never comes in
    expect(trail(p.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3']);
    expect(() => p.scenario('SD1', { reject: { code: 'x' } } as never)).toThrow(/reject.code/);
    // Scenarios that would do nothing, or put what is not text into a receipt, are refused too.
    expect(() => p.scenario('SD1', { reject: { code: '1313', desc: 5 } } as never)).toThrow(/reject.desc/);
    expect(() => p.scenario('SD1', { drop: { receipt: 'CEB62' } } as never)).toThrow(/drop.receipt .*CEB622, CEB624/);
    expect(() => p.scenario('SD1', { drop: { receipt: 'toString' } } as never)).toThrow(/drop.receipt/);
    expect(() => p.scenario('SD1', { drop: { receipt: 'CEB622', status: 800 } } as never)).toThrow(/drop.status/);
    p.scenario('SD1', { drop: { receipt: 'CEB816' } });
    await Promise.all([e.close(), p.close()]);
  });

  it('hold at 500 查验 for 2h, then release', async () => {
    const e = await engine();
    e.scenario('SD202611200001', { hold: { status: '500', for: '2h' } });
    const m = await messages(example(), signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
    await e.advance('1h');
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:500']);
    await e.advance('1h');
    expect(trail(e.receipts(), 'CEB622').at(-1)).toBe('CEB622:500');
    await e.advance('10m');
    expect(trail(e.receipts(), 'CEB622').at(-1)).toBe('CEB622:800');
    const held = e.receipts().filter((r) => r.type === 'CEB622');
    expect(Date.parse(held[4]!.at) - Date.parse(held[3]!.at)).toBe(2 * 3600_000);
    await e.close();
  });

  // Hostile review (session 51): { reject, hold } was taken and the hold silently ignored.
  it('a scenario of two kinds at once is refused: it does one thing', async () => {
    const e = await engine();
    expect(() =>
      e.scenario('SD202611200001', {
        reject: { code: '1313' },
        hold: { status: '500', for: '1h' },
      } as unknown as Parameters<typeof e.scenario>[1]),
    ).toThrow('scenario: one of reject, hold, drop or taxBill, not reject and hold together');
    await e.close();
  });

  // Audit (session 40): a hold of 99999999d was taken (HTTP 200) and its end scheduled at Invalid Date: the inventory
  // stopped at 120, without even its 500, and nothing said why.
  it('a hold that would end past 9999-12-31 is refused', async () => {
    const e = await engine();
    expect(() => e.scenario('SD202611200001', { hold: { status: '500', for: '99999999d' } })).toThrow(
      'scenario: hold.for "99999999d" would end past 9999-12-31 23:59:59 Beijing time, the latest time a CEB message can carry',
    );
    // A hold within time still goes 120 → 600 → 800.
    e.scenario('SD202611200001', { hold: { status: '600', for: '2h' } });
    const m = await messages(example(), signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
    await e.advance('1d');
    expect(trail(e.receipts(), 'CEB622').slice(-3)).toEqual(['CEB622:120', 'CEB622:600', 'CEB622:800']);
    await e.close();
  });

  it('taxBill: a taxTotal that differs is taken (not 1300) and billed with customs’ own figures', async () => {
    // 49.86 withheld for the 49.87 computed (36.22 + 13.65): without the scenario, 100 with 1300 (tax-mismatch).
    const short = () => {
      const d = example();
      d.order.taxTotal = '49.86';
      d.order.acturalPaid = d.payment.amountPaid = '597.86';
      return d;
    };
    const plain = await engine();
    await declare(plain, short());
    expect(trail(plain.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:100']);
    expect(parseReturnInfo(lastInfo(plain.receipts(), 'CEB622') ?? '').code).toBe('1300');
    // taxBill {}: taken, and billed as computed, 49.87.
    const taken = await engine();
    taken.scenario('SD202611200001', { taxBill: {} });
    await declare(taken, short());
    expect(trail(taken.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
    const bill = read(taken.receipts().find((r) => r.type === 'CEB816')!).documents[0]!;
    expect(String(bill.valueAddedTax)).toBe('49.87');
    // taxBill with customs' figure for line 1: 36.23 + 13.65 = 49.88 on the head; line 2 as computed.
    const own = await engine({ store: { sqlite: join(mkdtempSync(join(tmpdir(), 'sandan-bill-')), 'state.db') } });
    own.scenario('SD202611200001', {
      taxBill: {
        items: [
          { gnum: 1, valueAddedTax: '36.23' },
          { gnum: 7, customsTax: '1' },
        ],
      },
    });
    const heard: string[] = [];
    own.onNote?.((n) => heard.push(n.note));
    await declare(own, example());
    const billed = read(own.receipts().find((r) => r.type === 'CEB816')!).documents[0]! as Record<string, any>;
    expect([String(billed.valueAddedTax), String(billed.customsTax), String(billed.consumptionTax)]).toEqual([
      '49.88',
      '0',
      '0',
    ]);
    expect(billed.items.map((l: Record<string, unknown>) => [l.gnum, String(l.valueAddedTax)])).toEqual([
      [1, '36.23'],
      [2, '13.65'],
    ]);
    // A line the inventory has not is said on the CEB621 message, not passed over in silence.
    expect(own.received().find((m) => m.messageType === 'CEB621')?.notes).toEqual([
      expect.stringMatching(/^the taxBill scenario names line 7, which inventory 29242026I\d{9} does not have/),
    ]);
    // … and told to the note listeners, as every note is (`sandan emulate` prints them).
    expect(heard).toEqual(own.received().find((m) => m.messageType === 'CEB621')?.notes);
    // Refused: a line with no tax, a number, a line twice, another key, two kinds at once.
    const bad = (t: unknown) => () => own.scenario('SD1', t as never);
    expect(bad({ taxBill: { items: [{ gnum: 1 }] } })).toThrow(/taxBill.items\[0\] gives no tax/);
    expect(bad({ taxBill: { items: [{ gnum: 1, valueAddedTax: 36.23 }] } })).toThrow(
      /valueAddedTax must be an amount to the fen as text/,
    );
    expect(bad({ taxBill: { items: [{ gnum: 1, valueAddedTax: '36.231' }] } })).toThrow(/to the fen/);
    expect(
      bad({
        taxBill: {
          items: [
            { gnum: 1, vat: '1' },
            { gnum: 1, valueAddedTax: '1' },
          ],
        },
      }),
    ).toThrow(/has no vat/);
    expect(
      bad({
        taxBill: {
          items: [
            { gnum: 1, customsTax: '1' },
            { gnum: 1, valueAddedTax: '1' },
          ],
        },
      }),
    ).toThrow(/named twice/);
    expect(bad({ taxBill: { lines: [] } })).toThrow(/taxBill has no lines: only items/);
    expect(bad({ taxBill: {}, hold: { status: '500', for: '1h' } })).toThrow(/not hold and taxBill together/);
    await Promise.all([plain.close(), taken.close(), own.close()]);
  });

  it('drop a receipt: the 120 never arrives, the rest do', async () => {
    const e = await engine();
    e.scenario('SD202611200001', { drop: { receipt: 'CEB622', status: '120' } });
    await declare(e, example());
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:800']);
    expect(trail(e.receipts(), 'CEB816')).toEqual(['CEB816']);
    await e.close();
  });
});

describe('one orderNo on two platforms (an orderNo is unique only within a platform)', () => {
  const A = '3301964J31'; // the example's platform
  const B = '3301964J77';
  /** The CEB622 statuses of SD202611200001, by the platform the receipt names. */
  const inventoryTrails = (e: EmulatorEngine) => ({
    A: trail(e.receipts(0, { orderNo: 'SD202611200001', ebpCode: A }), 'CEB622'),
    B: trail(e.receipts(0, { orderNo: 'SD202611200001', ebpCode: B }), 'CEB622'),
  });

  it('each receipt names its platform; the filter tells the two orders apart, a waybill’s receipt goes with both', async () => {
    const e = await engine();
    await declare(e, example());
    const lastOfA = e.receipts().at(-1)!.seq;
    await declare(e, onPlatformB());
    const all = e.receipts(0, { orderNo: 'SD202611200001' });
    // 2 platforms × (CEB312, CEB412, CEB512: 2, 3, 120 + CEB622: 2, 3, 120, 800 + CEB816) = 2 × 14
    expect(all).toHaveLength(28);
    // A's declaration was answered in full before B's came in; a waybill names no platform.
    const want = (r: (typeof all)[number]) => (r.type === 'CEB512' ? undefined : r.seq <= lastOfA ? A : B);
    expect(all.map((r) => `${r.type}:${r.ebpCode}`)).toEqual(all.map((r) => `${r.type}:${want(r)}`));
    const ofB = e.receipts(0, { orderNo: 'SD202611200001', ebpCode: B });
    // B's 11 with a platform (3 + 3 + 4 + 1) and both waybills' 3 + 3
    expect(ofB).toHaveLength(17);
    expect(new Set(ofB.map((r) => r.ebpCode))).toEqual(new Set([B, undefined]));
    expect(inventoryTrails(e)).toEqual({
      A: ['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800'],
      B: ['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800'],
    });
    expect(() => e.receipts(0, { ebpCode: '' })).toThrow(/ebpCode must be a non-empty string/);
    await e.close();
  });

  it('a scenario for one platform’s order leaves the other platform’s order of the number alone', async () => {
    const e = await engine();
    e.scenario('SD202611200001', { reject: { code: '1322' } }, { ebpCode: B });
    await declare(e, example());
    await declare(e, onPlatformB());
    expect(inventoryTrails(e)).toEqual({
      A: ['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800'],
      B: ['CEB622:2', 'CEB622:3', 'CEB622:100'],
    });
    // The orderNo's own scenario applies to every platform without one of its own.
    const f = await engine();
    f.scenario('SD202611200001', { drop: { receipt: 'CEB816' } });
    f.scenario('SD202611200001', { hold: { status: '500', for: '2h' } }, { ebpCode: B });
    await declare(f, example());
    await declare(f, onPlatformB());
    expect(trail(f.receipts(0, { orderNo: 'SD202611200001' }), 'CEB816')).toEqual(['CEB816']);
    expect(f.receipts(0, { orderNo: 'SD202611200001', ebpCode: B }).find((r) => r.type === 'CEB816')).toBeDefined();
    expect(inventoryTrails(f).B).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:500', 'CEB622:800']);
    // A waybill names no platform: its scenarios are the orderNo's alone.
    expect(() => f.scenario('SD1', { reject: { code: '1300', at: 'logistics' } }, { ebpCode: B })).toThrow(
      /a waybill names no platform/,
    );
    expect(() => f.scenario('SD1', { drop: { receipt: 'CEB512' } }, { ebpCode: B })).toThrow(
      /a waybill names no platform/,
    );
    expect(() => f.scenario('SD1', { drop: { receipt: 'CEB622' } }, { ebpCode: '' })).toThrow(/ebpCode/);
    await Promise.all([e.close(), f.close()]);
  });

  it('an inventory is never matched with another platform’s payment of the same orderNo: it waits for its own', async () => {
    const e = await engine();
    await declare(e, example());
    // B's order, waybill and inventory come in; its payment a day later.
    await declare(e, onPlatformB(), ['order', 'logistics', 'inventory']);
    // (before: A's payment was taken, and B's inventory refused 1300 for the ebpCode that differs)
    expect(inventoryTrails(e).B).toEqual(['CEB622:2', 'CEB622:3']);
    await declare(e, onPlatformB(), ['payment']);
    expect(inventoryTrails(e).B).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
    await e.close();
  });

  it('a payment under an ebpCode no order has is still matched by orderNo: the rules name the ebpCode that differs', async () => {
    const e = await engine();
    const d = example();
    d.payment.ebpCode = '3301964J99';
    await declare(e, d);
    expect(inventoryTrails(e).A).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:100']);
    const info = parseReturnInfo(lastInfo(e.receipts(), 'CEB622') ?? '');
    expect(info.code).toBe('1300');
    expect(info.desc).toContain('ebp-code-mismatch');
    await e.close();
  });
});

describe('cancellations and returns', () => {
  const signed = async (type: 'CEB623' | 'CEB625', doc: Record<string, unknown>, at = T0) => {
    const r = buildMessage(type, doc as never, { sender: SENDER, now: () => new Date(at), newId: () => randomUUID() });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return (await signMessage(r.xml, signing.trusted)).xml;
  };

  it('a cancel before release stops the release (399) and gives the quota back; after release it is refused', async () => {
    const e = await engine({ quota: { annualLimit: '1000' } });
    const d = example();
    const m = await messages(d, signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
    await e.advance('10s'); // 120, not yet released
    const invtNo = e.receipts().find((r) => r.returnStatus === '120' && r.type === 'CEB622')!.invtNo!;
    const ack = await e.submit(await signed('CEB623', cancelOf(d, invtNo), '2026-11-20T02:20:10Z'), {
      transport: 'api',
    });
    expect(ack.accepted).toBe(true);
    await e.advance('1d');
    expect(trail(e.receipts(), 'CEB624')).toEqual(['CEB624:2', 'CEB624:3', 'CEB624:120', 'CEB624:399']);
    expect(lastInfo(e.receipts(), 'CEB624')).toBe('[Code:2300;Desc:审核通过]');
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120']);
    expect(trail(e.receipts(), 'CEB816')).toEqual([]);
    // the quota came back: a second order of 548 for the same buyer fits in 1000 again (548 + 548 would not)
    await declare(e, secondOrder());
    expect(trail(e.receipts(0, { orderNo: 'SD202611200002' }), 'CEB622').at(-1)).toBe('CEB622:800');
    // a cancel without copNo for an inventory nobody declared is still answered (never lost)
    const { copNo: _drop, ...noCop } = cancelOf(d, '29242026I999999998');
    const lost = await e.submit(await signed('CEB623', noCop), { transport: 'api' });
    expect(read(lost.body).documents[0]!.returnStatus).toBe('-623003');

    // released: a cancel is refused (-623005); an unknown invtNo too (-623003)
    const r = await engine();
    await declare(r, example());
    const released = r.receipts().find((x) => x.returnStatus === '800')!.invtNo!;
    const late = await r.submit(await signed('CEB623', cancelOf(d, released)), { transport: 'api' });
    expect(late.accepted).toBe(false);
    expect(read(late.body).documents[0]!.returnStatus).toBe('-623005');
    const unknown = await r.submit(await signed('CEB623', cancelOf(d, '29242026I999999999')), { transport: 'api' });
    expect(read(unknown.body).documents[0]!.returnStatus).toBe('-623003');
    await Promise.all([e.close(), r.close()]);
  });

  it('an order changed once its inventory is in (120) → -301011; once the inventory is cancelled the change is taken', async () => {
    const e = await engine();
    const d = example();
    const m = await messages(d, signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
    await e.advance('10s'); // the inventory is in (120), its release due
    const changed = example();
    changed.order.appType = '2';
    changed.order.buyerTelephone = '13900000000';
    const refused = await e.submit(await message(changed, 'order'), { transport: 'api' });
    expect(refused).toMatchObject({ accepted: false, reason: '-301011: 该订单已申报清单' });
    expect(read(refused.body).documents[0]!.returnStatus).toBe('-301011');
    const invtNo = e.receipts().find((r) => r.returnStatus === '120' && r.type === 'CEB622')!.invtNo!;
    // cancelled (399), the inventory no longer holds the order: the change is taken and runs its course
    await e.submit(await signed('CEB623', cancelOf(d, invtNo), '2026-11-20T02:20:10Z'), { transport: 'api' });
    await e.advance('1h');
    expect(trail(e.receipts(), 'CEB624').at(-1)).toBe('CEB624:399');
    const taken = await e.submit(await message(changed, 'order'), { transport: 'api' });
    expect(taken.accepted).toBe(true);
    await e.advance('1d');
    expect(trail(e.receipts(), 'CEB312')).toEqual([
      'CEB312:2',
      'CEB312:3',
      'CEB312:120',
      'CEB312:-301011',
      'CEB312:2',
      'CEB312:3',
      'CEB312:120',
    ]);
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120']);
    await e.close();
  });

  it('a payment or waybill changed once its inventory is in (120) → -401008 / -504016; heldDocumentChange take takes them', async () => {
    const changes = (d: Record<string, any>) => {
      const c = structuredClone(d);
      Object.assign(c.payment, { appType: '2', payTime: '20261120101700' });
      Object.assign(c.logistics, { appType: '2', weight: '2.20' });
      return c;
    };
    const d = example();
    const m = await messages(d, signing.trusted);
    const e = await engine();
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
    await e.advance('10s'); // the inventory is in (120), its release due
    const c = changes(d);
    const payment = await e.submit(await message(c, 'payment'), { transport: 'api' });
    const waybill = await e.submit(await message(c, 'logistics'), { transport: 'api' });
    expect([payment, waybill].map((a) => [a.accepted, read(a.body).documents[0]!.returnStatus])).toEqual([
      [false, '-401008'],
      [false, '-504016'],
    ]);
    await e.advance('1d');
    // the inventory is released on the documents it was matched on, which stay at 120
    expect(trail(e.receipts(), 'CEB622').at(-1)).toBe('CEB622:800');
    expect(trail(e.receipts(), 'CEB412')).toEqual(['CEB412:2', 'CEB412:3', 'CEB412:120', 'CEB412:-401008']);
    await e.close();

    const t = await engine({ heldDocumentChange: 'take' });
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await t.submit(m[k], { transport: 'api' });
    await t.advance('10s');
    for (const k of ['payment', 'logistics'] as const)
      expect((await t.submit(await message(c, k), { transport: 'api' })).accepted, k).toBe(true);
    await t.advance('1d');
    expect(trail(t.receipts(), 'CEB622').at(-1)).toBe('CEB622:800');
    expect(trail(t.receipts(), 'CEB512')).toEqual([
      'CEB512:2',
      'CEB512:3',
      'CEB512:120',
      'CEB512:2',
      'CEB512:3',
      'CEB512:120',
    ]);
    await t.close();
    await expect(engine({ heldDocumentChange: 'maybe' as never })).rejects.toThrow(/heldDocumentChange must be/);
  });

  it('a waybill is the inventory’s by its own numbers: a change of one naming the orderNo of a released order of another waybill is taken', async () => {
    const e = await engine();
    const d = example();
    await declare(e, d);
    // the same orderNo (unique only within a platform), another waybill: not the released inventory's
    const other = example();
    other.logistics.logisticsNo = 'ZT7700099999999';
    expect((await e.submit(await message(other, 'logistics'), { transport: 'api' })).accepted).toBe(true);
    other.logistics.appType = '2';
    other.logistics.weight = '2.20';
    const changed = await e.submit(await message(other, 'logistics'), { transport: 'api' });
    expect([changed.accepted, read(changed.body).documents[0]!.returnStatus]).toEqual([true, '2']);
    await e.close();
  });

  it('the quota of a declaration replaced or cancelled is given back, and the order declared again has its own', async () => {
    // (a) an inventory in (120, 548 reserved) changed into one that is rejected: nothing stays reserved
    const e = await engine({ quota: { annualLimit: '1000' }, heldDocumentChange: 'take' });
    const d = example();
    const m = await messages(d, signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
    await e.advance('10s');
    const wrong = example();
    Object.assign(wrong.inventory, { appType: '2', buyerName: '李四' });
    await e.submit(await message(wrong, 'inventory', signing.trusted), { transport: 'api' });
    await e.advance('1d');
    expect(trail(e.receipts(), 'CEB622').at(-1)).toBe('CEB622:100');
    // a second order of 548 for the buyer: 548 ≤ 1000 (548 + 548 = 1096 would not be)
    await declare(e, secondOrder());
    expect(trail(e.receipts(0, { orderNo: 'SD202611200002' }), 'CEB622').at(-1)).toBe('CEB622:800');
    await e.close();

    // (b) cancelled, then declared again without the face cream (398.00): released, and its 398 counts, not 548
    const c = await engine({ quota: { annualLimit: '1000' } });
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await c.submit(m[k], { transport: 'api' });
    await c.advance('10s');
    const invtNo = c.receipts().find((r) => r.returnStatus === '120' && r.type === 'CEB622')!.invtNo!;
    await c.submit(await signed('CEB623', cancelOf(d, invtNo), '2026-11-20T02:20:10Z'), { transport: 'api' });
    await c.advance('1h');
    const less = example();
    less.order.items.pop();
    less.inventory.items.pop();
    // 398.00 × 13 % × 70 % = 36.218 → 36.22; 398.00 + 36.22 = 434.22
    Object.assign(less.order, { appType: '2', goodsValue: '398.00', taxTotal: '36.22', acturalPaid: '434.22' });
    Object.assign(less.payment, { appType: '2', amountPaid: '434.22' });
    Object.assign(less.inventory, { grossWeight: '1.9', netWeight: '1.6' });
    for (const k of ['order', 'payment', 'inventory'] as const)
      expect(
        (await c.submit(await message(less, k, k === 'inventory' ? signing.trusted : undefined), { transport: 'api' }))
          .accepted,
      ).toBe(true);
    await c.advance('1d');
    expect(trail(c.receipts(), 'CEB622')).toEqual([
      'CEB622:2',
      'CEB622:3',
      'CEB622:120',
      'CEB622:2',
      'CEB622:3',
      'CEB622:120',
      'CEB622:800',
    ]);
    // 398 + 548 = 946 ≤ 1000: the cancelled 548 no longer counts
    await declare(c, secondOrder());
    expect(trail(c.receipts(0, { orderNo: 'SD202611200002' }), 'CEB622').at(-1)).toBe('CEB622:800');
    await c.close();
  });

  it('a cancel or return sent twice: the second is refused with the E-Port’s code (-623009, -625033) and the first runs its course', async () => {
    const e = await engine();
    const d = example();
    const m = await messages(d, signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
    await e.advance('10s');
    const invtNo = e.receipts().find((r) => r.returnStatus === '120' && r.type === 'CEB622')!.invtNo!;
    const cancel = await signed('CEB623', cancelOf(d, invtNo), '2026-11-20T02:20:10Z');
    expect((await e.submit(cancel, { transport: 'api' })).accepted).toBe(true);
    expect(await e.submit(cancel, { transport: 'api' })).toMatchObject({
      accepted: false,
      reason: '-623009: 撤单清单已经申报过',
    });
    await e.advance('1d');
    expect(trail(e.receipts(), 'CEB624')).toEqual([
      'CEB624:2',
      'CEB624:-623009',
      'CEB624:3',
      'CEB624:120',
      'CEB624:399',
    ]);
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120']);
    await e.close();

    const r = await engine();
    await declare(r, d);
    const released = r.receipts().find((x) => x.returnStatus === '800')!.invtNo!;
    const items = [{ gnum: 1, gcode: '1901101000', gname: '婴儿配方奶粉 800g', qty: 1, unit: '122' }];
    const refund = await signed('CEB625', { ...cancelOf(d, released), reason: '质量问题', items });
    expect((await r.submit(refund, { transport: 'api' })).accepted).toBe(true);
    const again = await r.submit(refund, { transport: 'api' });
    expect(again).toMatchObject({ accepted: false, reason: '-625033: 退货申请单已经申报过，请勿重复申报' });
    await r.advance('1d');
    expect(trail(r.receipts(), 'CEB626')).toEqual([
      'CEB626:2',
      'CEB626:-625033',
      'CEB626:3',
      'CEB626:120',
      'CEB626:399',
    ]);
    await r.close();
  });

  it('a cancel or return naming another order, enterprise or waybill than its invtNo’s inventory is refused', async () => {
    const e = await engine();
    const d = example();
    const m = await messages(d, signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
    await e.advance('10s');
    const invtNo = e.receipts().find((r) => r.returnStatus === '120' && r.type === 'CEB622')!.invtNo!;
    const at = '2026-11-20T02:20:10Z';
    const others = [{ orderNo: 'SD202611209999' }, { ebcCode: '3301964J99' }, { logisticsNo: 'ZT7700099999999' }];
    const answers = [];
    for (const o of others)
      answers.push(await e.submit(await signed('CEB623', { ...cancelOf(d, invtNo), ...o }, at), { transport: 'api' }));
    // customs' refusal: taken in by the E-Port (2) and sent on (3), refused (100) where its 120 would have come
    expect(answers.map((a) => [a.accepted, read(a.body).documents[0]!.returnStatus])).toEqual([
      [true, '2'],
      [true, '2'],
      [true, '2'],
    ]);
    await e.advance('3s');
    expect(trail(e.receipts(), 'CEB624')).toEqual([...Array(3).fill('CEB624:2'), ...Array(3).fill('CEB624:3')]);
    await e.advance('1m');
    expect(trail(e.receipts(), 'CEB624').slice(6)).toEqual(Array(3).fill('CEB624:100'));
    expect(infos(e.receipts(), 'CEB624', '100')[1]).toMatchObject({
      code: '1300',
      desc: `ebcCode 3301964J99 与清单 ${invtNo} 的 3301964J31 不一致 / ebcCode 3301964J99 is not that of inventory ${invtNo} (3301964J31)`,
    });
    await e.advance('1d');
    // the inventory was not cancelled: it is released, and its return is checked the same way (on the compact inventory)
    expect(trail(e.receipts(), 'CEB622').at(-1)).toBe('CEB622:800');
    const line = { gnum: 1, gcode: '1901101000', gname: '婴儿配方奶粉 800g', qty: 1, unit: '122' };
    const refund = { ...cancelOf(d, invtNo), ebcCode: '3301964J99', reason: '质量问题', items: [line] };
    const ret = await e.submit(await signed('CEB625', refund), { transport: 'api' });
    expect(ret.accepted).toBe(true);
    await e.advance('1m');
    expect(trail(e.receipts(), 'CEB626')).toEqual(['CEB626:2', 'CEB626:3', 'CEB626:100']);
    expect(infos(e.receipts(), 'CEB626', '100').map((i) => i.code)).toEqual(['1300']);
    await e.close();
  });

  it('a return line must be the inventory line: same gnum, commodity code and unit (else -625209)', async () => {
    const e = await engine();
    const d = example();
    await declare(e, d);
    const invtNo = e.receipts().find((x) => x.returnStatus === '800')!.invtNo!;
    const line = { gnum: 1, gcode: '1901101000', gname: '婴儿配方奶粉 800g', qty: 1, unit: '122' };
    const returnOf = (l: Record<string, unknown>) =>
      signed('CEB625', { ...cancelOf(d, invtNo), reason: '质量问题', items: [{ ...line, ...l }] });
    // the order is final (released, billed): its inventory is kept compact, and still knows its lines
    const answers = [];
    for (const l of [{ gcode: '0401990000' }, { unit: '007' }, { gnum: 3 }, {}])
      answers.push(await e.submit(await returnOf(l), { transport: 'api' }));
    expect(answers.map((a) => read(a.body).documents[0]!.returnStatus)).toEqual(['-625209', '-625209', '-625209', '2']);
    await e.close();
  });

  it('a return line of no or a negative quantity is refused, and takes nothing off what the line may return', async () => {
    const e = await engine();
    const d = example();
    await declare(e, d);
    const invtNo = e.receipts().find((x) => x.returnStatus === '800')!.invtNo!;
    // line 1 declared 2 tins; the XSD's decimal takes any sign, so the quantity is written into the XML
    const returnOf = async (qty: string) => {
      const r = buildMessage(
        'CEB625',
        {
          ...cancelOf(d, invtNo),
          reason: '质量问题',
          items: [{ gnum: 1, gcode: '1901101000', gname: '婴儿配方奶粉 800g', qty: 1, unit: '122' }],
        } as never,
        { sender: SENDER, now: () => new Date(T0), newId: () => randomUUID() },
      );
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      const xml = r.xml.replace(/(<(?:ceb:)?qty>)1(<)/, `$1${qty}$2`);
      expect(xml).toContain(`qty>${qty}<`);
      return (await signMessage(xml, signing.trusted)).xml;
    };
    const answers = [];
    for (const qty of ['-5', '0', '7']) {
      answers.push(await e.submit(await returnOf(qty), { transport: 'api' }));
      await e.advance('1h');
    }
    expect(answers.map((a) => a.accepted)).toEqual([true, true, true]);
    expect(infos(e.receipts(), 'CEB626', '100').map((i) => i.desc)).toEqual([
      '退货数量须大于0（项号 1，申报 -5）/ the quantity returned on line 1 must be above 0, got -5',
      '退货数量须大于0（项号 1，申报 0）/ the quantity returned on line 1 must be above 0, got 0',
      '退货数量超过原清单数量（项号 1，已退 0）/ more returned than declared on line 1 (0 returned before)',
    ]);
    expect(trail(e.receipts(), 'CEB626')).toEqual(Array(3).fill(['CEB626:2', 'CEB626:3', 'CEB626:100']).flat());
    await e.close();
  });

  it('returns of a line together cannot take back more than the inventory declared', async () => {
    const e = await engine();
    const d = example();
    await declare(e, d);
    const invtNo = e.receipts().find((x) => x.returnStatus === '800')!.invtNo!;
    // line 1 declared 2 tins: one returned, then another, then a third is one too many
    const one = {
      ...cancelOf(d, invtNo),
      reason: '质量问题',
      items: [{ gnum: 1, gcode: '1901101000', gname: '婴儿配方奶粉 800g', qty: 1, unit: '122' }],
    };
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(await e.submit(await signed('CEB625', one), { transport: 'api' }));
      await e.advance('1h');
    }
    expect(answers.map((a) => a.accepted)).toEqual([true, true, true]);
    expect(infos(e.receipts(), 'CEB626', '100')[0]).toMatchObject({
      code: '1300',
      desc: '退货数量超过原清单数量（项号 1，已退 2）/ more returned than declared on line 1 (2 returned before)',
    });
    expect(trail(e.receipts(), 'CEB626')).toEqual([
      'CEB626:2',
      'CEB626:3',
      'CEB626:120',
      'CEB626:399',
      'CEB626:2',
      'CEB626:3',
      'CEB626:120',
      'CEB626:399',
      'CEB626:2',
      'CEB626:3',
      'CEB626:100',
    ]);
    await e.close();
  });

  // Two tins at p and the cream at 150.00, the quota counting what was paid (tax included): the share of
  // each return, rounded to the fen on its own, does not add up to what the order counted.
  //   p = 100.07: 2 × 100.07 = 200.14; VAT 200.14 × 0.091 = 18.21274 → 18.21, 150 × 0.091 = 13.65: 31.86;
  //     paid 350.14 + 31.86 = 382.00; a tin 382.00 × 100.07 / 350.14 = 109.1756 → 109.18, the cream
  //     382.00 × 150 / 350.14 = 163.6488 → 163.65: 109.18 + 109.18 + 163.65 = 382.01, a fen more than counted
  //     (the ledger refused the last return's 163.65 with 163.64 left, and all 163.64 stayed counted);
  //   p = 100.14: 200.28; VAT 18.22548 → 18.23 + 13.65 = 31.88; paid 382.16; a tin 382.16 × 100.14 / 350.28
  //     = 109.2509 → 109.25, the cream 382.16 × 150 / 350.28 = 163.6519 → 163.65: 382.15, a fen left counted.
  it.each([
    ['100.07', '200.14', '31.86', '382.00'],
    ['100.14', '200.28', '31.88', '382.16'],
  ])(
    'several returns that take the whole order back give back all it counted (tin at %s)',
    async (price, line, taxTotal, paid) => {
      const priced = (d: Record<string, any>) => {
        for (const k of ['order', 'inventory']) Object.assign(d[k].items[0], { price, totalPrice: line });
        const goods = new Decimal(line).plus('150.00').toFixed(2);
        Object.assign(d.order, { goodsValue: goods, taxTotal, acturalPaid: paid });
        d.payment.amountPaid = paid;
        return d;
      };
      const base = defaultQuotaPolicy();
      // the limit is one order: the second fits only if the first no longer counts at all
      const e = await engine({
        quota: { annualLimit: paid, policy: (date) => ({ ...base(date), quotaBasis: 'actualPaid' }) },
      });
      const d = priced(example());
      await declare(e, d);
      const invtNo = e.receipts().find((x) => x.returnStatus === '800')!.invtNo!;
      const tin = { gnum: 1, gcode: '1901101000', gname: '婴儿配方奶粉 800g', qty: 1, unit: '122' };
      const cream = { gnum: 2, gcode: '3304990039', gname: '保湿面霜 50ml', qty: 1, unit: '142' };
      for (const l of [tin, tin, cream]) {
        const ack = await e.submit(await signed('CEB625', { ...cancelOf(d, invtNo), reason: '质量问题', items: [l] }), {
          transport: 'api',
        });
        expect(ack.accepted).toBe(true);
        await e.advance('1h');
      }
      expect(trail(e.receipts(), 'CEB626').filter((t) => t === 'CEB626:399')).toHaveLength(3);
      await declare(e, priced(secondOrder()));
      expect(trail(e.receipts(0, { orderNo: 'SD202611200002' }), 'CEB622').at(-1)).toBe('CEB622:800');
      await e.close();
    },
  );

  it('one orderNo on two platforms for one buyer: two orders, both counted; a return gives back its own platform’s quota', async () => {
    const a = example();
    const b = onPlatformB();
    expect([b.order.orderNo, b.order.buyerIdNumber]).toEqual([a.order.orderNo, a.order.buyerIdNumber]);
    const file = join(mkdtempSync(join(tmpdir(), 'sandan-emulator-')), 'emulator.db');
    try {
      const e = await createEngine({
        store: { sqlite: file },
        clock: manualClock(T0),
        trust: signing.trust,
        rates: RATES,
        quota: { annualLimit: '1200' },
      });
      await declare(e, a);
      await declare(e, b);
      // The inventory receipts of SD202611200001, by the platform they name.
      const byPlatform = () => {
        const out: Record<string, string[]> = {};
        for (const r of e.receipts(0, { orderNo: a.order.orderNo }).filter((x) => x.type === 'CEB622'))
          (out[String(read(r).documents[0]!.ebpCode)] ??= []).push(r.returnStatus!);
        return out;
      };
      expect(byPlatform()).toEqual({ '3301964J31': ['2', '3', '120', '800'], '3301964J77': ['2', '3', '120', '800'] });
      // Both count: 548 + 548 = 1096 ≤ 1200, and a third order of 548 would make 1644 > 1200: 1313.
      // (Were B's order taken for A's, a duplicate, 548 + 548 = 1096 would pass.)
      await declare(e, secondOrder());
      expect(trail(e.receipts(0, { orderNo: 'SD202611200002' }), 'CEB622').at(-1)).toBe('CEB622:100');
      expect(parseReturnInfo(lastInfo(e.receipts(0, { orderNo: 'SD202611200002' }), 'CEB622') ?? '').code).toBe('1313');
      // Platform B's buyer returns one of the two tins of line 1 (199.00 of the goods' 548.00).
      const invtNoB = e
        .receipts(0, { orderNo: b.order.orderNo })
        .find((r) => r.type === 'CEB622' && r.returnStatus === '800' && read(r).documents[0]!.ebpCode === '3301964J77')!
        .invtNo!;
      const items = [{ gnum: 1, gcode: '1901101000', gname: '婴儿配方奶粉 800g', qty: 1, unit: '122' }];
      const ret = await e.submit(
        await signed('CEB625', { ...cancelOf(b, invtNoB), reason: '质量问题', items }, '2026-11-21T02:20:00Z'),
        { transport: 'api' },
      );
      expect(ret.accepted).toBe(true);
      await e.advance('1h');
      expect(trail(e.receipts(), 'CEB626')).toEqual(['CEB626:2', 'CEB626:3', 'CEB626:120', 'CEB626:399']);
      await e.close();

      // The ledger kept in the same file: one entry per platform, each with its own figures.
      const { openSqliteQuotaStore } = await import('../../src/quota/sqlite.js');
      const { QuotaLedger } = await import('../../src/quota/index.js');
      const ledger = new QuotaLedger({
        store: await openSqliteQuotaStore(file, { readOnly: true }),
        secret: 'sandan-customs-emulator-quota',
      });
      const entry = async (ebpCode: string) => {
        const x = await ledger.find({ ebpCode, orderNo: a.order.orderNo });
        return x && [x.ebpCode, x.status, x.amount.toFixed(2), x.refunded.toFixed(2)];
      };
      // 548.00 × 199.00 / 548.00 = 199.00 given back on B's order, none on A's.
      expect(await entry('3301964J31')).toEqual(['3301964J31', 'committed', '548.00', '0.00']);
      expect(await entry('3301964J77')).toEqual(['3301964J77', 'committed', '548.00', '199.00']);
      // 548 + (548 − 199) = 897 used of 1200.
      const used = await ledger.remaining(a.order.buyerIdNumber, 2026, {});
      expect(used.used.toFixed(2)).toBe('897.00');
      expect(used.orders).toBe(2);
      await ledger.close();
    } finally {
      rmSync(join(file, '..'), { recursive: true, force: true });
    }
  });

  it('a return within the window is concluded (399); one after it is refused', async () => {
    // one of the two tins of line 1 at a time: the late return is refused for its date, not its quantity
    const refundOf = (d: Record<string, any>, invtNo: string) => ({
      ...cancelOf(d, invtNo),
      reason: '质量问题',
      items: [{ gnum: 1, gcode: '1901101000', gname: '婴儿配方奶粉 800g', qty: 1, unit: '122' }],
    });
    const e = await engine();
    const d = example();
    await declare(e, d);
    const invtNo = e.receipts().find((x) => x.returnStatus === '800')!.invtNo!;
    // released 2026-11-20 10:21 Beijing; now a day later
    const ok = await e.submit(await signed('CEB625', refundOf(d, invtNo)), { transport: 'api' });
    expect(ok.accepted).toBe(true);
    await e.advance('1h');
    expect(trail(e.receipts(), 'CEB626')).toEqual(['CEB626:2', 'CEB626:3', 'CEB626:120', 'CEB626:399']);

    const late = await engine();
    await declare(late, d);
    const no = late.receipts().find((x) => x.returnStatus === '800')!.invtNo!;
    // released 2026-11-20 (Beijing); 30 days counted from the next day: 2026-12-20 is the last day to apply.
    // declare() left the clock at 2026-11-21 10:20 Beijing; 29 days on is 2026-12-20, one more is too late.
    await late.advance('29d');
    const within = await late.submit(await signed('CEB625', refundOf(d, no)), { transport: 'api' });
    expect(read(within.body).documents[0]!.returnStatus).toBe('2');
    await late.advance('1d');
    const after = await late.submit(await signed('CEB625', refundOf(d, no)), { transport: 'api' });
    expect(read(after.body).documents[0]!.returnStatus).toBe('2');
    await late.advance('1m');
    // the first concluded; the late one refused by customs after the E-Port's 2 and 3
    expect(trail(late.receipts(), 'CEB626')).toEqual([
      ...['CEB626:2', 'CEB626:3', 'CEB626:120', 'CEB626:399'],
      ...['CEB626:2', 'CEB626:3', 'CEB626:100'],
    ]);
    expect(infos(late.receipts(), 'CEB626', '100')[0]!.desc).toContain('超过退货申请期限');
    await Promise.all([e.close(), late.close()]);
  });

  /**
   * Line 1 of the example as `qty` sachets at `price` (398.00 in all), declared under `annualLimit`; `returned` of them
   * come back (CEB625, ending 399). Then the second order (548.00) is declared: it is released only if the return
   * gave back enough of the quota.
   */
  async function returnThenSecondOrder(qty: number, price: string, annualLimit: string, returned: number) {
    const d = example();
    for (const k of ['order', 'inventory']) Object.assign(d[k].items[0], { qty, price });
    const e = await engine({ quota: { annualLimit } });
    await declare(e, d);
    const invtNo = e.receipts().find((x) => x.returnStatus === '800')!.invtNo!;
    const items = [{ gnum: 1, gcode: '1901101000', gname: '婴儿配方奶粉 800g', qty: returned, unit: '122' }];
    const ret = await e.submit(await signed('CEB625', { ...cancelOf(d, invtNo), reason: '质量问题', items }), {
      transport: 'api',
    });
    expect(ret.accepted).toBe(true);
    await e.advance('1h');
    expect(trail(e.receipts(), 'CEB626').at(-1)).toBe('CEB626:399');
    await declare(e, secondOrder());
    expect(trail(e.receipts(0, { orderNo: 'SD202611200002' }), 'CEB622').at(-1)).toBe('CEB622:800');
    await e.close();
  }

  it('a return worth under 1 CNY of quota still gives it back', async () => {
    // Line 1 as 1,000 sachets at 0.398 (398.00 in all). Returning one gives back 548.00 × 0.398 / 548.00
    // = 0.398 → 0.40 of the quota. The limit is two orders less those 0.40: 548 + 548 − 0.40 = 1,095.60, so
    // the second order fits (547.60 + 548.00 = 1,095.60) only if the 0.40 came back.
    await returnThenSecondOrder(1000, '0.398', '1095.60', 1);
  });

  it('rounds a partial return’s share of the quota to the fen half up (2.985 → 2.99, not 2.98)', async () => {
    // Line 1 as 2,000 sachets at 0.199 (398.00 in all). Returning 15 gives back 548.00 × (398.00 × 15 / 2,000) /
    // 548.00 = 2.985 → 2.99. The limit is 548 + 548 − 2.99 = 1,093.01: the second order fits (545.01 + 548.00) only
    // with 2.99 back; half-even rounding would give 2.98 and refuse it (545.02 + 548.00 = 1,093.02).
    await returnThenSecondOrder(2000, '0.199', '1093.01', 15);
  });
});

describe('the delivery note (CEB711)', () => {
  it('is answered 2, 3, 120 in CEB712', async () => {
    const d = example();
    const r = buildMessage(
      'CEB711',
      {
        customsCode: '2924',
        copNo: 'RKD202611200001',
        operatorCode: d.inventory.areaCode,
        operatorName: d.inventory.areaName,
        ieFlag: 'I',
        trafMode: '4',
        trafNo: '浙A12345',
        voyageNo: '20261120',
        billNo: 'B20261120',
        logisticsCode: d.logistics.logisticsCode,
        logisticsName: d.logistics.logisticsName,
        items: [{ gnum: 1, logisticsNo: d.logistics.logisticsNo }],
      } as never,
      { sender: SENDER, now: () => new Date(T0), newId: () => randomUUID() },
    );
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const e = await engine();
    const signedNote = (await signMessage(r.xml, signing.trusted)).xml;
    const ack = await e.submit(signedNote, { transport: 'api' });
    expect(ack.accepted).toBe(true);
    // the same note (its guid) again: -800003 (入库明细单报已存在), the first runs its course
    expect(await e.submit(signedNote, { transport: 'api' })).toMatchObject({
      accepted: false,
      reason: '-800003: 入库明细单已存在',
    });
    await e.advance('1h');
    expect(trail(e.receipts())).toEqual(['CEB712:2', 'CEB712:-800003', 'CEB712:3', 'CEB712:120']);
    expect(read(e.receipts().at(-1)!).documents[0]).toMatchObject({ copNo: 'RKD202611200001', customsCode: '2924' });
    await e.close();
  });
});

describe('SQLite state across a restart', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandan-emulator-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The CEB311 of order `no` (unsigned; its own numbers). */
  const orderXml = (no: string) => {
    const d = example();
    d.order.orderNo = no;
    d.order.payTransactionId = `PAY-${no}`;
    return message(d, 'order');
  };

  it('group commit: messages that arrive together share one commit, each answered after it, in order; a failing one loses none of the others', async () => {
    const clock = manualClock(T0);
    // How many ids one CEB311 takes, so that the third message of the batch can be made to fail.
    let calls = 0;
    const probe = await createEngine({
      store: 'memory',
      clock,
      newId: () => {
        calls++;
        return randomUUID();
      },
    });
    await probe.submit(await orderXml('GC-PROBE'), { transport: 'api' });
    await probe.close();
    const perMessage = calls;
    calls = 0;
    const failAt = 2 * perMessage + 1;
    const newId = () => {
      if (++calls === failAt) throw new Error('id service down');
      return randomUUID();
    };
    const file = join(dir, 'batch.db');
    const e = await createEngine({ store: { sqlite: file }, clock, trust: signing.trust, rates: RATES, newId });
    const heard: number[] = [];
    e.onReceipt((r) => heard.push(r.seq));
    const xmls = await Promise.all(['GC-1', 'GC-2', 'GC-3', 'GC-4', 'GC-5'].map(orderXml));
    const storedAtAck: number[] = [];
    // Submitted in one tick: one batch.
    const acks = await Promise.all(
      xmls.map((x) =>
        e.submit(x, { transport: 'api' }).then((a) => {
          storedAtAck.push(e.receipts(0).length);
          return a;
        }),
      ),
    );
    // Every answer came after the one commit that holds all five.
    expect(storedAtAck).toEqual([5, 5, 5, 5, 5]);
    expect(acks.map((a) => [a.accepted, a.httpStatus, read(a.body).messageType])).toEqual([
      [true, 200, 'CEB312'],
      [true, 200, 'CEB312'],
      [false, 500, 'CEB900'],
      [true, 200, 'CEB312'],
      [true, 200, 'CEB312'],
    ]);
    expect(acks[2]?.reason).toContain('emulator failure: id service down');
    // In the order they came; the failed one's own changes undone (no receipt 2 of GC-3, no gap in seq).
    const rs = e.receipts(0);
    expect(rs.map((r) => [r.seq, r.orderNo ?? '', trail([r])[0]])).toEqual([
      [1, 'GC-1', 'CEB312:2'],
      [2, 'GC-2', 'CEB312:2'],
      [3, '', 'CEB900:-1'],
      [4, 'GC-4', 'CEB312:2'],
      [5, 'GC-5', 'CEB312:2'],
    ]);
    expect(heard).toEqual([1, 2, 3, 4, 5]);
    expect(e.received().map((m) => [m.seq, m.accepted])).toEqual([
      [1, true],
      [2, true],
      [3, false],
      [4, true],
      [5, true],
    ]);
    // GC-3's order was not kept: sent again, it is taken (not refused as a duplicate); GC-2 again is a duplicate.
    const again = await e.submit(xmls[2] as string, { transport: 'api' });
    expect([again.accepted, read(again.body).documents[0]?.returnStatus]).toEqual([true, '2']);
    const dup = await e.submit(xmls[1] as string, { transport: 'api' });
    expect([dup.accepted, read(dup.body).documents[0]?.returnStatus]).toEqual([false, '-301010']);
    await e.close();

    // With maxBatch 1 each message commits alone: the first answer comes before the others are handled.
    const single = await createEngine({ store: { sqlite: join(dir, 'single.db') }, clock, maxBatch: 1 });
    const seen: number[] = [];
    const more = await Promise.all(['GC-6', 'GC-7', 'GC-8'].map(orderXml));
    await Promise.all(
      more.map((x) => single.submit(x, { transport: 'api' }).then(() => seen.push(single.receipts(0).length))),
    );
    expect(seen).toEqual([1, 2, 3]);
    await single.close();
    await expect(createEngine({ store: 'memory', clock, maxBatch: 0 })).rejects.toThrow(/maxBatch/);
  });

  it('once an order is released and billed, its documents are kept compact (keys, status, the lines a return needs)', async () => {
    const file = join(dir, 'compact.db');
    const e = await createEngine({
      store: { sqlite: file },
      clock: manualClock(T0),
      trust: signing.trust,
      rates: RATES,
    });
    const d = example();
    await declare(e, d);
    expect(trail(e.receipts(), 'CEB622').at(-1)).toBe('CEB622:800');
    expect(trail(e.receipts(), 'CEB816')).toEqual(['CEB816']);
    await e.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT kind, body FROM emu_doc ORDER BY kind').all() as Array<{
      kind: string;
      body: string;
    }>;
    db.close();
    const docs = Object.fromEntries(rows.map((r) => [r.kind, JSON.parse(r.body)]));
    expect(Object.keys(docs).sort()).toEqual(['inventory', 'logistics', 'order', 'payment']);
    for (const k of ['order', 'payment', 'logistics', 'inventory']) expect(docs[k].compact, k).toBe(true);
    // Keys and numbers only: no goods, no amounts, no buyer's name or ID number.
    const keys = [
      'ebpCode',
      'ebcCode',
      'orderNo',
      'invtNo',
      'logisticsCode',
      'logisticsNo',
      'payCode',
      'payTransactionId',
    ];
    for (const k of ['order', 'payment', 'logistics']) {
      expect(
        Object.keys(docs[k].doc).every((f) => keys.includes(f)),
        k,
      ).toBe(true);
      expect(docs[k].doc.orderNo, k).toBe(d.order.orderNo);
    }
    expect(docs.order.doc).toMatchObject({ ebpCode: d.order.ebpCode, payTransactionId: d.order.payTransactionId });
    expect(docs.logistics.doc).toMatchObject({ logisticsNo: d.logistics.logisticsNo });
    expect(JSON.stringify(docs)).not.toContain(d.order.buyerIdNumber);
    expect(docs.inventory.status).toBe('800');
    // the example's lines: 2 × 199.00 = 398.00 and 1 × 150.00 (amounts as the parser's decimal strings)
    expect(docs.inventory.doc.items).toEqual([
      { gnum: 1, gcode: '1901101000', unit: '122', qty: '2', totalPrice: '398' },
      { gnum: 2, gcode: '3304990039', unit: '142', qty: '1', totalPrice: '150' },
    ]);
    expect(docs.inventory.invtNo).toMatch(/I\d{9}$/);
  });

  it('close in the middle, reopen the same file, continue: nothing lost or answered twice', async () => {
    const file = join(dir, 'emulator.db');
    const clock = manualClock(T0);
    const opts = { store: { sqlite: file }, clock, trust: signing.trust, rates: RATES } as const;
    const first = await createEngine(opts);
    const m = await messages(example(), signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as const)
      await first.submit(m[k], { transport: 'api' });
    first.scenario('SD202611200001', { hold: { status: '600', for: '30m' } });
    await first.advance('10s'); // 120 sent; 600 and 800 still to come
    const before = first.receipts();
    expect(trail(before, 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120']);
    await first.close();

    const second = await createEngine(opts);
    expect(second.receipts()).toEqual(before);
    expect(second.received()).toHaveLength(4);
    await second.advance('1d');
    const after = second.receipts();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(trail(after, 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:600', 'CEB622:800']);
    expect(trail(after, 'CEB816')).toEqual(['CEB816']);
    expect(after.map((r) => r.seq)).toEqual(after.map((_, i) => i + 1));
    expect(new Set(after.map((r) => r.name)).size).toBe(after.length);
    await second.close();

    // a third open has nothing left to do, and the seq goes on from where it was
    const third = await createEngine(opts);
    await third.advance('7d');
    expect(third.receipts()).toEqual(after);
    await third.submit('<broken', { transport: 'api' });
    expect(third.receipts().at(-1)!.seq).toBe(after.length + 1);
    await third.close();

    // the quota was committed in the ledger kept in the same file
    const { openSqliteQuotaStore } = await import('../../src/quota/sqlite.js');
    const { QuotaLedger } = await import('../../src/quota/index.js');
    const ledger = new QuotaLedger({
      store: await openSqliteQuotaStore(file),
      secret: 'sandan-customs-emulator-quota',
    });
    expect(await ledger.find({ orderNo: 'SD202611200001' })).toMatchObject({ status: 'committed' });
    expect((await ledger.find({ orderNo: 'SD202611200001' }))!.amount.toFixed(2)).toBe('548.00');
    await ledger.close();
  });
});

describe('how many scenarios are kept (maxScenarios)', () => {
  it.each(['memory', 'sqlite'] as const)(
    'one more than maxScenarios is refused (EMULATOR_SCENARIOS_FULL); a replacement or removal is taken (%s)',
    async (kind) => {
      const dir = mkdtempSync(join(tmpdir(), 'sandan-emulator-scenarios-'));
      const file = join(dir, 'state.db');
      const open = (maxScenarios?: number) =>
        createEngine({
          store: kind === 'memory' ? 'memory' : { sqlite: file },
          clock: manualClock(T0),
          ...(maxScenarios !== undefined && { maxScenarios }),
        });
      try {
        const e = await open(2);
        const reject = { reject: { code: '1313' } };
        e.scenario('SD-1', reject);
        e.scenario('SD-1', reject, { ebpCode: '3301964J31' });
        // the orderNo's and its platform's are two; replacing either is no new one
        e.scenario('SD-1', { reject: { code: '1320' } });
        let refused: unknown;
        try {
          e.scenario('SD-2', reject);
        } catch (x) {
          refused = x;
        }
        expect(refused).toMatchObject({
          code: 'EMULATOR_SCENARIOS_FULL',
          message:
            'scenario: 2 scenarios are kept already (maxScenarios); remove those no longer needed (a scenario of null) before setting another',
        });
        // removing one makes room
        e.scenario('SD-1', null, { ebpCode: '3301964J31' });
        e.scenario('SD-2', reject);
        expect(() => e.scenario('SD-3', reject)).toThrow(/2 scenarios are kept already/);
        await e.close();
        if (kind === 'sqlite') {
          // counted in the file across a restart
          const again = await open(2);
          expect(() => again.scenario('SD-3', reject)).toThrow(/2 scenarios are kept already/);
          await again.close();
        }
        await expect(open(-1)).rejects.toThrow(/maxScenarios must be a whole number ≥ 0, got -1/);
        await expect(open(1.5)).rejects.toThrow(/maxScenarios/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('keeps 10,000 by default', async () => {
    const e = await createEngine({ store: 'memory', clock: manualClock(T0) });
    for (let i = 0; i < 10_000; i++) e.scenario(`SD-${i}`, { reject: { code: '1313' } });
    expect(() => e.scenario('SD-10000', { reject: { code: '1313' } })).toThrow(/10000 scenarios are kept already/);
    await e.close();
  });
});
