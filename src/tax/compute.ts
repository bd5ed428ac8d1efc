import type { Decimal } from 'decimal.js';
import { Dec } from '../model/primitives.js';
import type { Declaration, InventoryItem } from '../model/documents.js';
import type { Issue } from '../model/issue.js';
import { valueIn } from '../model/guards.js';
import { SandanError } from '../errors.js';
import { allocateOver, shareOf, weightSum, type Allocation } from './allocate.js';
import { fmtAmount, unitOf, Written, type Formula, type Lang, type Note } from './formula.js';
import {
  DUTIABLE_VALUE,
  DUTIABLE_VALUE_NET,
  MODE_TEXT,
  NOT_ROUNDED,
  REMAINDER_LINE,
  ROUND_INTERMEDIATE,
  ROUND_PER_LINE,
  ROUND_PER_ORDER,
  ROUND_PER_UNIT,
  SHARE_EQUAL,
  SHARE_PROPORTIONAL,
  SHARE_REMAINDER,
  SHARE_ROUND_DOWN,
} from './formulas.js';
import {
  explainLineTax,
  lineFigures,
  regimeFactors,
  unitQuantity,
  unitQuantityField,
  type Explanation,
  type LineFigures,
  type RawTax,
  type Regime,
  type RegimeFactors,
} from './line.js';
import { assertTaxPolicy, toDec, type AllocationRemainder, type RoundingPolicy, type TaxPolicy } from './policy.js';
import { assertRateTables, BUNDLED_RATES_ORIGIN, rateFor, type RateTable, type ResolvedRate } from './rates.js';
import { isoDateOption } from '../time/beijing.js';
import { regimeOf, type RegimeFinding } from './regime.js';

/** Options of {@link computeTax}. */
export interface ComputeTaxOptions {
  policy: TaxPolicy;
  /** One table, or layered tables `[user, bundled]`: the first table with a match wins. */
  rates: RateTable | readonly RateTable[];
  /**
   * The buyer's amount already used this year; enables the annual-limit check (this order adds
   * its dutiable value, or its `acturalPaid` under the policy's `quotaBasis: 'actualPaid'`).
   */
  annualUsed?: Decimal;
  /**
   * `false`: figures only, without the `explain` texts (faster; for checks such as validation,
   * which compare totals). The figures and issues are the same either way. Default `true`.
   */
  explain?: boolean;
  /**
   * The date the tax is due on (the declaration's date, YYYY-MM-DD). Rate tables with `$validFrom`/`$validTo` that
   * leave it out are passed over; a rate found only in such a table gives the warning `rate-not-in-force`.
   * Without it the tables' dates are not looked at.
   */
  at?: string;
}

/** How a header amount reached one line. */
export interface ShareExplanation {
  formula: string;
  inputs: Record<string, string>;
  share: string;
}

/** Everything behind one line's figures. */
export interface LineExplanation {
  dutiableValue: Explanation;
  allocation: { freight: ShareExplanation; insuredFee: ShareExplanation; discount?: ShareExplanation };
  rate: { key: string; origin: string; source?: string; asOf?: string };
  customsTax: Explanation;
  consumptionTax: Explanation;
  valueAddedTax: Explanation;
}

/** The figures of one line; the tax fields are named as in the CEB816 tax bill (TaxListRd). */
export interface TaxLineFigures {
  gnum: number;
  gcode: string;
  dutiableValue: Decimal;
  customsTax: Decimal;
  consumptionTax: Decimal;
  valueAddedTax: Decimal;
  taxTotal: Decimal;
}

/** One line of the result, with everything behind its figures. */
export interface TaxLine extends TaxLineFigures {
  explain: LineExplanation;
}

/** A line whose tax could not be computed: its taxes are left out of the totals (its dutiable value is in them). */
export interface OmittedLine {
  gnum: number;
  gcode: string;
  dutiableValue: Decimal;
  /** Code of the issue that explains why. */
  reason: string;
}

