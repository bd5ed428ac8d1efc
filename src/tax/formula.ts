import type { Decimal } from 'decimal.js';
import { SandanError } from '../errors.js';
import { valueIn } from '../model/guards.js';

/**
 * The machinery that lets each tax formula be stated once (docs/tax.md, "Explanations"): a
 * declaration holds the formula in symbols, its text for people in Chinese and English, how each
 * input is written, and the Decimal computation. The engine computes with `compute`; explanations
 * are rendered from the same declaration, so the figure and the formula shown beside it cannot
 * disagree. The declarations themselves are in formulas.ts.
 */

/** A text in both languages of sandan's messages. */
export interface Bilingual {
  readonly zh: string;
  readonly en: string;
}

export type Lang = keyof Bilingual;

/**
 * How an input's figure is written: `money` with at least two places, `rate` exactly (rates and
 * policy constants, cached), `unrounded` up to 10 places with `…` when cut, `plain` exactly.
 */
type Shown = 'money' | 'rate' | 'unrounded' | 'plain';

/** A formula and its inputs as the explanations show them. */
export interface Rendered {
  formula: string;
  inputs: Record<string, string>;
}

/** Context listed after a formula's inputs (`[name, text]`), e.g. the threshold that selected a CT tier. */
export type Note = readonly [string, string];

/** Inputs of a formula by name. */
export type Values<K extends string> = Readonly<Record<K, Decimal>>;

/** What a formula declaration states. */
interface FormulaSpec<K extends string> {
  /** Stable id, e.g. `ct.ad-valorem`. */
  readonly id: string;
  /** The formula in symbols, written with the input names (what `Explanation.formula` shows). */
  readonly expr: string;
  /** The formula for people; `{name}` is replaced by the input's figure. */
  readonly text: Bilingual;
  /** The inputs, in the order explanations list them, and how each is written. */
  readonly inputs: Readonly<Record<K, Shown>>;
  /** The value, in Decimal arithmetic. */
  readonly compute: (v: Values<K>) => Decimal;
}

/** A declared formula: compute it, or render it with the figures filled in. */
export interface Formula<K extends string = string> extends FormulaSpec<K> {
  /** The input names in display order. */
  readonly names: readonly K[];
  /** For a formula built by {@link scaled}: the two declarations it is made of. */
  readonly parts?: readonly [Formula<string>, Formula<string>];
  /**
   * The formula and its inputs as text. `shown` replaces an input's figure with a text (e.g. the
   * quantity with its unit); `notes` are listed after the inputs (context that is not computed with).
   */
  render(v: Values<K>, shown?: Partial<Record<K, string>>, notes?: readonly Note[], written?: Written): Rendered;
  /** `text` in one language with the figures filled in. */
  describe(v: Values<K>, lang: Lang, shown?: Partial<Record<K, string>>): string;
}

/** What a rule declaration states: a step that is not arithmetic on named inputs (a rounding, a choice of line). */
interface RuleSpec<K extends string, F extends (...args: never[]) => unknown> {
  readonly id: string;
  /** The rule for people; `{name}` is replaced by the parameter. */
  readonly text: Bilingual;
  readonly params: readonly K[];
  /** What the rule does. */
  readonly apply: F;
}

/** A declared rule: apply it, or say it in one language with its parameters filled in. */
export interface Rule<K extends string, F extends (...args: never[]) => unknown> extends RuleSpec<K, F> {
  describe(params: Readonly<Record<K, string>>, lang: Lang): string;
}

// ── Writing figures ─────────────────────────────────────────────────────────────────────────────

const texts = new WeakMap<Decimal, string>();
/** A rate or policy constant as text, cached: the same Decimal objects recur on every call. */
export function fmtConst(d: Decimal): string {
  let t = texts.get(d);
  if (t === undefined) {
    t = d.toFixed();
    texts.set(d, t);
  }
  return t;
}

/** Zero with 1, 2, … places, made once each. */
const ZERO_TEXTS: string[] = [];

/**
 * `d` with at least `places` decimals, never rounded: the exact text padded with zeros.
 * String work only, because decimal.js toFixed(n) builds a rounded copy (the hot spot of computeTax).
 */
