import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  changedSettings,
  createCustomsEmulator,
  type CustomsEmulatorOptions,
  emulatorOptionsOf,
  parseEmulatorSettings,
} from '../../src/emulator/index.js';
import { parseReturnInfo, unwrapDxp, wrapDxp } from '../../src/xml/index.js';
import { example, lastInfo, message, RATES, trail, type DocKey } from '../emulator/helpers.js';

// The settings file of `sandan emulate --settings`: what it accepts, what the banner lists, and
// that each setting reaches the engine (the CLI's own run is in emulate.test.ts).
const T0 = '2026-11-20T02:20:00Z';
const KEYS: DocKey[] = ['order', 'payment', 'logistics', 'inventory'];
/** 9999-12-31 23:59:59.999 Beijing time, the end of the emulator's time. */
const LATEST = Date.parse('9999-12-31T15:59:59.999Z');

/** An emulator of a settings file's data (HTTP and folders off, a manual clock at T0), in memory or another store. */
const emulatorWith = (data: unknown, store: CustomsEmulatorOptions['store'] = 'memory') =>
  createCustomsEmulator({
    ...emulatorOptionsOf(parseEmulatorSettings(data)),
    store,
    http: false,
    folder: false,
    clock: 'manual',
    start: T0,
    requireSignature: false,
    rates: RATES,
  });

