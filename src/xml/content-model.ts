import {
  CEB_EXPORT_ELEMENTS,
  CEB_IMPORT_ELEMENTS,
  type CebChild,
  type CebElement,
  type CebLeafType,
} from '../model/generated/ceb-elements.js';
import { SandanError } from '../errors.js';
import { checkArgument, describeInput, ownValue } from '../model/guards.js';

/** The business namespace of every CEB message. */
export const CEB_NS = 'http://www.chinaport.gov.cn/ceb';
/** The W3C XML-DSig namespace of `ds:Signature`. */
export const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
/** The XML Schema instance namespace (`xsi:schemaLocation` hints on a root). */
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
/** The DXP transport namespace: the terminal-node `DxpMsg` and the transfer-node `DxpMsgSv`. */
export const DXP_NS = 'http://www.chinaport.gov.cn/dxp';

/** Which of the two business XSDs defines a message. */
export type CebSchema = 'import' | 'export';

/** How a leaf element's text is typed: string, decimal (N19,5), xs:int, or arbitrary XML. */
export type LeafKind = 's' | 'd' | 'i' | 'x';

/** One element of a content model, in XSD order. */
export interface Particle {
  name: string;
  ns: 'ceb' | 'ds';
  min: number;
  /** Upper bound; `Infinity` for unbounded. */
  max: number;
  /** Set for leaf elements. */
  kind?: LeafKind;
  /** Key of the complex content (a global element name or `Parent/Local`); set for complex elements. */
  def?: string;
}

const TABLES: Record<CebSchema, Readonly<Record<string, CebElement>>> = {
  import: CEB_IMPORT_ELEMENTS,
  export: CEB_EXPORT_ELEMENTS,
};
const cache: Record<CebSchema, Map<string, readonly Particle[]>> = { import: new Map(), export: new Map() };
const KINDS = { string: 's', decimal: 'd', int: 'i', xml: 'x' } as const;

/** What the XSD says of a leaf beyond its kind: its type's facets and the value it has when empty. */
export interface LeafType {
  type: CebLeafType;
  /** The XSD's fixed or default value: an empty element has it. */
  ifEmpty?: string | undefined;
  /** The XSD's fixed value: a non-empty element must have it too. */
  fixed?: string | undefined;
}
// Kept beside the particles (internal: parseCebXml's checks of values), not on them.
const leafTypes = new WeakMap<Particle, LeafType>();

/** The XSD type of a leaf particle of {@link contentModel}; undefined for other particles. */
export function leafTypeOf(p: Particle): LeafType | undefined {
  return leafTypes.get(p);
}

function particle(c: CebChild): Particle {
  const p: Particle = { name: c.name, ns: c.ns, min: c.min, max: c.max };
  if (c.ref !== undefined) p.def = c.ref;
  else if (c.type) {
    p.kind = KINDS[c.type.base];
    leafTypes.set(p, { type: c.type, ifEmpty: c.fixed ?? c.default, fixed: c.fixed });
  }
  return p;
}

/** The particles of one content model, e.g. `contentModel('import', 'OrderHead')`, read off the generated descriptors. */
export function contentModel(schema: CebSchema, key: string): readonly Particle[] {
  checkSchema(schema, 'contentModel');
  checkArgument(key, 'text', 'contentModel', 'the key');
  return particlesOf(schema, key);
}

/** INVALID_OPTION unless `schema` names one of the XSDs (`import`, `export`). */
function checkSchema(schema: unknown, fn: string): void {
  if (schema !== 'import' && schema !== 'export')
    throw new SandanError(
      'INVALID_OPTION',
      `${fn}: the schema must be 'import' or 'export', got ${describeInput(schema)}`,
    );
}

/** {@link contentModel} without the checks of a caller's arguments: for the XML reader and writer, per element. */
export function particlesOf(schema: CebSchema, key: string): readonly Particle[] {
  const hit = cache[schema].get(key);
  if (hit) return hit;
  const element = ownValue(TABLES[schema], key);
  if (element === undefined) throw new SandanError('INVALID_OPTION', `No content model ${key} in the ${schema} XSD`);
  const particles = element.children.map(particle);
  cache[schema].set(key, particles);
  return particles;
}

/** True when the schema defines a global element of that name. */
export function hasModel(schema: CebSchema, key: string): boolean {
  return Object.hasOwn(TABLES[schema], key);
}

/** How a document is laid out: flat fields, a wrapped head, or a head with line items. */
export interface DocumentLayout {
  /** The document element under the root, e.g. `Order` or `LogisticsStatus`. */
  element: Particle;
  /** Complex content of the head element (`OrderHead`), or of the document itself when flat. */
  head: { name?: string; fields: readonly Particle[] };
  /** The repeated line element (`OrderList`) and its fields, when the document has lines. */
  list?: { particle: Particle; fields: readonly Particle[] };
}

/** The element that holds a document's head fields: its head element (`OrderHead`), or the document itself when flat. */
export function headElementOf(layout: DocumentLayout): string {
  return layout.head.name ?? layout.element.name;
}

const layouts: Record<CebSchema, Map<string, DocumentLayout>> = { import: new Map(), export: new Map() };

/**
 * The document layout of a message root. Documents are flattened the way src/model holds them:
 * head fields at the top, lines under `items`.
 */
export function documentLayout(schema: CebSchema, root: string): DocumentLayout {
  checkSchema(schema, 'documentLayout');
  checkArgument(root, 'text', 'documentLayout', 'the root');
  return layoutOf(schema, root);
}

/** {@link documentLayout} without the checks of a caller's arguments: for sandan's own callers. */
export function layoutOf(schema: CebSchema, root: string): DocumentLayout {
  const hit = layouts[schema].get(root);
  if (hit) return hit;
  const element = particlesOf(schema, root)[0];
  if (!element?.def) throw new SandanError('INVALID_OPTION', `${root} has no document element`);
  const inner = particlesOf(schema, element.def);
  let layout: DocumentLayout;
  if (inner.every((p) => p.kind !== undefined)) {
    layout = { element, head: { fields: inner } };
  } else {
    const [head, list] = inner;
    if (!head?.def) throw new SandanError('INVALID_OPTION', `${root}: unexpected document layout`);
    layout = { element, head: { name: head.name, fields: particlesOf(schema, head.def) } };
    if (list?.def) layout.list = { particle: list, fields: particlesOf(schema, list.def) };
  }
  layouts[schema].set(root, layout);
  return layout;
}
