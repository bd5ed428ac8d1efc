/**
 * Generates the CEB element descriptors and what derives from them (the model documents' zod
 * schemas, model types and converters) from the official 2022-05 XSDs in test/fixtures/ceb-spec
 * plus the hand-kept overlay in src/model/overlay.ts. `npm run gen` writes the files; a test fails
 * when the checked-in copies are stale. Build time only: the runtime never reads an XSD.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CEB_OVERLAY, CEB_RECEIPT_OVERLAY, type FieldRule } from '../src/model/overlay.js';
import { TREE_MODELS_FILE, treeModelsFile } from './gen-tree-models.js';
import { readXml, XSD_DIR, type X } from './xsd.js';

type Schema = 'import' | 'export';
const XSD_FILES: Record<Schema, string> = { import: 'ceb-import.xsd', export: 'ceb-export.xsd' };

/** Generated files, by path from the repository root. */
export const DESCRIPTOR_FILES = {
  elements: 'src/model/generated/ceb-elements.ts',
  declaration: 'src/model/generated/declaration-documents.ts',
  other: 'src/model/generated/other-documents.ts',
  converters: 'src/model/generated/converters.ts',
} as const;

const kid = (x: X, name: string) => x.kids.find((k) => k.name === name);

// --- Descriptors ---

/** The XSD type of a leaf element. */
export interface LeafType {
  base: 'string' | 'decimal' | 'int' | 'xml';
  length?: number;
  minLength?: number;
  maxLength?: number;
  totalDigits?: number;
  fractionDigits?: number;
  whiteSpace?: 'replace' | 'collapse';
}

export interface Child {
  name: string;
  ns: 'ceb' | 'ds';
  min: number;
  max: number;
  /** Key of the child's own descriptor, for a complex child. */
  ref?: string;
  type?: LeafType;
  /** The XSD's value constraint of a leaf (`fixed="142"`, `default="1"`): the value it has when empty. */
  fixed?: string;
  default?: string;
  zh?: string;
  model?: FieldRule;
}

/** Every complex element of both XSDs: global ones by name, local ones as `Parent/Local`. */
export function readDescriptors(): Read {
  const out = { import: {}, export: {} } as Record<Schema, Record<string, Child[]>>;
  const zh = { import: {}, export: {} } as Record<Schema, Record<string, string>>;
  for (const schema of ['import', 'export'] as const) {
    const xsd = readXml(readFileSync(new URL(XSD_FILES[schema], XSD_DIR), 'utf8'));
    const table = out[schema];
    const globals = new Set(xsd.kids.filter((k) => k.name === 'xs:element').map((k) => k.attrs.name!));
    const sequence = (ct: X, key: string, el: X) => {
      const doc = kid(kid(el, 'xs:annotation') ?? el, 'xs:documentation')?.text.trim();
      if (doc) zh[schema][key] = doc;
      const seq = kid(ct, 'xs:sequence');
      table[key] = (seq?.kids ?? [])
        .filter((k) => k.name === 'xs:element')
        .map((e) => {
          const a = e.attrs;
          const name = (a.ref ?? a.name ?? '').replace(/^\w+:/, '');
          const c: Child = {
            name,
            ns: a.ref?.startsWith('ds:') ? 'ds' : 'ceb',
            min: a.minOccurs === undefined ? 1 : Number(a.minOccurs),
            max: a.maxOccurs === undefined ? 1 : a.maxOccurs === 'unbounded' ? Infinity : Number(a.maxOccurs),
          };
          const inner = kid(e, 'xs:complexType');
          if (inner) {
            c.ref = `${key}/${name}`;
            sequence(inner, c.ref, e);
          } else if (a.ref?.startsWith('ceb:') && globals.has(name)) c.ref = name;
          else if (c.ns === 'ceb') {
            c.type = leafType(e);
            if (a.fixed !== undefined) c.fixed = a.fixed;
            if (a.default !== undefined) c.default = a.default;
          }
          return c;
        });
    };
    for (const el of xsd.kids) {
      const ct = el.name === 'xs:element' ? kid(el, 'xs:complexType') : undefined;
      if (ct) sequence(ct, el.attrs.name!, el);
    }
  }
  return { elements: out, zh };
}

interface Read {
  elements: Record<Schema, Record<string, Child[]>>;
  zh: Record<Schema, Record<string, string>>;
}

