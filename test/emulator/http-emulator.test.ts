import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomsEmulator, type CustomsEmulator, type OutgoingReceipt } from '../../src/emulator/index.js';
import { signMessage } from '../../src/sign/index.js';
import { buildMessage, parseReturnInfo, wrapDxp } from '../../src/xml/index.js';
import {
  cancelOf,
  env,
  example,
  makeSigning,
  message,
  messages,
  RATES,
  read,
  trail,
  type DocKey,
  type Signing,
} from './helpers.js';

/*
 * createCustomsEmulator with the real engine, driven over HTTP as an order service would: the
 * four messages POSTed, the receipts fetched by long-poll, the admin endpoints. The folder
 * transport is off here (folder-emulator.test.ts drives it).
 */

const T0 = '2026-11-20T02:20:00Z';
let signing: Signing;
let customs: CustomsEmulator;

beforeAll(async () => {
  signing = makeSigning();
  customs = await createCustomsEmulator({
    clock: 'manual',
    start: T0,
    trust: signing.trust,
    rates: RATES,
    folder: false,
  });
}, 120_000);
afterAll(async () => {
  await customs?.close();
  signing?.keys.cleanup();
});

const post = (body: string) =>
  fetch(`${customs.url}/ceb`, { method: 'POST', body, headers: { 'Content-Type': 'application/xml' } });

async function poll(after: number, orderNo: string, wait = 0): Promise<{ receipts: OutgoingReceipt[]; next: number }> {
  const r = await fetch(`${customs.url}/receipts?after=${after}&orderNo=${orderNo}&wait=${wait}`, {
    headers: { Accept: 'application/json' },
  });
  return (await r.json()) as { receipts: OutgoingReceipt[]; next: number };
}

