import { checkArgument } from './guards.js';
/** A message in the two languages sandan speaks. */
export interface Message {
  zh: string;
  en: string;
}

/** An error fails a declaration; a warning does not. */
export type Severity = 'error' | 'warning';

/**
 * One finding about a declaration. `code` is stable: a customs or E-Port rejection code
 * where one exists (e.g. `1332`, `-621027`), else a sandan code (e.g. `field-required`).
 * `path` points into the input, e.g. `order.items[1].qty`; `""` is the whole input.
 */
export interface Issue {
  code: string;
  severity: Severity;
  path: string;
  message: Message;
  ruleId: string;
  expected?: string;
  actual?: string;
  /**
   * For an issue that mirrors a customs or E-Port rejection: the receipt catalogue's entry
   * (rulesets/receipts.json), so the finding says what customs would answer, why, and what to do.
   */
  help?: IssueHelp;
}

/** The receipt catalogue's word on an issue (see {@link Issue.help}). */
export interface IssueHelp {
  /** The customs or E-Port code the issue mirrors, e.g. `1327`. */
  code: string;
  /** The receipt text customs sends for it. */
  receipt: Message;
  cause?: Message;
  fix: Message;
}

/** Joins a key path the way issues print it: `order.items[1].qty`. */
export function formatPath(path: readonly PropertyKey[]): string {
  checkArgument(path, 'list', 'formatPath', 'the path');
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}
