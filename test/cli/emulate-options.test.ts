import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulateCommandOptions, emulatorOptions } from '../../src/cli/emulate-command.js';
import { manualClock } from '../../src/emulator/clock.js';
import { createEngine } from '../../src/emulator/engine.js';
import { example, makeSigning, message, RATES, type Signing } from '../emulator/helpers.js';
import { put } from '../sign/helpers.js';

// The numbers `sandan emulate` takes, at their bounds (in memory: nothing is made on disk).
const base: EmulateCommandOptions = {
  host: '127.0.0.1',
  port: '8621',
  send: 'send',
  receive: 'receive',
  http: true,
  folder: true,
  state: 'state.sqlite',
  memory: true,
  synchronous: 'normal',
  requireSignature: false,
  clock: 'real',
  interval: '1000',
  history: '100000',
  maxScenarios: '10000',
};
const options = async (o: Partial<EmulateCommandOptions>) => (await emulatorOptions({ ...base, ...o })).options;

describe('sandan emulate: numbers at their bounds', () => {
  it.each([
    ['port', '0', '65535', '65536'],
    ['interval', '1', '3600000', '3600001'],
    ['history', '0', '100000000', '100000001'],
    ['max-scenarios', '0', '100000000', '100000001'],
  ] as const)('--%s takes %s to %s and refuses %s', async (flag, low, high, over) => {
    const name = flag === 'max-scenarios' ? 'maxScenarios' : flag;
    const read = (o: Awaited<ReturnType<typeof options>>) => {
      if (name === 'history') return o.history;
      if (name === 'maxScenarios') return o.maxScenarios;
      const transport = (name === 'port' ? o.http : o.folder) as { port?: number; intervalMs?: number };
      return name === 'port' ? transport.port : transport.intervalMs;
    };
    expect(read(await options({ [name]: low }))).toBe(Number(low));
    expect(read(await options({ [name]: high }))).toBe(Number(high));
    await expect(options({ [name]: over })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: `--${flag} must be a whole number from 0 to ${high}, got "${over}"`,
    });
  });

  it('--interval 0 is refused (a folder scan needs a pause); -1 and 1.5 are no whole numbers', async () => {
    await expect(options({ interval: '0' })).rejects.toThrow('--interval must be at least 1 ms');
    for (const v of ['-1', '1.5', ' 1', ''])
      await expect(options({ interval: v })).rejects.toThrow(
        `--interval must be a whole number from 0 to 3600000, got ${JSON.stringify(v)}`,
      );
  });

  it('keeps one way in: --no-http or --no-folder alone is fine, both together are refused', async () => {
    expect((await options({ http: false })).http).toBe(false);
    expect((await options({ folder: false })).folder).toBe(false);
    await expect(options({ http: false, folder: false })).rejects.toThrow('leave no way in');
  });
});

describe('sandan emulate --trust', () => {
  let signing: Signing;
  beforeAll(() => {
    signing = makeSigning();
  }, 120_000);
  afterAll(() => signing?.keys.cleanup());

  it('trusts every certificate of a PEM bundle, as `sandan verify --cert` does, and a DER file', async () => {
    const keys = signing.keys;
    // The untrusted signer's certificate second in a bundle, after another; then the first one as DER.
    const bundle = put(keys, 'bundle.pem', `${keys.text('emu-rsa.crt')}\n${keys.text('emu-rsa2.crt')}`);
    const der = put(keys, 'emu-rsa.der', new X509Certificate(keys.read('emu-rsa.crt')).raw);
    const o = await options({ trust: [bundle, der], requireSignature: true });
    const trusted = (o.trust?.certificates ?? []).map((c) => new X509Certificate(c as string | Buffer).serialNumber);
    const serials = ['emu-rsa', 'emu-rsa2', 'emu-rsa'].map(
      (n) => new X509Certificate(keys.read(`${n}.crt`)).serialNumber,
    );
    expect(trusted).toEqual(serials);
    // So the engine takes an inventory signed with the bundle's second certificate (before: only the first was read).
    // (the engine takes the engine's options only: the transports' and the clock's are the emulator's)
    const { http: _http, folder: _folder, clock: _clock, start: _start, store: _store, ...engineOptions } = o;
    const e = await createEngine({
      ...engineOptions,
      store: 'memory',
      clock: manualClock('2026-11-20T02:20:00Z'),
      rates: RATES,
    });
    try {
      const inventory = await message(example(), 'inventory', signing.untrusted);
      expect(await e.submit(inventory, { transport: 'api' })).toMatchObject({ accepted: true, httpStatus: 200 });
    } finally {
      await e.close();
    }
  });
});