/** The figures of a declaration's tax (what `computeTax` gives with `explain: false`). */
export interface TaxFigures {
  regime: Regime;
  /**
   * Dutiable value of the whole order (all lines, including omitted ones): goods + freight +
   * insurance (− the discount where the policy says so), what the limits compare.
   */
  dutiableValue: Decimal;
  lines: TaxLineFigures[];
  omittedLines: OmittedLine[];
  customsTax: Decimal;
  consumptionTax: Decimal;
  valueAddedTax: Decimal;
  taxTotal: Decimal;
  /** False when a line was omitted (or there is no inventory): the totals then cover fewer lines. */
  complete: boolean;
  issues: Issue[];
}

/** The tax of a declaration; header fields named as in the CEB816 tax bill (TaxHeadRd). */
export interface TaxResult extends TaxFigures {
  lines: TaxLine[];
  explain: { regime: string; rounding: string };
}

const ZERO = new Dec(0);

/** The error for a declaration that is not the parsed model (plain JSON, or not a declaration at all). */
function notTheModel(declaration: unknown): SandanError {
  const goodsValue = (declaration as { order?: { goodsValue?: unknown } } | null | undefined)?.order?.goodsValue;
  const what =
    declaration === null || typeof declaration !== 'object'
      ? `a declaration, got ${declaration === null ? 'null' : typeof declaration}`
      : `the parsed declaration (order.goodsValue a Decimal), got order.goodsValue ${goodsValue === undefined ? 'missing' : `as a ${typeof goodsValue}`}`;
  return new SandanError(
    'INVALID_OPTION',
    `computeTax needs ${what}: pass parseDeclaration(json).data, not the JSON itself`,
    { details: { field: 'declaration' } },
  );
}

/**
 * JavaScript callers (and `as any`) can reach computeTax without options, policy or rates; say which
 * is missing as a SandanError instead of a TypeError from deep inside.
 */
function assertComputeTaxOptions(options: unknown): asserts options is ComputeTaxOptions {
  const hint =
    'computeTax(declaration, { policy, rates }) needs a tax policy (e.g. from the ruleset in force, or DEFAULT_TAX_POLICY_2019) and a rate table';
  if (options === null || typeof options !== 'object') {
    throw new SandanError('INVALID_OPTION', `computeTax was called without options: ${hint}`, {
      details: { field: 'options' },
    });
  }
  const objectOption = (field: 'policy' | 'rates', what: string): object => {
    const v: unknown = field in options ? (options as Record<string, unknown>)[field] : undefined;
    if (v !== null && typeof v === 'object') return v;
    throw new SandanError(
      'INVALID_OPTION',
      `computeTax was called without ${what} (options.${field} is ${v === null ? 'null' : typeof v}): ${hint}`,
      { details: { field } },
    );
  };
  objectOption('policy', 'a tax policy');
  assertRateTables(objectOption('rates', 'a rate table'), 'computeTax');
  const at: unknown = 'at' in options ? options.at : undefined;
  if (at !== undefined) isoDateOption(at, 'computeTax: options.at', 'INVALID_OPTION');
}

/**
 * Computes duty, consumption tax and VAT of a declaration from its inventory lines
 * (docs/tax.md): allocates header freight and insuredFee to lines, takes the
 * regime from {@link decideRegime} (the one the `limits/*` rules use), computes each line and
 * rounds per the policy.
 * Never throws on business data (problems are issues); throws SandanError on a bad policy.
 * With `explain: false` the result has the same figures and issues but no `explain` texts.
 */
