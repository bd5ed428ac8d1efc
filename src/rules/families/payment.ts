import { z } from 'zod';
import { decimalOfText } from '../../model/primitives.js';
import { defineRule, type RuleIssue } from '../types.js';
import { differsBeyond, ref, sameString, show } from './util.js';

const tolerance = z
  .string()
  .regex(/^\d+(\.\d+)?$/)
  .default('0');

/** R3: when the order names its payment, the payment voucher must be that payment. */
export const paymentLink = defineRule({
  id: 'payment/link',
  description: {
    zh: '订单的支付企业代码、支付交易编号与支付单一致',
    en: 'payCode and payTransactionId on the order match the payment voucher',
  },
  source: '报文规范 202205: OrderHead payCode, payTransactionId; receipt [Code:13035;Desc:支付企业不一致]',
  defaultSeverity: 'error',
  options: z.strictObject({ requireOnOrder: z.boolean().default(false) }),
  codes: {
    '13035': { zh: '支付企业不一致', en: 'Payment company differs between order and payment' },
    'pay-transaction-mismatch': { zh: '支付交易编号不一致', en: 'payTransactionId differs between order and payment' },
    'pay-link-missing': {
      zh: '订单未填写支付企业或支付交易编号',
      en: 'The order does not name its payment company or transaction',
    },
  },
  check(ctx, options) {
    const order = ctx.doc('order');
    const payment = ctx.doc('payment');
    const out: RuleIssue[] = [];
    out.push(
      ...sameString(
        ctx,
        '13035',
        { doc: payment, name: 'payment' },
        'payCode',
        { doc: order, name: 'order' },
        'payCode',
      ),
    );
    out.push(
      ...sameString(
        ctx,
        'pay-transaction-mismatch',
        { doc: payment, name: 'payment' },
        'payTransactionId',
        { doc: order, name: 'order' },
        'payTransactionId',
      ),
    );
    if (options.requireOnOrder && order) {
      for (const key of ['payCode', 'payTransactionId']) {
        if (order[key] === undefined) {
          out.push({
            code: 'pay-link-missing',
            path: `order.${key}`,
            message: {
              zh: `订单缺少 ${key}，无法与支付单关联`,
              en: `order.${key} is missing, so the order cannot be linked to its payment`,
            },
          });
        }
      }
    }
    return out;
  },
});

/** R4: acturalPaid = goodsValue + freight + taxTotal − discount = payment.amountPaid. */
export const paymentAmount = defineRule({
  id: 'payment/amount',
  description: {
    zh: '实际支付金额 = 商品价格 + 运杂费 + 代扣税款 − 非现金抵扣金额 = 支付单支付金额',
    en: 'acturalPaid = goodsValue + freight + taxTotal − discount = payment.amountPaid',
  },
  source: '报文规范 202205: OrderHead acturalPaid; receipt [Code:1332]',
  defaultSeverity: 'error',
  options: z.strictObject({ tolerance }),
  codes: {
    'actural-paid-formula': {
      zh: '实际支付金额不等于 商品价格+运杂费+代扣税款−非现金抵扣金额',
      en: 'acturalPaid is not goodsValue + freight + taxTotal − discount',
    },
    '1332': { zh: '支付单支付金额与订单支付金额不一致', en: 'payment.amountPaid differs from order.acturalPaid' },
  },
  check(ctx, options) {
    const order = ctx.doc('order');
    const tol = decimalOfText(options.tolerance);
    const out: RuleIssue[] = [];
    const goods = ctx.dec(order, 'goodsValue');
    const freight = ctx.dec(order, 'freight');
    const tax = ctx.dec(order, 'taxTotal');
    const discount = ctx.dec(order, 'discount');
    const paid = ctx.dec(order, 'acturalPaid');
    if (goods && freight && tax && discount && paid) {
      const expected = goods.plus(freight).plus(tax).minus(discount);
      if (differsBeyond(expected, paid, tol)) {
        out.push({
          code: 'actural-paid-formula',
          path: 'order.acturalPaid',
          expected: show(expected),
          actual: show(paid),
          message: {
            zh: `实际支付金额应为 ${show(goods)} + ${show(freight)} + ${show(tax)} − ${show(discount)} = ${show(expected)}，实际填写 ${show(paid)}`,
            en: `acturalPaid must be goodsValue + freight + taxTotal − discount = ${show(goods)} + ${show(freight)} + ${show(tax)} − ${show(discount)} = ${show(expected)}, got ${show(paid)}`,
          },
        });
      }
    }
    const amountPaid = ctx.dec(ctx.doc('payment'), 'amountPaid');
    if (paid && amountPaid && differsBeyond(paid, amountPaid, tol)) {
      out.push({
        code: '1332',
        path: 'payment.amountPaid',
        expected: show(paid),
        actual: show(amountPaid),
        message: {
          zh: `支付单支付金额 ${show(amountPaid)} 与订单实际支付金额 ${show(paid)} 不一致`,
          en: `payment.amountPaid ${show(amountPaid)} differs from order.acturalPaid ${show(paid)}`,
        },
      });
    }
    return out;
  },
});

/** Payer = buyer: required when the buyer's identity is not otherwise verified (海关总署公告2016年第26号). */
export const payerIsBuyer = defineRule({
  id: 'payment/payer-is-buyer',
  description: { zh: '支付人与订购人为同一人（证件号码、姓名）', en: 'The payer is the buyer (ID number and name)' },
  source: '海关总署公告2016年第26号',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: { 'payer-not-buyer': { zh: '支付人与订购人不一致', en: 'The payer is not the buyer' } },
  check(ctx) {
    const order = ref(ctx, 'order');
    const payment = ref(ctx, 'payment');
    return [
      ...sameString(ctx, 'payer-not-buyer', order, 'buyerIdNumber', payment, 'payerIdNumber'),
      ...sameString(ctx, 'payer-not-buyer', order, 'buyerName', payment, 'payerName'),
    ];
  },
});
