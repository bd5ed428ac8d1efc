import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingReceipt } from '../../src/emulator/types.js';
import { example, makeSigning, messages, type DocKey, type Signing } from './helpers.js';

// `kill -9` in the middle: the built CLI (`sandan emulate`, SQLite state, folders) is killed while
// HTTP clients have requests in flight, files sit in its send folder and the clock is being
// advanced (receipts being produced and written), then started again on the same state and
// folders. A client resends what was not acknowledged; after the clock moves, every order has its
// whole receipt sequence once, and no receipt (seq or guid) appears twice in GET /receipts or the
// receive folder.
const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/sandan.js');
const HTTP_ORDERS = 30;
const FOLDER_ORDERS = 5;
const CLIENTS = 16;
const ADVANCE_AFTER_ACKS = 40;
const KILL_AFTER_ACKS = 50;
const START = '2026-11-20T03:00:00Z';
/** What each message's sequence ends as once the clock has moved: 3 × 2/3/120, CEB622 2/3/120/800, CEB816. */
const FULL = ['CEB312:2', 'CEB312:3', 'CEB312:120', 'CEB412:2', 'CEB412:3', 'CEB412:120', 'CEB512:2', 'CEB512:3'];
FULL.push('CEB512:120', 'CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800', 'CEB816');
/** The E-Port's duplicate codes: a resent message that had been taken before the crash. */
const DUPLICATE: Record<DocKey, string> = {
  order: '-301010',
  payment: '-401007',
  logistics: '-504012',
  inventory: '-621004',
};

let dir: string;
let signing: Signing;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandan-emulator-crash-'));
  signing = makeSigning();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  signing?.keys.cleanup();
});

function launch(args: string[]): { child: ChildProcess; url: Promise<string>; exited: Promise<unknown> } {
  const child = spawn(process.execPath, [BIN, 'emulate', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => void (err += d));
  const exited = new Promise((resolve) => child.on('close', resolve));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /http\s+(http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('close', (code) => reject(new Error(`sandan emulate exited (${code}): ${out}${err}`)));
  });
  return { child, url, exited };
}

async function until<T>(what: string, f: () => T | undefined | false, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Msg {
  orderNo: string;
  key: DocKey;
  xml: string;
}

async function order(i: number): Promise<Msg[]> {
  const d = example();
  const n = String(i).padStart(4, '0');
  const orderNo = `SDCRASH${n}`;
  d.order.orderNo = d.payment.orderNo = d.logistics.orderNo = d.inventory.orderNo = orderNo;
  d.order.payTransactionId = d.payment.payTransactionId = `PAYCRASH${n}`;
  d.logistics.logisticsNo = d.inventory.logisticsNo = `ZTCRASH${n}`;
  d.inventory.copNo = `INVCRASH${n}`;
  const m = await messages(d, signing.trusted);
  return (['order', 'payment', 'logistics', 'inventory'] as const).map((key) => ({ orderNo, key, xml: m[key] }));
}

interface Answer {
  status: number;
  accepted: string | null;
  body: string;
}

async function post(url: string, xml: string): Promise<Answer> {
  const r = await fetch(`${url}/ceb`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml });
  return { status: r.status, accepted: r.headers.get('x-sandan-accepted'), body: await r.text() };
}

const returnStatus = (xml: string) => /<ceb:returnStatus>([^<]*)</.exec(xml)?.[1];

