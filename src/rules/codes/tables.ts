import { FIELD_RULE_ID } from '../../model/parse.js';
import type { CodeEntry } from '../codes.js';
import { NEWEST_POLICY_DATE } from '../declaration-date.js';
import { isWithinDates } from '../../time/beijing.js';
import {
  defineRule,
  type DocumentName,
  type HeadOf,
  type LinedDocumentName,
  type LineOf,
  type ReportOf,
  type RuleContext,
} from '../types.js';

/** A coded field of a document head or line, and the code table it is checked against. */
type HeadField = { [N in DocumentName]: { doc: N; key: keyof HeadOf<N> & string; table: string } }[DocumentName];
type LineField = {
  [N in LinedDocumentName]: { doc: N; key: keyof LineOf<N> & string; table: string };
}[LinedDocumentName];

const HEAD_FIELDS: readonly HeadField[] = [
  { doc: 'order', key: 'currency', table: 'currency' },
  { doc: 'payment', key: 'currency', table: 'currency' },
  { doc: 'logistics', key: 'currency', table: 'currency' },
  { doc: 'inventory', key: 'currency', table: 'currency' },
  { doc: 'inventory', key: 'country', table: 'country' },
  { doc: 'inventory', key: 'trafMode', table: 'transport-mode' },
  { doc: 'inventory', key: 'wrapType', table: 'packing-type' },
  { doc: 'inventory', key: 'tradeMode', table: 'trade-mode' },
  { doc: 'order', key: 'buyerIdType', table: 'id-type' },
  { doc: 'inventory', key: 'buyerIdType', table: 'id-type' },
  { doc: 'payment', key: 'payerIdType', table: 'id-type' },
];
const LINE_FIELDS: readonly LineField[] = [
  { doc: 'order', key: 'unit', table: 'unit' },
  { doc: 'order', key: 'country', table: 'country' },
  { doc: 'inventory', key: 'unit', table: 'unit' },
  { doc: 'inventory', key: 'unit1', table: 'unit' },
  { doc: 'inventory', key: 'unit2', table: 'unit' },
  { doc: 'inventory', key: 'country', table: 'country' },
  { doc: 'inventory', key: 'tradeCountry', table: 'country' },
];

/** A document or line read by a key the tables above typed per document. */
type AnyView = Readonly<Record<string, unknown>>;

const MESSAGES = {
  'code-unknown': {
    zh: '{path} 的代码 {code} 不在《{table}》代码表中',
    en: '{path}: {code} is not in the {table} code table',
  },
  'code-unknown-incomplete': {
    code: 'code-unknown',
    zh: '{path} 的代码 {code} 不在《{table}》代码表中（代码表不完整，仅提示）',
    en: '{path}: {code} is not in the {table} code table (the table is incomplete, so this is a warning)',
  },
  // A letter code where the country table has 3-digit ones (USA for 502): the mistake names its fix.
  'code-letters': {
    code: 'code-unknown',
    zh: '{path} 的代码 {code} 是字母代码，不在《{table}》代码表中：报文规范的样例报文和 country 字段用海关三位数字代码（如美国 502、日本 116），报关单的字母代码（如 USA）是否被接受未见公布，仅提示',
    en: '{path}: {code} is a letter code, not in the {table} code table: the spec’s sample messages and the country fields carry the 3-digit customs code (e.g. 502 United States, 116 Japan); whether customs accepts a letter code of the declaration form’s table (such as USA) here is not published, so this is a warning',
  },
  'code-not-in-force': {
    code: 'code-unknown',
    zh: '{path} 的代码 {code} 在《{table}》代码表中的有效期为 {from} 至 {to}，申报日 {at} 不在其内',
    en: '{path}: {code} is in force in the {table} code table from {from} to {to}, not on {at}, the declaration’s date',
  },
  // (a declaration without a date is read at NEWEST_POLICY_DATE, which is no date of its own to name)
  'code-not-in-force-undated': {
    code: 'code-unknown',
    zh: '{path} 的代码 {code} 在《{table}》代码表中的有效期为 {from} 至 {to}；声明没有日期，按最新政策校验，该代码已不在有效期内',
    en: '{path}: {code} is in force in the {table} code table from {from} to {to}; the declaration has no date, so it was read under the newest policy, where the code is no longer in force',
  },
} as const;

type Finding = ReportOf<typeof MESSAGES>;

