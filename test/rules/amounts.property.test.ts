import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { validate } from '../../src/index.js';
import { example } from '../helpers/examples.js';

// Amounts in fen, written as two-place decimal strings.
const fen = (max: number) => fc.integer({ min: 0, max }).map((n) => new Decimal(n).div(100).toFixed(2));
const codesOf = (d: unknown, ruleId: string) =>
  validate(d)
    .issues.filter((i) => i.ruleId === ruleId)
    .map((i) => i.code);

describe('amount equations (properties)', () => {
  it('acturalPaid = goodsValue + freight + taxTotal − discount = amountPaid holds exactly, and 0.01 off is caught', () => {
    fc.assert(
      fc.property(
        fen(99_999_999),
        fen(999_999),
        fen(999_999),
        fen(999_999),
        fc.constantFrom('0.01', '-0.01'),
        (goods, freight, tax, discount, off) => {
          const d = example('hangzhou-1210');
          const paid = new Decimal(goods).plus(freight).plus(tax).minus(discount);
          fc.pre(paid.gte(0.01));
          Object.assign(d.order, { goodsValue: goods, freight, taxTotal: tax, discount, acturalPaid: paid.toFixed(2) });
          d.payment.amountPaid = paid.toFixed(2);
          expect(codesOf(d, 'payment/amount')).toEqual([]);
          d.order.acturalPaid = paid.plus(off).toFixed(2);
          d.payment.amountPaid = paid.plus(off).toFixed(2);
          expect(codesOf(d, 'payment/amount')).toEqual(['actural-paid-formula']);
          d.order.acturalPaid = paid.toFixed(2);
          expect(codesOf(d, 'payment/amount')).toEqual(['1332']);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('totalPrice = price × qty holds exactly for any 5-place price and quantity, and any other total is caught', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99_999_999 }),
        fc.integer({ min: 1, max: 99_999 }),
        (priceMilli, qtyMilli) => {
          const d = example('hangzhou-1210');
          const price = new Decimal(priceMilli).div(1000);
          const qty = new Decimal(qtyMilli).div(1000);
          const total = price.times(qty);
          fc.pre(total.decimalPlaces() <= 5 && total.lt('1e13'));
          Object.assign(d.order.items[0], { price: price.toFixed(), qty: qty.toFixed(), totalPrice: total.toFixed() });
          expect(codesOf(d, 'lines/total-price')).toEqual([]);
          d.order.items[0].totalPrice = total.plus('0.00001').toFixed();
          expect(codesOf(d, 'lines/total-price')).toEqual(['total-price']);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a product with more than 5 places passes written to 5 places rounded either way, and one step further is caught', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99_999_999 }),
        fc.integer({ min: 1, max: 99_999 }),
        fc.boolean(),
        (priceMilli, qtyMilli, up) => {
          const d = example('hangzhou-1210');
          const price = new Decimal(priceMilli).div(1000);
          const qty = new Decimal(qtyMilli).div(1000);
          const product = price.times(qty);
          fc.pre(product.decimalPlaces() > 5 && product.lt('1e13'));
          const written = product.toDecimalPlaces(5, up ? Decimal.ROUND_UP : Decimal.ROUND_DOWN);
          Object.assign(d.order.items[0], {
            price: price.toFixed(),
            qty: qty.toFixed(),
            totalPrice: written.toFixed(),
          });
          expect(codesOf(d, 'lines/total-price')).toEqual([]);
          d.order.items[0].totalPrice = written.plus(up ? '0.00001' : '-0.00001').toFixed();
          expect(codesOf(d, 'lines/total-price')).toEqual(['total-price']);
        },
      ),
      { numRuns: 300 },
    );
  });
});