function leafType(e: X): LeafType {
  const t = e.attrs.type;
  if (t === 'ceb:XMLElement') return { base: 'xml' };
  const r = kid(kid(e, 'xs:simpleType') ?? e, 'xs:restriction');
  const base = r?.attrs.base ?? t ?? 'xs:string';
  const out: LeafType = { base: base === 'xs:decimal' ? 'decimal' : base === 'xs:int' ? 'int' : 'string' };
  for (const f of r?.kids ?? []) {
    const facet = f.name.slice(3) as 'length' | 'minLength' | 'maxLength' | 'totalDigits' | 'fractionDigits';
    if (['length', 'minLength', 'maxLength', 'totalDigits', 'fractionDigits'].includes(facet))
      out[facet] = Number(f.attrs.value);
    // xs:string's own is preserve; the export XSD collapses 13 leaves (lengths count the collapsed value).
    else if (f.name === 'xs:whiteSpace' && f.attrs.value !== 'preserve')
      out.whiteSpace = f.attrs.value as 'replace' | 'collapse';
  }
  return out;
}

/** The head (and line) elements of a model document, as documentLayout reads them. */
function layout(all: Record<string, Child[]>, root: string): { head: string; list?: Child } {
  const element = all[root]![0]!;
  const inner = all[element.ref!]!;
  if (inner.every((c) => c.type)) return { head: element.ref! };
  const [head, list] = inner;
  return list ? { head: head!.ref!, list } : { head: head!.ref! };
}

/** Descriptors with the overlay's names, and its model rules on the model documents' elements. */
export function descriptors(): Read {
  const read = readDescriptors();
  for (const schema of ['import', 'export'] as const) {
    const all = read.elements[schema];
    const modelled = new Set<string>();
    for (const d of CEB_OVERLAY.documents.filter((x) => all[x.root])) {
      const { head, list } = layout(all, d.root);
      modelled.add(head);
      if (list?.ref) modelled.add(list.ref);
    }
    for (const [key, children] of Object.entries(all)) {
      for (const c of children) {
        if (!c.type) continue;
        const zh = CEB_OVERLAY.names[c.name];
        if (zh) c.zh = zh;
        if (!modelled.has(key)) continue;
        const rules = CEB_OVERLAY.rules;
        const rule = rules[`${schema}:${key}.${c.name}`] ?? rules[`${schema}:*.${c.name}`] ?? rules[`*.${c.name}`];
        if (rule) c.model = rule;
      }
    }
  }
  return read;
}

// --- Emitting ---

const HEADER = (what: string) =>
  `/*\n * generated by scripts/gen-descriptors.ts from test/fixtures/ceb-spec/xsd-202205 (the official 2022-05 CEB XSDs)\n * and src/model/overlay.ts — do not edit; run \`npm run gen\`. ${what}\n */\n`;

const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Runs Biome's formatter over generated source, so that the checked-in files are Biome-clean. */
export function format(path: string, source: string): string {
  return execFileSync(
    fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url)),
    ['format', `--stdin-file-path=${path}`],
    {
      input: source,
      encoding: 'utf8',
    },
  );
}

function leafLiteral(t: LeafType): string {
  return `{ ${Object.entries(t)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? q(v) : v}`)
    .join(', ')} }`;
}

function ruleLiteral(r: FieldRule): string {
  return JSON.stringify(r)
    .replace(/"(\w+)":/g, '$1: ')
    .replace(/"/g, "'");
}

function elementsFile(
  all: Record<Schema, Record<string, Child[]>>,
  zh: Record<Schema, Record<string, string>>,
): string {
  const out = [
    HEADER('One descriptor per complex element; leaves are described by their parent.'),
    `import type { FieldRule } from '../overlay.js';

/** The XSD type of a leaf element (lengths in characters; decimals N19,5 in these XSDs). */
export interface CebLeafType {
  base: 'string' | 'decimal' | 'int' | 'xml';
  length?: number;
  minLength?: number;
  maxLength?: number;
  totalDigits?: number;
  fractionDigits?: number;
  /** The XSD's whiteSpace facet when not xs:string's preserve: the value is normalised before its length is counted. */
  whiteSpace?: 'replace' | 'collapse';
}

/** A model-level rule beyond the XSD type: the overlay's own type (a type import: no code of it at run time). */
export type CebFieldRule = FieldRule;

