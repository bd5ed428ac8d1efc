import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMessage, parseCebXml, wrapDxp, type CebMessage } from '../../src/xml/index.js';
import {
  all,
  generate,
  message,
  ROOTS,
  TABLES,
  xsdVerdicts,
  writeNodes,
  type Against,
  type Node,
  type Schema,
  parsed,
} from './generated-messages.js';
import { exampleDeclaration, fixedEnv, SAMPLES_DIR, SENDER } from './helpers.js';

/*
 * An element that is present but empty (`<ceb:orderNo></ceb:orderNo>`, `<ceb:note/>`), judged as the XSD judges it.
 * For every element of every CEB message the two XSDs define, a valid message has that one element emptied; xmllint
 * against the official 2022-05 XSD (the command line when present, one process per XSD over all the files; else
 * xmllint-wasm, in batches) gives the verdict, and parseCebXml must agree: an error exactly when xmllint rejects.
 *
 * Out of scope, on purpose: ds:Signature and what is inside it (parseCebXml reports what a signature says and leaves
 * checking it to the signing module; an unsigned message is only a `signature-missing` warning), and the root's
 * attributes. No known difference is allowed: parseCebXml checks the XSD alone, no model-level rule.
 */

/**
 * Whether the XSD accepts the element empty (the expectation, derived by hand from XML Schema 1.0 Part 1 §3.3.4
 * "Element Locally Valid (Element)" 5.1 and the facets): an element with a fixed or default value has that value;
 * otherwise '' must fit the type, which only a string without length or minLength does (and the content of
 * `ceb:XMLElement`, which may be empty).
 */
function emptyAllowed(n: Node): boolean {
  const t = n.type!;
  if (n.ifEmpty !== undefined || t.base === 'xml') return true;
  if (t.base !== 'string') return false;
  return (t.length ?? t.minLength ?? 0) === 0;
}

/** How the element under test is written: `<x></x>`, `<x/>`, or (numbers) `<x> </x>`. */
type Form = 'e' | 's' | 'w';

/** Writes the nodes, `empty` in the form given. */
function write(nodes: Node[], empty: Node | undefined, form: Form): string {
  return writeNodes(nodes, (n) => {
    if (n !== empty) return undefined;
    const tag = `ceb:${n.name}`;
    return form === 's' ? `<${tag}/>` : `<${tag}>${form === 'w' ? ' ' : ''}</${tag}>`;
  });
}

/** One input: a whole valid message, or one with an element emptied. */
interface Case {
  file: string;
  schema: Against;
  xml: string;
  root: string;
  /** The emptied element (undefined for the unmodified message). */
  node?: Node;
  form?: Form;
  /** A leaf emptied in an official sample: its name and the text it had. */
  sample?: { name: string; was: string };
  /** An element of a DxpMsg emptied (the base DxpMsg has none). */
  dxp?: string;
}

function generatedCases(): Case[] {
  const cases: Case[] = [];
  for (const [root, { schema }] of ROOTS) {
    const nodes = generate(schema, root);
    const base = root.replace(/Message$/, '');
    cases.push({ file: `${base}-full.xml`, schema, root, xml: message(root, write(nodes, undefined, 'e')) });
    all(nodes).forEach((n, i) => {
      const number = n.type?.base === 'decimal' || n.type?.base === 'int';
      for (const form of number ? (['e', 's', 'w'] as const) : (['e', 's'] as const))
        cases.push({
          file: `${base}-${i}${form}.xml`,
          schema,
          root,
          node: n,
          form,
          xml: message(root, write(nodes, n, form)),
        });
    });
  }
  return cases;
}

/**
 * The official import samples and the receipt fixtures (all valid), each leaf name with text emptied once, at its
 * first occurrence (real data around it, the CEB namespace as `ceb:` or the default one).
 */
