/*
 * Synthetic reconciliation data with known, counted defects: declarations (NDJSON, variations
 * of examples/hangzhou-1210.json), the rate table, tax bills (CEB816, several per file) with
 * the amounts sandan computes, bill statuses (CEB818) and receipts (CEB622/624/626).
 * Used by the tests (in memory or in a temporary folder) and by bench/generate-reconcile.mjs.
 * The tax calculator is passed in, so the bench can use the built library and the tests the source.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The defects a generated order can carry. */
export type Defect =
  | 'none'
  | 'bill-missing'
  | 'diff'
  | 'refund'
  | 'cancel'
  | 'void'
  | 'duplicate-bill'
  | 'link-copNo'
  | 'link-preNo'
  | 'unlinked';

/** Which of 100 slots (by `(i × 37) mod 100`) gets which defect: 1% each, 2% linked only through receipts. */
const SLOTS: Array<[number, Defect]> = [
  [0, 'bill-missing'],
  [1, 'diff'],
  [2, 'refund'],
  [3, 'cancel'],
  [4, 'void'],
  [5, 'duplicate-bill'],
  [6, 'link-copNo'],
  [7, 'link-preNo'],
  [8, 'unlinked'],
];

/** The defect of order i. */
export function defectOf(i: number): Defect {
  const slot = (i * 37) % 100;
  return SLOTS.find(([s]) => s === slot)?.[1] ?? 'none';
}

/** A tax calculation, as `createTaxCalculator` returns it (only what the generator reads). */
export type Calculate = (input: unknown) =>
  | {
      ok: true;
      result: {
        customsTax: { toFixed(n: number): string };
        consumptionTax: { toFixed(n: number): string };
        valueAddedTax: { toFixed(n: number): string };
        taxTotal: { toFixed(n: number): string };
        lines: Array<{
          gnum: number;
          gcode: string;
          dutiableValue: { toFixed(n: number): string };
          customsTax: { toFixed(n: number): string };
          consumptionTax: { toFixed(n: number): string };
          valueAddedTax: { toFixed(n: number): string };
        }>;
      };
    }
  | { ok: false };

/** Options of {@link generate}. */
export interface GenerateOptions {
  orders: number;
  calculate: Calculate;
  /** Bills per CEB816 file (default 100). */
  billsPerFile?: number;
  /** Bills without declaration, added after the orders (default orders / 100). */
  orphanBills?: number;
  /**
   * CEB622 receipts of an order's life (2 申报中, 120 入库, 800 放行, in time order) written for each order without a
   * defect and each mismatched order, as a month's receipts folder holds them (default 0: the data sets of past
   * measurements). They change no verdict: the keys are the declaration's own.
   */
  receiptsPerOrder?: number;
  /**
   * Every `refusalEvery`-th order given receipts also gets a 100 退单 before them (the inventory refused, then declared
   * again and released): the index reads the receipts back and `status` decides, and the latest (the release) wins,
   * so no verdict changes either (default: none).
   */
  refusalEvery?: number;
}

/** Counts the reconciliation must find. */
export interface Expected {
  orders: number;
  matched: number;
  mismatched: number;
  billMissing: number;
  billWithoutDeclaration: number;
  cancelled: number;
  refunded: number;
  billVoid: number;
  unlinked: number;
  duplicateBills: number;
  linkedByReceipt: number;
  /** Sum of the declared taxTotal over all declarations. */
  declaredTaxTotal: string;
  /** Sum of the (non-void, de-duplicated) billed amounts over all rows. */
  billedTaxTotal: string;
  byDefect: Record<Defect, string[]>;
}

/** Where generated text goes: one writer per output file. */
export interface Sink {
  write(file: string, text: string): void;
  close(): void;
}

const BASE = JSON.parse(readFileSync(new URL('../../examples/hangzhou-1210.json', import.meta.url), 'utf8')) as Record<
  string,
  Record<string, unknown>
