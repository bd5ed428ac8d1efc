import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec } from '../../src/model/index.js';
import { MemoryQuotaStore } from '../../src/quota/index.js';
import type { QuotaEntry, QuotaEvent, QuotaTx } from '../../src/quota/types.js';

/**
 * The memory store answers from indexes. The reference below answers every query by scanning
 * everything (as the store did before): both must give the same entries and events in the same
 * order, for any sequence of transactions, including reads of a transaction's own writes.
 */
class ScanStore {
  entries = new Map<string, QuotaEntry>();
  log: QuotaEvent[] = [];
  async transaction<T>(work: (tx: QuotaTx) => Promise<T>): Promise<T> {
    const staged = new Map<string, QuotaEntry>();
    const fresh: QuotaEvent[] = [];
    const all = () => [...new Map([...this.entries, ...staged]).values()];
    const evs = () => [...this.log, ...fresh];
    const tx = {
      lockBuyerYear: async () => {},
      getEntry: async (o: string) => staged.get(o) ?? this.entries.get(o),
      findEntry: async (by: { copNo?: string; invtNo?: string }) =>
        all().find(
          (e) =>
            (by.invtNo !== undefined && e.invtNo === by.invtNo) || (by.copNo !== undefined && e.copNo === by.copNo),
        ),
      entries: async (b: string, y: number) => all().filter((e) => e.buyerKey === b && e.year === y),
      insertEntry: async (e: QuotaEntry) => void staged.set(e.orderNo, { ...e }),
      updateEntry: async (e: QuotaEntry) => void staged.set(e.orderNo, { ...e }),
      addEvent: async (e: QuotaEvent) => void fresh.push({ ...e }),
      events: async (b: string, y: number) => evs().filter((e) => e.buyerKey === b && e.year === y),
      orderEvents: async (o: string) => evs().filter((e) => e.orderNo === o),
      getMeta: async () => undefined,
      setMeta: async () => {},
    } as QuotaTx;
    const r = await work(tx);
    for (const [k, v] of staged) this.entries.set(k, v);
    for (const e of fresh) this.log.push({ ...e, seq: this.log.length + 1 });
    return r;
  }
}

const at = new Date('2026-11-20T00:00:00Z');
const small = (prefix: string) => fc.constantFrom(...['1', '2', '3'].map((d) => prefix + d));
const step = fc.record({
  orderNo: small('O'),
  buyerKey: small('B'),
  year: fc.constantFrom(2025, 2026),
  invtNo: fc.option(small('I'), { nil: undefined }),
  copNo: fc.option(small('C'), { nil: undefined }),
  askInvt: small('I'),
  askCop: small('C'),
});

describe('MemoryQuotaStore indexes', () => {
  it('answer as a full scan would, in the same order, also within a transaction', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { maxLength: 12 }), async (txs) => {
        const stores = [new MemoryQuotaStore(), new ScanStore()];
        const answers = await Promise.all(
          stores.map(async (store) => {
            const seen: unknown[] = [];
            for (const steps of txs) {
              await store.transaction(async (tx) => {
                for (const s of steps) {
                  const entry: QuotaEntry = {
                    orderNo: s.orderNo,
                    buyerKey: s.buyerKey,
                    year: s.year,
                    amount: new Dec('10'),
                    refunded: new Dec('0'),
                    status: 'reserved',
                    orderAt: at,
                    updatedAt: at,
                    invtNo: s.invtNo,
                    copNo: s.copNo,
                  };
                  if (await tx.getEntry(s.orderNo)) await tx.updateEntry(entry);
                  else await tx.insertEntry(entry);
                  await tx.addEvent({ ...entry, type: 'reserve', amount: entry.amount, at });
                  const order = (es: QuotaEntry[]) => es.map((e) => `${e.orderNo}/${e.invtNo}/${e.copNo}`);
                  seen.push(
                    order(await tx.entries(s.buyerKey, s.year)),
                    (await tx.findEntry({ invtNo: s.askInvt }))?.orderNo,
                    (await tx.findEntry({ copNo: s.askCop }))?.orderNo,
                    (await tx.findEntry({ invtNo: s.askInvt, copNo: s.askCop }))?.orderNo,
                    (await tx.findEntry({}))?.orderNo,
                    (await tx.events(s.buyerKey, s.year)).map((e) => `${e.orderNo}:${e.seq}`),
                    (await tx.orderEvents(s.orderNo)).map((e) => `${e.buyerKey}:${e.seq}`),
                  );
                }
              });
            }
            return seen;
          }),
        );
        expect(answers[0]).toEqual(answers[1]);
      }),
      { numRuns: 200 },
    );
  });

  it('a query costs what it returns, not the whole store: 20,000 buyers, one looked up', async () => {
    const store = new MemoryQuotaStore();
    await store.transaction(async (tx) => {
      for (let i = 0; i < 20_000; i++)
        await tx.insertEntry({
          orderNo: `O${i}`,
          buyerKey: `B${i}`,
          year: 2026,
          amount: new Dec('1'),
          refunded: new Dec('0'),
          status: 'committed',
          orderAt: at,
          updatedAt: at,
          invtNo: `I${i}`,
        });
    });
    // 2,000 look-ups: a full scan would visit 40 million entries; indexed ones visit 4,000.
    const t0 = process.cpuUsage();
    await store.transaction(async (tx) => {
      for (let i = 0; i < 1_000; i++) {
        expect((await tx.entries(`B${i}`, 2026)).length).toBe(1);
        expect((await tx.findEntry({ invtNo: `I${i}` }))?.orderNo).toBe(`O${i}`);
      }
    });
    const { user, system } = process.cpuUsage(t0);
    expect((user + system) / 1000).toBeLessThan(1_000);
  });
});
