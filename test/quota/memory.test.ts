import { MemoryQuotaStore, QuotaLedger } from '../../src/quota/index.js';
import { hammerOrder, quotaContract, SECRET, type HammerResult } from './contract.js';

quotaContract({
  name: 'memory',
  async setup() {
    const store = new MemoryQuotaStore();
    // Closing a ledger closes its store; the shared store here outlives every ledger of a test.
    const shared = { name: store.name, transaction: store.transaction.bind(store), close: async () => {} };
    return {
      open: async () => shared,
      async hammer(calls, buyer, at) {
        // Four ledgers (as four request handlers would have) share the store; all calls at once.
        const ledgers = [0, 1, 2, 3].map(() => new QuotaLedger({ store: shared, secret: SECRET }));
        return Promise.all(
          calls.map(async (c, i): Promise<HammerResult> => {
            const r = await ledgers[i % 4]!.reserve(hammerOrder(c), buyer, c.amount, at);
            return r.ok
              ? { ebpCode: r.ebpCode, orderNo: c.orderNo, ok: true, duplicate: r.duplicate }
              : { ebpCode: r.ebpCode, orderNo: c.orderNo, ok: false, reason: r.reason };
          }),
        );
      },
      async dump() {
        return store.transaction(async (tx) => {
          const parts: unknown[] = [await tx.getMeta('secret-fingerprint')];
          for (const o of ['H-1', 'H-2']) parts.push(await tx.getEntry('', o), await tx.orderEvents('', o));
          return JSON.stringify(parts);
        });
      },
      drop: () => store.close(),
    };
  },
});
