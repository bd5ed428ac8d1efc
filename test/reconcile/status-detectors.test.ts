import { describe, expect, it } from 'vitest';
import {
  deliveredBeforeRelease,
  latestByDocument,
  lateReturn,
  noDeliveryStatus,
  notAcknowledged,
  refundWithoutRelease,
  rejections,
  releasedAfterCancel,
  returnWindowOf,
  stateOf,
  timelineOf,
  unknownStatuses,
  type TimelineItem,
} from '../../src/reconcile/status/detectors.js';
import type { DocumentKind } from '../../src/reconcile/status/index.js';
import { beijingIso, beijingMillis } from '../../src/time/beijing.js';

// The anomaly detectors one by one, on hand-made timelines (times are Beijing time).

let seq = 0;
function receipt(messageType: string, document: DocumentKind, returnStatus: string, at?: string, code?: string) {
  const ms = beijingMillis(at);
  const item: TimelineItem = {
    ms,
    seq: seq++,
    node: { time: beijingIso(ms), event: 'receipt', messageType, document, returnStatus },
  };
  if (code !== undefined) (item.node.code = code), (item.node.desc = '支付金额不一致');
  return item;
}
function sent(messageType: string, document: DocumentKind, at: string): TimelineItem {
  const ms = beijingMillis(at);
  return { ms, seq: seq++, node: { time: beijingIso(ms), event: 'sent', messageType, document } };
}
const release = () => receipt('CEB622', 'inventory', '800', '20261120120000');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RELEASED = beijingMillis('20261120120000');

describe('timelineOf', () => {
  it('sorts by time (untimed last, in input order) and finds the release, deliveries and approvals', () => {
    const untimed1 = receipt('CEB312', 'order', '120');
    const failedDelivery = receipt('CEB514', 'logisticsStatus', '100', '20261121090000');
    const delivery = receipt('CEB514', 'logisticsStatus', '120', '20261122090000');
    const untimed2 = receipt('CEB412', 'payment', '120');
    const rel = release();
    const accepted = receipt('CEB622', 'inventory', '120', '20261120110000');
    const cancel = receipt('CEB624', 'cancel', '399', '20261120100000');
    const t = timelineOf([untimed1, failedDelivery, delivery, untimed2, rel, accepted, cancel]);
    expect(t.items).toEqual([cancel, accepted, rel, failedDelivery, delivery, untimed1, untimed2]);
    expect(t.release).toBe(rel);
    expect(t.deliveries).toEqual([delivery]);
    expect(t.cancelApproved).toBe(cancel);
    expect(t.refundApproved).toBeUndefined();
    // The latest receipt of each document, in the order the documents first answered.
    expect(Object.keys(latestByDocument(t))).toEqual(['cancel', 'inventory', 'logisticsStatus', 'order', 'payment']);
    expect(latestByDocument(t).inventory).toEqual({
      returnStatus: '800',
      time: '2026-11-20T12:00:00.000+08:00',
      outcome: 'accepted',
    });
  });
});

describe('rejections', () => {
  it('reports a document whose latest receipt failed, with its [Code:…] reason; a later acceptance clears it', () => {
    const rejected = receipt('CEB312', 'order', '100', '20261120101700', '1332');
    const [a, ...rest] = rejections(timelineOf([rejected]));
    expect(rest).toEqual([]);
    expect(a).toMatchObject({
      kind: 'rejected',
      document: 'order',
      code: '1332',
      since: '2026-11-20T10:17:00.000+08:00',
    });
    expect(a!.message.en).toBe('CEB312 receipt status 100 (Rejected by customs): [Code:1332] 支付金额不一致');
    expect(rejections(timelineOf([rejected, receipt('CEB312', 'order', '120', '20261120110000')]))).toEqual([]);
  });
});

