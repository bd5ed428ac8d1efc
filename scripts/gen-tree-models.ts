/**
 * Generates the content models of the envelopes parseCebXml and parseDxpRep check as a tree, the DxpMsg and DxpRep
 * (dxp-terminal.xsd, dxp-transfer.xsd) and ds:Signature (customs' xmldsig-core-schema.xsd), from the official 2022-05 XSDs in
 * test/fixtures/ceb-spec. `npm run gen` writes src/xml/generated/tree-models.ts; test/descriptors.test.ts fails when
 * the checked-in copy is stale. Only the constructs these three XSDs use are read; anything else stops the script.
 */
import { readFileSync } from 'node:fs';
import { readXml, XSD_DIR, type X } from './xsd.js';

/** The generated file, by path from the repository root. */
export const TREE_MODELS_FILE = 'src/xml/generated/tree-models.ts';

/**
 * Elements accepted without looking inside though the XSD describes them: DSAKeyValue, PGPData and SPKIData, which no
 * CEB signer writes and verifyMessage refuses. Their XSD content (nested sequences in a choice) is also beyond what
 * the tree check reads.
 */
const OPAQUE: ReadonlySet<string> = new Set(['DSAKeyValue', 'PGPData', 'SPKIData']);

type Ns = 'dxp' | 'ds';
interface StringType {
  base: 'string';
  length?: number;
  minLength?: number;
  maxLength?: number;
}
type Text = StringType | 'dateTime' | 'date' | 'integer' | 'base64' | 'empty' | 'any';
interface Attribute {
  type: StringType | 'ID';
  required?: true;
  fixed?: string;
}
interface Model {
  children?: Array<[string, number, number]>;
  choice?: { names: string[]; min: number; max: number; other?: true };
  mixed?: true;
  text?: Text;
  attributes?: Record<string, Attribute>;
}

/** One XSD file's global declarations, by local name. */
interface Globals {
  ns: Ns;
  elements: Map<string, X>;
  complexTypes: Map<string, X>;
  simpleTypes: Map<string, X>;
}

const local = (name: string) => name.replace(/^[\w.-]+:/, '');
const prefix = (name: string) => (name.includes(':') ? name.slice(0, name.indexOf(':')) : '');
const kids = (x: X, name: string) => x.kids.filter((k) => local(k.name) === name);
const kid = (x: X, name: string) => kids(x, name)[0];
const occurs = (x: X, a: 'minOccurs' | 'maxOccurs') =>
  x.attrs[a] === undefined ? 1 : x.attrs[a] === 'unbounded' ? Infinity : Number(x.attrs[a]);

function fail(what: string, x?: X): never {
  throw new Error(`gen-tree-models: ${what}${x ? ` (${x.name} ${JSON.stringify(x.attrs)})` : ''}`);
}

function readGlobals(files: string[], ns: Ns): Globals {
  const g: Globals = { ns, elements: new Map(), complexTypes: new Map(), simpleTypes: new Map() };
  for (const file of files) {
    const xsd = readXml(readFileSync(new URL(file, XSD_DIR), 'utf8'));
    for (const k of xsd.kids) {
      const table = { element: g.elements, complexType: g.complexTypes, simpleType: g.simpleTypes }[local(k.name)];
      if (table && k.attrs.name) table.set(k.attrs.name, k);
    }
  }
  return g;
}

const SCHEMAS: Record<Ns, Globals> = {
  dxp: readGlobals(['dxp-terminal.xsd', 'dxp-transfer.xsd'], 'dxp'),
  ds: readGlobals(['xmldsig-core-schema.xsd'], 'ds'),
};

/** A built-in or named simple type (`xs:string`, `dxp:Key`, `ds:CryptoBinary`), or a restriction, as text. */
function simpleText(type: string | undefined, restriction: X | undefined, g: Globals): Text {
  if (restriction) {
    const base = simpleText(restriction.attrs.base, undefined, g);
    if (restriction.kids.length === 0) return base;
    if (base === 'any' || typeof base !== 'object') fail('facets on a non-string base', restriction);
    const out: StringType = { ...base };
    for (const f of restriction.kids) {
      const facet = local(f.name);
      if (facet !== 'length' && facet !== 'minLength' && facet !== 'maxLength') fail(`facet ${facet}`, f);
      out[facet] = Number(f.attrs.value);
    }
    return out;
  }
  if (type === undefined) return 'any';
  const name = local(type);
  if (prefix(type) === 'xs' || (prefix(type) === '' && g.ns === 'ds')) {
    const builtin: Record<string, Text> = {
      string: { base: 'string' },
      anyURI: { base: 'string' },
      dateTime: 'dateTime',
      date: 'date',
      integer: 'integer',
      base64Binary: 'base64',
    };
    return builtin[name] ?? fail(`built-in type ${type}`);
  }
  const named = g.simpleTypes.get(name) ?? fail(`simple type ${type}`);
  return simpleText(undefined, kid(named, 'restriction'), g);
}

