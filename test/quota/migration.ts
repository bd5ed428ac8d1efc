import { expect } from 'vitest';
import { buyerKeyOf, secretFingerprint } from '../../src/quota/core.js';
import type { QuotaLedger } from '../../src/quota/index.js';
import { BUYER, OTHER, SECRET } from './contract.js';

/**
 * A ledger as a sandan of schema version 1 left it (orders keyed by orderNo alone), for the SQLite
 * and PostgreSQL upgrade tests: each writes these rows with that version's DDL by hand, opens the
 * database with the current store and runs {@link checkUpgraded}.
 */

/** An entry row of version 1. Times are ISO; `quantities` only in files made after the column came. */
export interface OldEntry {
  order_no: string;
  buyer_key: string;
  year: number;
  amount: string;
  refunded: string;
  status: 'reserved' | 'committed' | 'released';
  order_at: string;
  updated_at: string;
  cop_no: string | null;
  invt_no: string | null;
  quantities: string | null;
}

/** An event row of version 1 (its seq is the database's). */
export interface OldEvent {
  order_no: string;
  buyer_key: string;
  year: number;
  type: 'reserve' | 'commit' | 'release' | 'expire' | 'refund';
  amount: string;
  at: string;
  key: string | null;
}

const buyer = buyerKeyOf(SECRET, BUYER);

/**
 * OLD-1: 1,000 committed (released 2026-02-03), 100 of it refunded under the key RET-OLD, with
 * its inventory's copNo and invtNo and 1.5 kg of sugar; OLD-2: 500 reserved. The buyer has used
 * (1,000 − 100) + 500 = 1,400 of 2026.
 */
export const OLD_ENTRIES: OldEntry[] = [
  {
    order_no: 'OLD-1',
    buyer_key: buyer,
    year: 2026,
    amount: '1000',
    refunded: '100',
    status: 'committed',
    order_at: '2026-02-01T02:00:00.000Z',
    updated_at: '2026-02-10T02:00:00.000Z',
    cop_no: 'COP-OLD-1',
    invt_no: '290020260000000901',
    quantities: '[{"hs8":"17019910","unit":"035","qty":"1.5"}]',
  },
  {
    order_no: 'OLD-2',
    buyer_key: buyer,
    year: 2026,
    amount: '500',
    refunded: '0',
    status: 'reserved',
    order_at: '2026-02-05T02:00:00.000Z',
    updated_at: '2026-02-05T02:00:00.000Z',
    cop_no: null,
    invt_no: null,
    quantities: '[]',
  },
];

export const OLD_EVENTS: OldEvent[] = [
  {
    order_no: 'OLD-1',
    buyer_key: buyer,
    year: 2026,
    type: 'reserve',
    amount: '1000',
    at: '2026-02-01T02:00:00.000Z',
    key: null,
  },
  {
    order_no: 'OLD-1',
    buyer_key: buyer,
    year: 2026,
    type: 'commit',
    amount: '1000',
    at: '2026-02-03T02:00:00.000Z',
    key: 'released',
  },
  {
    order_no: 'OLD-2',
    buyer_key: buyer,
    year: 2026,
    type: 'reserve',
    amount: '500',
    at: '2026-02-05T02:00:00.000Z',
    key: null,
  },
  {
    order_no: 'OLD-1',
    buyer_key: buyer,
    year: 2026,
    type: 'refund',
    amount: '100',
    at: '2026-02-10T02:00:00.000Z',
    key: 'RET-OLD',
  },
];

/** The meta rows of an old ledger: its version and the fingerprint of the secret it was written with. */
export const OLD_META: Array<[string, string]> = [
  ['schema-version', '1'],
  ['secret-fingerprint', secretFingerprint(SECRET)],
];

const s = (d: { toFixed(): string } | undefined) => d?.toFixed();