describe('unknownStatuses', () => {
  it('reports a document whose latest status is not in the catalogue, naming the last known one it may hide', () => {
    const rejected = receipt('CEB312', 'order', '100', '20261120101700', '1332');
    const odd = receipt('CEB312', 'order', '777', '20261120110000');
    const t = timelineOf([rejected, odd]);
    // The rejection is no longer the latest receipt, so it is not reported as one …
    expect(rejections(t)).toEqual([]);
    // … and the unknown status says what it may hide.
    const [a, ...rest] = unknownStatuses(t);
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ kind: 'unknown-status', document: 'order', since: '2026-11-20T11:00:00.000+08:00' });
    expect(a!.message.en).toBe(
      'CEB312 receipt status 777 is not in the receipt catalogue; the last known status was 100 (Rejected by customs, 2026-11-20T10:17:00.000+08:00)',
    );
    expect(a!.message.zh).toContain('回执状态 777 不在回执状态表中；此前已知的状态为 100');
    expect(stateOf(t, latestByDocument(t))).toBe('pending');
  });

  // Two unknown statuses at one instant were one anomaly, of the one read last; the timeline showed both.
  it('names each unknown status of the latest instant, in timeline order', () => {
    const accepted = receipt('CEB312', 'order', '120', '20261120100000');
    const odd1 = receipt('CEB312', 'order', '987654', '20261120110000');
    const odd2 = receipt('CEB312', 'order', '=1+1', '20261120110000');
    const earlier = receipt('CEB312', 'order', '555', '20261120103000');
    const got = unknownStatuses(timelineOf([accepted, odd1, odd2, earlier]));
    expect(got.map((a) => [a.document, a.since, a.message.en])).toEqual(
      ['987654', '=1+1'].map((st) => [
        'order',
        '2026-11-20T11:00:00.000+08:00',
        `CEB312 receipt status ${st} is not in the receipt catalogue; the last known status was 120 (Accepted and stored by customs (logic check passed), 2026-11-20T10:00:00.000+08:00)`,
      ]),
    );
  });

  it('says when no earlier receipt is known, keeps the [Code:…], and is silent once a known status follows', () => {
    const odd = receipt('CEB622', 'inventory', '5', '20261120101700', '2001');
    expect(unknownStatuses(timelineOf([odd]))[0]).toMatchObject({
      code: '2001',
      message: {
        en: 'CEB622 receipt status 5 is not in the receipt catalogue [Code:2001] 支付金额不一致; no earlier receipt has a known status',
      },
    });
    expect(unknownStatuses(timelineOf([odd, release()]))).toEqual([]);
    // Known statuses, negative E-Port codes included, are never reported.
    expect(unknownStatuses(timelineOf([receipt('CEB312', 'order', '-301010', '20261120101700')]))).toEqual([]);
  });
});

describe('noDeliveryStatus', () => {
  it('flags a release with no delivery status more than deliveryDays later', () => {
    const t = timelineOf([release()]);
    expect(noDeliveryStatus(t, RELEASED + 7 * DAY, 7 * DAY)).toBeUndefined();
    // 8 days and 1 hour after the release: floor(193 h / 24 h) = 8 days.
    expect(noDeliveryStatus(t, RELEASED + 8 * DAY + HOUR, 7 * DAY)).toMatchObject({
      kind: 'no-delivery-status',
      document: 'logisticsStatus',
      since: '2026-11-20T12:00:00.000+08:00',
      message: { en: expect.stringContaining('; 8 days later there is still no delivery status') },
    });
    const delivered = timelineOf([release(), receipt('CEB514', 'logisticsStatus', '120', '20261122090000')]);
    expect(noDeliveryStatus(delivered, RELEASED + 30 * DAY, 7 * DAY)).toBeUndefined();
    const cancelled = timelineOf([release(), receipt('CEB624', 'cancel', '399', '20261121090000')]);
    expect(noDeliveryStatus(cancelled, RELEASED + 30 * DAY, 7 * DAY)).toBeUndefined();
    // Shipped back (700 退运) after the release: there is nothing to deliver.
    const shippedBack = timelineOf([release(), receipt('CEB622', 'inventory', '700', '20261121090000')]);
    expect(noDeliveryStatus(shippedBack, RELEASED + 30 * DAY, 7 * DAY)).toBeUndefined();
  });
});

