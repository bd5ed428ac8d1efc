import { Dec } from '../../model/primitives.js';
import { padPlaces } from '../../tax/formula.js';
import { decEq, differsBeyond, show } from '../_lib/compare.js';
import { perUnitTaxOf, taxOf } from '../_lib/tax.js';
import { defineRule, type ReportOf } from '../types.js';

const MESSAGES = {
  'tax-mismatch': {
    zh: '代扣税款 {declared} 与应征税款 {computed}（关税 {duty}，消费税 {consumption}，增值税 {vat}）相差 {diff}（{regime}）',
    en: 'order.taxTotal {declared} differs from the computed tax {computed} (duty {duty}, consumption tax {consumption}, VAT {vat}) by {diff} (regime {regime}); see `sandan tax` for every figure',
  },
  'tax-not-withheld': {
    zh: '代扣税款为 0：企业未向订购人代扣税款（规范：无则填写“0”）；海关按应征税款 {computed}（关税 {duty}，消费税 {consumption}，增值税 {vat}）向担保企业征收',
    en: 'order.taxTotal is 0: no tax was withheld from the buyer (the spec: 无则填写“0”); customs bills the computed tax {computed} (duty {duty}, consumption tax {consumption}, VAT {vat}) to the guarantor (inventory.assureCode)',
  },
  'tax-rounded-per-unit': {
    zh: '代扣税款 {declared} 为逐件舍入的税款（每件各税舍入后乘以数量）；按行舍入（税单的列法）为 {computed}，相差 {diff}。海关未公布是否接受此差额，故仅提示；月末对账时税单可能相差 {diff}',
    en: 'order.taxTotal {declared} is the tax rounded per unit (each tax of one unit rounded, times the quantity); rounded per line, as the CEB816 tax bill lists taxes, it is {computed}, {diff} apart. Customs publishes no rule on such a difference, so this only warns; the tax bill may differ by {diff} at reconciliation',
  },
  // The first part is the tax module's finding, as `sandan tax` shows it.
  'rate-missing': {
    zh: '{detail}；未核对该项税款（请提供税率表：选项 rates，命令行 --rates）',
    en: '{detail}; its tax was not checked (give a rate table: the option `rates`, or --rates on the command line)',
  },
  // (the rate was found: what is missing is the line's quantity in the rate's unit)
  'tax-quantity-unit': {
    zh: '{detail}；未核对该项税款（请在 qty1/unit1 或 qty2/unit2 中申报该计量单位的数量）',
    en: "{detail}; its tax was not checked (declare the line's quantity in that unit, as qty1/unit1 or qty2/unit2)",
  },
  'rate-not-in-force': { zh: '{detail}', en: '{detail}' },
} as const;

/** How far, a line, a taxTotal rounded per unit may be from the per-line figure and only warn. */
const PER_UNIT_WARNS_UP_TO = new Dec('0.01');