export function padPlaces(d: Decimal, places: number): string {
  // Zero is the most written figure (a zero CBEC duty, no CT, no freight); -0 is written 0 too.
  if (d.isZero()) return places === 0 ? '0' : (ZERO_TEXTS[places] ??= `0.${'0'.repeat(places)}`);
  // toString costs about half of toFixed(), which copies first, and is plain notation within its constructor's
  // exponent bounds (a Decimal of another configuration may have narrower ones than sandan's Dec).
  const C = d.constructor as typeof Decimal;
  const s = d.e > C.toExpNeg && d.e < C.toExpPos ? d.toString() : d.toFixed();
  if (places === 0) return s;
  const dot = s.indexOf('.');
  if (dot < 0) return `${s}.${'0'.repeat(places)}`;
  const have = s.length - dot - 1;
  return have >= places ? s : s + '0'.repeat(places - have);
}

/** Money for explanations: two places, or all places when the value has more. */
export function fmtAmount(d: Decimal): string {
  return padPlaces(d, 2);
}

/** An unrounded value for explanations: up to 10 places, `…` when cut (a cut rounds toward zero). */
export function fmtUnrounded(d: Decimal): string {
  const s = padPlaces(d, 2);
  const dot = s.indexOf('.');
  return dot >= 0 && s.length - dot - 1 > 10 ? `${s.slice(0, dot + 11)}…` : s;
}

/** The smallest step at `places` decimals as text: 0 → `1`, 2 → `0.01`. */
export function unitOf(places: number): string {
  return places === 0 ? '1' : `0.${'0'.repeat(places - 1)}1`;
}

/** `a + b` without a new Decimal when `b` is 0 (duty within limits, no CT, no insurance: the usual case). */
export function plus(a: Decimal, b: Decimal): Decimal {
  return b.isZero() ? a : a.plus(b);
}

/** How the figures of a formula are written, one method per {@link Shown}: {@link Written} or {@link DIRECT}. */
interface Writer {
  money(figure: Decimal): string;
  rate(figure: Decimal): string;
  unrounded(figure: Decimal): string;
  plain(figure: Decimal): string;
}

/** Each figure written anew (what render does without a {@link Written}). */
export const DIRECT: Writer = {
  money: fmtAmount,
  rate: fmtConst,
  unrounded: fmtUnrounded,
  plain: (d) => d.toFixed(),
};

/** How many of the last money figures {@link Written} looks through. */
const REMEMBERED = 32;

/**
 * The texts of a declaration's figures: a line's money figures recur (P in four formulas, its
 * price and header shares twice, its taxes in their explanation and again in the JSON of the
 * result), and writing a Decimal (toFixed) is the costly part of an explanation, so a money figure
 * written lately is not written again. Found by the Decimal object (immutable), so a text is
 * always that of the figure it is looked up with.
 */
export class Written implements Writer {
  // The figures written so far, looked through from the newest, the last REMEMBERED only. A Map cost
  // more than it saved: every new Decimal key must first be given a hash, which V8 makes in its runtime.
  readonly #figures: Decimal[] = [];
  readonly #texts: string[] = [];

  /** {@link fmtAmount}, not written again while it is among the last figures written. */
  money(figure: Decimal): string {
    const figures = this.#figures;
    const last = figures.length - 1;
    const stop = last - REMEMBERED;
    for (let i = last; i > stop && i >= 0; i--) if (figures[i] === figure) return this.#texts[i] as string;
    const text = fmtAmount(figure);
    figures.push(figure);
    this.#texts.push(text);
    return text;
  }

  /** {@link fmtUnrounded}: unrounded figures seldom recur but for zero, which is written at no cost. */
  unrounded(figure: Decimal): string {
    return fmtUnrounded(figure);
  }

  /** {@link padPlaces}: two places are {@link money}'s text. */
  places(figure: Decimal, places: number): string {
    return places === 2 ? this.money(figure) : padPlaces(figure, places);
  }

  /** {@link fmtConst} (rates and policy constants are cached for good there). */
  rate(figure: Decimal): string {
    return fmtConst(figure);
  }

  /** Exactly, not cached (quantities and counts, rarely the same figure twice). */
  plain(figure: Decimal): string {
    return figure.toFixed();
  }
}

// ── Declaring ───────────────────────────────────────────────────────────────────────────────────

function broken(id: string, why: string): SandanError {
  return new SandanError('INVALID_OPTION', `Formula ${id} is declared wrongly: ${why}`, { details: { id } });
}