export function computeTax(declaration: Declaration, options: ComputeTaxOptions & { explain: false }): TaxFigures;
export function computeTax(declaration: Declaration, options: ComputeTaxOptions & { explain?: true }): TaxResult;
export function computeTax(declaration: Declaration, options: ComputeTaxOptions): TaxFigures;
export function computeTax(declaration: Declaration, options: ComputeTaxOptions): TaxResult | TaxFigures {
  // JSON.parse gives `any`: plain declaration JSON (amounts as strings or numbers) type-checks here and
  // would fail deep inside with a TypeError. One look at a required amount tells the model from JSON.
  if (!Dec.isDecimal((declaration as Partial<Declaration> | null | undefined)?.order?.goodsValue))
    throw notTheModel(declaration);
  assertComputeTaxOptions(options);
  const { policy } = options;
  const explaining = options.explain !== false;
  assertTaxPolicy(policy);
  const rounding = policy.rounding;
  const inventory = declaration.inventory;
  if (inventory === undefined) return noInventory(rounding, explaining);

  const items = inventory.items;
  const weights = items.map((it) => toDec(it.totalPrice));
  const totalWeight = weightSum(weights);
  const freight = allocateOver(toDec(inventory.freight), weights, totalWeight, policy.allocationRemainder);
  const insured = allocateOver(toDec(inventory.insuredFee), weights, totalWeight, policy.allocationRemainder);
  const discount = policy.nonCashDiscountReducesBase
    ? allocateOver(toDec(declaration.order.discount), weights, totalWeight, policy.allocationRemainder)
    : undefined;

  const issues: Issue[] = [];
  const rows = items.map((item, i) => {
    const base = valueInputs(toDec(item.totalPrice), i, freight, insured, discount);
    const value = dutiableValue(base);
    if (!value.isNegative()) return { item, base, P: value };
    issues.push(negativeBase(i, value));
    return { item, base, P: ZERO };
  });
  const decision = regimeOf(
    {
      goods: totalWeight,
      freight: freight.total,
      insuredFee: insured.total,
      discount: toDec(declaration.order.discount),
      quantities: items.map((it) => it.qty),
    },
    policy,
    options.annualUsed === undefined
      ? undefined
      : {
          used: new Dec(options.annualUsed),
          // What the quota ledger and the annual-limit rule count under the same policy (default: the dutiable value).
          amount: policy.quotaBasis === 'actualPaid' ? toDec(declaration.order.acturalPaid) : undefined,
        },
  );
  const { regime, dutiableValue: orderValue } = decision;
  for (const f of decision.findings)
    issues.push(regimeIssue(f, f.code === 'single-item-full-tax' ? 'inventory.items[0]' : 'inventory'));
  const factors = regimeFactors(regime, policy);
  // Explanations are rendered when a line's `explain` is first read (see ExplainedLine): what they
  // need is kept here, and the texts all lines share are written once, by the first line read.
  const rule = explaining ? roundingRule(rounding, 'en') : '';
  const remainderMode = policy.allocationRemainder;
  const scale = rounding.scale;
  let shared: ExplainInputs | undefined;
  const ex = explaining
    ? (): ExplainInputs =>
        (shared ??= explainInputs(remainderMode, scale, rule, factors, weights, totalWeight, {
          freight,
          insured,
          discount,
        }))
    : undefined;

  const lines: TaxLine[] = [];
  const figureLines: TaxLineFigures[] = [];
  const omitted: OmittedLine[] = [];
  const raws: LineFigures[] = [];
  // An index loop: `rows.entries()` with destructuring made an iterator result per line.
  for (let i = 0; i < rows.length; i++) {
    const { item: it, base, P } = rows[i] as (typeof rows)[number];
    const resolved = rateFor(options.rates, it.gcode, options.at);
    if (resolved === undefined) {
      issues.push(rateMissing(i, it.gcode, 'no rate'));
      omitted.push({ gnum: it.gnum, gcode: it.gcode, dutiableValue: P, reason: 'rate-missing' });
      continue;
    }
    if (resolved.notInForce) issues.push(rateNotInForce(i, it.gcode, resolved, options.at!));
    const fig = lineFigures(P, resolved.rate, (unit) => unitQuantity(it, unit), factors, rounding);
    if ('kind' in fig) {
      if (fig.kind === 'duty-missing') issues.push(rateMissing(i, it.gcode, 'no duty'));
      else issues.push(quantityUnit(i, it, fig.units));
      omitted.push({
        gnum: it.gnum,
        gcode: it.gcode,
        dutiableValue: P,
        reason: fig.kind === 'duty-missing' ? 'rate-missing' : 'tax-quantity-unit',
      });
      continue;
    }
    raws.push(fig);
    const ct = roundLineTax(fig.duty, rounding, it.qty);
    const cs = roundLineTax(fig.consumptionTax, rounding, it.qty);
    const va = roundLineTax(fig.valueAddedTax, rounding, it.qty);
    const line: TaxLineFigures = {
      gnum: it.gnum,
      gcode: it.gcode,
      dutiableValue: P,
      customsTax: ct,
      consumptionTax: cs,
      valueAddedTax: va,
      taxTotal: add(add(add(ZERO, ct), cs), va),
    };
    if (ex === undefined) figureLines.push(line);
    else lines.push(new ExplainedLine(line, ex, () => lineExplanation(ex(), i, base, P, resolved, fig, ct, cs, va)));
  }

  const rounded: readonly TaxLineFigures[] = ex === undefined ? figureLines : lines;
  let customsTax = ZERO;
  let consumptionTax = ZERO;
  let valueAddedTax = ZERO;
  if (rounding.scope !== 'order') {
    // (sum skips zeros, so CBEC duty and absent CT cost nothing)
    for (const l of rounded) {
      customsTax = add(customsTax, l.customsTax);
      consumptionTax = add(consumptionTax, l.consumptionTax);
      valueAddedTax = add(valueAddedTax, l.valueAddedTax);
    }
  } else {
    for (const r of raws) {
      customsTax = add(customsTax, r.duty);
      consumptionTax = add(consumptionTax, r.consumptionTax);
      valueAddedTax = add(valueAddedTax, r.valueAddedTax);
    }
    customsTax = ROUND_PER_ORDER.apply(customsTax, rounding);
    consumptionTax = ROUND_PER_ORDER.apply(consumptionTax, rounding);
    valueAddedTax = ROUND_PER_ORDER.apply(valueAddedTax, rounding);
  }
  const taxTotal = add(add(add(ZERO, customsTax), consumptionTax), valueAddedTax);
  const complete = omitted.length === 0;
  // Written out rather than spread from one object: a spread with more keys after it was a tenth of
  // computeTax's time (V8 copies it key by key).
  if (ex === undefined) {
    return {
      regime,
      dutiableValue: orderValue,
      omittedLines: omitted,
      customsTax,
      consumptionTax,
      valueAddedTax,
      taxTotal,
      complete,
      issues,
      lines: figureLines,
    };
  }
  return {
    regime,
    dutiableValue: orderValue,
    omittedLines: omitted,
    customsTax,
    consumptionTax,
    valueAddedTax,
    taxTotal,
    complete,
    issues,
    lines,
    explain: { regime: decision.explain, rounding: rule },
  };
}