describe('notAcknowledged', () => {
  it('flags a sent document of a kind with no receipt more than ackHours later', () => {
    const order = sent('CEB311', 'order', '20261120100000');
    const sentAt = beijingMillis('20261120100000');
    expect(notAcknowledged(timelineOf([order]), sentAt + 24 * HOUR, 24 * HOUR)).toEqual([]);
    const [a] = notAcknowledged(timelineOf([order]), sentAt + 25.5 * HOUR, 24 * HOUR);
    expect(a).toMatchObject({ kind: 'not-acknowledged', document: 'order', since: '2026-11-20T10:00:00.000+08:00' });
    expect(a!.message.en).toBe(
      'CEB311 was sent at 2026-11-20T10:00:00.000+08:00; 25 hours later there is no receipt at all',
    );
    const answered = timelineOf([order, receipt('CEB312', 'order', '100', '20261120101700')]);
    expect(notAcknowledged(answered, sentAt + 99 * HOUR, 24 * HOUR)).toEqual([]);
  });
});

describe('inconsistent receipts', () => {
  it('released after an approved cancel', () => {
    const cancel = receipt('CEB624', 'cancel', '399', '20261120110000');
    expect(releasedAfterCancel(timelineOf([release(), cancel]))).toMatchObject({
      kind: 'inconsistent',
      document: 'inventory',
      rule: 'released-after-cancel',
      since: '2026-11-20T12:00:00.000+08:00',
    });
    const laterCancel = receipt('CEB624', 'cancel', '399', '20261120130000');
    expect(releasedAfterCancel(timelineOf([release(), laterCancel]))).toBeUndefined();
  });

  it('a refund approved without any release', () => {
    const refund = receipt('CEB626', 'refund', '399', '20261125110000');
    expect(refundWithoutRelease(timelineOf([refund]))).toMatchObject({
      rule: 'refund-without-release',
      since: '2026-11-25T11:00:00.000+08:00',
    });
    expect(refundWithoutRelease(timelineOf([release(), refund]))).toBeUndefined();
  });

  it('a delivery status before the release', () => {
    const early = receipt('CEB514', 'logisticsStatus', '120', '20261120090000');
    expect(deliveredBeforeRelease(timelineOf([release(), early]))).toMatchObject({
      rule: 'delivered-before-release',
      since: '2026-11-20T09:00:00.000+08:00',
    });
    const late = receipt('CEB514', 'logisticsStatus', '120', '20261121090000');
    expect(deliveredBeforeRelease(timelineOf([release(), late]))).toBeUndefined();
  });
});

describe('returnWindowOf and lateReturn', () => {
  // 3 days to apply, 7 to arrive, counted from the day after the release (2026-11-20):
  // apply by the end of 2026-11-23, arrive by the end of 2026-11-27.
  const policy = { applyDays: 3, arriveDays: 7, dayCount: 'from-next-day' as const };
  const windowOf = (date: string) => (date === '2026-11-20' ? policy : undefined);

  it('gives the deadlines of the policy in force on the Beijing release date', () => {
    const w = returnWindowOf(timelineOf([release()]), windowOf);
    expect(beijingIso(w!.applyBy.getTime())).toBe('2026-11-23T23:59:59.999+08:00');
    expect(beijingIso(w!.arriveBy.getTime())).toBe('2026-11-27T23:59:59.999+08:00');
    expect(returnWindowOf(timelineOf([receipt('CEB622', 'inventory', '800', '20261121120000')]), windowOf)).toBe(
      undefined,
    );
    expect(returnWindowOf(timelineOf([receipt('CEB622', 'inventory', '800')]), windowOf)).toBeUndefined();
  });

  it('flags an application after the window, else an approval after the arrival deadline', () => {
    const check = (...items: TimelineItem[]) => {
      const t = timelineOf([release(), ...items]);
      return lateReturn(t, returnWindowOf(t, windowOf));
    };
    expect(check(sent('CEB625', 'refund', '20261123235959'))).toBeUndefined();
    expect(check(sent('CEB625', 'refund', '20261124000000'))).toMatchObject({
      kind: 'late-return',
      document: 'refund',
      rule: 'applied-after-window',
      since: '2026-11-24T00:00:00.000+08:00',
    });
    // A rejected application does not count as one; the first receipt that did not fail does.
    expect(
      check(receipt('CEB626', 'refund', '100', '20261122000000'), receipt('CEB626', 'refund', '120', '20261124000000')),
    ).toMatchObject({ rule: 'applied-after-window' });
    expect(
      check(receipt('CEB626', 'refund', '120', '20261122000000'), receipt('CEB626', 'refund', '399', '20261128000000')),
    ).toMatchObject({ rule: 'approved-after-arrival-deadline', since: '2026-11-28T00:00:00.000+08:00' });
    expect(
      check(receipt('CEB626', 'refund', '120', '20261122000000'), receipt('CEB626', 'refund', '399', '20261127235959')),
    ).toBeUndefined();
  });
});

