// A separate process reserving quota in a shared SQLite file (run with `node --import tsx`).
// argv[2]: JSON { db, secret, buyer, at, calls: [{ ebpCode?, orderNo, amount }] }. Prints `ready`, waits for a
// line on stdin (so that every worker starts at once), then prints { started, finished, results }.
import { once } from 'node:events';
import { QuotaLedger } from '../../src/quota/index.js';
import { openSqliteQuotaStore } from '../../src/quota/sqlite.js';
import type { HammerCall } from './contract.js';

const job = JSON.parse(process.argv[2] ?? '{}') as {
  db: string;
  secret: string;
  buyer: string;
  at: string;
  calls: HammerCall[];
};
const ledger = new QuotaLedger({ store: await openSqliteQuotaStore(job.db), secret: job.secret });
process.stdout.write('ready\n');
await once(process.stdin, 'data');
process.stdin.pause();
// (sub-millisecond clock: a process's few calls can take less than a millisecond)
const now = () => performance.timeOrigin + performance.now();
const started = now();
const results = await Promise.all(
  job.calls.map(async (c) => {
    // (contract.ts's hammerOrder, written out: that module imports vitest)
    const order = c.ebpCode === undefined ? c.orderNo : { ebpCode: c.ebpCode, orderNo: c.orderNo };
    const r = await ledger.reserve(order, job.buyer, c.amount, job.at);
    return r.ok
      ? { ebpCode: r.ebpCode, orderNo: c.orderNo, ok: true, duplicate: r.duplicate }
      : { ebpCode: r.ebpCode, orderNo: c.orderNo, ok: false, reason: r.reason };
  }),
);
const finished = now();
await ledger.close();
process.stdout.write(`${JSON.stringify({ started, finished, results })}\n`);