/**
 * A line of {@link TaxResult} whose `explain` is rendered when it is first read, then kept. It is
 * an own enumerable property like the others (an accessor), so JSON.stringify, spreading and deep
 * equality see a plain `TaxLine`; assigning to it replaces it. Most callers read
 * only the figures, and writing the texts cost more than computing them (docs/performance.md).
 * The accessor is one shared descriptor, so that every line keeps one shape (an accessor made per
 * object, as an object literal's `get` makes it, costs V8 microseconds per line).
 */
export class ExplainedLine implements TaxLine {
  gnum: number;
  gcode: string;
  dutiableValue: Decimal;
  customsTax: Decimal;
  consumptionTax: Decimal;
  valueAddedTax: Decimal;
  taxTotal: Decimal;
  declare explain: LineExplanation;
  #render: (() => LineExplanation) | undefined;
  #explain: LineExplanation | undefined;
  /** What the declaration's explanations share (their written figures serve taxResultToJSON too). */
  readonly #shared: () => ExplainInputs;

  constructor(f: TaxLineFigures, shared: () => ExplainInputs, render: () => LineExplanation) {
    this.gnum = f.gnum;
    this.gcode = f.gcode;
    this.dutiableValue = f.dutiableValue;
    this.customsTax = f.customsTax;
    this.consumptionTax = f.consumptionTax;
    this.valueAddedTax = f.valueAddedTax;
    this.taxTotal = f.taxTotal;
    Object.defineProperty(this, 'explain', ExplainedLine.#accessor);
    this.#render = render;
    this.#shared = shared;
  }

  /**
   * The texts {@link computeTax} wrote for the explanations of `line`'s declaration, keyed by figure
   * (taxResultToJSON writes the same Decimal objects again); undefined for a line made elsewhere.
   */
  static writtenOf(line: TaxLineFigures): Written | undefined {
    return #shared in line ? line.#shared().written : undefined;
  }

  static readonly #accessor: PropertyDescriptor & ThisType<ExplainedLine> = {
    get(): LineExplanation {
      const render = this.#render;
      if (render !== undefined) {
        this.#explain = render();
        this.#render = undefined;
      }
      return this.#explain as LineExplanation;
    },
    set(value: LineExplanation) {
      this.#render = undefined;
      this.#explain = value;
    },
    enumerable: true,
    configurable: true,
  };

