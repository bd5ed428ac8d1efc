// The opening the after-sale journeys share: the keys the emulator trusts, and the example order service against the
// customs emulator over HTTP on a manual clock. (The example declaration as order `no`, and the receipts' trail, are
// test/helpers/orders.ts's, which the emulator's own tests share.)
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { createOrderService } from '../../examples/order-service/checkout.js';
import { createCustomsClient } from '../../examples/order-service/customs-client.js';
import { createLocalSigner, MemoryQuotaStore, parseRateTable, QuotaLedger } from 'sandan';
import { createCustomsEmulator, type CustomsEmulator } from 'sandan/emulator';
import { makeSigning } from '../emulator/helpers.js';
import type { TestKeys } from '../sign/helpers.js';

export const ratesJson = () => JSON.parse(readFileSync('examples/rates.example.json', 'utf8'));
export const BUYER = '330106199003071519';
export const SENDER = {
  copCode: '3301980BRK',
  copName: '示例报关有限公司',
  dxpMode: 'DXP',
  dxpId: 'DXPENT0000012345',
};

/**
 * Makes the keys before the file's tests (the emulator trusts the `rsa` certificate) and closes the emulator and
 * removes the keys after them. `start()` starts the emulator (manual clock at 2026-11-20 02:00 UTC) and the order
 * service (its clock at 02:15, ids counting up, its own quota ledger), and gives both and a client of the emulator.
 */
export function afterSaleJourney() {
  let keys: TestKeys | undefined;
  let cert = '';
  let customs: CustomsEmulator | undefined;
  beforeAll(() => {
    const signing = makeSigning();
    keys = signing.keys;
    cert = signing.trust.certificates[0]!;
  }, 120_000);
  afterAll(async () => {
    await customs?.close();
    keys?.cleanup();
  });
  return {
    async start() {
      customs = await createCustomsEmulator({
        clock: 'manual',
        start: '2026-11-20T02:00:00Z',
        trust: { certificates: [cert] },
        rates: parseRateTable(ratesJson()),
        folder: false,
      });
      const url = customs.url!;
      const ledger = new QuotaLedger({ store: new MemoryQuotaStore(), secret: 'order-service-test-secret-0123456789' });
      let n = 0;
      const shop = createOrderService({
        ledger,
        signer: createLocalSigner({ key: readFileSync(keys!.path('rsa.key')), certificate: cert }),
        sender: SENDER,
        rates: parseRateTable(ratesJson()),
        now: () => new Date('2026-11-20T02:15:00Z'),
        newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
      });
      return { customs, url, ledger, shop, client: createCustomsClient(url) };
    },
  };
}
