import { SandanError } from '../errors.js';
import { CEB_NS, contentModel } from '../xml/content-model.js';
import { decodeEntities } from '../xml/entities.js';

/*
 * A streaming scanner for the flat CEB documents reconciliation reads in bulk: tax bills
 * (CEB816), their status (CEB818) and the receipts (CEB312/412/512/514/622/624/626). It does
 * not build a tree: it checks the root element and its namespace, then cuts the text into
 * document blocks (`<Tax>`, `<InventoryReturn>`…) and reads their leaf elements whatever their
 * prefix. It reads exactly the fields the XSD declares, as `parseCebXml` does (the tests hold
 * the two to the same answers); it does not check well-formedness beyond what it reads.
 */

/** Message types the scanner reads. */
export type ScannedType = 'CEB312' | 'CEB412' | 'CEB512' | 'CEB514' | 'CEB622' | 'CEB624' | 'CEB626' | 'CEB816' | 'CEB818';

/** One document as the scanner reads it: leaf texts (entities decoded, empty leaves left out). */
export interface ScannedDocument {
  messageType: ScannedType;
  fields: Record<string, string>;
  /** Lines (`TaxListRd`) of a CEB816 tax bill; empty for the other types. */
  items: Array<Record<string, string>>;
}

interface Shape {
  block: string;
  head?: string;
  list?: string;
}

const SHAPES: Record<ScannedType, Shape> = {
  CEB312: { block: 'OrderReturn' },
  CEB412: { block: 'PaymentReturn' },
  CEB512: { block: 'LogisticsReturn' },
  CEB514: { block: 'LogisticsStatusReturn' },
  CEB622: { block: 'InventoryReturn' },
  CEB624: { block: 'InvtCancelReturn' },
  CEB626: { block: 'InvtRefundReturn' },
  CEB816: { block: 'Tax', head: 'TaxHeadRd', list: 'TaxListRd' },
  CEB818: { block: 'Tax', head: 'TaxHeadStatus' },
};

/** True when the message type is one the scanner reads. */
export function isScannedType(type: string): type is ScannedType {
  return Object.prototype.hasOwnProperty.call(SHAPES, type);
}

const fieldSets = new Map<string, ReadonlySet<string>>();
function fieldsOf(element: string): ReadonlySet<string> {
  let s = fieldSets.get(element);
  if (!s) {
    s = new Set(contentModel('import', element).filter((p) => p.kind !== undefined).map((p) => p.name));
    fieldSets.set(element, s);
  }
  return s;
}

const UNSAFE = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;
const NAME = '[A-Za-z_][\\w.-]*';
const ROOT_TAG = new RegExp(`^<(?:(${NAME}):)?(${NAME})((?:\\s+[^\\s=/>]+\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*(/?)>`);
const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const DECLARED_ENCODING = /^<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/;
// A leaf: start tag, text and CDATA, end tag with the same qualified name (or an empty-element tag).
const LEAF = new RegExp(`<(${NAME}:)?(${NAME})(?:\\s[^>]*?)?(?:/>|>((?:[^<]|<!\\[CDATA\\[[\\s\\S]*?\\]\\]>)*)</\\1\\2\\s*>)`, 'g');

function leafText(raw: string): string {
  if (raw.indexOf('<![CDATA[') === -1) return decodeEntities(raw);
  let out = '';
  let pos = 0;
  for (;;) {
    const start = raw.indexOf('<![CDATA[', pos);
    if (start === -1) return out + decodeEntities(raw.slice(pos));
    const end = raw.indexOf(']]>', start + 9);
    out += decodeEntities(raw.slice(pos, start)) + raw.slice(start + 9, end);
    pos = end + 3;
  }
}

/** Reads the leaves of one element's content: the XSD's fields, first occurrence wins, empty ones left out. */
function readLeaves(content: string, allowed: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  LEAF.lastIndex = 0;
  for (let m = LEAF.exec(content); m; m = LEAF.exec(content)) {
    const name = m[2]!;
    if (!allowed.has(name) || Object.prototype.hasOwnProperty.call(out, name)) continue;
    const text = m[3] === undefined ? '' : leafText(m[3]);
    if (text !== '') out[name] = text;
  }
  return out;
}

function subBlocks(content: string, name: string): string[] {
  const re = new RegExp(`<(${NAME}:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</\\1${name}\\s*>`, 'g');
  const out: string[] = [];
  for (let m = re.exec(content); m; m = re.exec(content)) out.push(m[2]!);
  return out;
}

function malformed(why: string): never {
  throw new SandanError('XML_MALFORMED', `The XML cannot be read: ${why}`);
}

/**
 * Push-based scanner: feed text chunks with {@link CebScanner.push}, collect the documents
 * completed so far, and call {@link CebScanner.end} at the end. Memory holds at most one
 * document block plus one chunk. Throws SandanError (XML_UNSAFE, XML_MALFORMED,
 * XML_UNKNOWN_ROOT) as `parseCebXml` would.
 */
export class CebScanner {
  private buf = '';
  private tail = '';
  private first = true;
  private type: ScannedType | undefined;
  private shape: Shape | undefined;
  private open: RegExp | undefined;
  private closed = false;

  /** The message type, once the root element has been read. */
  get messageType(): ScannedType | undefined {
    return this.type;
  }