  /** Node's console.log and util.inspect show the line as the plain object it stands for. */
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    return inspect({ ...this }, options);
  }
}

/** The inputs of a line's dutiable value: its price and its shares of the header amounts. */
interface ValueInputs {
  totalPrice: Decimal;
  freightShare: Decimal;
  insuredFeeShare: Decimal;
  discountShare?: Decimal;
}

function valueInputs(
  totalPrice: Decimal,
  i: number,
  freight: Allocation,
  insured: Allocation,
  discount: Allocation | undefined,
): ValueInputs {
  const v: ValueInputs = { totalPrice, freightShare: shareOf(freight, i), insuredFeeShare: shareOf(insured, i) };
  if (discount !== undefined) v.discountShare = shareOf(discount, i);
  return v;
}

/** P, by {@link DUTIABLE_VALUE}, or {@link DUTIABLE_VALUE_NET} when the discount lowers it; never rounded. */
function dutiableValue(v: ValueInputs): Decimal {
  const { discountShare } = v;
  const P =
    discountShare === undefined ? DUTIABLE_VALUE.compute(v) : DUTIABLE_VALUE_NET.compute({ ...v, discountShare });
  return NOT_ROUNDED.apply(P);
}

/** `s + v` for the totals: zeros are skipped (no new Decimal), and a zero sum is the first term. */
function add(s: Decimal, v: Decimal): Decimal {
  return v.isZero() ? s : s.isZero() ? v : s.plus(v);
}

/** What the explanations of a declaration's lines share, written once per declaration. */
interface ExplainInputs {
  /** The number of lines, as text. */
  lines: string;
  freight: ShareTexts;
  insured: ShareTexts;
  discount: ShareTexts | undefined;
  scale: number;
  /** The rounding rule as text. */
  rule: string;
  /** The rule of the dutiable value (not rounded). */
  exact: string;
  factors: RegimeFactors;
  /** Σ totalPrice. */
  weightTotal: Decimal;
  /** The number of lines as a note of a proportional share. */
  linesNote: readonly Note[];
  /** The figures written so far (the same P, duty or header amount recurs across formulas and lines). */
  written: Written;
}

/** A header amount's allocation with the formulas of its shares as text (the same on every line). */
interface ShareTexts {
  a: Allocation;
  /** The formula of a share that is not the remainder: proportional (or equal), rounded down. */
  share: string;
  /** The formula of the remainder line's share. */
  remainder: string;
  /** The places shares are rounded down to. */
  places: number;
}

/** Taken from the policy when computeTax ran (not read from it later: the caller may change it). */
function explainInputs(
  remainderMode: AllocationRemainder,
  scale: number,
  rule: string,
  factors: RegimeFactors,
  weights: readonly Decimal[],
  weightTotal: Decimal,
  allocations: { freight: Allocation; insured: Allocation; discount: Allocation | undefined },
): ExplainInputs {
  const why = REMAINDER_LINE.describe({ mode: remainderMode }, 'en');
  const freight = shareTexts(allocations.freight, why);
  return {
    lines: String(weights.length),
    freight,
    insured: shareTexts(allocations.insured, why, freight),
    discount: allocations.discount && shareTexts(allocations.discount, why, freight),
    scale,
    rule,
    exact: NOT_ROUNDED.describe({}, 'en'),
    factors,
    weightTotal,
    linesNote: [['lines', String(weights.length)]],
    written: new Written(),
  };
}