describe('stateOf', () => {
  const state = (...items: TimelineItem[]) => {
    const t = timelineOf(items);
    return stateOf(t, latestByDocument(t));
  };
  it('reads the state off the latest receipts, cancel and refund first', () => {
    expect(state(sent('CEB311', 'order', '20261120100000'))).toBe('sent');
    expect(state(receipt('CEB312', 'order', '120', '20261120100000'))).toBe('accepted');
    expect(state(receipt('CEB312', 'order', '1', '20261120100000'))).toBe('pending');
    expect(state(receipt('CEB622', 'inventory', '501', '20261120100000'))).toBe('held');
    expect(state(release())).toBe('released');
    expect(state(release(), receipt('CEB514', 'logisticsStatus', '120', '20261122090000'))).toBe('delivered');
    // (a refused order after the release is of a later message: customs released on the order it had taken in)
    expect(state(release(), receipt('CEB312', 'order', '100', '20261122090000'))).toBe('released');
    expect(
      state(
        receipt('CEB622', 'inventory', '120', '20261120100000'),
        receipt('CEB312', 'order', '100', '20261122090000'),
      ),
    ).toBe('rejected');
    expect(state(release(), receipt('CEB626', 'refund', '399', '20261125110000'))).toBe('refunded');
    expect(state(release(), receipt('CEB624', 'cancel', '399', '20261120110000'))).toBe('cancelled');
  });
  it('an inventory whose latest receipt is 700 (退运) is returned abroad, not accepted or released', () => {
    // 700 is the XSD's 退运 for CEB622: the goods are shipped back and will not be delivered. Its outcome is final,
    // which alone read as `accepted`; after a release it read as `released`.
    const shippedBack = () => receipt('CEB622', 'inventory', '700', '20261121100000');
    expect(state(receipt('CEB622', 'inventory', '120', '20261120100000'), shippedBack())).toBe('returned');
    expect(state(release(), shippedBack())).toBe('returned');
    // A later release is the latest word.
    expect(state(shippedBack(), receipt('CEB622', 'inventory', '800', '20261122100000'))).toBe('released');
  });
  it('a refused cancel, return or delivery status leaves the goods where the declarations put them', () => {
    // Each is still a `rejected` anomaly; the state answers "where is the parcel".
    expect(state(release(), receipt('CEB624', 'cancel', '100', '20261120110000'))).toBe('released');
    expect(
      state(
        release(),
        receipt('CEB514', 'logisticsStatus', '120', '20261122090000'),
        receipt('CEB626', 'refund', '100', '20261125110000'),
      ),
    ).toBe('delivered');
    expect(state(release(), receipt('CEB514', 'logisticsStatus', '100', '20261122090000'))).toBe('released');
    expect(
      state(
        receipt('CEB622', 'inventory', '120', '20261120100000'),
        receipt('CEB624', 'cancel', '100', '20261120110000'),
      ),
    ).toBe('accepted');
    // Only an application's receipts: nothing says where the goods are.
    expect(state(receipt('CEB624', 'cancel', '100', '20261120110000'))).toBe('pending');
    // A refusal of the inventory after its release answers a later message (a released inventory allows no change):
    // the release stands.
    expect(state(release(), receipt('CEB622', 'inventory', '100', '20261122090000'))).toBe('released');
  });
});
