import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomsEmulator, type CustomsEmulator } from '../../src/emulator/index.js';
import { example, makeSigning, messages, RATES, read, type DocKey, type Signing } from './helpers.js';

/*
 * createCustomsEmulator with the real engine, driven through the folders as through the DXP
 * client: messages dropped into send, receipts read from receive; then a restart on the same
 * SQLite state and folders writes nothing twice.
 */

const T0 = '2026-11-20T02:20:00Z';
let signing: Signing;
let dir: string;

beforeAll(() => {
  signing = makeSigning();
  dir = mkdtempSync(join(tmpdir(), 'sandan-emulator-folders-'));
}, 120_000);
afterAll(() => {
  signing?.keys.cleanup();
  // Unset when beforeAll failed before making it.
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The files in a folder, as a DXP client sees them: not the emulator's hidden `.name.….tmp` files being written. */
const ls = (d: string) =>
  existsSync(d)
    ? readdirSync(d)
        .filter((f) => !f.startsWith('.'))
        .sort()
    : [];

function drop(folder: string, name: string, text: string) {
  writeFileSync(join(folder, `.${name}.tmp`), text);
  renameSync(join(folder, `.${name}.tmp`), join(folder, name));
}

async function until(what: string, ok: () => boolean, ms = 20_000) {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `type:status` of the receipt files in receive, in file-name (= sequence) order. */
function receiptFiles(receive: string): string[] {
  return ls(receive).map((f) => {
    const m = read(readFileSync(join(receive, f), 'utf8'));
    const status = m.documents[0]?.returnStatus;
    return status === undefined ? m.messageType : `${m.messageType}:${String(status)}`;
  });
}

describe('the emulator through its folders', () => {
  it('temporary folders by default, removed on close; HTTP can be turned off', async () => {
    const c = await createCustomsEmulator({ http: false });
    expect(c.url).toBeUndefined();
    const { send, receive } = c.folders!;
    expect(send).toMatch(/sandan-emulator-\w+[/\\]send$/);
    expect(existsSync(send) && existsSync(receive)).toBe(true);
    await c.close();
    expect(existsSync(send)).toBe(false);
  });

  it('four messages dropped in send are taken, and the receipts appear in receive; a restart writes none twice', async () => {
    const send = join(dir, 'send');
    const receive = join(dir, 'receive');
    const state = join(dir, 'state.sqlite');
    const options = {
      clock: 'manual' as const,
      start: T0,
      trust: signing.trust,
      rates: RATES,
      http: false,
      store: { sqlite: state },
      folder: { send, receive, intervalMs: 20 },
    };
    let customs: CustomsEmulator = await createCustomsEmulator(options);
    const decl = example();
    const m = await messages(decl, signing.trusted);
    const keys: DocKey[] = ['order', 'payment', 'logistics', 'inventory'];
    for (const k of keys) drop(send, `${k}.xml`, m[k]);
    await until('the four files to be taken', () => ls(join(send, 'processed')).length === 4);
    expect(ls(join(send, 'processed'))).toEqual(['inventory.xml', 'logistics.xml', 'order.xml', 'payment.xml']);
    expect(ls(join(send, 'failed'))).toEqual([]);
    // In any order: the engine matches the documents as they come.
    expect(
      customs
        .received()
        .map((r) => [r.transport, r.messageType, r.accepted])
        .sort(),
    ).toEqual(['CEB311', 'CEB411', 'CEB511', 'CEB621'].map((t) => ['folder', t, true]));
    await until('the acknowledgements', () => ls(receive).length === 4);
    expect(receiptFiles(receive).sort()).toEqual(['CEB312:2', 'CEB412:2', 'CEB512:2', 'CEB622:2']);

    // The reader takes the receipts away; the emulator stops and starts again on the same state.
    for (const f of ls(receive)) rmSync(join(receive, f));
    await customs.close();
    customs = await createCustomsEmulator(options);
    await customs.advance('1d'); // resolves once the new receipts are written
    const after = receiptFiles(receive);
    expect(after.filter((t) => t.startsWith('CEB622'))).toEqual(['CEB622:3', 'CEB622:120', 'CEB622:800']);
    expect(after).toContain('CEB816');
    expect(after.some((t) => t.endsWith(':2'))).toBe(false); // nothing written twice
    expect(ls(receive)).toEqual(customs.receipts(4).map((r) => r.name));
    // A refused file goes to failed/ with the reason; its CEB900 comes to receive.
    drop(send, 'junk.xml', 'not xml at all');
    await until('the junk to fail', () => ls(join(send, 'failed')).length === 2);
    expect(readFileSync(join(send, 'failed', 'junk.xml.reason.txt'), 'utf8')).toMatch(/^0001: /);
    await customs.close();
    expect(receiptFiles(receive).at(-1)).toBe('CEB900:-1');
  }, 120_000);
});
