import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/emulator/clock.js';
import { createEngine } from '../../src/emulator/engine.js';
import type { EmulatorEngine, EngineOptions, OutgoingReceipt } from '../../src/emulator/types.js';
import { signMessage } from '../../src/sign/index.js';
import { buildMessage } from '../../src/xml/index.js';
import {
  cancelOf,
  example,
  makeSigning,
  message,
  messages,
  RATES,
  read,
  SENDER,
  trail,
  type Signing,
  infos,
} from './helpers.js';

/*
 * An order service's odd but legal sequences, each answered as the specification's receipts and codes have it:
 * inspection (500) and what may happen to an inventory under it, a declaration sent again after a refusal, the
 * return window across a Beijing midnight at a month's end, and returns that race or repeat.
 */

// 2026-11-20 10:20 Beijing
const T0 = '2026-11-20T02:20:00Z';
let signing: Signing;
beforeAll(() => {
  signing = makeSigning();
}, 120_000);
afterAll(() => signing?.keys.cleanup());

async function engine(extra: Partial<EngineOptions> = {}, at = T0): Promise<EmulatorEngine> {
  return createEngine({ store: 'memory', clock: manualClock(at), trust: signing.trust, rates: RATES, ...extra });
}

/** The four messages of `d`, each taken. */
async function send(e: EmulatorEngine, d: Record<string, any>): Promise<void> {
  const m = await messages(d, signing.trusted);
  for (const k of ['order', 'payment', 'logistics', 'inventory'] as const)
    expect(await e.submit(m[k], { transport: 'api' }), k).toMatchObject({ accepted: true });
}

async function signed(e: EmulatorEngine, type: 'CEB623' | 'CEB625', data: Record<string, unknown>): Promise<string> {
  const r = buildMessage(type, data as never, { sender: SENDER, now: () => e.now(), newId: () => randomUUID() });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return (await signMessage(r.xml, signing.trusted)).xml;
}

/** The Beijing time of the first receipt of `type` with `status`. */
const at = (rs: OutgoingReceipt[], type: string, status: string) =>
  rs.find((r) => r.type === type && r.returnStatus === status)?.at;

const invtNoOf = (e: EmulatorEngine) => e.receipts().find((r) => r.type === 'CEB622' && r.invtNo)?.invtNo as string;

/** The example's inventory as a change (appType 2) with a note added. */
function changedInventory(d: Record<string, any>): Record<string, any> {
  const c = structuredClone(d);
  Object.assign(c.inventory, { appType: '2', note: '更正' });
  return c;
}

const TIN = { gnum: 1, gcode: '1901101000', gname: '婴儿配方奶粉 800g', unit: '122' };