/** What a ledger reads of the old rows, before or after the upgrade: every order of no platform stated. */
export async function checkOldRows(l: QuotaLedger, withQuantities: boolean): Promise<void> {
  const one = await l.find({ orderNo: 'OLD-1' });
  expect(one).toMatchObject({
    ebpCode: '',
    orderNo: 'OLD-1',
    status: 'committed',
    copNo: 'COP-OLD-1',
    invtNo: '290020260000000901',
  });
  expect([s(one?.amount), s(one?.refunded)]).toEqual(['1000', '100']);
  expect(one?.quantities?.map((q) => `${q.hs8} ${q.unit} ${s(q.qty)}`)).toEqual(
    withQuantities ? ['17019910 035 1.5'] : undefined,
  );
  // Found under a platform too: it has no OLD-1 of its own.
  expect((await l.find({ ebpCode: 'PLAT-A', orderNo: 'OLD-1' }))?.orderNo).toBe('OLD-1');
  expect((await l.find({ invtNo: '290020260000000901', ebpCode: 'PLAT-A' }))?.orderNo).toBe('OLD-1');
  // (1,000 − 100) + 500 = 1,400.
  const b = await l.remaining(BUYER, 2026);
  expect([s(b.used), s(b.reserved), s(b.committed), b.orders]).toEqual(['1400', '500', '900', 2]);
  expect(
    (await l.history(BUYER, 2026)).map((e) => `${e.ebpCode}|${e.orderNo} ${e.type} ${s(e.amount)} ${e.key ?? '-'}`),
  ).toEqual([
    '|OLD-1 reserve 1000 -',
    '|OLD-1 commit 1000 released',
    '|OLD-2 reserve 500 -',
    '|OLD-1 refund 100 RET-OLD',
  ]);
}

/** Operations on an upgraded ledger: the old orders answer for their platforms, new ones are keyed by platform. */
export async function checkUpgraded(l: QuotaLedger, withQuantities: boolean): Promise<void> {
  await checkOldRows(l, withQuantities);
  // The old refund key still applies once to its order.
  expect(await l.refund('OLD-1', '100', { key: 'RET-OLD' })).toMatchObject({ ok: true, duplicate: true });
  // A platform's receipt commits the old reservation (its platform was not kept).
  expect(await l.commit({ ebpCode: 'PLAT-A', orderNo: 'OLD-2' }, { now: '2026-02-06' })).toMatchObject({
    ok: true,
    duplicate: false,
    ebpCode: '',
    entry: { status: 'committed' },
  });
  // The old order retried with its platform: the same buyer, year and amount, so the same order.
  expect(
    await l.reserve({ ebpCode: 'PLAT-A', orderNo: 'OLD-1' }, BUYER, '1000', '2026-02-01T10:00:00+08:00'),
  ).toMatchObject({
    ok: true,
    duplicate: true,
    ebpCode: '',
  });
  // Another platform's OLD-1 (another amount) and OLD-2 (another buyer): orders of their own.
  const b1 = await l.reserve({ ebpCode: 'PLAT-B', orderNo: 'OLD-1' }, BUYER, '300', '2026-03-01');
  expect([b1.ok, b1.ok && b1.duplicate, b1.ebpCode, s(b1.remaining)]).toEqual([true, false, 'PLAT-B', '24300']);
  expect(await l.reserve({ ebpCode: 'PLAT-B', orderNo: 'OLD-2' }, OTHER, '50', '2026-03-01')).toMatchObject({
    ok: true,
    duplicate: false,
  });
  // 1,400 + 300 = 1,700, three orders; released, PLAT-B's OLD-1 gives its 300 back and nothing else.
  expect(s((await l.remaining(BUYER, 2026)).used)).toBe('1700');
  expect(await l.release({ ebpCode: 'PLAT-B', orderNo: 'OLD-1' })).toMatchObject({ ok: true, ebpCode: 'PLAT-B' });
  expect((await l.find({ orderNo: 'OLD-1', ebpCode: '' }))?.status).toBe('committed');
  const b = await l.remaining(BUYER, 2026);
  expect([s(b.used), s(b.committed), b.orders]).toEqual(['1400', '1400', 2]);
  expect(s((await l.remaining(OTHER, 2026)).used)).toBe('50');
  // The orderNo alone now names two platforms' OLD-1 (no platform stated, and PLAT-B's): the one of none.
  expect((await l.find({ orderNo: 'OLD-1' }))?.ebpCode).toBe('');
}
