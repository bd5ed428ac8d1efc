import type { LeafKind } from './content-model.js';

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
export const KNOWN_MISSPELLINGS: readonly FieldAlias[] = [{ element: 'OrderHead', alias: 'consigneeDitrict', name: 'consigneeDistrict' }];

/** The beyond-XSD fields of an element (built-in ones, then `extra`). */
export function extensionFieldsOf(element: string, extra: readonly ExtensionField[] = []): ExtensionField[] {
  return [...BEYOND_XSD, ...extra].filter((f) => f.element === element);
}

/** Why a value does not fit an extension field's type, or undefined when it fits. */
export function extensionValueProblem(f: ExtensionField, value: string): string | undefined {
  if (f.kind === 'd' && !/^\d{1,14}(\.\d{1,5})?$/.test(value)) return 'a decimal (N19,5)';
  if (f.kind === 'i' && !/^\d{1,9}$/.test(value)) return 'an integer';
  if (f.length !== undefined && [...value].length !== f.length) return `exactly ${f.length} characters`;
  if (f.maxLength !== undefined && [...value].length > f.maxLength) return `at most ${f.maxLength} characters`;
  if (f.values && !f.values.includes(value)) return `one of ${f.values.join(', ')}`;
  return undefined;
}
