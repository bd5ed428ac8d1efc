import type { Issue } from '../model/issue.js';
import { emptyOptionalAsAbsent } from '../model/empty.js';
import { codePointLength, describeInput, isAmountText, isRecord, ownValue } from '../model/guards.js';
import { layoutOf, headElementOf, type LeafKind } from './content-model.js';
import { BUILDABLE, type BuildableType } from './messages.js';
import { characters } from './issues.js';

/*
 * What sandan reads beyond the 2022-05 XSD (docs/xml.md, "Beyond the 2022 XSD"), as data: fields
 * real messages carry that the XSD lacks, and misspellings of XSD names seen in the wild. District
 * rulesets declare more fields of the same shape (src/rules/ruleset.ts `extensions`).
 */

/** A field beyond the XSD: the element that carries it, its name, type and length. */
export interface ExtensionField {
  /** The XSD element whose content carries it, e.g. `TaxHeadRd`, `OrderHead`, `OrderList`. */
  element: string;
  name: string;
  /** String, decimal (N19,5) or integer, as the XSD leaf kinds. */
  kind: LeafKind;
  /** `C..n`: at most this many characters. */
  maxLength?: number;
  /** `Cn`: exactly this many characters. */
  length?: number;
  /** Allowed values, when the field is a code. */
  values?: readonly string[];
  /** How sure the declaring ruleset is of the field; checks on an `uncertain` one only warn. */
  confidence?: 'verified' | 'memory' | 'uncertain';
}

/** A misspelled element name and the XSD name it stands for. */
export interface FieldAlias {
  element: string;
  alias: string;
  name: string;
}

/**
 * Fields of customs' CEB816 tax bills that the 2022 XSD's TaxHeadRd lacks. Two independent public
 * implementations model them (secondary sources, see docs/xml.md); they let a bill be linked to
 * its order when no CEB622 receipt links its invtNo.
 */
export const BEYOND_XSD: readonly ExtensionField[] = [
  { element: 'TaxHeadRd', name: 'orderNo', kind: 's', maxLength: 60 },
  { element: 'TaxHeadRd', name: 'logisticsNo', kind: 's', maxLength: 60 },
];

/** Misspellings seen in public implementations, read as the XSD's name with a warning. */
export const KNOWN_MISSPELLINGS: readonly FieldAlias[] = [
  { element: 'OrderHead', alias: 'consigneeDitrict', name: 'consigneeDistrict' },
];

/** The beyond-XSD fields of an element (built-in ones, then `extra`). */
export function extensionFieldsOf(element: string, extra: readonly ExtensionField[] = []): ExtensionField[] {
  return [...BEYOND_XSD, ...extra].filter((f) => f.element === element);
}

/** What is wrong with a value of an extension field: the `field-*` code validate uses and what was expected. */
interface ExtensionValueProblem {
  code: 'field-format' | 'field-length' | 'field-too-long' | 'field-value';
  expected: string;
}

/** How a value does not fit an extension field's type, or undefined when it fits. */
export function checkExtensionValue(f: ExtensionField, value: string): ExtensionValueProblem | undefined {
  if (f.kind === 'd' && !isAmountText(value)) return { code: 'field-format', expected: 'a decimal (N19,5)' };
  if (f.kind === 'i' && !/^\d{1,9}$/.test(value)) return { code: 'field-format', expected: 'an integer' };
  if (f.length !== undefined && codePointLength(value) !== f.length)
    return { code: 'field-length', expected: `exactly ${characters(f.length).en}` };
  if (f.maxLength !== undefined && codePointLength(value) > f.maxLength)
    return { code: 'field-too-long', expected: `at most ${characters(f.maxLength).en}` };
  if (f.values && !f.values.includes(value)) return { code: 'field-value', expected: `one of ${f.values.join(', ')}` };
  return undefined;
}

/** The issue for a value of extension field `f` (at `path`) that does not fit it; a warning when `f` is uncertain. */
function extensionValueIssue(
  f: ExtensionField,
  path: string,
  value: unknown,
  problem: { code: ExtensionValueProblem['code'] | 'field-type'; expected: string },
  ruleId: string,
): Issue {
  return {
    code: problem.code,
    severity: f.confidence === 'uncertain' ? 'warning' : 'error',
    path,
    ruleId,
    expected: problem.expected,
    actual: JSON.stringify(value),
    message: {
      zh: `${path} 应为${problem.expected}，实际为 ${JSON.stringify(value)}`,
      en: `${path} should be ${problem.expected}, got ${JSON.stringify(value)}`,
    },
  };
}

/** The XSD elements that carry a JSON document's head fields and its `items` (e.g. OrderHead, OrderList). */
function documentElements(type: BuildableType): { head: string; list?: string } {
  const info = BUILDABLE[type];
  const layout = layoutOf(info.schema, info.root);
  return { head: headElementOf(layout), ...(layout.list && { list: layout.list.particle.name }) };
}

/** Rule ids under which {@link readJsonBeyond} reports: misspelt names, and extension values. */
interface BeyondRuleIds {
  names: string;
  values: string;
}

/** What {@link readJsonBeyond} found in one JSON document. */
interface JsonBeyond {
  /** The document with misspelt names renamed (a copy when one was; else the document itself). */
  doc: unknown;
  issues: Issue[];
  /** Paths of the extension fields the document carries (they are not unknown fields). */
  extensionPaths: Set<string>;
}