/**
 * The message of a listed code out of force at `at`: `<prefix>-not-in-force` naming the declaration's date, or
 * `…-undated` (a declaration without a date is read at NEWEST_POLICY_DATE, which is no date of its own to name).
 */
export function notInForce<P extends string, D extends object>(prefix: P, at: string, entry: CodeEntry, data: D) {
  const span = { ...data, from: entry.validFrom ?? '…', to: entry.validTo ?? '…' };
  return at === NEWEST_POLICY_DATE
    ? { messageId: `${prefix}-not-in-force-undated` as const, data: span }
    : { messageId: `${prefix}-not-in-force` as const, data: { ...span, at } };
}

/**
 * The message of a code its table lacks. A letter code checked against the country table (tradeCountry USA: country
 * itself takes 3 digits and fails its format first) is the habit of the declaration form's alpha-3 table: the
 * message names the numeric code the spec's samples carry (rulesets/codes/country.json, source XSD). Only the
 * incomplete table's warning has the variant: a user's complete table refuses the code outright.
 */
function unknownMessage(tableId: string, code: string, complete: boolean) {
  if (complete) return 'code-unknown' as const;
  return tableId === 'country' && /^[A-Za-z]{2,3}$/.test(code)
    ? ('code-letters' as const)
    : ('code-unknown-incomplete' as const);
}

/** Checks `rec[key]`, found at `path`, against its table. */
function checkCode<T extends object>(
  ctx: RuleContext,
  rec: T,
  key: keyof T & string,
  path: string,
  tableId: string,
  out: Finding[],
): void {
  const table = ctx.codes[tableId];
  const code = ctx.str(rec, key);
  if (!table || code === undefined) return;
  const entry = table.get(code);
  if (entry !== undefined && isWithinDates(ctx.at, entry.validFrom, entry.validTo)) return;
  // An incomplete table cannot prove a code wrong: it only warns. A dated entry counts on the declaration's day only,
  // as the province table's 9 does for identity/id-number; outside its dates it is as sure as a missing code (the
  // bundled trade-mode table is incomplete, its dates read in republished copies of the announcements: a warning).
  const found = { path, actual: code, ...(!table.complete && { severity: 'warning' as const }) };
  const data = { path, code, table: table.name };
  out.push(
    entry === undefined
      ? { ...found, messageId: unknownMessage(tableId, code, table.complete), data }
      : { ...found, ...notInForce('code', ctx.at, entry, data) },
  );
}

/** Coded fields hold codes of the customs code tables (rulesets/codes). */
export const codeTables = defineRule({
  id: 'codes/tables',
  description: {
    zh: '代码字段取值在海关代码表中（币制、国别、计量单位、运输方式、包装种类、贸易方式、证件类型）',
    en: 'Coded fields hold codes from the customs code tables (currency, country, unit, transport mode, packing, trade mode, ID type)',
  },
  source: '报文规范 202205: code fields; rulesets/codes/*.json (each table cites its sources)',
  defaultSeverity: 'error',
  codes: { 'code-unknown': { zh: '代码不在代码表中', en: 'A code is not in its code table' } },
  messages: MESSAGES,
  examples: {
    valid: [{ name: 'the example declaration' }],
    invalid: [
      {
        name: 'unit 999 (the unit table is incomplete: a warning)',
        set: { 'inventory.items[0].unit1': '999' },
        code: 'code-unknown',
        path: 'inventory.items[0].unit1',
      },
    ],
  },
  check(ctx) {
    const out: Finding[] = [];
    for (const f of HEAD_FIELDS) {
      const rec = ctx.doc(f.doc) as AnyView | undefined;
      if (rec) checkCode(ctx, rec, f.key, `${f.doc}.${f.key}`, f.table, out);
    }
    for (const f of LINE_FIELDS) {
      for (const { index, line } of ctx.lines(f.doc)) {
        checkCode(ctx, line as AnyView, f.key, `${f.doc}.items[${index}].${f.key}`, f.table, out);
      }
    }
    // A value the field schema refused (country 'USA': not 3 digits) is reported there, once: without a
    // parsed declaration the rules read the raw input, where it still stands.
    if (ctx.declaration !== undefined || out.length === 0) return out;
    const refused = new Set(ctx.parseIssues.filter((i) => i.ruleId === FIELD_RULE_ID).map((i) => i.path));
    return out.filter((f) => !refused.has(f.path));
  },
});
