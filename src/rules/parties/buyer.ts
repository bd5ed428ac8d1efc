import { MISMATCH, ref, sameString } from '../_lib/compare.js';
import { normaliseIdNumber } from '../id-number.js';
import { defineRule, FROM_RECEIPTS } from '../types.js';

/** R7: the buyer on the inventory is the buyer on the order. */
export const buyerAgrees = defineRule({
  id: 'parties/buyer',
  description: {
    zh: '清单与订单的订购人姓名、证件、电话一致',
    en: 'Buyer name, ID and phone agree between order and inventory',
  },
  source:
    '报文规范 202205: buyer fields of OrderHead and InventoryHead; receipt [Code:13127]; the phone: receipt [Code:130126;Desc:清单上的订购人电话号码与订单上的订购人电话号码不一致] (returnStatus 100), as integrators reproduce it in mock CEB622 receipts (GitHub jasmine-100/dandingtest, 2020-07 to 2021-05)',
  defaultSeverity: 'error',
  codes: {
    '13127': FROM_RECEIPTS,
    'buyer-mismatch': {
      zh: '清单与订单的订购人证件或电话不一致',
      en: 'The buyer ID or phone on the inventory differs from the order',
    },
  },
  messages: { '13127': MISMATCH, 'buyer-mismatch': MISMATCH },
  examples: {
    valid: [{ name: 'the example declaration' }],
    invalid: [
      {
        name: 'another buyer name on the inventory',
        set: { 'inventory.buyerName': '张三丰' },
        code: '13127',
        path: 'inventory.buyerName',
      },
    ],
  },
  check(ctx) {
    const order = ref(ctx, 'order');
    const inventory = ref(ctx, 'inventory');
    return [
      ...sameString(ctx, '13127', order, 'buyerName', inventory, 'buyerName'),
      ...sameString(ctx, 'buyer-mismatch', order, 'buyerIdType', inventory, 'buyerIdType'),
      // One buyer as the quota ledger counts one: `…x` and `…X` are the same number (identity/id-number warns on x).
      ...sameString(ctx, 'buyer-mismatch', order, 'buyerIdNumber', inventory, 'buyerIdNumber', normaliseIdNumber),
      ...sameString(ctx, 'buyer-mismatch', order, 'buyerTelephone', inventory, 'buyerTelephone'),
    ];
  },
});
