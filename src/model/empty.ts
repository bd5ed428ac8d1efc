import { OPTIONAL_BY_ROOT } from './generated/converters.js';
import { isRecord } from './guards.js';

/*
 * An optional field given as '' in JSON is absent. Order systems write a missing value as '' (null serialised as
 * text); the XML reader takes an empty element as absent (the official samples have empty optional elements, and
 * customs accepts them); the builder writes nothing for ''. So '' in a field the XSD lets be left out (minOccurs 0)
 * is read as if it were not there, by every reader of JSON documents: parseDeclaration (validate, tax), the
 * builder's checks and documentsOf. A required field given as '' stays, and its schema reports it. White space is a
 * value, as in XML (an xs:string keeps it): ' ' is checked like any text. The envelope fields (guid, appType,
 * appTime, appStatus) are optional in the model, since build fills them when left out, but required by the XSD:
 * '' there stays an error, whose message says to leave the field out (parse.ts, withEnvelopeHint).
 */

/** Field names that may be left out, as sets (a key of the input is looked up in them, not each name in the input). */
interface Optional {
  head: ReadonlySet<string>;
  items: ReadonlySet<string>;
}
const OPTIONAL = new Map<string, Optional>(
  Object.entries(OPTIONAL_BY_ROOT).map(([root, f]) => [root, { head: new Set(f.head), items: new Set(f.items) }]),
);

/**
 * `rec` without those of its fields named in `names` or `extra` whose value is '' (a copy when one was; else `rec`
 * itself). Its own keys are walked, each compared with '' first: an input has few '' values, and a lookup of every
 * optional name that the input lacks cost twice as much (validate runs this on every declaration).
 */
function withoutEmpty(
  rec: Record<string, unknown>,
  names: ReadonlySet<string>,
  extra: readonly string[] | undefined,
): Record<string, unknown> {
  let out = rec;
  for (const key in rec) {
    if (rec[key] !== '' || !(names.has(key) || extra?.includes(key))) continue;
    if (out === rec) out = { ...rec };
    delete out[key];
  }
  return out;
}

/**
 * A JSON document of the message whose root is `root` (e.g. `CEB311Message`), with every optional field of its head
 * and of its lines (`items`) that is '' left out: a copy when one was, else `doc` itself. `extra` names more optional
 * fields (a ruleset's extension fields) of the head and of the lines. Anything but an object is returned as it is.
 */
export function emptyOptionalAsAbsent(
  doc: unknown,
  root: string,
  extra?: { head: readonly string[]; items: readonly string[] },
): unknown {
  const fields = OPTIONAL.get(root);
  if (fields === undefined || !isRecord(doc)) return doc;
  const out = withoutEmpty(doc, fields.head, extra?.head);
  const items = doc.items;
  if (!Array.isArray(items)) return out;
  const extraItems = extra?.items;
  if (fields.items.size === 0 && !extraItems?.length) return out;
  let lines: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const line: unknown = items[i];
    if (!isRecord(line)) continue;
    const l = withoutEmpty(line, fields.items, extraItems);
    if (l !== line) (lines ??= items.slice())[i] = l;
  }
  return lines === undefined ? out : { ...out, items: lines };
}

/** The message root of each document of a declaration. */
const DECLARATION_ROOTS = [
  ['order', 'CEB311Message'],
  ['payment', 'CEB411Message'],
  ['logistics', 'CEB511Message'],
  ['inventory', 'CEB621Message'],
] as const;

/** {@link emptyOptionalAsAbsent} over the documents of a declaration `{ order, payment, logistics, inventory }`. */
export function declarationEmptyAsAbsent(input: unknown): unknown {
  if (!isRecord(input)) return input;
  let out = input;
  for (const [key, root] of DECLARATION_ROOTS) {
    const doc = input[key];
    const d = emptyOptionalAsAbsent(doc, root);
    if (d !== doc) {
      if (out === input) out = { ...input };
      out[key] = d;
    }
  }
  return out;
}
