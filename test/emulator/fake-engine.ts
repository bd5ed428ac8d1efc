/**
 * A stand-in for the emulator's engine (src/emulator/engine.ts), for the transport tests: it
 * keeps what it received and, per accepted message, queues one receipt that appears when the
 * clock is advanced (or at once with `immediate`). Messages holding `<bad/>` are refused.
 * It only has to honour the EmulatorEngine interface; the real engine's checks are tested on their own.
 */
import { SandanError } from '../../src/errors.js';
import type { PaymentDataUpload } from '../../src/emulator/payment-data.js';
import type { Acknowledgement, EmulatorEngine, OutgoingReceipt, Scenario } from '../../src/emulator/types.js';

export interface FakeEngine extends EmulatorEngine {
  submitted: Array<{ xml: string; via: { transport: string; name?: string } }>;
  scenarios: Array<[string, Scenario | null]>;
  closed: boolean;
  /** Emits a receipt now (as if time had passed). */
  emit(orderNo: string, type?: OutgoingReceipt['type']): OutgoingReceipt;
  /** Makes submit take this long (ms) before it answers. */
  delayMs: number;
}

export function fakeEngine(options: { immediate?: boolean } = {}): FakeEngine {
  let now = new Date('2026-11-20T02:00:00Z');
  const out: OutgoingReceipt[] = [];
  const pending: string[] = [];
  const listeners = new Set<(r: OutgoingReceipt) => void>();
  const received: Array<{ seq: number; at: string; transport: string; name?: string; accepted: boolean }> = [];
  const uploads: PaymentDataUpload[] = [];
  const self: FakeEngine = {
    submitted: [],
    scenarios: [],
    closed: false,
    delayMs: 0,
    emit(orderNo, type = 'CEB312') {
      const seq = out.length + 1;
      const r: OutgoingReceipt = {
        seq,
        name: `${String(seq).padStart(6, '0')}-${type}-${orderNo}.xml`,
        type,
        orderNo,
        returnStatus: '120',
        xml: `<?xml version="1.0" encoding="UTF-8"?>\n<${type}Message><orderNo>${orderNo}</orderNo><seq>${seq}</seq></${type}Message>\n`,
        at: now.toISOString(),
      };
      out.push(r);
      for (const l of listeners) l(r);
      return r;
    },
    async submit(xml, via) {
      const text = typeof xml === 'string' ? xml : Buffer.from(xml).toString('utf8');
      if (self.delayMs > 0) await new Promise((r) => setTimeout(r, self.delayMs));
      self.submitted.push({ xml: text, via });
      const accepted = !text.includes('<bad/>');
      received.push({
        seq: received.length + 1,
        at: now.toISOString(),
        transport: via.transport,
        ...(via.name !== undefined && { name: via.name }),
        accepted,
      });
      const orderNo = /<orderNo>([^<]*)<\/orderNo>/.exec(text)?.[1] ?? 'none';
      if (accepted) {
        if (options.immediate) self.emit(orderNo);
        else pending.push(orderNo);
      }
      const ack: Acknowledgement = {
        accepted,
        httpStatus: accepted ? 200 : 400,
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Ack accepted="${accepted}" orderNo="${orderNo}"/>\n`,
        messageType: 'CEB311',
      };
      return ack;
    },
    receipts(after = 0, filter) {
      return out.filter((r) => r.seq > after && (filter?.orderNo === undefined || r.orderNo === filter.orderNo));
    },
    onReceipt(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async advance(by) {
      const ms = typeof by === 'number' ? by : by === '2h' ? 7_200_000 : Number.NaN;
      if (Number.isNaN(ms)) throw new SandanError('INVALID_OPTION', `not a duration: ${by}`);
      now = new Date(now.getTime() + ms);
      for (const o of pending.splice(0)) self.emit(o);
    },
    now: () => now,
    scenario(orderNo, s) {
      self.scenarios.push([orderNo, s]);
    },
    async taxBillStatus(invtNo) {
      return self.emit(invtNo, 'CEB818');
    },
    received: (after = 0, limit = Number.POSITIVE_INFINITY) =>
      received.filter((m) => m.seq > after).slice(0, limit) as never,
    findReceived: (name) => received.find((m) => m.name === name) as never,
    historyStart: () => ({ received: 1, receipts: 1, nextReceipt: out.length + 1 }),
    // The "179" desk: a request per call, and every upload taken unless it holds `bad`.
    requestPaymentData(orderNo, o = {}) {
      const sessionID = o.sessionID ?? `S${uploads.length + 1}`;
      const serviceTime = now.getTime();
      return {
        sessionID,
        orderNo,
        ...(o.ebpCode !== undefined && { ebpCode: o.ebpCode }),
        serviceTime,
        openReq: JSON.stringify({ orderNo, sessionID, serviceTime: String(serviceTime) }),
        until: new Date(serviceTime + 120_000).toISOString(),
      };
    },
    uploadPaymentData(payExInfoStr) {
      const accepted = !payExInfoStr.includes('bad');
      const answer = {
        code: accepted ? ('10000' as const) : ('20000' as const),
        message: accepted ? '上传成功' : '验签失败',
        total: 0,
        serviceTime: now.getTime(),
      };
      uploads.push({ seq: uploads.length + 1, at: now.toISOString(), accepted, answer, payExInfoStr });
      return answer;
    },
    paymentDataUploads: (after = 0) => uploads.filter((u) => u.seq > after),
    async close() {
      self.closed = true;
    },
  };
  return self;
}