/** order.taxTotal is the tax customs will bill (税费不一致 is caught before customs does). */
export const taxTotalMatches = defineRule({
  id: 'tax/total',
  description: {
    zh: '订单代扣税款与按税则计算的应征税款一致',
    en: 'order.taxTotal equals the tax computed from the rate tables',
  },
  source: '财关税〔2016〕18号; 财关税〔2018〕49号; tolerance: ruleset policy taxTolerance',
  defaultSeverity: 'error',
  codes: {
    'tax-mismatch': {
      zh: '代扣税款与计算税款不一致（税费不一致）',
      en: 'order.taxTotal differs from the computed tax',
    },
    'tax-rounded-per-unit': {
      zh: '代扣税款为逐件舍入的税款，与按行舍入相差几分',
      en: 'order.taxTotal is the tax rounded per unit, a few fen from the tax rounded per line',
    },
    'tax-not-withheld': {
      zh: '代扣税款为 0（未代扣），应征税款由担保企业缴纳',
      en: 'order.taxTotal is 0 (nothing withheld); the guarantor pays the computed tax',
    },
    'rate-missing': {
      zh: '商品编码无税率，无法核对税款',
      en: 'No rate for a commodity code, so its tax could not be checked',
    },
    'tax-quantity-unit': {
      zh: '从量税所需数量的计量单位不匹配，无法核对税款',
      en: 'The quantity in the unit of a specific rate is missing, so the tax could not be checked',
    },
    'rate-not-in-force': {
      zh: '税率取自适用期不含申报日期的税率表',
      en: "A rate comes from a table whose rates are not in force on the declaration's date",
    },
  },
  messages: MESSAGES,
  examples: {
    valid: [{ name: 'taxTotal 49.87 as computed (the example declaration)' }],
    invalid: [
      {
        name: 'taxTotal 42.35 rounded per unit: 2 × round(157.65 × 9.1 %) = 2 × 14.35 = 28.70, not 28.69, plus 13.65',
        set: {
          'inventory.items[0].price': '157.65',
          'inventory.items[0].totalPrice': '315.30',
          'order.taxTotal': '42.35',
        },
        code: 'tax-rounded-per-unit',
        path: 'order.taxTotal',
      },
      {
        name: 'taxTotal 49.86, one cent short',
        set: { 'order.taxTotal': '49.86', 'order.acturalPaid': '597.86', 'payment.amountPaid': '597.86' },
        code: 'tax-mismatch',
        path: 'order.taxTotal',
      },
    ],
  },
  check(ctx) {
    const result = taxOf(ctx);
    if (!result) return [];
    const out: Array<ReportOf<typeof MESSAGES>> = [];
    // A rate taken from a table not in force on the declaration's date (rate-not-in-force) may not be
    // that day's rate (VAT was 16 % / 10 % until 2019-03-31, 13 % / 9 % after): a difference then says
    // nothing certain about order.taxTotal, so it warns instead of failing a declaration that may be right.
    let ratesOfTheDay = true;
    for (const i of result.issues) {
      if (i.code === 'rate-not-in-force') ratesOfTheDay = false;
      // Rates that cannot be resolved make the check impossible, not the declaration wrong.
      if (i.code === 'rate-missing' || i.code === 'tax-quantity-unit' || i.code === 'rate-not-in-force') {
        out.push({ messageId: i.code, path: i.path, severity: 'warning', data: { detail: i.message } });
      }
    }
    if (!result.complete) return out;
    // General trade cannot clear as CBEC at all (the limit rules say so, quoting the policy):
    // there is no CBEC tax for order.taxTotal to match, and a second error would only add noise.
    if (result.regime === 'general-trade') return out;
    const declared = ctx.dec(ctx.doc('order'), 'taxTotal');
    if (!declared) return out;
    if (!differsBeyond(declared, result.taxTotal, ctx.policy.taxTolerance)) return out;
    const diff = declared.minus(result.taxTotal);
    // As `sandan tax` writes them: two places, more where the policy rounds to 0.001 (toFixed(2) made a computed
    // 49.868 read "49.87", "differing" from a declared 49.87 "by 0.00").
    const figures = {
      computed: padPlaces(result.taxTotal, 2),
      duty: padPlaces(result.customsTax, 2),
      consumption: padPlaces(result.consumptionTax, 2),
      vat: padPlaces(result.valueAddedTax, 2),
    };
    // 代扣税款 is what the enterprise withheld from the buyer, "无则填写0" (XSD annotation): 0 says it withheld
    // nothing, and customs bills the tax to the guarantor on the inventory all the same (CEB816). No receipt refusing
    // a 0 is known, so it is a warning, not a 税费不一致.
    const base = { path: 'order.taxTotal', expected: figures.computed, actual: show(declared) };
    if (declared.isZero()) {
      out.push({ ...base, messageId: 'tax-not-withheld', severity: 'warning', data: figures });
      return out;
    }
    // A platform that prices per unit withholds each unit's tax rounded, times the quantity: a few fen from the
    // per-line figure. One order that declared such a figure, 0.01 from the line's, is known to have cleared (weak:
    // its repository is unknown), and no rule on the difference is published, so it warns, naming both figures; up
    // to 0.01 a line, as far as that evidence reaches (1,000 units may put the two figures yuan apart).
    const perUnit = perUnitTaxOf(ctx);
    if (
      perUnit?.complete &&
      decEq(declared, perUnit.taxTotal) &&
      diff.abs().lte(PER_UNIT_WARNS_UP_TO.times(result.lines.length))
    ) {
      out.push({
        ...base,
        messageId: 'tax-rounded-per-unit',
        severity: 'warning',
        // (the distance: the message says "0.01 apart", which a per-unit figure below the line's made "-0.01 apart")
        data: { declared: show(declared), computed: figures.computed, diff: padPlaces(diff.abs(), 2) },
      });
      return out;
    }
    out.push({
      ...base,
      messageId: 'tax-mismatch',
      ...(!ratesOfTheDay && { severity: 'warning' as const }),
      data: { declared: show(declared), ...figures, diff: padPlaces(diff, 2), regime: result.regime },
    });
    return out;
  },
});
