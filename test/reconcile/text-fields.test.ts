import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { declarationFacts } from '../../src/reconcile/facts.js';
import { documentRecord } from '../../src/reconcile/records.js';
import { sentFromDeclaration } from '../../src/reconcile/status/sent.js';

// Reconciliation reads keys (orderNo, copNo, preNo, invtNo) from a JSON declaration and from customs'
// documents as written (nonBlankText: strings only, blank = absent; customs compares keys so, and a
// padded one is a near miss, see near-miss.test.ts), codes and times trimmed (trimmedText). The declared
// taxTotal is read as the model reads an amount.

const noTax = () => ({ ok: false as const, issues: [] });
const facts = (value: unknown) => declarationFacts({ line: 1, value }, noTax);

describe('declaration facts', () => {
  it('keys are read as written, codes and times trimmed; a blank orderNo falls back to the inventory one', () => {
    const f = facts({
      order: { orderNo: '   ', appTime: '20260115103000' },
      inventory: { orderNo: ' O1 ', copNo: 'C1\t', invtNo: ' 290020260000000001', customsCode: ' 2900 ' },
    });
    expect([f.orderNo, f.copNo, f.invtNo, f.customsCode, f.district, f.month]).toEqual([
      ' O1 ',
      'C1\t',
      ' 290020260000000001',
      '2900',
      '2900',
      '2026-01',
    ]);
  });

  it('a key written as a JSON number is not read (it may have lost digits): the declaration keeps no such key', () => {
    const f = facts(JSON.parse('{"order":{"orderNo":12345},"inventory":{"invtNo":290020260000000001,"copNo":7}}'));
    expect([f.orderNo, f.invtNo, f.copNo]).toEqual([undefined, undefined, undefined]);
  });

  it('taxTotal: a decimal text (any xs:decimal spelling of an N19,5 value), a JSON number or a Decimal; a non-N19,5 text is not declared', () => {
    const total = (taxTotal: unknown) => facts({ order: { orderNo: 'O1', taxTotal } }).declaredTaxTotal;
    expect(total('12.50')?.toFixed()).toBe('12.5');
    expect(total(12.5)?.toFixed()).toBe('12.5');
    expect(total(new Decimal('12.50'))?.toFixed()).toBe('12.5'); // a parsed declaration (was dropped before)
    // An xs:decimal spelling of the value: the schema takes it (as customs' XSD does) and sandan sends 12.5.
    expect(total(' 12.5 ')?.toFixed()).toBe('12.5');
    expect(total('12.500000')?.toFixed()).toBe('12.5');
    expect(total('')).toBeUndefined();
    expect(total('12.345678')).toBeUndefined(); // six fraction digits: not N19,5
    expect(total(Number.NaN)).toBeUndefined();
  });
});

describe('customs documents', () => {
  const receipt = (fields: Record<string, unknown>) => documentRecord({ messageType: 'CEB622', fields });

  it('receipt keys are read as written, the status trimmed; a blank key is absent', () => {
    const r = receipt({ copNo: ' C1 ', preNo: ' ', returnStatus: ' 800 ', returnTime: '20260701120000000' });
    expect(r).toEqual({
      kind: 'receipt',
      receipt: {
        type: 'CEB622',
        copNo: ' C1 ',
        preNo: undefined,
        invtNo: undefined,
        returnStatus: '800',
        returnTime: '20260701120000000',
        returnInfo: undefined,
      },
    });
  });

  it('a status or key that is not text (a hand-made number or Decimal) is not read, as the XML reader never gives one', () => {
    expect(receipt({ copNo: 'C1', returnStatus: 800 })).toEqual({
      kind: 'unreadable',
      problem: 'CEB622 receipt without returnStatus or any of copNo, preNo, invtNo (copNo C1)',
    });
    const bill = documentRecord({
      messageType: 'CEB816',
      fields: {
        invtNo: new Decimal('290020260000000001'),
        taxNo: 'T1',
        customsTax: '0',
        valueAddedTax: '1',
        consumptionTax: '0',
      },
    });
    expect(bill).toEqual({ kind: 'unreadable', problem: 'CEB816: tax bill without invtNo (taxNo T1)' });
  });
});

describe('sent documents', () => {
  it('sandan status reads keys as written, as customs compares them (and reconcile joins them), numbers and blanks absent', () => {
    const [order, inventory] = sentFromDeclaration({
      order: { orderNo: ' O1 ', appTime: 20260115103000 },
      inventory: { orderNo: ' ', invtNo: 290020260000000, copNo: ' C1' },
    });
    expect(order).toEqual({ messageType: 'CEB311', orderNo: ' O1 ', appTime: undefined });
    expect(inventory).toMatchObject({ messageType: 'CEB621', orderNo: ' O1 ', copNo: ' C1', invtNo: undefined });
  });
});