describe('sandan emulate after kill -9', () => {
  it('loses no acknowledged message and answers no receipt twice', { timeout: 90_000 }, async () => {
    const state = join(dir, 'state.sqlite');
    const send = join(dir, 'send');
    const receive = join(dir, 'receive');
    const cert = join(dir, 'trusted.crt');
    writeFileSync(cert, signing.trust.certificates[0]!);
    // biome-ignore format: one option per line would hide the command
    const args = ['--port', '0', '--state', state, '--send', send, '--receive', receive, '--interval', '20', '--clock', 'manual', '--start', START, '--trust', cert, '--rates', join(ROOT, 'examples/rates.example.json'), '--quiet'];
    const orders = await Promise.all(Array.from({ length: HTTP_ORDERS + FOLDER_ORDERS }, (_, i) => order(i + 1)));
    const byHttp = orders.slice(0, HTTP_ORDERS).flat();
    // Interleaved, as several systems would send them: documents of one order in any order.
    const mixed = byHttp.map((m, k) => ({ m, at: (k * 37) % byHttp.length })).sort((a, b) => a.at - b.at);
    const queue = mixed.map((x) => x.m);

    const first = launch(args);
    const url1 = await first.url;
    // Files dropped whole (temporary name, then renamed in); some are taken before the kill, some not.
    mkdirSync(send, { recursive: true });
    const dropped = orders.slice(HTTP_ORDERS).flat();
    for (const m of dropped) {
      const name = `${m.orderNo}-${m.key}.xml`;
      writeFileSync(join(send, `.${name}.tmp`), m.xml);
      renameSync(join(send, `.${name}.tmp`), join(send, name));
    }

    // CLIENTS clients POST until the process is killed, once KILL_AFTER_ACKS answers have come back.
    const acked = new Map<Msg, Answer>();
    const failed = new Set<Msg>();
    let next = 0;
    let killed = false;
    let advanced: Promise<number | string> | undefined;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < queue.length) {
          const m = queue[next++]!;
          if (killed) {
            failed.add(m);
            continue;
          }
          try {
            acked.set(m, await post(url1, m.xml));
          } catch {
            failed.add(m); // connection reset by the kill: the client does not know whether it was taken
          }
          // The clock moves meanwhile, so that the kill may also land in the timeline's steps.
          if (advanced === undefined && acked.size >= ADVANCE_AFTER_ACKS)
            advanced = fetch(`${url1}/admin/advance?by=1h`, { method: 'POST' }).then(
              (r) => r.status,
              () => 'cut',
            );
          if (!killed && acked.size >= KILL_AFTER_ACKS) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        }
      }),
    );
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    expect([200, 'cut']).toContain(await advanced);
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(failed.size).toBeGreaterThan(0);
    for (const a of acked.values()) expect([a.status, a.accepted, returnStatus(a.body)]).toEqual([200, 'true', '2']);

    // Started again on the same state and folders; the client resends what got no answer.
    const second = launch(args);
    try {
      const url2 = await second.url;
      const resent = { taken: 0, duplicate: 0 };
      for (const m of failed) {
        const a = await post(url2, m.xml);
        if (a.accepted === 'true') {
          expect([a.status, returnStatus(a.body)]).toEqual([200, '2']);
          resent.taken++;
        } else {
          // Taken before the kill, its answer lost: refused with the E-Port's duplicate code, nothing scheduled again.
          expect([a.status, returnStatus(a.body)]).toEqual([200, DUPLICATE[m.key]]);
          resent.duplicate++;
        }
      }
      expect(resent.taken + resent.duplicate).toBe(failed.size);
      // Every dropped file is taken once: processed, none failed (a file in flight at the kill is finished, not resubmitted as a duplicate).
      // Emptied and finished: a file leaves send/ for send/.sandan/inflight/ before it is answered (with group
      // commit, after the batch holding it commits), and only then moves to processed/.
      await until(
        'the send folder emptied and nothing in flight',
        () =>
          readdirSync(send).filter((f) => f.endsWith('.xml')).length === 0 &&
          readdirSync(join(send, '.sandan', 'inflight')).length === 0,
      );
      expect(readdirSync(join(send, 'processed')).sort()).toEqual(
        dropped.map((m) => `${m.orderNo}-${m.key}.xml`).sort(),
      );
      expect(readdirSync(join(send, 'failed'))).toEqual([]);

      const adv = await fetch(`${url2}/admin/advance?by=1d`, { method: 'POST' });
      expect(adv.status).toBe(200);
      const { receipts } = (await (
        await fetch(`${url2}/receipts?after=0`, { headers: { accept: 'application/json' } })
      ).json()) as { receipts: OutgoingReceipt[] };

      // No seq, no receipt guid twice; every pre-crash acknowledgement is in the outbox (not lost).
      const seqs = receipts.map((r) => r.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      const guids = receipts.map((r) => r.name.replace(/^\d+-CEB\d+-|\.xml$/g, ''));
      expect(new Set(guids).size).toBe(guids.length);
      const xmls = new Set(receipts.map((r) => r.xml));
      for (const a of acked.values()) expect(xmls.has(a.body)).toBe(true);

      // Each order: its whole sequence once, plus one duplicate refusal per resend that had been taken.
      let refusals = 0;
      for (const o of orders) {
        const own = receipts.filter((r) => r.orderNo === o[0]!.orderNo);
        const trail = own.map((r) => (r.returnStatus === undefined ? r.type : `${r.type}:${r.returnStatus}`));
        const positive = trail.filter((t) => !/:-/.test(t));
        // In order within each document (2 → 3 → 120 …), whatever the interleaving of the documents.
        for (const type of ['CEB312', 'CEB412', 'CEB512', 'CEB622', 'CEB816'])
          expect(
            positive.filter((t) => t.startsWith(type)),
            `${o[0]!.orderNo} ${type}`,
          ).toEqual(FULL.filter((t) => t.startsWith(type)));
        expect(positive).toHaveLength(FULL.length);
        refusals += trail.length - positive.length;
      }
      expect(refusals).toBe(resent.duplicate);
      expect(receipts).toHaveLength(orders.length * FULL.length + resent.duplicate);

      // The receive folder holds each receipt once, under its own name. A receipt being written at
      // the kill may leave its hidden temporary file (`.<name>.<random>.tmp`, which readers skip);
      // the receipt itself is written whole after the restart.
      const names = receipts.map((r) => r.name).sort();
      const visible = () => readdirSync(receive).filter((f) => !f.startsWith('.'));
      await until('every receipt in the receive folder', () => visible().length >= receipts.length);
      expect(visible().sort()).toEqual(names);
      for (const f of readdirSync(receive).filter((x) => x.startsWith('.')))
        expect(names).toContain(/^\.(.+\.xml)\.[0-9a-f]+\.tmp$/.exec(f)?.[1]);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