function sampleCases(): Case[] {
  const files = [
    ...readdirSync(join(SAMPLES_DIR, 'import')).map((f) => join(SAMPLES_DIR, 'import', f)),
    ...['CEB312-rejected', 'CEB816Message', 'CEB818Message', 'CEB900Message'].map((f) =>
      fileURLToPath(new URL(`../fixtures/xml/${f}.xml`, import.meta.url)),
    ),
  ];
  expect(files).toHaveLength(20);
  const cases: Case[] = [];
  for (const path of files) {
    const xml = readFileSync(path, 'utf8');
    const base = basename(path, '.xml');
    const root = /<(?:\w+:)?(CEB\d{3}Message)\b/.exec(xml)![1]!;
    cases.push({ file: `sample-${base}.xml`, schema: 'import', root, xml });
    const done = new Set<string>();
    // Leaves with text, before the signature (left as it is).
    const end = xml.includes('<ds:Signature') ? xml.indexOf('<ds:Signature') : xml.length;
    for (const m of xml.slice(0, end).matchAll(/<((?:ceb:)?)(\w+)>([^<]+)<\/\1\2>/g)) {
      const [, , name, text] = m as unknown as [string, string, string, string];
      if (done.has(name)) continue;
      done.add(name);
      const at = m.index + m[0].indexOf('>') + 1;
      cases.push({
        file: `sample-${base}-${name}.xml`,
        schema: 'import',
        root,
        sample: { name, was: text },
        xml: xml.slice(0, at) + xml.slice(at + text.length),
      });
    }
  }
  return cases;
}

/**
 * A DxpMsg (wrapDxp of a built CEB311) with each element of its wrapper emptied in turn, as `<x></x>`, `<x/>` and
 * `<x> </x>` (white space is a valid xs:string but no dateTime); its verdict is on the wrapper's own issues.
 */
function dxpCases(): Case[] {
  const built = buildMessage('CEB311', exampleDeclaration('hangzhou-1210').order, { ...fixedEnv(), sender: SENDER });
  const xml = wrapDxp(built.xml!, { ...fixedEnv(), senderId: 'DXPENT0000012345' });
  const cases: Case[] = [{ file: 'dxp.xml', schema: 'dxp', root: 'DxpMsg', xml }];
  for (const name of ['TransInfo', 'CopMsgId', 'SenderId', 'ReceiverIds', 'ReceiverId', 'CreatTime', 'MsgType', 'Data'])
    for (const [form, empty] of [
      ['e', `<${name}></${name}>`],
      ['s', `<${name}/>`],
      ['w', `<${name}> </${name}>`],
    ] as const) {
      const emptied = xml.replace(new RegExp(`<${name}>[\\s\\S]*?</${name}>`), empty);
      expect(emptied).not.toBe(xml);
      cases.push({
        file: `dxp-${name}-${form}.xml`,
        schema: 'dxp',
        root: 'DxpMsg',
        dxp: `${name} ${form}`,
        xml: emptied,
      });
    }
  return cases;
}

/**
 * sandan's verdict on the structure: any error (warnings, e.g. `signature-missing`, do not count). Of a DxpMsg, the
 * wrapper's: `xml-payload` is about what Data holds, which the XSD does not read (an empty Data is valid
 * base64Binary, and carries no message: sandan names it, as the reconciliation's scanner does).
 */
const sandanAccepts = (c: Case) =>
  !(c.schema === 'dxp' ? parseCebXml(c.xml).issues : parsed(c.xml).issues).some(
    (i) => i.severity === 'error' && !(c.schema === 'dxp' && i.code === 'xml-payload'),
  );

