import { customsOffices } from './codes/customs-office.js';
import { codeTables } from './codes/tables.js';
import { districtNotices } from './district/notices.js';
import { districtOffices } from './district/offices.js';
import { fieldSchema } from './fields/schema.js';
import { fieldUnknown } from './fields/unknown.js';
import { positiveList } from './goods/positive-list.js';
import { goodsRecordsMatch } from './goods/records.js';
import { ebcCodeAgrees } from './identity/ebc-code.js';
import { idNumberValid } from './identity/id-number.js';
import { logisticsAgrees } from './identity/logistics.js';
import { orderNoAgrees } from './identity/order-no.js';
import { annualLimit } from './limits/annual.js';
import { singleTransactionLimit } from './limits/single-transaction.js';
import { linesCorrespond } from './lines/correspond.js';
import { gnumSequence } from './lines/gnum.js';
import { goodsValueSum } from './lines/goods-value.js';
import { lineQuantity } from './lines/quantity.js';
import { secondQuantity } from './lines/second-quantity.js';
import { lineTotalPrice } from './lines/total-price.js';
import { freightAgrees } from './logistics/freight.js';
import { packNo } from './logistics/pack-no.js';
import { waybillFees } from './logistics/waybill-fees.js';
import { weights } from './logistics/weights.js';
import { assureCodeParty } from './parties/assure-code.js';
import { buyerAgrees } from './parties/buyer.js';
import { consigneeAgrees } from './parties/consignee.js';
import { paymentAmount } from './payment/amount.js';
import { paymentLink } from './payment/link.js';
import { payerIsBuyer } from './payment/payer-is-buyer.js';
import { regimeInForce } from './tax/regime.js';
import { taxTotalMatches } from './tax/total.js';
import { tradeModeAllowed } from './trade-mode/allowed.js';
import { tradeModeFields } from './trade-mode/fields.js';
import type { Rule } from './types.js';

/**
 * Every rule sandan knows, in the order they run. Rulesets choose which are on. Each rule lives
 * in `src/rules/<id>.ts` (`payment/link` → `src/rules/payment/link.ts`) with its tests in
 * `test/rules/<id>.test.ts`.
 */
export const RULES: readonly Rule[] = [
  fieldSchema,
  fieldUnknown,
  codeTables,
  customsOffices,
  orderNoAgrees,
  ebcCodeAgrees,
  logisticsAgrees,
  paymentLink,
  paymentAmount,
  payerIsBuyer,
  idNumberValid,
  consigneeAgrees,
  buyerAgrees,
  assureCodeParty,
  gnumSequence,
  linesCorrespond,
  lineTotalPrice,
  goodsValueSum,
  secondQuantity,
  lineQuantity,
  weights,
  packNo,
  freightAgrees,
  waybillFees,
  tradeModeAllowed,
  tradeModeFields,
  regimeInForce,
  singleTransactionLimit,
  annualLimit,
  taxTotalMatches,
  districtOffices,
  districtNotices,
  positiveList,
  goodsRecordsMatch,
] as Rule[];

/** A rule by id. */
export function getRule(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