function shareTexts(a: Allocation, why: string, prior?: ShareTexts): ShareTexts {
  const exact = a.basis === 'equal' ? SHARE_EQUAL : SHARE_PROPORTIONAL;
  const places = Math.max(2, a.total.decimalPlaces());
  // The header amounts usually share their places and basis: the texts of the first serve.
  if (prior !== undefined && prior.places === places && prior.a.basis === a.basis)
    return { a, places, share: prior.share, remainder: prior.remainder };
  const down = SHARE_ROUND_DOWN.describe({ unit: unitOf(places) }, 'en');
  return { a, places, share: shareFormula(exact, down), remainder: remainderFormula(why) };
}

// The formulas of shares as text, made once per rule text (the rule texts are few and come from
// the rules' memory): every declaration's explanations then hold the same flat strings.
const shareFormulas = new Map<Formula<string>, Map<string, string>>();
const remainderFormulas = new Map<string, string>();

/** A share that is not the remainder: the exact formula, then how it is rounded down. */
function shareFormula(exact: Formula<string>, down: string): string {
  const byRule = valueIn(shareFormulas, exact, () => new Map<string, string>());
  return valueIn(byRule, down, () => `${exact.expr}, ${down}`);
}

/** The remainder line's share, with which line takes it. */
function remainderFormula(why: string): string {
  return valueIn(remainderFormulas, why, () => `${SHARE_REMAINDER.expr} (${why})`);
}

function lineExplanation(
  ex: ExplainInputs,
  i: number,
  base: ValueInputs,
  P: Decimal,
  resolved: ResolvedRate,
  fig: LineFigures,
  customsTax: Decimal,
  consumptionTax: Decimal,
  valueAddedTax: Decimal,
): LineExplanation {
  const { written } = ex;
  const raw = explainLineTax(P, resolved.rate, ex.factors, fig, written);
  const rate = resolved.rate;
  // Optional keys are added after the others rather than spread in (a spread into a literal is a
  // copy V8 makes key by key); the key order is the same.
  const dutiableValue = valueExplanation(base, P, ex.exact, written);
  const allocation: LineExplanation['allocation'] = {
    freight: shareExplanation(ex, ex.freight, base.totalPrice, i),
    insuredFee: shareExplanation(ex, ex.insured, base.totalPrice, i),
  };
  if (ex.discount !== undefined) allocation.discount = shareExplanation(ex, ex.discount, base.totalPrice, i);
  const source: LineExplanation['rate'] = { key: resolved.key, origin: resolved.origin };
  if (rate.source !== undefined) source.source = rate.source;
  if (rate.asOf !== undefined) source.asOf = rate.asOf;
  return {
    dutiableValue,
    allocation,
    rate: source,
    customsTax: figure(raw.customsTax, customsTax, ex),
    consumptionTax: figure(raw.consumptionTax, consumptionTax, ex),
    valueAddedTax: figure(raw.valueAddedTax, valueAddedTax, ex),
  };
}

function figure(raw: RawTax, rounded: Decimal, ex: ExplainInputs): Explanation {
  return {
    formula: raw.formula,
    inputs: raw.inputs,
    unrounded: ex.written.unrounded(raw.value),
    rounded: ex.written.places(rounded, ex.scale),
    rule: ex.rule,
  };
}

/** A line's tax rounded by the rule of the scope: per unit (`unit`), else as a line (`order` shows it so only). */
function roundLineTax(value: Decimal, rounding: RoundingPolicy, qty: Decimal): Decimal {
  return rounding.scope === 'unit' ? ROUND_PER_UNIT.apply(value, rounding, qty) : ROUND_PER_LINE.apply(value, rounding);
}

/**
 * The rounding rule of the policy as text, from {@link ROUND_PER_LINE}, {@link ROUND_PER_UNIT} or {@link ROUND_PER_ORDER},
 * and {@link ROUND_INTERMEDIATE} when the policy rounds the duty and statutory CT in the bases.
 */