describe('the emulator over HTTP', () => {
  it('listens on 127.0.0.1 with the folder transport off', () => {
    expect(customs.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(customs.folders).toBeUndefined();
  });

  it('four messages POSTed are acknowledged with receipt 2, then released and taxed as the clock moves', async () => {
    const decl = example();
    decl.order.orderNo = 'HTTP-0001';
    decl.payment.orderNo = 'HTTP-0001';
    decl.logistics.orderNo = 'HTTP-0001';
    decl.inventory.orderNo = 'HTTP-0001';
    const m = await messages(decl, signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as DocKey[]) {
      const r = await post(m[k]);
      expect(r.status, k).toBe(200);
      expect(r.headers.get('x-sandan-accepted'), k).toBe('true');
      const ack = read(await r.text());
      expect(ack.documents[0]?.returnStatus, k).toBe('2');
    }
    const first = await poll(0, 'HTTP-0001');
    expect(trail(first.receipts)).toEqual(['CEB312:2', 'CEB412:2', 'CEB512:2', 'CEB622:2']);

    // A client waiting for more is answered when the clock moves (the admin endpoint moves it).
    const waiting = poll(first.next, 'HTTP-0001', 10_000);
    await new Promise((r) => setTimeout(r, 50));
    const adv = await fetch(`${customs.url}/admin/advance?by=1d`, { method: 'POST' });
    expect(await adv.json()).toEqual({ now: '2026-11-21T10:20:00.000+08:00' });
    const later = await waiting;
    expect(later.receipts.length).toBeGreaterThan(0);
    const all = (await poll(0, 'HTTP-0001')).receipts;
    expect(trail(all, 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
    expect(trail(all, 'CEB816')).toEqual(['CEB816']);
    expect(all.map((r) => r.seq)).toEqual([...all.map((r) => r.seq)].sort((a, b) => a - b));
    // The JSON names each receipt's returnInfo, as its document has it (a tax bill has none).
    for (const r of all)
      expect(r.returnInfo, `${r.type}:${r.returnStatus}`).toBe(
        r.type === 'CEB816' ? undefined : String(read(r.xml).documents[0]?.returnInfo),
      );
    expect(all.filter((r) => r.type === 'CEB622').map((r) => r.returnInfo)).toEqual([
      '清单新增申报成功[电商企业编码：3301964J31订单编号：HTTP-0001]',
      '发送海关成功',
      '[Code:1800;Desc:逻辑校验通过]',
      '[Code:2600;Desc:放行]',
    ]);
    // docs/emulator.md says what receipts(0, { orderNo }) gives after the same four messages: every one of these.
    const doc = readFileSync('docs/emulator.md', 'utf8');
    const said = /^customs\.receipts\(0, \{ orderNo: '[^']+' \}\);((?:\n?\s*\/\/.*)+)/m.exec(doc)?.[1] ?? '';
    for (const type of new Set(all.map((r) => r.type))) expect(said, type).toContain(type);
    const inventorySteps = trail(all, 'CEB622').map((t) => t.slice('CEB622:'.length));
    expect(said).toContain(`CEB622 ${inventorySteps.join(' → ')}`);

    const received = (await (await fetch(`${customs.url}/admin/received`)).json()) as {
      received: Array<{ transport: string; messageType: string; accepted: boolean; orderNo?: string }>;
    };
    expect(
      received.received.filter((x) => x.orderNo === 'HTTP-0001').map((x) => [x.transport, x.messageType, x.accepted]),
    ).toEqual([
      ['http', 'CEB311', true],
      ['http', 'CEB411', true],
      ['http', 'CEB511', true],
      ['http', 'CEB621', true],
    ]);
  });

  it('a return customs refuses is acknowledged with 2 (X-Sandan-Accepted: true); its 3 and 100 follow in /receipts', async () => {
    const decl = example();
    for (const k of ['order', 'payment', 'logistics', 'inventory']) decl[k].orderNo = 'HTTP-RET-1';
    decl.logistics.logisticsNo = 'ZT7700012345999';
    decl.inventory.logisticsNo = 'ZT7700012345999';
    decl.inventory.copNo = 'HTTP-RET-1';
    const m = await messages(decl, signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as DocKey[])
      expect((await post(m[k])).status).toBe(200);
    await customs.advance('1d');
    const invtNo = (await poll(0, 'HTTP-RET-1')).receipts.find((r) => r.returnStatus === '800')!.invtNo!;
    // three tins of the two declared
    const items = [{ gnum: 1, gcode: '1901101000', gname: '婴儿配方奶粉 800g', qty: 3, unit: '122' }];
    const built = buildMessage('CEB625', { ...cancelOf(decl, invtNo), reason: '质量问题', items } as never, env());
    if (!built.ok) throw new Error(JSON.stringify(built.issues));
    const r = await post((await signMessage(built.xml, signing.trusted)).xml);
    expect([r.status, r.headers.get('x-sandan-accepted'), r.headers.get('x-sandan-reason')]).toEqual([
      200,
      'true',
      null,
    ]);
    expect(read(await r.text()).documents[0]?.returnStatus).toBe('2');
    await customs.advance('1m');
    const all = (await poll(0, 'HTTP-RET-1')).receipts;
    expect(trail(all, 'CEB626')).toEqual(['CEB626:2', 'CEB626:3', 'CEB626:100']);
    expect(parseReturnInfo(all.at(-1)!.returnInfo ?? '')).toMatchObject({ code: '1300' });
  });

  it('a DxpMsg is answered in a DxpMsg; unreadable input with 400 and a CEB900', async () => {
    const decl = example();
    decl.order.orderNo = 'HTTP-DXP-1';
    const m = await messages(decl, signing.trusted);
    // (the builder's sender is no option of wrapDxp's: it names its senderId)
    const { now, newId } = env(T0);
    const r = await post(wrapDxp(m.order, { senderId: 'DXPENT0000012345', now, newId }));
    expect(r.status).toBe(200);
    const body = await r.text();
    expect(body).toContain('DxpMsg');
    expect(read(body).messageType).toBe('CEB312');

    const bad = await post('<CEB311Message><unclosed></CEB311Message>');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-sandan-accepted')).toBe('false');
    expect(read(await bad.text()).messageType).toBe('CEB900');
    // Why, as submit() says it: percent-encoded UTF-8 in X-Sandan-Reason (the body stays customs' receipt).
    const why = decodeURIComponent(bad.headers.get('x-sandan-reason') ?? '');
    expect(why).toMatch(/^0001: ./);
    const { received } = (await (await fetch(`${customs.url}/admin/received`)).json()) as {
      received: Array<{ reason?: string }>;
    };
    expect(why).toBe(received.at(-1)?.reason);
    // An accepted message has none.
    expect(r.headers.get('x-sandan-reason')).toBeNull();
  });

  it('POST /admin/scenario makes an order be rejected with the code asked for', async () => {
    const decl = example();
    for (const k of ['order', 'payment', 'logistics', 'inventory']) decl[k].orderNo = 'HTTP-REJ-1';
    const set = await fetch(`${customs.url}/admin/scenario`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ orderNo: 'HTTP-REJ-1', scenario: { reject: { code: '1313', at: 'inventory' } } }),
    });
    expect(set.status).toBe(200);
    const m = await messages(decl, signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as DocKey[])
      expect((await post(m[k])).status).toBe(200);
    await customs.advance('1d');
    const rs = (await poll(0, 'HTTP-REJ-1')).receipts;
    const last = rs.filter((r) => r.type === 'CEB622').at(-1)!;
    expect(last.returnStatus).toBe('100');
    expect(parseReturnInfo(String(read(last).documents[0]?.returnInfo)).code).toBe('1313');
    expect(trail(rs, 'CEB816')).toEqual([]);
  });

  it('POST /admin/scenario refuses an orderNo or ebpCode longer than the XSD allows (60, 18): no order can have it', async () => {
    const set = (body: unknown) =>
      fetch(`${customs.url}/admin/scenario`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const scenario = { reject: { code: '1313' } };
    for (const [body, why] of [
      [
        { orderNo: 'X'.repeat(100_000), scenario },
        "orderNo must be at most 60 characters (the XSD's maxLength), got 100000",
      ],
      // (in characters: 61 of them, two UTF-16 units each)
      [{ orderNo: '𠀀'.repeat(61), scenario }, "orderNo must be at most 60 characters (the XSD's maxLength), got 61"],
      [
        { orderNo: 'HTTP-LEN-1', ebpCode: '3'.repeat(19), scenario },
        "ebpCode must be at most 18 characters (the XSD's maxLength), got 19",
      ],
    ] as const) {
      const r = await set(body);
      expect([r.status, await r.json()]).toEqual([
        400,
        { error: { code: 'INVALID_OPTION', message: `scenario: ${why}` } },
      ]);
    }
    // At the bounds it is taken, and removed again.
    for (const body of [{ orderNo: '𠀀'.repeat(60), ebpCode: '3'.repeat(18) }, { orderNo: 'Y'.repeat(60) }]) {
      expect((await set({ ...body, scenario })).status).toBe(200);
      expect((await set({ ...body, scenario: null })).status).toBe(200);
    }
  });

  it('one orderNo on two platforms: a scenario and the receipts of one platform’s order (ebpCode)', async () => {
    const [A, B] = ['3301964J31', '3301964J77'];
    const onPlatform = (ebpCode: string, n: string) => {
      const d = example();
      for (const k of ['order', 'payment', 'logistics', 'inventory']) d[k].orderNo = 'HTTP-PLAT-1';
      for (const k of ['order', 'payment', 'inventory']) d[k].ebpCode = ebpCode;
      d.order.ebcCode = d.inventory.ebcCode = d.inventory.assureCode = ebpCode;
      d.order.payTransactionId = d.payment.payTransactionId = `PAY20261120101699${n}`;
      d.logistics.logisticsNo = d.inventory.logisticsNo = `ZT77000123499${n}`;
      d.inventory.copNo = `INV2026112099${n}`;
      return d;
    };
    const scenario = (body: unknown) =>
      fetch(`${customs.url}/admin/scenario`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const set = await scenario({ orderNo: 'HTTP-PLAT-1', ebpCode: B, scenario: { reject: { code: '1322' } } });
    expect(await set.json()).toEqual({ orderNo: 'HTTP-PLAT-1', ebpCode: B, scenario: { reject: { code: '1322' } } });
    const numeric = await scenario({ orderNo: 'HTTP-PLAT-1', ebpCode: 7, scenario: { drop: { receipt: 'CEB622' } } });
    expect(numeric.status).toBe(400);
    expect(await numeric.text()).toContain('ebpCode, when given, must be a non-empty string');
    const waybill = await scenario({ orderNo: 'HTTP-PLAT-1', ebpCode: B, scenario: { drop: { receipt: 'CEB512' } } });
    expect(waybill.status).toBe(400);
    expect(await waybill.text()).toContain('a waybill names no platform');

    // A client long-polling for B's receipts is not woken by A's.
    const start = (await poll(0, 'HTTP-PLAT-1')).next;
    const forB = fetch(`${customs.url}/receipts?after=${start}&orderNo=HTTP-PLAT-1&ebpCode=${B}&wait=10000`, {
      headers: { Accept: 'application/json' },
    }).then(async (r) => (await r.json()) as { receipts: OutgoingReceipt[] });
    const a = await messages(onPlatform(A, '01'), signing.trusted);
    expect((await post(a.order)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    const b = await messages(onPlatform(B, '02'), signing.trusted);
    expect((await post(b.order)).status).toBe(200);
    expect((await forB).receipts.map((r) => [r.type, r.ebpCode, r.returnStatus])).toEqual([['CEB312', B, '2']]);

    for (const k of ['payment', 'logistics', 'inventory'] as DocKey[]) {
      expect((await post(a[k])).status).toBe(200);
      expect((await post(b[k])).status).toBe(200);
    }
    await customs.advance('1d');
    const ofB = await fetch(`${customs.url}/receipts?orderNo=HTTP-PLAT-1&ebpCode=${B}`, {
      headers: { Accept: 'application/json' },
    });
    const rs = ((await ofB.json()) as { receipts: OutgoingReceipt[] }).receipts;
    expect(trail(rs, 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:100']);
    expect(new Set(rs.map((r) => r.ebpCode))).toEqual(new Set([B, undefined])); // the waybills' CEB512 name none
    expect(trail((await poll(0, 'HTTP-PLAT-1')).receipts, 'CEB622')).toEqual([
      'CEB622:2',
      'CEB622:2',
      'CEB622:3',
      'CEB622:3',
      'CEB622:120',
      'CEB622:100',
      'CEB622:800',
    ]);
    // The XML list says the platform of each receipt that names one.
    const xml = await (await fetch(`${customs.url}/receipts?orderNo=HTTP-PLAT-1&ebpCode=${A}`)).text();
    expect(xml.match(/<Receipt [^>]*type="CEB622"[^>]*>/g)?.map((t) => /ebpCode="([^"]*)"/.exec(t)?.[1])).toEqual([
      A,
      A,
      A,
      A,
    ]);
    expect(xml).not.toContain(`ebpCode="${B}"`);
  });

  it('200 concurrent clients each POSTing an order: every one acknowledged once', async () => {
    const n = 200;
    const decls = Array.from({ length: n }, (_, i) => {
      const d = example();
      d.order.orderNo = `LOAD-${String(i).padStart(4, '0')}`;
      return d;
    });
    const bodies = await Promise.all(decls.map(async (d) => (await messages(d, signing.trusted)).order));
    const answers = await Promise.all(bodies.map(async (b) => ({ status: (await post(b)).status })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(n);
    const got = customs.received().filter((x) => x.orderNo?.startsWith('LOAD-'));
    expect(got).toHaveLength(n);
    expect(new Set(got.map((x) => x.orderNo)).size).toBe(n);
    // One CEB312 status 2 per order, none twice.
    const acks = customs.receipts(0).filter((r) => r.type === 'CEB312' && r.orderNo?.startsWith('LOAD-'));
    expect(acks).toHaveLength(n);
    expect(new Set(acks.map((r) => r.orderNo)).size).toBe(n);
  }, 120_000);
});

describe('the history limit over HTTP', () => {
  let small: CustomsEmulator;
  beforeAll(async () => {
    small = await createCustomsEmulator({
      clock: 'manual',
      start: T0,
      trust: signing.trust,
      rates: RATES,
      folder: false,
      history: 4,
    });
  });
  afterAll(() => small?.close());
  const get = (path: string, accept = 'application/json') =>
    fetch(`${small.url}${path}`, { headers: { Accept: accept } });

  it('a client that keeps up reads every receipt; one that fell behind by more than the limit gets 410 with where to go on', async () => {
    const decl = example();
    for (const k of ['order', 'payment', 'logistics', 'inventory']) decl[k].orderNo = 'HIST-1';
    const m = await messages(decl, signing.trusted);
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as DocKey[])
      expect((await fetch(`${small.url}/ceb`, { method: 'POST', body: m[k] })).status).toBe(200);
    // 4 receipts (status 2), all kept
    const first = (await (await get('/receipts?after=0')).json()) as { receipts: OutgoingReceipt[]; next: number };
    expect([first.receipts.map((r) => r.seq), first.next]).toEqual([[1, 2, 3, 4], 4]);

    // the day's 10 more (3 × 3, 120; CEB622 3, 120, 800; CEB816) are seqs 5–14; 11–14 are kept
    await small.advance('1d');
    expect(small.historyStart().receipts).toBe(11);
    const gone = await get('/receipts?after=4');
    expect(gone.status).toBe(410);
    expect(await gone.json()).toEqual({
      error: {
        code: 'RECEIPTS_GONE',
        message: expect.stringContaining('receipts 5 to 10 are no longer kept'),
        oldest: 11,
        next: 10,
      },
    });
    // the same in XML, and per order (the emulator cannot know whether the dropped ones were that order's)
    const xml = await get('/receipts?after=4&orderNo=HIST-1', 'application/xml');
    expect(xml.status).toBe(410);
    expect(await xml.text()).toMatch(/<Error code="RECEIPTS_GONE" oldest="11" next="10">receipts 5 to 10/);
    // going on from `next` is served
    const rest = (await (await get('/receipts?after=10')).json()) as { receipts: OutgoingReceipt[]; next: number };
    expect([rest.receipts.map((r) => r.seq), rest.next]).toEqual([[11, 12, 13, 14], 14]);
    // A cursor past the newest receipt (14) was kept from another run: 409, not an empty answer for ever. The
    // newest itself is where a client that read everything waits.
    expect((await get('/receipts?after=14')).status).toBe(200);
    const ahead = await get('/receipts?after=500');
    expect(ahead.status).toBe(409);
    expect(await ahead.json()).toEqual({
      error: {
        code: 'RECEIPTS_AHEAD',
        message: expect.stringContaining('after=500 is past the newest receipt (14)'),
        next: 14,
      },
    });
    expect(trail(rest.receipts).slice(-2)).toEqual(['CEB622:800', 'CEB816']);

    // a long-poll that keeps up is answered with the next receipt
    const waiting = get('/receipts?after=14&wait=20000');
    const next = example();
    for (const k of ['order', 'payment', 'logistics', 'inventory']) next[k].orderNo = 'HIST-2';
    next.order.payTransactionId = 'PAY-HIST-2';
    expect((await fetch(`${small.url}/ceb`, { method: 'POST', body: await message(next, 'order') })).status).toBe(200);
    const polled = (await (await waiting).json()) as { receipts: OutgoingReceipt[]; next: number };
    expect([polled.receipts.map((r) => [r.seq, r.type, r.returnStatus]), polled.next]).toEqual([
      [[15, 'CEB312', '2']],
      15,
    ]);

    // the admin lists say what they dropped
    const admin = (await (await get('/admin/receipts?after=0')).json()) as Record<string, unknown>;
    expect(admin).toMatchObject({ oldest: 12, truncated: true });
    expect((admin.receipts as OutgoingReceipt[]).map((r) => r.seq)).toEqual([12, 13, 14, 15]);
    const received = (await (await get('/admin/received?after=1')).json()) as Record<string, unknown>;
    // 5 messages, 4 kept: 2–5, so after=1 misses nothing
    expect(received).toMatchObject({ oldest: 2, truncated: false });
    expect((received.received as Array<{ seq: number }>).map((x) => x.seq)).toEqual([2, 3, 4, 5]);
    expect(await (await get('/admin/received')).json()).toMatchObject({ oldest: 2, truncated: true });
  });
});