/** `{name}` placeholders of a text. */
function placeholders(text: string): string[] {
  return Array.from(text.matchAll(/\{([^{}]+)\}/g), (m) => m[1] ?? '');
}

/** `text` with `{name}` replaced by `values[name]` (a placeholder without a value is left as is). */
export function fill(text: string, values: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/\{([^{}]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** What is left of `expr` once every input name is taken out (longest names first, so `total` does not eat `totalPrice`). */
function withoutNames(expr: string, names: readonly string[]): string {
  let rest = expr;
  for (const n of [...names].sort((a, b) => b.length - a.length)) rest = rest.split(n).join(' ');
  return rest;
}

/** Operators, digits and brackets: what an `expr` may hold besides the input names. */
const ARITHMETIC = /^[\s\d.()+−×/]*$/;

/**
 * Declares a formula. Checks the declaration against itself, so that a symbol, an input and a
 * placeholder cannot go out of step: every input appears in `expr` and in both texts, `expr`
 * holds nothing but the inputs and arithmetic, and every placeholder is an input.
 * Throws INVALID_OPTION when it does not hold (a programming error, seen when the module loads).
 */
export function formula<K extends string>(spec: FormulaSpec<K>): Formula<K> {
  const names = Object.keys(spec.inputs) as K[];
  const rest = withoutNames(spec.expr, names);
  if (!ARITHMETIC.test(rest)) throw broken(spec.id, `expr "${spec.expr}" holds something other than inputs: "${rest}"`);
  for (const n of names) {
    // Longer names holding this one (`Σ totalPrice` holds `totalPrice`) are taken out first.
    if (
      !withoutNames(
        spec.expr,
        names.filter((m) => m !== n && m.includes(n)),
      ).includes(n)
    )
      throw broken(spec.id, `input ${n} is not in expr "${spec.expr}"`);
  }
  for (const n of names) {
    // The way of writing becomes a method name in the compiled inputs: one of the four, nothing else.
    if (!Object.hasOwn(DIRECT, spec.inputs[n])) throw broken(spec.id, `input ${n} is written "${spec.inputs[n]}"`);
  }
  for (const lang of ['zh', 'en'] as const) {
    const used = placeholders(spec.text[lang]);
    for (const p of used) if (!names.includes(p as K)) throw broken(spec.id, `text.${lang} names {${p}}, not an input`);
    for (const n of names) if (!used.includes(n)) throw broken(spec.id, `text.${lang} does not show {${n}}`);
  }
  const build = inputsBuilder(names, spec.inputs);
  return {
    ...spec,
    names,
    render(v, shown, notes, written) {
      const inputs = build(v, shown, written ?? DIRECT);
      if (notes !== undefined) {
        for (let i = 0; i < notes.length; i++) {
          const note = notes[i] as Note;
          inputs[note[0]] = note[1];
        }
      }
      return { formula: spec.expr, inputs };
    },
    describe(v, lang, shown) {
      return fill(spec.text[lang], build(v, shown, DIRECT));
    },
  };
}

/** Makes a formula's inputs as text: each input `shown` as given, else its figure written by the writer. */
type InputsBuilder<K extends string> = (
  v: Values<K>,
  shown: Partial<Record<K, string>> | undefined,
  writer: Writer,
) => Record<string, string>;

/**
 * The inputs builder of a formula: {@link compiledInputs}, or {@link loopInputs} where code
 * generation is refused (a Content-Security-Policy). The two give the same objects.
 */
export function inputsBuilder<K extends string>(
  names: readonly K[],
  inputs: Readonly<Record<K, Shown>>,
): InputsBuilder<K> {
  return compiledInputs(names, inputs) ?? loopInputs(names, inputs);
}

/**
 * The inputs as one object literal of the declared names, made once per formula from the
 * declaration (names as JSON string literals, writers from the four {@link Shown} ways; nothing
 * from input data). Every formula's inputs then have one shape, made at the cost of a literal: the
 * generic loop adds each name through a store V8 cannot specialise (every formula has other names),
 * and that was the largest part of rendering an explanation. Undefined when code generation is
 * refused.
 */
export function compiledInputs<K extends string>(
  names: readonly K[],
  inputs: Readonly<Record<K, Shown>>,
): InputsBuilder<K> | undefined {
  const fields = (fromShown: boolean) =>
    names
      .map((n) => {
        const key = JSON.stringify(n);
        const written = `w.${inputs[n]}(v[${key}])`;
        return `${key}: ${fromShown ? `s[${key}] ?? ${written}` : written}`;
      })
      .join(', ');
  try {
    // Generated once per declaration from its own names and ways of writing: no input data in the source.
    const source = `return s === undefined ? { ${fields(false)} } : { ${fields(true)} };`;
    return new Function('v', 's', 'w', source) as InputsBuilder<K>;
  } catch {
    return undefined;
  }
}

/** The inputs built name by name (where code generation is refused). */
export function loopInputs<K extends string>(
  names: readonly K[],
  inputs: Readonly<Record<K, Shown>>,
): InputsBuilder<K> {
  return (v, shown, writer) => {
    const out: Record<string, string> = {};
    for (const n of names) out[n] = shown?.[n] ?? writer[inputs[n]](v[n]);
    return out;
  };
}

/** Declares a rule; every parameter must appear in both texts, and nothing else may. */
export function rule<K extends string, F extends (...args: never[]) => unknown>(spec: RuleSpec<K, F>): Rule<K, F> {
  for (const lang of ['zh', 'en'] as const) {
    const used = placeholders(spec.text[lang]);
    for (const p of used)
      if (!spec.params.includes(p as K)) throw broken(spec.id, `text.${lang} names {${p}}, not a parameter`);
    for (const n of spec.params) if (!used.includes(n)) throw broken(spec.id, `text.${lang} does not show {${n}}`);
  }
  // A rule's parameters come from small sets (modes, units), and explanations ask for the same
  // text on every line: remember each text once made (a pure function of its arguments), in maps
  // nested by language and then by each parameter (no key string built per call).
  const made = new Map<string, Made>();
  return {
    ...spec,
    describe(params, lang) {
      let node = valueIn(made, lang, newNode);
      for (const p of spec.params) node = valueIn(node.next, params[p], newNode);
      node.text ??= fill(spec.text[lang], params);
      return node.text;
    },
  };
}

/** A node of a rule's remembered texts: the text for the parameters so far, and the nodes of the next one. */
interface Made {
  text?: string;
  readonly next: Map<string, Made>;
}

const newNode = (): Made => ({ next: new Map() });

/** `expr` in brackets when a sum or difference is at its top level (so a factor after it applies to all of it). */
export function bracketed(expr: string): string {
  let depth = 0;
  for (const ch of expr) {
    if (ch === '(' || ch === '（') depth++;
    else if (ch === ')' || ch === '）') depth--;
    else if (depth === 0 && (ch === '+' || ch === '−')) return `(${expr})`;
  }
  return expr;
}

/**
 * `inner` times a factor declared as `x × name` (`x` standing for `inner`): the CBEC share of
 * the duty (`t`) and of CT and VAT (`k`). The result is a formula whose expr and texts are the
 * factor's with `inner` in place of `x`, and whose computation is the factor's applied to the
 * inner value. The engine computes the two steps apart (it needs the inner value too); this
 * composed formula is what the explanations render.
 */
export function scaled<A extends string, F extends string>(
  inner: Formula<A>,
  factor: Formula<'x' | F>,
): Formula<A | F> {
  const inputs = { ...inner.inputs } as Record<A | F, Shown>;
  for (const n of factor.names) if (n !== 'x') inputs[n as F] = factor.inputs[n];
  // The factor is stated as `x × …`: `x` leads its expr and `{x}` its texts.
  const put = (text: string, lead: string, x: string): string => {
    if (!text.startsWith(`${lead} `)) throw broken(factor.id, `a factor must start with "${lead} ": "${text}"`);
    return x + text.slice(lead.length);
  };
  const composed = formula<A | F>({
    id: `${inner.id}*${factor.id}`,
    expr: put(factor.expr, 'x', bracketed(inner.expr)),
    text: {
      zh: put(factor.text.zh, '{x}', bracketed(inner.text.zh)),
      en: put(factor.text.en, '{x}', bracketed(inner.text.en)),
    },
    inputs,
    compute: (v) => factor.compute({ ...v, x: inner.compute(v) } as Values<'x' | F>),
  });
  return { ...composed, parts: [inner as Formula<string>, factor as Formula<string>] };
}