  /** Adds text; returns the documents completed by it. */
  push(chunk: string): ScannedDocument[] {
    if (this.first && chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    this.first = false;
    const probe = this.tail + chunk;
    const unsafe = UNSAFE.exec(probe);
    if (unsafe) throw new SandanError('XML_UNSAFE', `The XML contains a <!${unsafe[1]!.toUpperCase()} declaration; DTDs, entity declarations and external references are refused (CEB messages never use them)`);
    this.tail = probe.slice(-16);
    this.buf += chunk;
    return this.drain(false);
  }

  /** Ends the input; returns the last documents. */
  end(): ScannedDocument[] {
    const out = this.drain(true);
    if (!this.type) malformed('no root element');
    return out;
  }

  private readRoot(final: boolean): boolean {
    let pos = 0;
    const b = this.buf;
    for (;;) {
      while (pos < b.length && /\s/.test(b[pos]!)) pos++;
      if (pos >= b.length) break;
      if (b.startsWith('<?', pos)) {
        const end = b.indexOf('?>', pos);
        if (end === -1) break;
        const enc = DECLARED_ENCODING.exec(b.slice(pos, end + 2))?.[1];
        if (enc !== undefined && !/^utf-?8$/i.test(enc)) malformed(`the XML declares encoding ${enc}; CEB messages are UTF-8`);
        pos = end + 2;
        continue;
      }
      if (b.startsWith('<!--', pos)) {
        const end = b.indexOf('-->', pos);
        if (end === -1) break;
        pos = end + 3;
        continue;
      }
      const gt = b.indexOf('>', pos);
      if (gt === -1) break;
      const m = ROOT_TAG.exec(b.slice(pos, gt + 1));
      if (!m) malformed('the root element cannot be read');
      const prefix = m[1];
      const local = m[2]!;
      let ns: string | undefined;
      ATTR.lastIndex = 0;
      for (let a = ATTR.exec(m[3] ?? ''); a; a = ATTR.exec(m[3] ?? '')) {
        if (a[1] === (prefix === undefined ? 'xmlns' : `xmlns:${prefix}`)) ns = decodeEntities(a[2] ?? a[3] ?? '');
      }
      const type = local.replace(/Message$/, '');
      if (ns !== CEB_NS || !local.endsWith('Message') || !isScannedType(type)) {
        const where = ns === undefined ? 'no namespace' : `namespace ${ns}`;
        throw new SandanError('XML_UNKNOWN_ROOT', `Unknown root element ${m[1] ? `${m[1]}:` : ''}${local} in ${where}; reconciliation reads CEB816/818 tax bills and CEB312/412/512/514/622/624/626 receipts in namespace ${CEB_NS}`, { details: { root: local, namespace: ns } });
      }
      this.type = type;
      this.shape = SHAPES[type];
      this.open = new RegExp(`<(${NAME}:)?${this.shape.block}(?=[\\s>/])`, 'g');
      if (m[4] === '/') this.closed = true;
      this.buf = b.slice(gt + 1);
      return true;
    }
    if (final) malformed('no root element');
    if (b.length > 1 << 20) malformed('no root element in the first megabyte');
    return false;
  }

  private drain(final: boolean): ScannedDocument[] {
    const out: ScannedDocument[] = [];
    if (!this.type && !this.readRoot(final)) return out;
    const shape = this.shape!;
    const open = this.open!;
    let pos = 0;
    const b = this.buf;
    for (;;) {
      open.lastIndex = pos;
      const m = open.exec(b);
      if (!m) {
        // Keep a possible partial start tag at the end of the buffer.
        const lt = b.lastIndexOf('<');
        pos = lt === -1 ? b.length : Math.max(pos, lt);
        break;
      }
      const gt = b.indexOf('>', m.index);
      if (gt === -1) {
        pos = m.index;
        break;
      }
      if (b[gt - 1] === '/') {
        pos = gt + 1;
        continue;
      }
      const close = `</${m[1] ?? ''}${shape.block}`;
      let end = b.indexOf(close, gt);
      while (end !== -1 && !/^\s*>/.test(b.slice(end + close.length, end + close.length + 64))) end = b.indexOf(close, end + 1);
      if (end === -1) {
        pos = m.index;
        break;
      }
      const content = b.slice(gt + 1, end);
      out.push(this.document(content));
      pos = b.indexOf('>', end) + 1;
    }
    this.buf = b.slice(pos);
    if (final && this.open) {
      open.lastIndex = 0;
      if (open.test(this.buf)) malformed(`a <${shape.block}> element is never closed`);
    }
    return out;
  }

  private document(content: string): ScannedDocument {
    const type = this.type!;
    const shape = this.shape!;
    if (!shape.head) return { messageType: type, fields: readLeaves(content, fieldsOf(shape.block)), items: [] };
    const heads = subBlocks(content, shape.head);
    const fields = heads[0] === undefined ? {} : readLeaves(heads[0], fieldsOf(shape.head));
    const items = shape.list ? subBlocks(content, shape.list).map((c) => readLeaves(c, fieldsOf(shape.list!))) : [];
    return { messageType: type, fields, items };
  }
}

/** Scans a whole text at once. */
export function scanCebText(text: string): { messageType: ScannedType; documents: ScannedDocument[] } {
  const s = new CebScanner();
  const documents = [...s.push(text), ...s.end()];
  return { messageType: s.messageType!, documents };
}