function attributesOf(ct: X, g: Globals, into: Model): void {
  for (const a of kids(ct, 'attribute')) {
    const type = a.attrs.type === undefined ? undefined : local(a.attrs.type);
    const text = type === 'ID' ? 'ID' : simpleText(a.attrs.type, kid(kid(a, 'simpleType') ?? a, 'restriction'), g);
    if (text !== 'ID' && typeof text !== 'object') fail('a non-string attribute', a);
    const decl: Attribute = { type: text };
    if (a.attrs.use === 'required') decl.required = true;
    if (a.attrs.fixed !== undefined) decl.fixed = a.attrs.fixed;
    (into.attributes ??= {})[a.attrs.name!] = decl;
  }
}

/** The model of a complex type; `pending` collects the element declarations it names. */
function complexModel(ct: X, g: Globals, pending: Array<[X, Globals]>): Model {
  const model: Model = {};
  if (ct.attrs.mixed === 'true') model.mixed = true;
  const simple = kid(ct, 'simpleContent');
  if (simple) {
    const ext = kid(simple, 'extension') ?? fail('simpleContent without extension', simple);
    model.text = simpleText(ext.attrs.base, undefined, g);
    attributesOf(ext, g, model);
    return model;
  }
  attributesOf(ct, g, model);
  /** A child element: its name as the model names it (`ds:Signature` in the DXP schema), and its declaration. */
  const child = (e: X): string => {
    const ref = e.attrs.ref;
    if (ref === undefined) {
      pending.push([e, g]);
      return e.attrs.name!;
    }
    const schema = prefix(ref) === 'ds' ? SCHEMAS.ds : g;
    pending.push([schema.elements.get(local(ref)) ?? fail(`element ${ref}`, e), schema]);
    return schema === g ? local(ref) : `ds:${local(ref)}`;
  };
  let particle = kid(ct, 'sequence') ?? kid(ct, 'choice');
  if (particle === undefined) {
    if (!model.mixed) model.text = 'empty';
    return model;
  }
  let [min, max] = [occurs(particle, 'minOccurs'), occurs(particle, 'maxOccurs')];
  // A repeated sequence of one choice (X509Data) is that choice repeated.
  const only = particle.kids.filter((k) => local(k.name) !== 'annotation');
  if (local(particle.name) === 'sequence' && only.length === 1 && local(only[0]!.name) === 'choice') {
    const inner = only[0]!;
    [min, max] = [min * occurs(inner, 'minOccurs'), max * occurs(inner, 'maxOccurs')];
    particle = inner;
  }
  if (local(particle.name) === 'sequence') {
    if (min !== 1 || max !== 1) fail('a repeated sequence', particle);
    model.children = kids(particle, 'element').map((e) => [child(e), occurs(e, 'minOccurs'), occurs(e, 'maxOccurs')]);
    // (`only` is this sequence's: particle is another only when it became the inner choice)
    if (model.children.length !== only.length) fail('a sequence of other than elements', particle);
    return model;
  }
  const choice: Model['choice'] = { names: [], min, max };
  for (const k of particle.kids) {
    const what = local(k.name);
    if (what === 'element') {
      if (occurs(k, 'minOccurs') !== 1 || occurs(k, 'maxOccurs') !== 1) fail('a repeated element in a choice', k);
      choice.names.push(child(k));
    } else if (what === 'any' && k.attrs.namespace === '##other' && k.attrs.processContents === 'lax')
      choice.other = true;
    else fail(`${what} in a choice`, k);
  }
  model.choice = choice;
  return model;
}