describe('a present but empty element: parseCebXml agrees with xmllint and the XSD', () => {
  const cases = [...generatedCases(), ...sampleCases(), ...dxpCases()];

  let xsd: Map<string, boolean>;

  beforeAll(async () => {
    xsd = await xsdVerdicts(cases);
  }, 120_000);

  it('covers every element of every CEB message of both XSDs (each emptied as <x></x> and <x/>, numbers also <x> </x>)', () => {
    const generated = cases.filter((c) => c.node);
    expect(ROOTS.length).toBe(42);
    const roots = new Set(generated.map((c) => c.root));
    expect(roots.size).toBe(ROOTS.length);
    for (const r of ['CEB311Message', 'CEB411Message', 'CEB511Message', 'CEB621Message', 'CEB816Message'])
      expect(roots.has(r)).toBe(true);
    // Every leaf of every content model of the two XSDs is emptied in some message.
    const leaves = (schema: Schema) =>
      new Set(
        Object.values(TABLES[schema]).flatMap((e) =>
          e.children.filter((c) => c.type).map((c) => `${e.name}/${c.name}`),
        ),
      );
    for (const schema of ['import', 'export'] as const) {
      const covered = new Set(
        generated.filter((c) => c.schema === schema && c.node?.type).map((c) => `${c.node!.parent}/${c.node!.name}`),
      );
      expect(covered.size).toBeGreaterThan(0);
      for (const l of leaves(schema)) if (!covered.has(l)) expect.soft(`${l} not emptied anywhere`).toBe('');
    }
  });

  it('xmllint gives a verdict on every file', () => {
    for (const c of cases) expect(xsd.has(c.file), c.file).toBe(true);
  });

  it('the unmodified messages are valid and parse without an error', () => {
    for (const c of cases.filter((x) => !x.node && !x.sample && !x.dxp)) {
      expect(xsd.get(c.file), c.file).toBe(true);
      expect(sandanAccepts(c), c.file).toBe(true);
    }
  });

  it('the XSD verdict on an emptied leaf is what its facets and value constraint say', () => {
    for (const c of cases.filter((x) => x.node?.type)) {
      const n = c.node!;
      // White space is content: a default or fixed value does not apply, and it collapses to '' in a number.
      const allowed = c.form === 'w' ? false : emptyAllowed(n);
      expect(xsd.get(c.file), `${c.file} ${n.path} ${JSON.stringify(n.type)} ${n.ifEmpty ?? ''}`).toBe(allowed);
    }
  });

  it('parseCebXml errs exactly when xmllint rejects: no difference for any emptied element', () => {
    const differences = cases
      .filter((c) => c.node || c.sample)
      .filter((c) => sandanAccepts(c) !== xsd.get(c.file))
      .map((c) => `${c.file} ${c.node?.path ?? c.sample?.name}: xmllint ${xsd.get(c.file) ? 'accepts' : 'rejects'}`);
    expect(differences).toEqual([]);
  });

  it('a DxpMsg: parseCebXml errs exactly when xmllint rejects an emptied wrapper element; empty is not missing', () => {
    const dxp = cases.filter((c) => c.dxp);
    expect(dxp).toHaveLength(24);
    expect(
      dxp.filter((c) => sandanAccepts(c) !== xsd.get(c.file)).map((c) => `${c.dxp}: xmllint ${xsd.get(c.file)}`),
    ).toEqual([]);
    // The leaves: MsgType may be empty (minLength 0), Data too (base64Binary), the others may not.
    const verdicts = Object.fromEntries(dxp.map((c) => [c.dxp, xsd.get(c.file)]));
    expect(verdicts['MsgType e']).toBe(true);
    expect(verdicts['Data s']).toBe(true);
    // …and a Data that is empty carries no message, which sandan says (the wrapper's verdict above leaves it out).
    for (const form of ['e', 's', 'w'])
      expect(parseCebXml(dxp.find((c) => c.dxp === `Data ${form}`)!.xml).issues.map((i) => [i.code, i.path])).toEqual([
        ['xml-payload', 'Data'],
      ]);
    expect(verdicts['CopMsgId e']).toBe(false);
    expect(verdicts['CopMsgId w']).toBe(true);
    expect(verdicts['CreatTime w']).toBe(false);
    const issue = (name: string) => parseCebXml(dxp.find((c) => c.dxp === name)!.xml).issues;
    expect(issue('CopMsgId e').map((i) => [i.code, i.path, i.message.en])).toEqual([
      ['xml-value', 'TransInfo.CopMsgId', 'TransInfo.CopMsgId is empty; the XSD requires at least 1 character'],
    ]);
    expect(issue('CreatTime s').map((i) => [i.code, i.path])).toEqual([['xml-value', 'TransInfo.CreatTime']]);
    expect(issue('ReceiverId s').map((i) => [i.code, i.path])).toEqual([
      ['xml-value', 'TransInfo.ReceiverIds.ReceiverId[0]'],
    ]);
    // ReceiverIds is there, but holds no ReceiverId (it needs one to five).
    expect(issue('ReceiverIds s').map((i) => [i.code, i.path])).toEqual([
      ['xml-missing-element', 'TransInfo.ReceiverIds.ReceiverId'],
    ]);
    expect(issue('MsgType e')).toEqual([]);
  });

  it('an empty leaf the XSD refuses is one `xml-value` error at the element, never "missing"', () => {
    const refused = cases.filter((x) => x.node?.type && !xsd.get(x.file));
    expect(refused.length).toBeGreaterThan(500);
    for (const c of refused) {
      const issues = parsed(c.xml).issues.filter((i) => i.code !== 'signature-missing');
      expect(
        issues.map((i) => [i.code, i.severity, i.path]),
        c.file,
      ).toEqual([['xml-value', 'error', c.node!.path]]);
      const t = c.node!.type!;
      const need =
        t.base === 'decimal'
          ? ['十进制数', 'a decimal']
          : t.base === 'int'
            ? ['整数', 'an integer']
            : t.length
              ? [`恰好 ${t.length} 个字符`, `exactly ${t.length} character${t.length === 1 ? '' : 's'}`]
              : [`至少 ${t.minLength} 个字符`, `at least ${t.minLength} character${t.minLength === 1 ? '' : 's'}`];
      const blank = c.form === 'w';
      expect(issues[0]!.message, c.file).toEqual({
        zh: `${c.node!.path} 为空${blank ? '（仅有空白）' : ''}，XSD 要求${need[0]}`,
        en: `${c.node!.path} is empty${blank ? ' (white space only)' : ''}; the XSD requires ${need[1]}`,
      });
      expect(valueAt(parsed(c.xml), c.node!.at!), c.file).toBeUndefined();
    }
  });

  it("an empty leaf the XSD accepts (its type takes '', or it has a fixed or default value) is no issue and no value", () => {
    const accepted = cases.filter((x) => x.node?.type && x.node.type.base !== 'xml' && xsd.get(x.file));
    expect(accepted.length).toBeGreaterThan(500);
    const constrained = new Set<string>();
    for (const c of accepted) {
      const m = parsed(c.xml);
      expect(
        m.issues.filter((i) => i.code !== 'signature-missing'),
        c.file,
      ).toEqual([]);
      // As if absent, required or not (the reconcile scanner reads it so too); the XSD's value is not filled in.
      expect(valueAt(m, c.node!.at!), `${c.file} ${c.node!.path}`).toBeUndefined();
      expect(valueAt(m, c.node!.at!.slice(0, -1)), c.file).toBeDefined();
      if (c.node!.ifEmpty !== undefined) constrained.add(`${c.node!.parent}/${c.node!.name}=${c.node!.ifEmpty}`);
    }
    // Every value constraint of the two XSDs (14 `fixed=`/`default=`): import currency fixed 142 (six elements);
    // export appStatus default 1 or 2, OrderHead freight default 0 (a decimal: empty is valid only thanks to it),
    // InventoryHead fFlag/iFlag fixed 3.
    expect([...constrained].sort()).toEqual([
      'ArrivalHead/appStatus=1',
      'InventoryHead/currency=142',
      'InventoryHead/fFlag=3',
      'InventoryHead/iFlag=3',
      'InventoryList/currency=142',
      'Logistics/appStatus=2',
      'LogisticsHead/currency=142',
      'OrderHead/appStatus=1',
      'OrderHead/currency=142',
      'OrderHead/freight=0',
      'OrderList/currency=142',
      'PaymentHead/currency=142',
      'Receipts/appStatus=1',
      'SummaryApplyHead/appStatus=2',
    ]);
  });
});

/** The value at a path of the parsed message. */
function valueAt(m: CebMessage, at: Array<string | number>): unknown {
  let v: unknown = m;
  for (const k of at) v = v === undefined ? undefined : (v as Record<string | number, unknown>)[k];
  return v;
}