/** Renames the known misspellings in one object (the fields of `element`); a copy when any was found. */
function renameAliases(
  obj: Record<string, unknown>,
  element: string,
  path: string,
  ruleId: string,
  issues: Issue[],
): Record<string, unknown> {
  let out = obj;
  for (const a of KNOWN_MISSPELLINGS) {
    if (a.element !== element || !(a.alias in obj)) continue;
    if (out === obj) out = { ...obj };
    // As in parse: the correctly spelt field wins when both are present ('' is no value, as an empty element).
    if (out[a.name] === undefined || out[a.name] === '') out[a.name] = out[a.alias];
    delete out[a.alias];
    const p = `${path}.${a.alias}`;
    issues.push({
      code: 'field-misspelled',
      severity: 'warning',
      path: p,
      ruleId,
      message: {
        zh: `${a.alias} 是 ${a.name} 的误拼，已按 ${a.name} 读取（${p}）`,
        en: `${p}: ${a.alias} is a misspelling of ${a.name}; read as ${a.name}`,
      },
    });
  }
  return out;
}

/**
 * Checks the extension fields of one object (the fields of `element`) into `issues` and notes their paths in
 * `paths` (they are not unknown fields): the one check of both builders, declarations' and receipts'.
 */
export function checkExtensionFields(
  obj: Record<string, unknown>,
  fields: readonly ExtensionField[],
  path: string,
  ruleId: string,
  issues: Issue[],
  paths: Set<string>,
): void {
  for (const f of fields) {
    // (a ruleset may name a field constructor or toString: the document's own, not Object.prototype's function)
    const v = ownValue(obj, f.name);
    if (v === undefined) continue;
    const p = `${path}.${f.name}`;
    paths.add(p);
    const severity = f.confidence === 'uncertain' ? 'warning' : 'error';
    const numeric = f.kind !== 's' && typeof v === 'number' && Number.isFinite(v);
    if (typeof v !== 'string' && !numeric) {
      const expected = f.kind === 's' ? 'string' : 'number | string';
      const given = describeInput(v);
      issues.push({
        code: 'field-type',
        severity,
        path: p,
        ruleId,
        expected,
        actual: v === null ? 'null' : typeof v,
        message: {
          zh: `${p} 类型错误，应为 ${expected}，实际为 ${given}`,
          en: `${p} has the wrong type: expected ${expected}, got ${given}`,
        },
      });
      continue;
    }
    const text = typeof v === 'number' ? String(v) : v;
    const problem = checkExtensionValue(f, text);
    if (problem) issues.push(extensionValueIssue(f, p, text, problem, ruleId));
  }
}

/**
 * Reads what one JSON document of message `type` (at `path`, e.g. `order`) carries beyond the
 * XSD: known misspellings are renamed to the XSD name (warning `field-misspelled`), an optional
 * field (the XSD's, or one of the given extension fields) given as '' is left out, as an empty
 * element is in XML (src/model/empty.ts), and the values of the given extension fields are
 * checked (`field-*` codes; a warning when the field is uncertain). Pure; the input is not changed.
 */
export function readJsonBeyond(
  type: BuildableType,
  doc: unknown,
  path: string,
  extensions: readonly ExtensionField[],
  ruleIds: BeyondRuleIds,
): JsonBeyond {
  const out: JsonBeyond = { doc, issues: [], extensionPaths: new Set() };
  if (!isRecord(doc)) return out;
  const { head, list } = documentElements(type);
  const headFields = extensionFieldsOf(head, extensions);
  const lineFields = list ? extensionFieldsOf(list, extensions) : [];
  let renamed = renameAliases(doc, head, path, ruleIds.names, out.issues);
  if (list && Array.isArray(renamed.items)) {
    const given: unknown[] = renamed.items;
    const items = given.map((item, i) =>
      isRecord(item) ? renameAliases(item, list, `${path}.items[${i}]`, ruleIds.names, out.issues) : item,
    );
    if (items.some((it, i) => it !== given[i])) renamed = { ...renamed, items };
  }
  const extra =
    headFields.length + lineFields.length === 0
      ? undefined
      : { head: headFields.map((f) => f.name), items: lineFields.map((f) => f.name) };
  const result = emptyOptionalAsAbsent(renamed, BUILDABLE[type].root, extra) as Record<string, unknown>;
  checkExtensionFields(result, headFields, path, ruleIds.values, out.issues, out.extensionPaths);
  if (lineFields.length > 0 && Array.isArray(result.items))
    result.items.forEach((item: unknown, i: number) => {
      if (isRecord(item))
        checkExtensionFields(item, lineFields, `${path}.items[${i}]`, ruleIds.values, out.issues, out.extensionPaths);
    });
  out.doc = result;
  return out;
}

/** The declaration documents (JSON keys) and their messages. */
const DECLARATION_DOCS: ReadonlyArray<BuildableType> = ['CEB311', 'CEB411', 'CEB511', 'CEB621'];

/** {@link readJsonBeyond} over a whole declaration `{ order, payment, logistics, inventory }`. */
export function readDeclarationBeyond(
  input: unknown,
  extensions: readonly ExtensionField[],
  ruleIds: BeyondRuleIds,
): JsonBeyond {
  const out: JsonBeyond = { doc: input, issues: [], extensionPaths: new Set() };
  if (!isRecord(input)) return out;
  let result = input;
  for (const type of DECLARATION_DOCS) {
    const key = BUILDABLE[type].key;
    if (!(key in input)) continue;
    const r = readJsonBeyond(type, input[key], key, extensions, ruleIds);
    // (issue by issue: a spread of some 130,000, one per line of a long document, overflowed the stack)
    for (const i of r.issues) out.issues.push(i);
    for (const p of r.extensionPaths) out.extensionPaths.add(p);
    if (r.doc !== input[key]) result = { ...result, [key]: r.doc };
  }
  out.doc = result;
  return out;
}