describe('inspection (500): no parcel is held for ever', () => {
  it('goes 120 → 500 when its release falls due, and 800 once the hold has passed', async () => {
    const e = await engine();
    const d = example();
    e.scenario(d.order.orderNo, { hold: { status: '500', for: '2h' } });
    await send(e, d);
    await e.advance('1d');
    const rs = e.receipts();
    expect(trail(rs, 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:500', 'CEB622:800']);
    // 10:20:00 sent; 3 at +2 s, checked at +5 s more (10:20:07, 120); the release falls due timing.released (1 min)
    // later, 10:21:07, and is held there at 500 for 2 h: 800 at 12:21:07, then the tax bill.
    expect([at(rs, 'CEB622', '120'), at(rs, 'CEB622', '500'), at(rs, 'CEB622', '800')]).toEqual([
      '2026-11-20T10:20:07.000+08:00',
      '2026-11-20T10:21:07.000+08:00',
      '2026-11-20T12:21:07.000+08:00',
    ]);
    expect(trail(rs, 'CEB816')).toEqual(['CEB816']);
    await e.close();
  });

  it('a cancel under inspection ends it cancelled (399), with no 800 after', async () => {
    const e = await engine();
    const d = example();
    e.scenario(d.order.orderNo, { hold: { status: '500', for: '2h' } });
    await send(e, d);
    await e.advance('1h');
    expect(trail(e.receipts(), 'CEB622').at(-1)).toBe('CEB622:500');
    const c = await e.submit(await signed(e, 'CEB623', cancelOf(d, invtNoOf(e))), { transport: 'api' });
    expect(c.accepted).toBe(true);
    await e.advance('1d');
    expect(trail(e.receipts(), 'CEB622').at(-1)).toBe('CEB622:500');
    expect(trail(e.receipts(), 'CEB624')).toEqual(['CEB624:2', 'CEB624:3', 'CEB624:120', 'CEB624:399']);
    await e.close();
  });

  it('changed under inspection (heldDocumentChange take), it is checked again and released', async () => {
    const e = await engine({ heldDocumentChange: 'take' });
    const d = example();
    e.scenario(d.order.orderNo, { hold: { status: '500', for: '2h' } });
    await send(e, d);
    await e.advance('1h');
    const ch = await e.submit(await message(changedInventory(d), 'inventory', signing.trusted), { transport: 'api' });
    expect(ch.accepted).toBe(true);
    await e.advance('1d');
    // the change runs its own course, held again by the scenario, and is released
    expect(trail(e.receipts(), 'CEB622')).toEqual([
      ...['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:500'],
      ...['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:500', 'CEB622:800'],
    ]);
    await e.close();
  });

  it('refuses a change of the inventory while its cancel is under way (-621012), even with heldDocumentChange take', async () => {
    // The cancel takes 2 h to conclude; the change, if taken, was checked again and released in some 67 s, and the
    // cancel's 399 then came after an 800: a released inventory cancelled, its quota committed and given back.
    const e = await engine({ heldDocumentChange: 'take', timing: { concluded: '2h' } });
    const d = example();
    await send(e, d);
    await e.advance('20s');
    const c = await e.submit(await signed(e, 'CEB623', cancelOf(d, invtNoOf(e))), { transport: 'api' });
    expect(c.accepted).toBe(true);
    await e.advance('10s');
    const ch = await e.submit(await message(changedInventory(d), 'inventory', signing.trusted), { transport: 'api' });
    expect(ch).toMatchObject({ accepted: false });
    expect(read(ch.body).documents[0]!.returnStatus).toBe('-621012');
    await e.advance('1d');
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:-621012']);
    expect(trail(e.receipts(), 'CEB624')).toEqual(['CEB624:2', 'CEB624:3', 'CEB624:120', 'CEB624:399']);
    expect(trail(e.receipts(), 'CEB816')).toEqual([]);
    await e.close();
  });
});

describe('declaring again after a refusal', () => {
  it.each(['1', '2'])('a rejected inventory corrected and sent with appType %s is declared anew', async (appType) => {
    const e = await engine();
    const d = example();
    e.scenario(d.order.orderNo, { reject: { code: '1313', at: 'inventory' } });
    await send(e, d);
    await e.advance('1d');
    e.scenario(d.order.orderNo, null);
    const again = structuredClone(d);
    again.inventory.appType = appType;
    const ack = await e.submit(await message(again, 'inventory', signing.trusted), { transport: 'api' });
    expect(ack.accepted).toBe(true);
    await e.advance('1d');
    expect(trail(e.receipts(), 'CEB622')).toEqual([
      ...['CEB622:2', 'CEB622:3', 'CEB622:100'],
      ...['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800'],
    ]);
    // numbered anew by customs: the refused declaration had no invtNo
    expect(invtNoOf(e)).toMatch(/^29242026I\d{9}$/);
    await e.close();
  });
});

describe('the return window across a Beijing midnight at a month end', () => {
  it('is open to the last second of the 30th day after the release day, and closed a second after', async () => {
    // Sent 2027-01-31 23:50 Beijing: released 23:51:07, the last day of January.
    const e = await engine({}, '2027-01-31T15:50:00Z');
    const d = example();
    d.inventory.declTime = '20270131';
    for (const k of ['order', 'payment', 'logistics', 'inventory']) d[k].appTime = '20270131235000';
    await send(e, d);
    await e.advance('5m');
    expect(at(e.receipts(), 'CEB622', '800')).toBe('2027-01-31T23:51:07.000+08:00');
    const invtNo = invtNoOf(e);
    const ret = (copNo: string) => ({ ...cancelOf(d, invtNo), copNo, reason: '质量问题', items: [{ ...TIN, qty: 1 }] });
    // From the next day: February 1 is day 1, February 28 day 28, March 1 day 29, March 2 day 30 (2027 is no leap
    // year). 2027-03-02 23:59:59 Beijing is 15:59:59 UTC.
    await e.advance(Date.parse('2027-03-02T15:59:59Z') - e.now().getTime());
    const last = await e.submit(await signed(e, 'CEB625', ret('R1')), { transport: 'api' });
    expect(read(last.body).documents[0]!.returnStatus).toBe('2');
    await e.advance('2s');
    const late = await e.submit(await signed(e, 'CEB625', ret('R2')), { transport: 'api' });
    expect(read(late.body).documents[0]!.returnStatus).toBe('2');
    // judged by when it was applied for (a second late), answered when it reaches customs (2 → 3 → 100)
    await e.advance('1m');
    expect(trail(e.receipts(), 'CEB626')).toEqual([
      ...['CEB626:2', 'CEB626:3', 'CEB626:2', 'CEB626:3'],
      ...['CEB626:120', 'CEB626:100', 'CEB626:399'],
    ]);
    const [no] = infos(e.receipts(), 'CEB626', '100');
    expect(no).toMatchObject({ code: '1300' });
    expect(no!.desc).toContain('截至 2027-03-02');
    await e.close();
  });
});

describe('returns that race or repeat', () => {
  it('a second return of what the first, still under way, took back is refused; the first sent again is -625033', async () => {
    const e = await engine();
    const d = example();
    await send(e, d);
    await e.advance('1d');
    const invtNo = invtNoOf(e);
    // both tins of line 1, twice, under two copNos, before either is concluded
    const ret = (copNo: string) => ({ ...cancelOf(d, invtNo), copNo, reason: '质量问题', items: [{ ...TIN, qty: 2 }] });
    const first = await signed(e, 'CEB625', ret('R1'));
    expect((await e.submit(first, { transport: 'api' })).accepted).toBe(true);
    const second = await e.submit(await signed(e, 'CEB625', ret('R2')), { transport: 'api' });
    expect([second.accepted, second.reason]).toEqual([true, undefined]);
    await e.advance('1d');
    expect(infos(e.receipts(), 'CEB626', '100').map((i) => [i.code, i.desc])).toEqual([
      ['1300', '退货数量超过原清单数量（项号 1，已退 2）/ more returned than declared on line 1 (2 returned before)'],
    ]);
    // the same return (its guid) again after it concluded: the E-Port's code, and nothing applied twice
    const again = await e.submit(first, { transport: 'api' });
    expect(read(again.body).documents[0]!.returnStatus).toBe('-625033');
    // and a cancel after release is no way back
    const cancel = await e.submit(await signed(e, 'CEB623', cancelOf(d, invtNo)), { transport: 'api' });
    expect(read(cancel.body).documents[0]!.returnStatus).toBe('-623005');
    expect(trail(e.receipts(), 'CEB626')).toEqual([
      ...['CEB626:2', 'CEB626:2', 'CEB626:3', 'CEB626:3'],
      ...['CEB626:120', 'CEB626:100', 'CEB626:399', 'CEB626:-625033'],
    ]);
    await e.close();
  });
});

describe('cancels and returns customs refuses', () => {
  // 100 (海关退单) is customs' answer: the E-Port has taken the application in (2, 电子口岸申报中) and sent it on
  // (3, 发送海关成功) before customs can refuse it. The E-Port's own codes (negative) still answer at once.
  it('a cancel customs refuses is answered 2 → 3 → 100 where its 120 would come; the inventory is released on time', async () => {
    const e = await engine();
    const d = example();
    await send(e, d);
    await e.advance('10s');
    const invtNo = invtNoOf(e);
    // another waybill than the inventory's: 100 with 1300
    const c = await e.submit(await signed(e, 'CEB623', { ...cancelOf(d, invtNo), logisticsNo: 'ZT7700099999999' }), {
      transport: 'api',
    });
    expect([c.accepted, read(c.body).documents[0]!.returnStatus]).toEqual([true, '2']);
    await e.advance('1d');
    const rs = e.receipts();
    expect(trail(rs, 'CEB624')).toEqual(['CEB624:2', 'CEB624:3', 'CEB624:100']);
    // sent 10:20:10; 3 after timing.sent (2 s), 100 after timing.entered (5 s)
    expect([at(rs, 'CEB624', '2'), at(rs, 'CEB624', '3'), at(rs, 'CEB624', '100')]).toEqual([
      '2026-11-20T10:20:10.000+08:00',
      '2026-11-20T10:20:12.000+08:00',
      '2026-11-20T10:20:17.000+08:00',
    ]);
    expect(infos(rs, 'CEB624', '100')[0]).toMatchObject({ code: '1300' });
    // never a cancel under way: the inventory is released when it falls due (120 at 10:20:07, 1 min after)
    expect(trail(rs, 'CEB622').at(-1)).toBe('CEB622:800');
    expect(at(rs, 'CEB622', '800')).toBe('2026-11-20T10:21:07.000+08:00');
    await e.close();
  });

  it('a cancel naming the invtNo of an inventory cancelled and declared anew is -623005, not -623003', async () => {
    const e = await engine();
    const d = example();
    await send(e, d);
    await e.advance('10s');
    const first = invtNoOf(e);
    expect((await e.submit(await signed(e, 'CEB623', cancelOf(d, first)), { transport: 'api' })).accepted).toBe(true);
    await e.advance('1h');
    expect(trail(e.receipts(), 'CEB624')).toEqual(['CEB624:2', 'CEB624:3', 'CEB624:120', 'CEB624:399']);
    // declared anew: numbered anew by customs
    const ack = await e.submit(await message(d, 'inventory', signing.trusted), { transport: 'api' });
    expect(ack.accepted).toBe(true);
    await e.advance('10s');
    const second = e
      .receipts()
      .filter((r) => r.type === 'CEB622' && r.invtNo)
      .at(-1)!.invtNo!;
    expect(second).not.toBe(first);
    // customs keeps the cancelled inventory: its state allows no cancel (清单的状态不符合撤单申报要求)
    const old = await e.submit(await signed(e, 'CEB623', cancelOf(d, first)), { transport: 'api' });
    expect([old.accepted, read(old.body).documents[0]!.returnStatus]).toEqual([false, '-623005']);
    // a return of it: customs refuses it, as any return of an inventory not released
    const ret = await e.submit(
      await signed(e, 'CEB625', { ...cancelOf(d, first), reason: '质量问题', items: [{ ...TIN, qty: 1 }] }),
      { transport: 'api' },
    );
    expect(ret.accepted).toBe(true);
    await e.advance('1d');
    expect(trail(e.receipts(), 'CEB626')).toEqual(['CEB626:2', 'CEB626:3', 'CEB626:100']);
    expect(infos(e.receipts(), 'CEB626', '100')[0]!.desc).toContain('清单已撤销');
    // the new inventory went its way: the old number's cancel did not touch it
    expect(trail(e.receipts(), 'CEB622').at(-1)).toBe('CEB622:800');
    // a number nobody gave is still unknown (-623003)
    const unknown = await e.submit(await signed(e, 'CEB623', cancelOf(d, '29242026I999999999')), {
      transport: 'api',
    });
    expect(read(unknown.body).documents[0]!.returnStatus).toBe('-623003');
    await e.close();
  });
});
