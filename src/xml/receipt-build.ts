import { SandanError } from '../errors.js';
import type { Issue } from '../model/issue.js';
import {
  RECEIPT_DOCUMENTS,
  type DeliveryReturn,
  type InventoryReturn,
  type InvtCancelReturn,
  type InvtRefundReturn,
  type LogisticsReturn,
  type LogisticsStatusReturn,
  type MessageReturn,
  type OrderReturn,
  type PaymentReturn,
  type TaxBillReceipt,
  type TaxBillStatusReceipt,
} from '../model/generated/receipt-documents.js';
import { checkArgument, describeInput, isRecord } from '../model/guards.js';
import { guidConventionIssue } from '../model/primitives.js';
import { beijingDateTime17 } from '../time/beijing.js';
import {
  checkDocumentCount,
  checkRootGuid,
  rootVersion,
  documentNode,
  forbiddenCharIssues,
  newGuid,
  rootNode,
  unknownFieldIssues,
  type BuildEnvironment,
  type BuildResult,
} from './build.js';
import { layoutOf, headElementOf } from './content-model.js';
import { checkExtensionFields, extensionFieldsOf, type ExtensionField } from './extensions.js';
import { documentIssues, XML_BUILD_RULE_ID } from './issues.js';
import { serializeXml } from './serialize.js';
import { parseReturnInfo } from './return-info.js';

/*
 * Receipts as customs sends them (CEB312 … CEB900), for users' own tests and the customs emulator.
 * The same machinery as buildMessage (content models off the descriptors, documentNode, the
 * serializer); receipts differ in having no BaseTransfer and no signature (their XSD has neither).
 */

export * from '../model/generated/receipt-documents.js';

/** A receipt sandan builds, e.g. `CEB622`. */
export type ReceiptType = keyof typeof RECEIPT_DOCUMENTS;

/** Every receipt type sandan builds, in message-number order. */
export const RECEIPT_TYPES = Object.keys(RECEIPT_DOCUMENTS) as readonly ReceiptType[];

/** True for a receipt type sandan builds. */
export function isReceiptType(t: unknown): t is ReceiptType {
  return typeof t === 'string' && Object.hasOwn(RECEIPT_DOCUMENTS, t);
}

/**
 * TaxHeadRd orderNo and logisticsNo: beyond the 2022 XSD, carried by real bills (docs/xml.md,
 * "Beyond the 2022 XSD"). Written when given, after the XSD fields; the message then no longer
 * validates against the 2022 XSD.
 */
export interface TaxBillBeyondXsd {
  orderNo?: string;
  logisticsNo?: string;
}

/** The documents of each receipt (field names the XSD's; amounts Decimal, number or decimal string; returnTime a Date or 17 digits). */
export interface ReceiptOf {
  CEB312: OrderReturn[];
  CEB412: PaymentReturn[];
  CEB512: LogisticsReturn[];
  CEB514: LogisticsStatusReturn[];
  CEB622: InventoryReturn[];
  CEB624: InvtCancelReturn[];
  CEB626: InvtRefundReturn[];
  CEB712: DeliveryReturn[];
  /** One entry per Tax block: TaxHeadRd fields, TaxListRd lines as `items`. */
  CEB816: Array<TaxBillReceipt & TaxBillBeyondXsd>;
  /** One entry per Tax block (TaxHeadStatus). */
  CEB818: TaxBillStatusReceipt[];
  /** Exactly one MessageReturn. */
  CEB900: MessageReturn[];
}

/** Options of {@link buildReceipt}: where time and ids come from, and the root guid. */
export interface ReceiptBuildOptions extends BuildEnvironment {
  /** Root guid (36 characters, XSD); default a new id. */
  guid?: string;
  /** Root version; default `1.0`. */
  version?: string;
  /** Fields beyond the XSD to check and write (the built-in CEB816 orderNo/logisticsNo always are). */
  extensions?: readonly ExtensionField[];
}

/** What parseCebXml adds to a receipt document (the parsed returnInfo): not a field, so not written and not unknown. */
const DERIVED_FIELDS = ['returnInfoParsed'];

/**
 * Builds one receipt message as customs sends it: `CEB622Message` with 1 to 100
 * InventoryReturn, a CEB816 with one Tax block per document, a CEB900 with exactly one
 * MessageReturn. Each document's guid defaults to a new id (E-Port generates it) and its
 * returnTime to `now()` as `yyyyMMddHHmmssSSS` in Beijing time (a Date given is written the
 * same way). No BaseTransfer and no signature: the receipt XSDs have neither.
 *
 * Bad documents are a result with issues (paths like `inventoryReturn[1].guid`,
 * `taxBill.items[0].customsTax`); misuse (an unknown type, no documents, more than the XSD
 * allows, a root guid that is not 36 characters, `newId()` not a UUID) throws SandanError
 * `INVALID_OPTION`. The XML parses back with `parseCebXml` to the same fields.
 */