export function roundingRule(rounding: RoundingPolicy, lang: Lang): string {
  const r = rounding.scope === 'line' ? ROUND_PER_LINE : rounding.scope === 'unit' ? ROUND_PER_UNIT : ROUND_PER_ORDER;
  const params = { mode: MODE_TEXT[lang][rounding.mode], unit: unitOf(rounding.scale) };
  const text = r.describe(params, lang);
  if (rounding.intermediate !== 'rounded') return text;
  return `${text}${lang === 'zh' ? '；' : '; '}${ROUND_INTERMEDIATE.describe(params, lang)}`;
}

/** A regime finding as an issue of the duty engine. */
function regimeIssue(f: RegimeFinding, path: string): Issue {
  return {
    code: f.code,
    severity: f.severity,
    path,
    ruleId: 'tax/regime',
    message: f.message,
    expected: f.expected,
    actual: f.actual,
  };
}

function valueExplanation(v: ValueInputs, P: Decimal, rule: string, written: Written): Explanation {
  const { discountShare } = v;
  const { formula, inputs } =
    discountShare === undefined
      ? DUTIABLE_VALUE.render(v, undefined, undefined, written)
      : DUTIABLE_VALUE_NET.render({ ...v, discountShare }, undefined, undefined, written);
  const exact = written.money(P);
  return { formula, inputs, unrounded: exact, rounded: exact, rule };
}

/**
 * How a header amount reached line `i`, rendered from the declarations {@link allocateOver} computes with:
 * the proportional (or equal) share rounded down, or on the remainder line what the others leave.
 */
function shareExplanation(ex: ExplainInputs, t: ShareTexts, totalPrice: Decimal, i: number): ShareExplanation {
  const { a } = t;
  const { written } = ex;
  const own = shareOf(a, i);
  const share = written.money(own);
  if (i === a.remainderLine) {
    const notes: Note[] =
      a.basis === 'equal'
        ? [['lines', ex.lines]]
        : [
            ['lines', ex.lines],
            ['totalPrice', written.money(totalPrice)],
            ['Σ totalPrice', written.money(ex.weightTotal)],
          ];
    notes.push(['remainder', written.money(a.remainder)]);
    const { inputs } = SHARE_REMAINDER.render(
      { total: a.total, 'Σ other shares': a.total.minus(own) },
      undefined,
      notes,
      written,
    );
    return { formula: t.remainder, inputs, share };
  }
  const { inputs } =
    a.basis === 'equal'
      ? SHARE_EQUAL.render({ total: a.total, lines: new Dec(ex.lines) }, { lines: ex.lines }, undefined, written)
      : SHARE_PROPORTIONAL.render(
          { total: a.total, totalPrice, 'Σ totalPrice': ex.weightTotal },
          undefined,
          ex.linesNote,
          written,
        );
  return { formula: t.share, inputs, share };
}

function noInventory(rounding: RoundingPolicy, explaining: boolean): TaxResult | TaxFigures {
  const figures: TaxFigures = {
    regime: 'cbec',
    dutiableValue: ZERO,
    lines: [],
    omittedLines: [],
    customsTax: ZERO,
    consumptionTax: ZERO,
    valueAddedTax: ZERO,
    taxTotal: ZERO,
    complete: false,
    issues: [
      {
        code: 'tax-no-inventory',
        severity: 'error',
        path: 'inventory',
        ruleId: 'tax/inventory',
        message: {
          zh: '申报中没有进口清单（CEB621），无法按清单表体计算税款',
          en: 'The declaration has no inventory (CEB621): tax is computed from inventory lines, so no figures were produced',
        },
      },
    ],
  };
  if (!explaining) return figures;
  return { ...figures, lines: [], explain: { regime: 'no inventory', rounding: roundingRule(rounding, 'en') } };
}

function rateMissing(i: number, gcode: string, what: 'no rate' | 'no duty'): Issue {
  const zh =
    what === 'no rate'
      ? `商品编码 ${gcode} 在税率表中找不到税率`
      : `商品编码 ${gcode} 的税率表条目没有关税税率（最惠国税率，有暂定税率的适用暂定税率），全额征税时无法计算`;
  const en =
    what === 'no rate'
      ? `No rate for commodity code ${gcode} in the rate tables; the line's taxes are left out of the totals`
      : `The rate entry for ${gcode} has no duty rate (the MFN rate, or the provisional rate where the tariff has one), which the full-tax regime needs; add it in a user rate table. The line's taxes are left out of the totals`;
  return {
    code: 'rate-missing',
    severity: 'error',
    path: `inventory.items[${i}].gcode`,
    ruleId: 'tax/rates',
    message: { zh: `${zh}，该商品未计入税款合计`, en },
    actual: gcode,
  };
}