describe('emulator settings', () => {
  it('lists only what differs from the defaults (a delay by its length: 60s is 1m)', () => {
    expect(changedSettings(parseEmulatorSettings({}))).toEqual([]);
    const defaults = {
      $schema: '../node_modules/sandan/schemas/emulator-settings.schema.json',
      heldDocumentChange: 'refuse',
      duplicateCopNo: 'take',
      unmappedCode: '1300',
      quota: { date: 'declTime' },
      timing: { sent: 2000, entered: '5s', released: '60s', taxBill: '5000ms', concluded: '30s' },
      paymentDataWindow: '120s',
      customsDxpId: 'DXPEDCCEB0000002',
      enterpriseDxpId: 'DXPENT0000000000',
    };
    expect(changedSettings(parseEmulatorSettings(defaults))).toEqual([]);
    expect(
      changedSettings(
        parseEmulatorSettings({
          enterpriseDxpId: 'DXPENT0000000042',
          timing: { released: '2h', sent: '2s' },
          quota: { date: 'appTime', annualLimit: '26000.00' },
          heldDocumentChange: 'take',
          unmappedCode: '-1',
        }),
      ),
    ).toEqual([
      ['heldDocumentChange', 'take', 'refuse'],
      ['unmappedCode', '-1', '1300'],
      ['quota.annualLimit', '26000.00', "the quota policy's in force"],
      ['quota.date', 'appTime', 'declTime'],
      ['timing.released', '2h', '1m'],
      ['enterpriseDxpId', 'DXPENT0000000042', 'DXPENT0000000000'],
    ]);
    expect(changedSettings(parseEmulatorSettings({ customsDxpId: 'DXPEDCCEB0000009' }))).toEqual([
      ['customsDxpId', 'DXPEDCCEB0000009', 'DXPEDCCEB0000002'],
    ]);
    expect(changedSettings(parseEmulatorSettings({ paymentDataWindow: '5m' }))).toEqual([
      ['paymentDataWindow', '5m', '2m'],
    ]);
    expect(() => parseEmulatorSettings({ paymentDataWindow: 'soon' })).toThrowError(
      /paymentDataWindow: must be a duration/,
    );
  });

  it("gives the engine's options of the settings, and no key the file did not set", () => {
    expect(emulatorOptionsOf(parseEmulatorSettings({}))).toEqual({});
    expect(Object.keys(emulatorOptionsOf(parseEmulatorSettings({})))).toEqual([]);
    expect(
      emulatorOptionsOf(
        parseEmulatorSettings({ quota: { date: 'appTime' }, timing: { released: '2h' }, duplicateCopNo: 'refuse' }),
      ),
    ).toEqual({ quota: { date: 'appTime' }, timing: { released: '2h' }, duplicateCopNo: 'refuse' });
  });

  it('refuses what the engine would not take, naming the path', () => {
    const refused = (data: unknown) => {
      try {
        parseEmulatorSettings(data, 'x.json');
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(refused({ unmappedCode: 1300 })).toBe(
      'x.json: $.unmappedCode: Invalid input: expected string, received number',
    );
    expect(refused({ unmappedCode: '13a' })).toBe('x.json: $.unmappedCode: must be a code such as "1300"');
    expect(refused({ quota: { annualLimit: '1,000' } })).toMatch(/^x\.json: \$\.quota\.annualLimit: must be an amount/);
    expect(refused({ quota: { annualLimit: '-1' } })).toMatch(/^x\.json: \$\.quota\.annualLimit: must be an amount/);
    expect(refused({ timing: { sent: -1 } })).toMatch(/^x\.json: \$\.timing\.sent: must be a duration/);
    expect(refused({ timing: { sent: 1.5 } })).toMatch(/^x\.json: \$\.timing\.sent: must be a duration/);
    expect(refused({ customsDxpId: '' })).toMatch(/^x\.json: \$\.customsDxpId: /);
    expect(refused({ enterpriseDxpId: 'DXP\u0000' })).toBe(
      'x.json: $.enterpriseDxpId: a DXP id holds characters XML can carry only',
    );
    expect(refused({ customsDxpId: 'DXPEDCCEB00000020' })).toBe(
      'x.json: $.customsDxpId: a DXP id has at most 16 characters',
    );
    expect(refused({ timing: { relased: '1m' } })).toBe(
      'x.json: $.timing.relased: unknown setting "relased"; did you mean released?',
    );
    expect(refused({ quota: { secret: 's' } })).toBe(
      'x.json: $.quota.secret: unknown setting "secret"; the settings of quota are annualLimit, date',
    );
    // at most five problems
    expect(refused({ a1: 1, a2: 2, a3: 3, a4: 4, a5: 5, a6: 6 }).split('; the settings are').length - 1).toBe(5);
  });

  it('every settings file it accepts starts an engine (the schema takes nothing the engine refuses)', async () => {
    const settings = fc.record(
      {
        heldDocumentChange: fc.constantFrom('refuse', 'take'),
        duplicateCopNo: fc.constantFrom('take', 'refuse'),
        unmappedCode: fc.stringMatching(/^-?\d{1,6}$/),
        quota: fc.record(
          {
            annualLimit: fc.stringMatching(/^\d{1,14}(\.\d{1,5})?$/),
            date: fc.constantFrom('declTime', 'appTime'),
          },
          { requiredKeys: [] },
        ),
        timing: fc.record(
          {
            sent: fc.oneof(fc.nat(), fc.stringMatching(/^\d{1,6}(ms|s|m|h|d)$/)),
            released: fc.oneof(fc.nat(), fc.stringMatching(/^\d{1,6}(ms|s|m|h|d)$/)),
          },
          { requiredKeys: [] },
        ),
        customsDxpId: fc.stringMatching(/^[A-Z0-9]{1,16}$/),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(settings, async (data) => {
        const customs = await createCustomsEmulator({
          ...emulatorOptionsOf(parseEmulatorSettings(data)),
          http: false,
          folder: false,
          clock: 'manual',
          start: T0,
        });
        await customs.close();
      }),
      { numRuns: 60 },
    );
  });

  it('each setting reaches the engine: duplicateCopNo with unmappedCode, timing, customsDxpId', async () => {
    const customs = await emulatorWith({
      duplicateCopNo: 'refuse',
      unmappedCode: '1399',
      timing: { sent: '10s', entered: '1m', released: '2h' },
      customsDxpId: 'DXPEDCCEB0000099',
    });
    try {
      const first = example();
      for (const k of KEYS) {
        // (addressed to the node customsDxpId names: a DxpMsg to another receiver is answered 2001)
        const wrapped = wrapDxp(await message(first, k), {
          senderId: 'DXPENT0000012345',
          receiverIds: ['DXPEDCCEB0000099'],
          now: () => new Date(T0),
          newId: () => `msg-${k}`,
        });
        const ack = await customs.submit(wrapped);
        expect(unwrapDxp(ack.body).transInfo.senderId).toBe('DXPEDCCEB0000099');
      }
      const at = (type: string) => trail(customs.receipts(0, { orderNo: 'SD202611200001' }), type);
      await customs.advance('9s');
      expect(at('CEB622')).toEqual(['CEB622:2']);
      await customs.advance('1s'); // 10 s: 3
      expect(at('CEB622')).toEqual(['CEB622:2', 'CEB622:3']);
      await customs.advance('1m'); // 1 min 10 s: 120
      expect(at('CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120']);
      await customs.advance('119m');
      expect(at('CEB622')).toHaveLength(3);
      await customs.advance('1m'); // 2 h after 120: 800
      expect(at('CEB622').at(-1)).toBe('CEB622:800');

      // the same copNo on another order: refused with the unmapped code
      const twin = example();
      twin.order.orderNo = twin.payment.orderNo = twin.logistics.orderNo = twin.inventory.orderNo = 'SD202611200002';
      twin.order.payTransactionId = twin.payment.payTransactionId = 'PAY2026112010160002';
      twin.logistics.logisticsNo = twin.inventory.logisticsNo = 'ZT7700012345679';
      for (const k of KEYS) await customs.submit(await message(twin, k));
      await customs.advance('1d');
      const rs = customs.receipts(0, { orderNo: 'SD202611200002' });
      expect(trail(rs, 'CEB622').at(-1)).toBe('CEB622:100');
      expect(parseReturnInfo(lastInfo(rs, 'CEB622') ?? '').code).toBe('1399');
    } finally {
      await customs.close();
    }
  });
});

describe('emulator settings: a delay past the end of time', () => {
  // "released": "99999999d" keeps inventories from release (a test of a service that waits). Past JavaScript's last
  // date the step's time was NaN: the SQLite state refused to write it, and the inventory was answered 100 with
  // "[Code:3001;Desc:emulator failure: NOT NULL constraint failed: emu_timeline.due]"; the memory state kept it in no
  // order. It falls due at the end of time (9999-12-31 23:59:59.999 Beijing), as a long hold does.
  for (const store of ['memory', 'sqlite'] as const)
    it(`holds the inventory at 120 (${store} state), released at the end of time`, async () => {
      const customs = await emulatorWith(
        { timing: { released: '99999999d' } },
        store === 'memory' ? 'memory' : { sqlite: join(mkdtempSync(join(tmpdir(), 'sandan-late-')), 's.db') },
      );
      try {
        for (const k of KEYS) await customs.submit(await message(example(), k));
        await customs.advance('30d');
        const at = () => trail(customs.receipts(0, { orderNo: 'SD202611200001' }), 'CEB622');
        expect(at()).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120']);
        await customs.advance('2900000d'); // (some 7,940 years: 9966)
        expect(at()).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120']);
        const left = LATEST - customs.now().getTime();
        await customs.advance(left);
        expect(at()).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
      } finally {
        await customs.close();
      }
    });
});