function elementModel(e: X, g: Globals, pending: Array<[X, Globals]>): Model {
  const name = e.attrs.name!;
  if (OPAQUE.has(name)) return { text: 'any' };
  const inline = kid(e, 'complexType');
  if (inline) return complexModel(inline, g, pending);
  const type = e.attrs.type;
  const ct = type === undefined ? undefined : g.complexTypes.get(local(type));
  if (ct && prefix(type!) === g.ns) return complexModel(ct, g, pending);
  return { text: simpleText(type, kid(kid(e, 'simpleType') ?? e, 'restriction'), g) };
}

/** Every element reachable from `roots`, in the order first reached, by schema; a name declared twice must agree. */
function models(roots: Array<[Ns, string]>): Record<Ns, Map<string, Model>> {
  const out: Record<Ns, Map<string, Model>> = { dxp: new Map(), ds: new Map() };
  const pending: Array<[X, Globals]> = roots.map(([ns, n]) => [SCHEMAS[ns].elements.get(n)!, SCHEMAS[ns]]);
  while (pending.length) {
    const [e, g] = pending.shift()!;
    const name = e.attrs.name!;
    const found: Array<[X, Globals]> = [];
    const model = elementModel(e, g, found);
    const seen = out[g.ns].get(name);
    if (seen) {
      if (JSON.stringify(seen) !== JSON.stringify(model)) fail(`two models of ${name}`, e);
      continue;
    }
    out[g.ns].set(name, model);
    pending.push(...found);
  }
  return out;
}

const literal = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => (x === Infinity ? '__Infinity__' : x))
    .replace(/"__Infinity__"/g, 'Infinity')
    .replace(/"([A-Za-z_]\w*)":/g, '$1: ');

function table(name: string, doc: string, entries: Map<string, Model>): string[] {
  return [
    `/** ${doc} */`,
    `export const ${name}: Readonly<Record<string, TreeModel>> = {`,
    ...[...entries].map(([k, m]) => `  ${k}: ${literal(m)},`),
    '};',
    '',
  ];
}

/** The generated file's text (unformatted). */
export function treeModelsFile(): string {
  const { dxp, ds } = models([
    ['dxp', 'DxpMsg'],
    ['dxp', 'DxpMsgSv'],
    ['dxp', 'DxpRep'],
  ]);
  return [
    `/*\n * generated by scripts/gen-tree-models.ts from test/fixtures/ceb-spec/xsd-202205 (dxp-terminal.xsd, dxp-transfer.xsd,\n * xmldsig-core-schema.xsd of the official 2022-05 CEB XSDs) — do not edit; run \`npm run gen\`.\n */`,
    "import type { CebLeafType } from '../../model/generated/ceb-elements.js';",
    '',
    '/** The content model of one element of the DxpMsg envelope or of ds:Signature, as parseCebXml checks it. */',
    'export interface TreeModel {',
    '  /** Element content: the children in sequence, each with its bounds (`ds:Signature` names the signature). */',
    '  children?: ReadonlyArray<readonly [name: string, min: number, max: number]>;',
    '  /**',
    '   * Element content as a repeated choice: each child one of `names`, or, with `other` (xs:any ##other, lax), any',
    '   * element of another namespace, accepted without looking inside; between `min` and `max` of them.',
    '   */',
    '  choice?: { names: readonly string[]; min: number; max: number; other?: true };',
    '  /** Text may stand between the children (mixed="true"). */',
    '  mixed?: true;',
    '  /**',
    '   * Simple content: a string type, `dateTime`, `date`, `integer`, `base64` (xs:base64Binary), `empty`, or `any`',
    '   * (xs:anyType, or content accepted without looking inside).',
    '   */',
    "  text?: CebLeafType | 'dateTime' | 'date' | 'integer' | 'base64' | 'empty' | 'any';",
    "  attributes?: Readonly<Record<string, { type: CebLeafType | 'ID'; required?: true; fixed?: string }>>;",
    '}',
    '',
    ...table(
      'DXP_MODEL',
      "dxp-terminal.xsd's DxpMsg and DxpRep (the exchange's response) and dxp-transfer.xsd's DxpMsgSv (an SvNo head, then one DxpMsg), element by element.",
      dxp,
    ),
    ...table(
      'DS_MODEL',
      "Customs' xmldsig-core-schema.xsd (W3C's 2002 schema, narrower: Signature has no Object, and SignedInfo, SignatureValue, KeyInfo and Transforms have no Id), element by element; DSAKeyValue, PGPData and SPKIData are accepted without looking inside.",
      ds,
    ),
  ].join('\n');
}