export function buildReceipt<T extends ReceiptType>(
  type: T,
  documents: ReceiptOf[T][number] | readonly ReceiptOf[T][number][],
  options: ReceiptBuildOptions,
): BuildResult {
  if (!isReceiptType(type))
    throw new SandanError(
      'INVALID_OPTION',
      `Cannot build receipt ${describeInput(type)}; receipts sandan builds are ${RECEIPT_TYPES.join(', ')}`,
    );
  if (!options || typeof options.now !== 'function' || typeof options.newId !== 'function')
    throw new SandanError('INVALID_OPTION', 'buildReceipt needs options { now(), newId() }');
  const info = RECEIPT_DOCUMENTS[type];
  const layout = layoutOf('import', info.root);
  const docs = (Array.isArray(documents) ? documents : [documents]) as readonly unknown[];
  checkDocumentCount(type, docs.length, layout);
  checkRootGuid(options.guid);
  const version = rootVersion(options.version);

  let now: string | undefined;
  const returnTime = () => (now ??= beijingDateTime17(options.now()));
  const headExtensions = extensionFieldsOf(headElementOf(layout), options.extensions);
  const listExtensions = layout.list ? extensionFieldsOf(layout.list.particle.name, options.extensions) : [];

  const issues: Issue[] = [];
  const filled = docs.map((given, i) => {
    const prefix = docs.length === 1 ? info.key : `${info.key}[${i}]`;
    if (!isRecord(given)) {
      issues.push({
        code: 'field-type',
        severity: 'error',
        path: prefix,
        ruleId: XML_BUILD_RULE_ID,
        expected: 'object',
        message: { zh: `${prefix} 应为对象`, en: `${prefix} must be an object` },
      });
      return {};
    }
    const doc: Record<string, unknown> = { ...given };
    for (const k of DERIVED_FIELDS) delete doc[k];
    if (doc.guid === undefined || doc.guid === '') doc.guid = newGuid(options);
    if (doc.returnTime === undefined || doc.returnTime === '') doc.returnTime = returnTime();
    else if (doc.returnTime instanceof Date && !Number.isNaN(doc.returnTime.getTime()))
      doc.returnTime = beijingDateTime17(doc.returnTime);
    const r = info.schema.safeParse(doc);
    if (!r.success) issues.push(...documentIssues(r.error, doc, prefix));
    forbiddenCharIssues(doc, prefix, issues);
    const g = guidConventionIssue(doc.guid, `${prefix}.guid`, XML_BUILD_RULE_ID);
    if (g) issues.push(g);
    const known = new Set<string>();
    checkExtensionFields(doc, headExtensions, prefix, XML_BUILD_RULE_ID, issues, known);
    if (Array.isArray(doc.items))
      doc.items.forEach((item: unknown, k: number) => {
        if (isRecord(item))
          checkExtensionFields(item, listExtensions, `${prefix}.items[${k}]`, XML_BUILD_RULE_ID, issues, known);
      });
    unknownFieldIssues(info.schema, doc, prefix, issues, known);
    return doc;
  });
  if (issues.some((i) => i.severity === 'error')) return { ok: false, issues };
  const rootGuid = guidConventionIssue(options.guid, 'guid', XML_BUILD_RULE_ID);
  if (rootGuid) issues.unshift(rootGuid);

  const guid = options.guid ?? newGuid(options);
  // documentNode adds the built-in fields (BEYOND_XSD) to these itself.
  const extensions = options.extensions ?? [];
  const children = filled.map((doc) =>
    documentNode(layout, doc, { extensions, keepEmptyRequired: true, builtInExtensions: true }),
  );
  return { ok: true, xml: serializeXml(rootNode(info.root, guid, version, children)), issues };
}

/**
 * The customs form of a receipt's returnInfo, `[Code:1332;Desc:…]`, as `parseReturnInfo`
 * reads it back. Throws SandanError `INVALID_OPTION` for a code or description it could not
 * read back: a code with `;` or `]`, text around either that would be trimmed, a description
 * with `],[` (which starts a detail group) or with a `]` that closes no `[` of its own (which
 * would end the group early).
 */
export function formatReturnInfo(code: string, desc: string): string {
  if (typeof code !== 'string' || !/^[^;\]\s](?:[^;\]]*[^;\]\s])?$/.test(code))
    throw new SandanError(
      'INVALID_OPTION',
      `formatReturnInfo: code must be non-empty text without ';', ']' or surrounding space, got ${describeInput(code)}`,
    );
  checkArgument(desc, 'text', 'formatReturnInfo', 'desc');
  const text = `[Code:${code};Desc:${desc}]`;
  // The reader is the definition of what can be read back.
  const back = typeof desc === 'string' ? parseReturnInfo(text) : undefined;
  if (back?.desc !== desc || back.details.length > 0)
    throw new SandanError(
      'INVALID_OPTION',
      `formatReturnInfo: desc must be text without surrounding space, "],[" (which starts a detail group) or a "]" that closes no "[" (which ends the group), got ${describeInput(desc)}`,
    );
  return text;
}