/** `at` is a date (YYYY-MM-DD), as assertComputeTaxOptions checked. */
function rateNotInForce(i: number, gcode: string, resolved: ResolvedRate, at: string): Issue {
  const { validFrom, validTo } = resolved.notInForce ?? {};
  const span = `${validFrom ?? '…'} – ${validTo ?? '…'}`;
  // The bundled table's origin is a path inside the package, which names no file of the reader's project.
  const bundled = resolved.origin === BUNDLED_RATES_ORIGIN;
  const from = {
    zh: bundled ? `sandan 自带的税率种子表（sandan 包中的 ${resolved.origin}）` : resolved.origin,
    en: bundled ? `sandan's bundled seed rate table (${resolved.origin} in the sandan package)` : resolved.origin,
  };
  return {
    code: 'rate-not-in-force',
    severity: 'warning',
    path: `inventory.items[${i}].gcode`,
    ruleId: 'tax/rates',
    message: {
      zh: `商品编码 ${gcode} 的税率取自 ${from.zh}，其税率的适用期为 ${span}，不含 ${at}；当日税率可能不同（如增值税率的调整），请提供当日适用的税率表（rates 选项，或 --rates FILE；格式见 docs/tax.md#rate-tables）`,
      en: `The rate of ${gcode} comes from ${from.en}, whose rates are in force ${span}, not on ${at}; the rates of that day may differ (VAT rates changed, for one): give a rate table in force on that date (the rates option, or --rates FILE; its format: docs/tax.md#rate-tables)`,
    },
    expected: span,
    actual: at,
  };
}

function quantityUnit(i: number, it: InventoryItem, units: readonly string[]): Issue {
  const declared = [it.unit1, it.unit2, it.unit].filter((u): u is string => u !== undefined).join(', ');
  // A unit the line declares with a quantity of 0 (a unit value needs one above 0): "none of the units" was untrue.
  const unit = units.find((u) => unitQuantity(it, u) !== undefined);
  const zero = unit === undefined ? undefined : unitQuantity(it, unit)?.toFixed();
  // At the quantity that is 0 (qty2 when the unit is unit2's), else where the unit would be declared.
  const field = (unit === undefined ? undefined : unitQuantityField(it, unit)) ?? 'unit1';
  return {
    code: 'tax-quantity-unit',
    severity: 'error',
    path: `inventory.items[${i}].${field}`,
    ruleId: 'tax/quantity',
    message:
      zero === undefined
        ? {
            zh: `消费税按计量单位 ${units.join('/')} 计征，但该商品申报的单位（${declared}）中没有该单位，无法计算`,
            en: `The consumption tax is charged per unit ${units.join('/')}, but none of the line's units (${declared}) is that unit; the line's taxes are left out of the totals`,
          }
        : {
            // (the unit named before the figure: "0 035" read as one number)
            zh: `消费税按计量单位 ${units.join('/')} 计征，但该商品以计量单位 ${unit} 申报的数量为 ${zero}，无法按单位计算`,
            en: `The consumption tax is charged per unit ${units.join('/')}, but the line's quantity in unit ${unit} is ${zero}; the line's taxes are left out of the totals`,
          },
    expected: units.join(' or '),
    actual: declared,
  };
}

function negativeBase(i: number, P: Decimal): Issue {
  return {
    code: 'tax-negative-base',
    severity: 'error',
    path: `inventory.items[${i}].totalPrice`,
    ruleId: 'tax/value',
    message: {
      zh: `扣减非现金抵扣金额后完税价格为负（${fmtAmount(P)}），按 0 计算`,
      en: `The dutiable value is negative after the non-cash discount (${fmtAmount(P)}); 0 is used`,
    },
    actual: fmtAmount(P),
  };
}
