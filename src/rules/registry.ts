import { codeTables, customsOffices } from './families/codes.js';
import { fieldSchema, fieldUnknown } from './families/fields.js';
import { idNumberValid } from './families/id-number.js';
import { ebcCodeAgrees, logisticsAgrees, orderNoAgrees } from './families/identity.js';
import { singleTransactionLimit } from './families/limits.js';
import { gnumSequence, goodsValueSum, linesCorrespond, lineTotalPrice, secondQuantity } from './families/lines.js';
import { freightAgrees, packNo, weights } from './families/logistics.js';
import { assureCodeParty, buyerAgrees, consigneeAgrees } from './families/parties.js';
import { payerIsBuyer, paymentAmount, paymentLink } from './families/payment.js';
import { districtOffices, goodsRecordsMatch, positiveList } from './families/goods.js';
import { districtNotices } from './families/notices.js';
import { annualLimit } from './families/quota.js';
import { taxTotalMatches } from './families/tax.js';
import { tradeModeAllowed, tradeModeFields } from './families/trade-mode.js';
import type { Rule } from './types.js';

/** Every rule sandan knows, in the order they run. Rulesets choose which are on. */
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
  weights,
  packNo,
  freightAgrees,
  tradeModeAllowed,
  tradeModeFields,
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