>;
/** The rate table the generated declarations use (examples/rates.example.json). */
export const RATES = JSON.parse(
  readFileSync(new URL('../../examples/rates.example.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

const MONTHS = ['20260915', '20261016', '20261120'];
const OFFICES = ['2924', '2244', '3105'];
const PRICES = ['199.00', '88.80', '1050.50', '12.34'];
const NS = 'http://www.chinaport.gov.cn/ceb';

const pad = (n: number, w: number) => String(n).padStart(w, '0');
/** The i-th second of a day (wrapping after a day) as HHmmss. */
const secondOfDay = (i: number) => {
  const s = i % 86_400;
  return `${pad(Math.floor(s / 3600), 2)}${pad(Math.floor(s / 60) % 60, 2)}${pad(s % 60, 2)}`;
};
/** Order number of order i. */
export const orderNoOf = (i: number) => `SD${pad(i, 12)}`;
/** Customs inventory number of order i (18 characters). */
export const invtNoOf = (i: number, office = '2924') => `${office}2026I${pad(i, 9)}`;
const copNoOf = (i: number) => `INV${pad(i, 12)}`;
const preNoOf = (i: number) => `B20260101${pad(i, 9)}`;

function guid(i: number, kind: number): string {
  const h = pad(i, 12);
  return `6F0D2C8E-1B7A-4C1E-${pad(kind, 4)}-${h}`;
}

function round2(n: number): string {
  return n.toFixed(2);
}

/** Money addition on strings with two places, exact (integer cents). */
function addMoney(a: string, b: string): string {
  const cents = (s: string) => {
    const neg = s.startsWith('-');
    const [i, f = ''] = (neg ? s.slice(1) : s).split('.');
    const v = BigInt(i!) * 100n + BigInt(`${f}00`.slice(0, 2));
    return neg ? -v : v;
  };
  const c = cents(a) + cents(b);
  const neg = c < 0n;
  const abs = neg ? -c : c;
  return `${neg ? '-' : ''}${abs / 100n}.${pad(Number(abs % 100n), 2)}`;
}

interface Variant {
  decl: Record<string, Record<string, unknown>>;
  tax: Extract<ReturnType<Calculate>, { ok: true }>['result'];
}

function variant(v: number, calculate: Calculate): Variant {
  const month = MONTHS[v % 3]!;
  const office = OFFICES[Math.floor(v / 3) % 3]!;
  const price = PRICES[Math.floor(v / 9) % PRICES.length]!;
  const qty = 1 + (Math.floor(v / 36) % 2);
  const d = structuredClone(BASE);
  const orderItems = d.order!.items as Array<Record<string, unknown>>;
  const invItems = d.inventory!.items as Array<Record<string, unknown>>;
  const total = round2(Number(price) * qty);
  for (const items of [orderItems, invItems]) Object.assign(items[0]!, { qty, price, totalPrice: total });
  const goodsValue = addMoney(total, (orderItems[1]!.totalPrice as string) ?? '0.00');
  Object.assign(d.order!, { goodsValue, appTime: `${month}101500` });
  Object.assign(d.inventory!, { declTime: month, customsCode: office, portCode: office });
  const calc = calculate(d);
  if (!calc.ok) throw new Error(`generator variant ${v} does not compute`);
  const taxTotal = calc.result.taxTotal.toFixed(2);
  const paid = addMoney(goodsValue, taxTotal);
  Object.assign(d.order!, { taxTotal, acturalPaid: paid });
  Object.assign(d.payment!, { amountPaid: paid });
  return { decl: d, tax: calc.result };
}

const VARIANTS = 3 * 3 * 4 * 2;

function taxBlock(
  i: number,
  invtNo: string,
  tax: Variant['tax'],
  status: string,
  office: string,
  bump: boolean,
  prefix: string,
): string {
  const t = (name: string, value: string) => `<${prefix}${name}>${value}</${prefix}${name}>`;
  const vat = bump ? addMoney(tax.valueAddedTax.toFixed(2), '0.01') : tax.valueAddedTax.toFixed(2);
  const head = [
    t('guid', guid(i, 816)),
    // (the i-th second of 2026-12-01: a real time of day, as customs writes, for any i)
    t('returnTime', `20261201${secondOfDay(i)}000`),
    t('invtNo', invtNo),
    t('taxNo', `${invtNo}01`),
    t('customsTax', tax.customsTax.toFixed(2)),
    t('valueAddedTax', vat),
    t('consumptionTax', tax.consumptionTax.toFixed(2)),
    t('status', status),
    t('entDutyNo', `DUTY${pad(i, 10)}`),
    t('assureCode', '3301964J31'),
    t('ebcCode', '3301964J31'),
    t('logisticsCode', '3301980ZT1'),
    t('agentCode', '3301980BRK'),
    t('customsCode', office),
  ].join('');
  const lines = tax.lines
    .map((l, k) => {
      const lv = bump && k === 0 ? addMoney(l.valueAddedTax.toFixed(2), '0.01') : l.valueAddedTax.toFixed(2);
      return `<${prefix}TaxListRd>${t('gnum', String(l.gnum))}${t('gcode', l.gcode)}${t('taxPrice', l.dutiableValue.toFixed(2))}${t('customsTax', l.customsTax.toFixed(2))}${t('valueAddedTax', lv)}${t('consumptionTax', l.consumptionTax.toFixed(2))}</${prefix}TaxListRd>`;
    })
    .join('\n');
  return `<${prefix}Tax>\n<${prefix}TaxHeadRd>${head}</${prefix}TaxHeadRd>\n${lines}\n</${prefix}Tax>\n`;
}

function receiptBlock(
  element: string,
  i: number,
  keys: { copNo: string; preNo: string; invtNo: string },
  returnStatus: string,
  time: string,
  info: string,
  kind = 622,
): string {
  return `<${element}><guid>${guid(i, kind)}</guid><customsCode>2924</customsCode><ebpCode>3301964J31</ebpCode><ebcCode>3301964J31</ebcCode><agentCode>3301980BRK</agentCode><copNo>${keys.copNo}</copNo><preNo>${keys.preNo}</preNo><invtNo>${keys.invtNo}</invtNo><returnStatus>${returnStatus}</returnStatus><returnTime>${time}</returnTime><returnInfo>${info}</returnInfo></${element}>\n`;
}

/** An inventory's CEB622 receipts in the order customs sends them; more than three repeat the release. */
const LIFE: Array<[string, string]> = [
  ['2', '电子口岸申报中'],
  ['120', '[Code:2600;Desc:入库成功]'],
  ['800', '[Code:2600;Desc:放行]'],
];

/** A batch file of one message type: opens with the root, holds `per` documents, then closes. */
class Batches {
  private n = 0;
  private file = '';
  private files = 0;
  constructor(
    private readonly sink: Sink,
    private readonly dir: string,
    private readonly root: string,
    private readonly per: number,
    private readonly prefixed: (fileIndex: number) => boolean = () => false,
  ) {}
  /** The element prefix of the current (or next) file. */
  prefix(): string {
    return this.prefixed(this.n === 0 ? this.files : this.files - 1) ? 'ceb:' : '';
  }
  add(block: string): void {
    if (this.n === 0) {
      this.file = join(this.dir, `${this.root}-${pad(++this.files, 6)}.xml`);
      const p = this.prefixed(this.files - 1);
      const g = guid(this.files, Number(this.root.slice(3)));
      this.sink.write(
        this.file,
        `<?xml version="1.0" encoding="UTF-8"?>\n<${p ? 'ceb:' : ''}${this.root}Message guid="${g}" version="1.0" ${p ? 'xmlns:ceb' : 'xmlns'}="${NS}">\n`,
      );
    }
    this.sink.write(this.file, block);
    if (++this.n === this.per) this.finish();
  }
  finish(): void {
    if (this.n === 0) return;
    this.sink.write(this.file, `</${this.prefixed(this.files - 1) ? 'ceb:' : ''}${this.root}Message>\n`);
    this.n = 0;
  }
}

/**
 * Writes the data set through `sink` into `dir`: `declarations.ndjson`, `rates.json`,
 * `bills/CEB816-*.xml` and `bills/CEB818-*.xml`, `receipts/CEB622|624|626-*.xml`; returns what
 * reconciliation must find. Deterministic for a given size.
 */
export function generate(dir: string, sink: Sink, options: GenerateOptions): Expected {
  const per = options.billsPerFile ?? 100;
  const orphans = options.orphanBills ?? Math.floor(options.orders / 100);
  const variants = Array.from({ length: VARIANTS }, (_, v) => variant(v, options.calculate));
  const bills = new Batches(sink, join(dir, 'bills'), 'CEB816', per, (f) => f % 2 === 1);
  const statuses = new Batches(sink, join(dir, 'bills'), 'CEB818', per);
  const r622 = new Batches(sink, join(dir, 'receipts'), 'CEB622', per);
  const r624 = new Batches(sink, join(dir, 'receipts'), 'CEB624', per);
  const r626 = new Batches(sink, join(dir, 'receipts'), 'CEB626', per);
  const receiptsPerOrder = options.receiptsPerOrder ?? 0;
  const refusalEvery = options.refusalEvery ?? 0;
  const late: Array<() => string> = [];
  const decls = join(dir, 'declarations.ndjson');
  sink.write(join(dir, 'rates.json'), JSON.stringify(RATES, null, 2));
  const byDefect = Object.fromEntries(['none', ...SLOTS.map(([, d]) => d)].map((d) => [d, [] as string[]])) as Record<
    Defect,
    string[]
  >;
  const exp: Expected = {
    orders: options.orders + orphans,
    matched: 0,
    mismatched: 0,
    billMissing: 0,
    billWithoutDeclaration: orphans,
    cancelled: 0,
    refunded: 0,
    billVoid: 0,
    unlinked: 0,
    duplicateBills: 0,
    linkedByReceipt: 0,
    declaredTaxTotal: '0.00',
    billedTaxTotal: '0.00',
    byDefect,
  };
  let lines: string[] = [];
  for (let i = 0; i < options.orders; i++) {
    const v = variants[(i * 7) % VARIANTS]!;
    const defect = defectOf(i);
    const office = v.decl.inventory!.customsCode as string;
    const keys = { copNo: copNoOf(i), preNo: preNoOf(i), invtNo: invtNoOf(i, office) };
    const orderNo = orderNoOf(i);
    byDefect[defect].push(orderNo);
    const inventory: Record<string, unknown> = {
      ...v.decl.inventory,
      orderNo,
      logisticsNo: `ZT${pad(i, 13)}`,
      copNo: keys.copNo,
    };
    if (defect === 'link-copNo') delete inventory.invtNo;
    else if (defect === 'link-preNo') {
      delete inventory.copNo;
      inventory.preNo = keys.preNo;
    } else if (defect === 'unlinked') {
      // Neither invtNo nor a receipt: nothing reaches the bill (and no bill is written).
    } else inventory.invtNo = keys.invtNo;
    const decl = {
      order: { ...v.decl.order, orderNo, payTransactionId: `PAY${pad(i, 14)}` },
      payment: { ...v.decl.payment, orderNo, payTransactionId: `PAY${pad(i, 14)}` },
      logistics: { ...v.decl.logistics, orderNo, logisticsNo: `ZT${pad(i, 13)}` },
      inventory,
    };
    lines.push(JSON.stringify(decl));
    if (lines.length === 1000) {
      sink.write(decls, `${lines.join('\n')}\n`);
      lines = [];
    }
    exp.declaredTaxTotal = addMoney(exp.declaredTaxTotal, v.decl.order!.taxTotal as string);
    const taxTotal = v.tax.taxTotal.toFixed(2);
    const bill = (status: string, bump = false) =>
      bills.add(taxBlock(i, keys.invtNo, v.tax, status, office, bump, bills.prefix()));
    const billed = (amount: string) => void (exp.billedTaxTotal = addMoney(exp.billedTaxTotal, amount));
    if ((defect === 'none' || defect === 'diff') && receiptsPerOrder > 0) {
      if (refusalEvery > 0 && i % refusalEvery === 0)
        r622.add(receiptBlock('InventoryReturn', i, keys, '100', '20261120090000000', '[Code:1300;Desc:退单]', 6100));
      for (let k = 0; k < receiptsPerOrder; k++) {
        const [status, info] = LIFE[Math.min(k, LIFE.length - 1)]!;
        r622.add(receiptBlock('InventoryReturn', i, keys, status, `2026112010${pad(k, 2)}00000`, info, 6200 + k));
      }
    }
    switch (defect) {
      case 'none':
        bill('1');
        billed(taxTotal);
        exp.matched++;
        break;
      case 'bill-missing':
        exp.billMissing++;
        break;
      case 'diff':
        bill('1', true);
        billed(addMoney(taxTotal, '0.01'));
        exp.mismatched++;
        break;
      case 'refund':
        bill('2');
        billed(taxTotal);
        r626.add(receiptBlock('InvtRefundReturn', i, keys, '399', '20261210100000000', '[Code:2300;Desc:审核通过]'));
        exp.refunded++;
        break;
      case 'cancel':
        bill('1');
        statuses.add(
          `<Tax><TaxHeadStatus><guid>${guid(i, 818)}</guid><returnTime>20261205090000000</returnTime><invtNo>${keys.invtNo}</invtNo><taxNo>${keys.invtNo}01</taxNo><status>3</status></TaxHeadStatus></Tax>\n`,
        );
        r624.add(
          receiptBlock(
            'InvtCancelReturn',
            i,
            keys,
            '399',
            '20261204100000000',
            '[Code:2300;Desc:审核通过]，已成功撤单',
          ),
        );
        exp.cancelled++;
        break;
      case 'void':
        // Every other void order is voided in the CEB816 itself, the others by a later CEB818.
        if (Math.floor(i / 100) % 2 === 0) bill('3');
        else {
          bill('1');
          statuses.add(
            `<Tax><TaxHeadStatus><guid>${guid(i, 818)}</guid><returnTime>20261205090000000</returnTime><invtNo>${keys.invtNo}</invtNo><taxNo>${keys.invtNo}01</taxNo><status>3</status></TaxHeadStatus></Tax>\n`,
          );
        }
        exp.billVoid++;
        break;
      case 'duplicate-bill':
        bill('1');
        late.push(() => taxBlock(i, keys.invtNo, v.tax, '1', office, false, bills.prefix()));
        billed(taxTotal);
        exp.matched++;
        exp.duplicateBills++;
        break;
      case 'link-copNo':
      case 'link-preNo':
        bill('1');
        billed(taxTotal);
        r622.add(receiptBlock('InventoryReturn', i, keys, '800', '20261121100000000', '[Code:2600;Desc:放行]'));
        exp.matched++;
        exp.linkedByReceipt++;
        break;
      case 'unlinked':
        exp.unlinked++;
        break;
    }
  }
  if (lines.length) sink.write(decls, `${lines.join('\n')}\n`);
  // Duplicates arrive again later, in other files.
  bills.finish();
  for (const b of late) bills.add(b());
  for (let k = 0; k < orphans; k++) {
    const i = options.orders + k;
    const v = variants[(i * 7) % VARIANTS]!;
    bills.add(taxBlock(i, invtNoOf(i, '5100'), v.tax, '1', '5100', false, bills.prefix()));
    exp.billedTaxTotal = addMoney(exp.billedTaxTotal, v.tax.taxTotal.toFixed(2));
  }
  for (const b of [bills, statuses, r622, r624, r626]) b.finish();
  sink.close();
  return exp;
}

/** A sink that writes files (creating folders), keeping one descriptor per open file. */
export function fileSink(): Sink {
  const fds = new Map<string, number>();
  return {
    write(file, text) {
      let fd = fds.get(file);
      if (fd === undefined) {
        mkdirSync(join(file, '..'), { recursive: true });
        fd = openSync(file, 'w');
        fds.set(file, fd);
        // Batch files are written in order: close the previous file of the same folder and type.
        for (const [f, d] of fds) {
          if (f !== file && f.slice(0, -10) === file.slice(0, -10) && /-\d{6}\.xml$/.test(f)) {
            closeSync(d);
            fds.delete(f);
          }
        }
      }
      writeSync(fd, text);
    },
    close() {
      for (const fd of fds.values()) closeSync(fd);
      fds.clear();
    },
  };
}

/** A sink that keeps files in memory (for tests). */
export function memorySink(): Sink & { files: Map<string, string> } {
  const files = new Map<string, string>();
  return {
    files,
    write(file, text) {
      files.set(file, (files.get(file) ?? '') + text);
    },
    close() {},
  };
}