/** One child of a complex element, in XSD order. */
export interface CebChild {
  name: string;
  ns: 'ceb' | 'ds';
  min: number;
  /** Upper bound; \`Infinity\` for unbounded. */
  max: number;
  /** Key of the child's descriptor (a global element name or \`Parent/Local\`), for a complex child. */
  ref?: string;
  /** The XSD type, for a leaf. */
  type?: CebLeafType;
  /** The XSD's fixed value of a leaf (\`fixed="142"\`): an empty element has it, another value is invalid. */
  fixed?: string;
  /** The XSD's default value of a leaf (\`default="1"\`): an empty element has it. */
  default?: string;
  /** Chinese name of a leaf. */
  zh?: string;
  /** What the model enforces beyond the XSD, on the fields of model documents. */
  model?: CebFieldRule;
}

/** A complex element: its name, namespace and children. */
export interface CebElement {
  name: string;
  ns: 'ceb';
  /** The XSD annotation of the element, when it has one. */
  zh?: string;
  children: readonly CebChild[];
}
`,
  ];
  for (const schema of ['import', 'export'] as const) {
    out.push(
      `/** Complex elements of the ${schema} XSD (xsd-202205/${XSD_FILES[schema]}), by key. */`,
      '// biome-ignore format: one line per child',
      `export const CEB_${schema.toUpperCase()}_ELEMENTS: Readonly<Record<string, CebElement>> = {`,
    );
    for (const [key, children] of Object.entries(all[schema])) {
      const name = key.split('/').pop()!;
      const z = zh[schema][key];
      out.push(`  ${q(key)}: {`, `    name: ${q(name)},`, `    ns: 'ceb',`);
      if (z) out.push(`    zh: ${q(z)},`);
      out.push('    children: [');
      for (const c of children) {
        const parts = [`name: ${q(c.name)}`];
        if (c.ns === 'ds') parts.push(`ns: 'ds'`);
        else parts.push(`ns: 'ceb'`);
        parts.push(`min: ${c.min}`, `max: ${c.max}`);
        if (c.ref) parts.push(`ref: ${q(c.ref)}`);
        if (c.type) parts.push(`type: ${leafLiteral(c.type)}`);
        if (c.fixed !== undefined) parts.push(`fixed: ${q(c.fixed)}`);
        if (c.default !== undefined) parts.push(`default: ${q(c.default)}`);
        if (c.zh) parts.push(`zh: ${q(c.zh)}`);
        if (c.model) parts.push(`model: ${ruleLiteral(c.model)}`);
        out.push(`      { ${parts.join(', ')} },`);
      }
      out.push('    ],', '  },');
    }
    out.push('};', '');
  }
  out.push(
    '/** Chinese names of CEB fields and of the model documents, for issue messages. */',
    'export const CEB_FIELD_NAMES_ZH: Readonly<Record<string, string>> = {',
    ...Object.entries(CEB_OVERLAY.names).map(([k, v]) => `  ${k}: ${q(v)},`),
    '};',
    '',
  );
  return out.join('\n');
}

/** The zod expression of a model field: its overlay rule, else what its XSD type implies. */
function fieldExpr(c: Child): string {
  const r = c.model ?? {};
  const t = c.type!;
  let e: string;
  if (r.literal !== undefined) e = `z.literal(${q(r.literal)})`;
  else if (r.enum) e = `z.enum([${r.enum.map(q).join(', ')}])`;
  else if (r.digits !== undefined) e = `digits(${r.digits})`;
  else if (r.pattern !== undefined) e = `z.string().regex(/${r.pattern}/)`;
  else if (r.format) e = `${r.format}()`;
  else if (r.int) e = `int(${r.int.join(', ')})`;
  else if (r.fixed !== undefined) e = `fixed(${r.fixed})`;
  else if (r.maxLength !== undefined) e = `text(${r.maxLength})`;
  else if (t.base === 'decimal') e = 'amount()';
  else if (t.base === 'int') e = 'int()';
  else if (t.length !== undefined) e = `fixed(${t.length})`;
  else if (t.maxLength !== undefined) e = `text(${t.maxLength})`;
  else throw new Error(`no model check for ${c.name}: give it an overlay rule`);
  return (r.optional ?? c.min === 0) ? `${e}.optional()` : e;
}

interface Doc {
  spec: (typeof CEB_OVERLAY.documents)[number];
  head: Child[];
  list?: { particle: Child; fields: Child[] };
}

function modelDocuments(all: Record<Schema, Record<string, Child[]>>): Doc[] {
  return CEB_OVERLAY.documents.map((spec) => {
    // Message roots are unique across the two XSDs: the one that defines the root is the document's.
    const table = all.import[spec.root] ? all.import : all.export;
    const { head, list } = layout(table, spec.root);
    const doc: Doc = { spec, head: table[head]! };
    if (list?.ref) doc.list = { particle: list, fields: table[list.ref]! };
    return doc;
  });
}

function shape(fields: Child[], items?: string): string[] {
  const env = CEB_OVERLAY.envelope;
  const lines: string[] = [];
  let i = 0;
  if (env.every((n, k) => fields[k]?.name === n)) {
    lines.push('  ...envelope,');
    i = env.length;
  }
  for (; i < fields.length; i++) lines.push(`  ${fields[i]!.name}: ${fieldExpr(fields[i]!)},`);
  if (items) lines.push(`  items: ${items},`);
  return lines;
}

const names = (fields: Child[], base: LeafType['base']) =>
  fields.filter((c) => c.type?.base === base).map((c) => c.name);
const union = (xs: string[]) => (xs.length ? xs.map(q).join(' | ') : 'never');

function modelType(schema: string, fields: Child[]): string {
  const a = names(fields, 'decimal');
  const i = names(fields, 'int');
  return a.length + i.length === 0 ? schema : `Model<${schema}, ${union(a)}${i.length ? `, ${union(i)}` : ''}>`;
}

function documentsFile(docs: Doc[], module: 'declaration' | 'other'): string {
  const mine = docs.filter((d) => d.spec.module === module);
  const used = new Set<string>();
  const body: string[] = [];
  for (const { spec, head, list } of mine) {
    const [sDoc, tDoc, lsDoc, ltDoc] = spec.doc;
    let items: string | undefined;
    if (list && spec.item) {
      const { min, max } = list.particle;
      items = `z.array(${spec.item}Schema)${min > 0 ? `.min(${min})` : ''}${Number.isFinite(max) ? `.max(${max})` : ''}`;
      body.push(`/** ${lsDoc} */`, `export const ${spec.item}Schema = z.object({`, ...shape(list.fields), '});', '');
    }
    body.push(`/** ${sDoc} */`, `export const ${spec.name}Schema = z.object({`, ...shape(head, items), '});', '');
    if (list && spec.item) {
      body.push(
        `/** ${ltDoc} */`,
        `export type ${spec.item} = ${modelType(`z.output<typeof ${spec.item}Schema>`, list.fields)};`,
      );
      body.push(
        `/** ${tDoc} */`,
        `export type ${spec.name} = ${modelType(`Omit<z.output<typeof ${spec.name}Schema>, 'items'>`, head)} & { items: ${spec.item}[] };`,
        '',
      );
    } else
      body.push(
        `/** ${tDoc} */`,
        `export type ${spec.name} = ${modelType(`z.output<typeof ${spec.name}Schema>`, head)};`,
        '',
      );
  }
  const text = body.join('\n');
  for (const p of ['amount', 'date8', 'dateTime14', 'digits', 'envelope', 'fixed', 'gcode', 'int', 'text'])
    if (new RegExp(`\\b${p}\\b[(,]`).test(text)) used.add(p);
  const head = [
    HEADER(
      module === 'declaration'
        ? 'The documents of a declaration (CEB311, CEB411, CEB511, CEB621): zod schemas and model types.'
        : 'The other documents sandan builds and reads: zod schemas and model types.',
    ),
    "import type { Decimal } from 'decimal.js';",
    "import { z } from 'zod';",
    `import { ${[...used].sort().join(', ')} } from '../primitives.js';`,
    '',
    '/** Replaces the wire types of amount and integer fields with their model types. */',
    'type Model<T, A extends string, I extends string = never> = Omit<T, A | I> & {',
    '  [K in A & keyof T]: undefined extends T[K] ? Decimal | undefined : Decimal;',
    '} & {',
    '  [K in I & keyof T]: number;',
    '};',
    '',
  ];
  return [...head, text].join('\n');
}

/*
 * Converters from checked wire data to the model: one function per document with the field names
 * written out. Every validation converts ten or so objects, and a generic loop over key lists
 * (keyed, megamorphic access) cost several times more.
 */
function convertersFile(docs: Doc[]): string {
  const out = [
    HEADER('Converters from checked wire data to the model: amounts become Decimal, integers numbers.'),
    "import { Dec, decimalOfText } from '../primitives.js';",
    '',
    'type Wire = Record<string, unknown>;',
    '',
    '/** A checked amount as a Decimal (undefined stays undefined). */',
    'function amt(v: unknown): unknown {',
    "  return v === undefined || v instanceof Dec ? v : decimalOfText(typeof v === 'number' ? String(v) : (v as string));",
    '}',
    '',
  ];
  const fn = (name: string, fields: Child[], item?: string) => {
    const a = names(fields, 'decimal');
    const i = names(fields, 'int');
    out.push(`/** ${name}: copies the document, converting ${[...a, ...i].join(', ') || 'its lines'}. */`);
    out.push(`export function convert${name}(doc: Wire): Wire {`);
    if (a.length + i.length) out.push(`  const { ${[...a, ...i].join(', ')} } = doc;`);
    out.push('  const out: Wire = { ...doc };');
    for (const n of a) out.push(`  if (${n} !== undefined) out.${n} = amt(${n});`);
    for (const n of i) out.push(`  if (typeof ${n} === 'string') out.${n} = Number(${n});`);
    if (item) {
      out.push(
        '  const items = doc.items;',
        '  if (Array.isArray(items)) {',
        '    const lines = new Array<Wire>(items.length);',
        `    for (let k = 0; k < items.length; k++) lines[k] = convert${item}(items[k] as Wire);`,
        '    out.items = lines;',
        '  }',
      );
    }
    out.push('  return out;', '}', '');
  };
  const byRoot: string[] = [];
  for (const { spec, head, list } of docs) {
    if (list && spec.item) fn(spec.item, list.fields);
    fn(spec.name, head, list && spec.item);
    byRoot.push(`  ${spec.root}: convert${spec.name},`);
  }
  out.push('/** The converter of each model document, by message root. */');
  out.push('export const CONVERT_BY_ROOT: Readonly<Record<string, (doc: Wire) => Wire>> = {', ...byRoot, '};', '');
  // The leaves the XSD lets be left out (minOccurs 0): JSON '' in one of them reads as absent (src/model/empty.ts).
  const optional = (fields: Child[]) =>
    `[${fields
      .filter((c) => c.type && c.min === 0)
      .map((c) => q(c.name))
      .join(', ')}]`;
  out.push(
    '/** The fields of each model document that the XSD lets be left out (minOccurs 0), of its head and of its lines (`items`), by message root. */',
    'export const OPTIONAL_BY_ROOT: Readonly<Record<string, { head: readonly string[]; items?: readonly string[] }>> = {',
    ...docs.map(
      ({ spec, head, list }) =>
        `  ${spec.root}: { head: ${optional(head)}${list && spec.item ? `, items: ${optional(list.fields)}` : ''} },`,
    ),
    '};',
    '',
  );
  return out.join('\n');
}

// --- Message names and the buildable messages (src/xml/generated/messages.ts) ---

/** The generated table of messages, by path from the repository root. */
export const MESSAGES_FILE = 'src/xml/generated/messages.ts';

/**
 * MESSAGE_NAMES: every message root of the two XSDs with its overlay names and the XSD that defines it; BUILDABLE:
 * the overlay's documents by message type, with `signatureRequired` where the XSD makes ds:Signature mandatory.
 */
function messagesFile(all: Record<Schema, Record<string, Child[]>>): string {
  const roots = (schema: Schema) => Object.keys(all[schema]).filter((k) => /^CEB\d+Message$/.test(k));
  const names = CEB_OVERLAY.messages;
  const defined = [...roots('import'), ...roots('export')];
  const unnamed = defined.filter((r) => !Object.hasOwn(names, r));
  const stray = [...Object.keys(names), ...CEB_OVERLAY.sentByCustoms].filter((r) => !defined.includes(r));
  if (unnamed.length || stray.length)
    throw new Error(
      `overlay messages: no name for ${unnamed.join(', ') || '-'}; not an XSD root: ${stray.join(', ') || '-'}`,
    );
  const schemaOf = (root: string): Schema => (all.import[root] ? 'import' : 'export');
  const typeOf = (root: string) => root.slice(0, -'Message'.length);
  // Import before export, each by message number: the order listings and `sandan build --help` show.
  const docs = [...CEB_OVERLAY.documents].sort(
    (a, b) =>
      Number(schemaOf(a.root) === 'export') - Number(schemaOf(b.root) === 'export') ||
      typeOf(a.root).localeCompare(typeOf(b.root)),
  );
  const signed = (root: string) => all[schemaOf(root)][root]!.some((c) => c.name === 'Signature' && c.min > 0);
  const from = (module: 'declaration' | 'other') => {
    const mine = docs.filter((d) => d.module === module).map((d) => d.name);
    return `import { ${[...mine.map((n) => `${n}Schema`), ...mine.map((n) => `type ${n}`)].join(', ')} } from '../../model/generated/${module === 'declaration' ? 'declaration' : 'other'}-documents.js';`;
  };
  return [
    HEADER('Message names, and the messages sandan builds with their documents.'),
    "import type { z } from 'zod';",
    "import type { CebSchema } from '../content-model.js';",
    from('declaration'),
    from('other'),
    '',
    '/** A message root of MESSAGE_NAMES: the XSD that defines it, its names, and who writes it (customs: a receipt, a tax bill). */',
    'export interface MessageName {',
    '  schema: CebSchema;',
    '  zh: string;',
    '  en: string;',
    "  sender: 'customs' | 'enterprise';",
    '}',
    '',
    '/** Names of every message root of the two business XSDs (receipts included), by root element. */',
    'export const MESSAGE_NAMES: Readonly<Record<string, MessageName>> = {',
    ...defined.map(
      (r) =>
        `  ${r}: { schema: ${q(schemaOf(r))}, zh: ${q(names[r]![0])}, en: ${q(names[r]![1])}, sender: ${q(CEB_OVERLAY.sentByCustoms.includes(r) ? 'customs' : 'enterprise')} },`,
    ),
    '};',
    '',
    '/** What sandan knows about one buildable message type. */',
    'export interface BuildableMessage {',
    '  root: string;',
    '  schema: CebSchema;',
    '  /** Key of the document in `sandan build` input, e.g. `order`. */',
    '  key: string;',
    '  zh: string;',
    '  en: string;',
    '  documentSchema: z.ZodType;',
    '  /** The XSD makes ds:Signature mandatory: the built message is complete only once signed. */',
    '  signatureRequired: boolean;',
    '}',
    '',
    "/** A buildable message's entry: its root, schema and names from {@link MESSAGE_NAMES}. */",
    'function buildable(root: string, key: string, documentSchema: z.ZodType, signatureRequired: boolean): BuildableMessage {',
    '  const { schema, zh, en } = MESSAGE_NAMES[root]!;',
    '  return { root, schema, key, zh, en, documentSchema, signatureRequired };',
    '}',
    '',
    '/** The messages sandan builds, by message type. */',
    'export const BUILDABLE = {',
    ...docs.map(
      (d) => `  ${typeOf(d.root)}: buildable(${q(d.root)}, ${q(d.key)}, ${d.name}Schema, ${signed(d.root)}),`,
    ),
    '} as const;',
    '',
    '/** A message type sandan can build, e.g. `CEB621`. */',
    'export type BuildableType = keyof typeof BUILDABLE;',
    '',
    '/** The model type of the documents of each buildable message. */',
    'export interface DocumentOf {',
    ...docs.map((d) => `  ${typeOf(d.root)}: ${d.name};`),
    '}',
    '',
  ].join('\n');
}

// --- Receipt documents: what buildReceipt (src/xml/receipt-build.ts) takes, from the XSD and CEB_RECEIPT_OVERLAY ---

/** The generated receipt documents, by path from the repository root. */
export const RECEIPT_DOCUMENTS_FILE = 'src/model/generated/receipt-documents.ts';

/** The rule of a receipt leaf: the receipt overlay's, else the model's (most specific key first in each). */
function receiptRule(key: string, name: string): FieldRule | undefined {
  const find = (rules: Readonly<Record<string, FieldRule>>) =>
    rules[`import:${key}.${name}`] ?? rules[`import:*.${name}`] ?? rules[`*.${name}`];
  return find(CEB_RECEIPT_OVERLAY.rules) ?? find(CEB_OVERLAY.rules);
}

/** A receipt field's zod expression; unlike declarations, receipts have required fields the XSD lets be empty (CEB900). */
function receiptFieldExpr(key: string, c: Child): string {
  const model = receiptRule(key, c.name);
  const t = c.type!;
  if (!model && t.base === 'string' && t.minLength === 0) {
    const e = t.maxLength === undefined ? 'z.string()' : `z.string().max(${t.maxLength})`;
    return c.min === 0 ? `${e}.optional()` : e;
  }
  return fieldExpr(model ? { ...c, model } : c);
}

function receiptDocumentsFile(all: Record<string, Child[]>): string {
  const body: string[] = [];
  const table: string[] = [];
  const shapeOf = (key: string, items?: string) => [
    ...all[key]!.map((c) => `  ${c.name}: ${receiptFieldExpr(key, c)},`),
    ...(items ? [`  items: ${items},`] : []),
  ];
  for (const spec of CEB_RECEIPT_OVERLAY.receipts) {
    const { head, list } = layout(all, spec.root);
    const [sDoc, tDoc, lsDoc, ltDoc] = spec.doc;
    let items: string | undefined;
    if (list?.ref && spec.item) {
      const { min, max } = list;
      items = `z.array(${spec.item}Schema)${min > 0 ? `.min(${min})` : ''}${Number.isFinite(max) ? `.max(${max})` : ''}`;
      body.push(`/** ${lsDoc} */`, `export const ${spec.item}Schema = z.object({`, ...shapeOf(list.ref), '});', '');
      body.push(`/** ${ltDoc} */`, `export type ${spec.item} = z.input<typeof ${spec.item}Schema>;`, '');
    }
    body.push(`/** ${sDoc} */`, `export const ${spec.name}Schema = z.object({`, ...shapeOf(head, items), '});', '');
    body.push(`/** ${tDoc} */`, `export type ${spec.name} = ReceiptInput<z.input<typeof ${spec.name}Schema>>;`, '');
    table.push(`  ${spec.type}: { root: ${q(spec.root)}, key: ${q(spec.key)}, schema: ${spec.name}Schema },`);
  }
  const text = body.join('\n');
  const used = ['amount', 'digits', 'fixed', 'gcode', 'int', 'text'].filter((p) => new RegExp(`\\b${p}\\(`).test(text));
  return [
    HEADER('The receipts sandan builds (CEB312 … CEB900): zod schemas and input types.'),
    "import { z } from 'zod';",
    `import { ${used.join(', ')} } from '../primitives.js';`,
    "import { dateTime17 } from '../receipt-primitives.js';",
    '',
    '/** A receipt document as the builder takes it: returnTime also as a Date (written in Beijing time). */',
    "type ReceiptInput<T> = 'returnTime' extends keyof T ? Omit<T, 'returnTime'> & { returnTime?: string | Date } : T;",
    '',
    text,
    '/** The receipts sandan builds, by message type: root element, document key in issue paths, schema. */',
    'export const RECEIPT_DOCUMENTS = {',
    ...table,
    '} as const;',
    '',
  ].join('\n');
}

/** The generated files, by path from the repository root, formatted as checked in. */
export function generatedDescriptorFiles(): Record<string, string> {
  const { elements, zh } = descriptors();
  const docs = modelDocuments(elements);
  const raw: Record<string, string> = {
    [DESCRIPTOR_FILES.elements]: elementsFile(elements, zh),
    [DESCRIPTOR_FILES.declaration]: documentsFile(docs, 'declaration'),
    [DESCRIPTOR_FILES.other]: documentsFile(docs, 'other'),
    [DESCRIPTOR_FILES.converters]: convertersFile(docs),
    [RECEIPT_DOCUMENTS_FILE]: receiptDocumentsFile(elements.import),
    [TREE_MODELS_FILE]: treeModelsFile(),
    [MESSAGES_FILE]: messagesFile(elements),
  };
  return Object.fromEntries(Object.entries(raw).map(([p, s]) => [p, format(p, s)]));
}

/** Writes the generated files; returns their paths. */
export function writeDescriptorFiles(): string[] {
  const files = generatedDescriptorFiles();
  for (const [p, s] of Object.entries(files)) writeFileSync(new URL(`../${p}`, import.meta.url), s);
  return Object.keys(files);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  console.log(writeDescriptorFiles().join('\n'));
