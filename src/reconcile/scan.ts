import { SandanError } from '../errors.js';
import { checkArgument, trimXmlSpace, valueIn } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
import { xsdBase64 } from '../xml/base64.js';
import { CEB_NS, layoutOf, DS_NS, DXP_NS, type Particle } from '../xml/content-model.js';
import { XmlTokenizer } from '../xml/core/tokenizer.js';
import { extensionFieldsOf } from '../xml/extensions.js';
import { MESSAGE_NAMES } from '../xml/messages.js';
import { xmlBytesDecoder } from '../xml/safety.js';

/*
 * A streaming scanner for the flat CEB documents reconciliation reads in bulk: tax bills
 * (CEB816), their status (CEB818) and the receipts (CEB312/412/512/514/622/624/626). It stands on
 * the tokenizer every sandan reader uses, so it refuses what they refuse and sees the elements
 * they see; it builds no tree, and reads the fields as `parseCebXml` does (the tests hold the two
 * to the same answers): the XSD's leaves and the beyond-XSD fields sandan keeps, by namespace and
 * local name, a leaf's text being its own text and CDATA (not that of elements inside it).
 */

const SCANNED = ['CEB312', 'CEB412', 'CEB512', 'CEB514', 'CEB622', 'CEB624', 'CEB626', 'CEB816', 'CEB818'] as const;
/** Message types the scanner reads. */
export type ScannedType = (typeof SCANNED)[number];

/** One document as the scanner reads it: leaf texts (entities decoded, empty leaves left out). */
export interface ScannedDocument {
  messageType: ScannedType;
  fields: Record<string, string>;
  /** Lines (`TaxListRd`) of a CEB816 tax bill; empty for the other types. */
  items: Array<Record<string, string>>;
}

/** True when the message type is one the scanner reads. */
function isScannedType(type: string): type is ScannedType {
  return (SCANNED as readonly string[]).includes(type);
}

/** The leaves of one element (a receipt, a bill's head or line) read as fields. */
interface Leaves {
  readonly names: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** Bit i: the first occurrence of field i wins, even empty (an XSD leaf of maxOccurs 1); else the last non-empty. */
  readonly once: number;
  /** Bit i: field i is a number (decimal or integer), which white space alone leaves empty. */
  readonly numeric: number;
}

function leavesOf(element: string, particles: readonly Particle[]): Leaves {
  const names: string[] = [];
  let once = 0;
  let numeric = 0;
  const add = (name: string, kind: string, first: boolean) => {
    if (names.includes(name)) return;
    if (names.length === 31) throw new Error(`${element} has more than 31 fields`); // the bit sets
    if (first) once |= 1 << names.length;
    if (kind === 'd' || kind === 'i') numeric |= 1 << names.length;
    names.push(name);
  };
  for (const p of particles) if (p.kind !== undefined) add(p.name, p.kind, p.max === 1);
  // The fields beyond the XSD that sandan keeps (a CEB816's orderNo, logisticsNo): the parser keeps the last.
  for (const x of extensionFieldsOf(element)) add(x.name, x.kind, false);
  return { names, index: new Map(names.map((n, i) => [n, i])), once, numeric };
}

/** Where the fields of a message type are: in the document element itself, or in its head and lines. */
interface Shape {
  /** The document element under the root (`Tax`, `InventoryReturn`…). */
  block: string;
  /** The fields of the document (flat) or of its head. */
  head: Leaves;
  /** The head element (`TaxHeadRd`, `TaxHeadStatus`), when the fields are in one. */
  headName?: string;
  /** The line element (`TaxListRd`) and its fields. */
  listName?: string;
  list?: Leaves;
}

const shapes = new Map<ScannedType, Shape>();
function shapeOf(type: ScannedType): Shape {
  return valueIn(shapes, type, () => {
    const layout = layoutOf('import', `${type}Message`);
    const block = layout.element.name;
    const headName = layout.head.name;
    const s: Shape = { block, head: leavesOf(headName ?? block, layout.head.fields) };
    if (headName) s.headName = headName;
    if (layout.list) {
      s.listName = layout.list.particle.name;
      s.list = leavesOf(s.listName, layout.list.fields);
    }
    return s;
  });
}

/** The largest single document (a Tax, an InventoryReturn…) the scanner holds while reading it. */
const MAX_DOCUMENT_CHARS = 16 << 20;
/** A DxpMsg holds one message; a larger one is not what an archive of receipts has. */
const MAX_DXP_CHARS = 64 << 20;

function malformed(why: string): never {
  throw new SandanError('XML_MALFORMED', `The XML cannot be read: ${why}`);
}

// (any other key is misuse: a misspelt items read every tax bill's lines)
const CEB_SCANNER_OPTION_NAMES = optionNames<NonNullable<ConstructorParameters<typeof CebScanner>[0]>>({ items: true });

/**
 * Push-based scanner: feed text chunks with {@link CebScanner.push} and call
 * {@link CebScanner.end} at the end, which returns the documents once the whole text is known
 * to be well-formed: a truncated or broken file gives none. Memory holds the documents read and
 * the tokenizer's buffer (one chunk, or the token being read). Throws SandanError as `parseCebXml`
 * would: XML_MALFORMED (a DTD too, with details.reason 'dtd'), XML_UNKNOWN_ROOT, XML_TOO_LARGE.
 */
export class CebScanner {
  // Its own name in the build, which calls it _CebScanner or, in CommonJS, _class (as console.log shows it).
  static {
    Object.defineProperty(CebScanner, 'name', { value: 'CebScanner' });
  }
  private readonly t = new XmlTokenizer(undefined, { maxTokenChars: MAX_DXP_CHARS });
  private readonly withItems: boolean;
  /** The message of a DxpMsg, which cannot be another DxpMsg or a DxpMsgSv (the parser does not unwrap one either). */
  private inner = false;
  private type: ScannedType | undefined;
  /**
   * The type of a CEB message the scanner does not read (a CEB900, a CEB621…), or `DxpRep` for the exchange's response
   * to a DxpMsg: read to its end, no documents.
   */
  private other: string | undefined;
  /** Children of the root that are neither the type's document element nor its signature (the first few named). */
  private strays = { count: 0, names: [] as string[] };
  private shape: Shape | undefined;
  /**
   * A DxpMsg (a receipt as received, archived beside its unwrapped copy): the depth of the DxpMsg whose Data is read
   * at the end, 1 for a root DxpMsg, 2 for the one in a root DxpMsgSv (a transfer node's envelope); 0 for neither.
   */
  private dxp = 0;
  private dxpData: string | undefined;
  /** In a DxpMsgSv: the DxpMsg children met, and whether the scanner is inside the first (the one read, as by the parser). */
  private dxpCount = 0;
  private inDxp = false;
  /** Characters written so far, and the offset from which the scanner holds text (see push). */
  private written = 0;
  private holdFrom = 0;
  /** Elements open (the root is 1). */
  private depth = 0;
  /** The documents read: a file that is not well-formed to its end gives none (see end). */
  private held: ScannedDocument[] = [];
  // The document being read.
  private inBlock = false;
  private docFields: Record<string, string> | undefined;
  private docItems: Array<Record<string, string>> = [];
  // The element whose leaves are being read (0: none), its fields, what was read, which fields were met.
  private recordDepth = 0;
  private leaves: Leaves | undefined;
  private out: Record<string, string> = {};
  private seen = 0;
  // The leaf being read (-1: none) and its text so far.
  private leaf = -1;
  private value = '';

  /** `items: false` skips the lines of tax bills (reconciliation uses only their heads). */
  constructor(options: { items?: boolean } = {}) {
    this.withItems = knownOptions(options, 'CebScanner', CEB_SCANNER_OPTION_NAMES).items ?? true;
  }

  /** The message type, once the root element has been read. */
  get messageType(): ScannedType | undefined {
    return this.type;
  }

  /**
   * The type (`CEB900`, `CEB712`…) of a message of the CEB specification that the scanner does not read, or `DxpRep`
   * for the exchange's response to a DxpMsg: such a file is well-formed XML of a known message and gives no documents
   * (a customs inbox holds them beside the bills).
   */
  get otherMessageType(): string | undefined {
    return this.other;
  }

  /**
   * The children of the root that are neither the message's document element (`Tax`…) in the CEB namespace
   * nor a ds:Signature: a `<Tax>` in no namespace, a wrapping `<TaxList>`. The parser reports them
   * (xml-unknown-element) and reads no document from them; neither does the scanner, and this tells that
   * something that may be a bill was not read. `names` holds the first three, as written.
   */
  get strayElements(): { count: number; names: readonly string[] } {
    return this.strays;
  }

  /**
   * Adds text. Returns no documents: they are all returned by {@link end}, once the whole text
   * is known to be well-formed (a truncated or broken file must give none of its documents).
   */
  push(chunk: string): ScannedDocument[] {
    checkArgument(chunk, 'text', 'CebScanner.push', 'the chunk');
    if (chunk === '') return [];
    this.t.write(chunk);
    this.written += chunk.length;
    this.drain();
    // What is held is the document being read (or a token between documents): a bill or a
    // receipt is kilobytes, so one that keeps growing is refused instead of filling memory.
    if (!this.dxp && this.written - this.holdFrom > MAX_DOCUMENT_CHARS)
      malformed(`a document larger than ${MAX_DOCUMENT_CHARS >> 20} Mi characters`);
    return [];
  }

  /** Ends the input; returns the documents, or throws when the text is not well-formed. */
  end(): ScannedDocument[] {
    this.t.close();
    this.drain();
    if (this.dxp) return this.readDxp();
    const out = this.held;
    this.held = [];
    return out;
  }

  /** Reads the tokens the tokenizer has; documents go to `held` as their blocks close. */
  private drain(): void {
    const t = this.t;
    for (;;) {
      const kind = t.next();
      if (kind === 'start') {
        const d = (this.depth = t.depth);
        if (d === this.recordDepth + 1 && this.recordDepth !== 0) this.startLeaf();
        else if (this.dxp !== 0) this.startDxpPart(d);
        else if (d === 2) this.startBlock();
        else if (d === 3 && this.inBlock) this.startPart();
        else if (d === 1) this.readRoot();
      } else if (kind === 'end') {
        const d = t.depth;
        this.depth = d - 1;
        if (this.leaf !== -1 && d === this.recordDepth + 1) this.endLeaf();
        else if (d === this.recordDepth) this.endRecord();
        else if (d === 2 && this.inBlock) this.endBlock();
        else if (d === 2 && this.dxp === 2) this.inDxp = false;
      } else if (kind === 'text' || kind === 'cdata') {
        // A leaf's own text (and CDATA): the text of elements inside it is not its value, as in the parser.
        if (this.leaf !== -1 && this.depth === this.recordDepth + 1) this.value += t.text();
      } else if (kind === 'more' || kind === 'eof') {
        if (!this.inBlock) this.holdFrom = t.end;
        return;
      }
    }
  }

  private readRoot(): void {
    const t = this.t;
    if (t.ns === DXP_NS && !this.inner) {
      if (t.local === 'DxpMsg') {
        this.dxp = 1;
        this.inDxp = true;
        return;
      }
      if (t.local === 'DxpMsgSv') {
        this.dxp = 2;
        return;
      }
      // The exchange's response to a DxpMsg (DxpRep): an inbox holds them beside the receipts. Only its root is
      // needed here; it is read to its end, as any other message, to be known well-formed.
      if (t.local === 'DxpRep') {
        this.other = 'DxpRep';
        return;
      }
    }
    // As the parser, a root named `CEB816` for `CEB816Message` (published samples have it) is read.
    const type = t.local.endsWith('Message') ? t.local.slice(0, -7) : /^CEB\d{3}$/.test(t.local) ? t.local : '';
    if (t.ns === CEB_NS && !isScannedType(type) && Object.hasOwn(MESSAGE_NAMES, `${type}Message`)) {
      this.other = type;
      return;
    }
    if (t.ns !== CEB_NS || !isScannedType(type)) throw unknownRoot(t.name, t.local, t.ns);
    this.type = type;
    this.shape = shapeOf(type);
  }

  /**
   * An element in a DxpMsg or a DxpMsgSv: a DxpMsg child of a DxpMsgSv (the first is read, as by the parser), or the
   * Data of the DxpMsg read.
   */
  private startDxpPart(d: number): void {
    const t = this.t;
    if (t.ns !== DXP_NS) return;
    if (this.dxp === 2 && d === 2 && t.local === 'DxpMsg') this.inDxp = ++this.dxpCount === 1;
    else if (this.inDxp && d === this.dxp + 1 && t.local === 'Data' && this.dxpData === undefined) {
      // The parser reads the first Data (and reports a second).
      this.recordDepth = this.dxp;
      this.leaf = 0;
      this.value = '';
    }
  }

  /** A child of the root: a document when it is the type's document element. */
  private startBlock(): void {
    const t = this.t;
    const shape = this.shape;
    if (shape === undefined) return;
    if (t.local !== shape.block || t.ns !== CEB_NS) {
      if (t.local !== 'Signature' || t.ns !== DS_NS) {
        this.strays.count++;
        if (this.strays.names.length < 3) this.strays.names.push(t.ns === '' ? t.name : `${t.name} (${t.ns})`);
      }
      return;
    }
    this.inBlock = true;
    this.holdFrom = t.start;
    this.docFields = undefined;
    this.docItems = [];
    if (shape.headName === undefined) this.startRecord(shape.head);
  }

  /** A child of a document: its head or one of its lines. */
  private startPart(): void {
    const t = this.t;
    const shape = this.shape!;
    if (t.ns !== CEB_NS || this.recordDepth !== 0) return;
    // A second head is not read: the parser reads the first and reports the second.
    if (t.local === shape.headName) {
      if (this.docFields === undefined) this.startRecord(shape.head);
    } else if (t.local === shape.listName && this.withItems) this.startRecord(shape.list!);
  }

  private startRecord(leaves: Leaves): void {
    this.recordDepth = this.t.depth;
    this.leaves = leaves;
    this.out = {};
    this.seen = 0;
  }

  private startLeaf(): void {
    const t = this.t;
    if (t.ns !== CEB_NS || this.leaves === undefined) return;
    const f = this.leaves.index.get(t.local);
    if (f === undefined) return;
    const bit = 1 << f;
    // A second occurrence of a field read once is not read (the parser reports it).
    if (this.leaves.once & bit && this.seen & bit) return;
    this.seen |= bit;
    this.leaf = f;
    this.value = '';
  }

  private endLeaf(): void {
    const f = this.leaf;
    this.leaf = -1;
    const v = this.value;
    this.value = '';
    if (this.dxp) {
      this.dxpData = v;
      this.recordDepth = 0;
      return;
    }
    const leaves = this.leaves!;
    // Empty leaves carry no value; numbers of white space alone neither (as in the parser).
    if (v === '' || (leaves.numeric & (1 << f) && trimXmlSpace(v) === '')) return;
    this.out[leaves.names[f]!] = v;
  }

  private endRecord(): void {
    const t = this.t;
    const shape = this.shape!;
    this.recordDepth = 0;
    if (t.depth === 2) {
      this.docFields = this.out;
      this.endBlock();
    } else if (t.local === shape.headName) this.docFields = this.out;
    else this.docItems.push(this.out);
  }

  private endBlock(): void {
    this.inBlock = false;
    this.held.push({ messageType: this.type!, fields: this.docFields ?? {}, items: this.docItems });
  }

  /** The CEB message in the DxpMsg's Base64 Data, scanned as if it had been its own file. */
  private readDxp(): ScannedDocument[] {
    // As the parser: a DxpMsgSv without a DxpMsg has no message.
    if (this.dxp === 2 && this.dxpCount === 0) malformed('the DxpMsgSv holds no DxpMsg');
    // The parser's own reading of xs:base64Binary, so that both take the same Data (XML white space only, zero bits
    // under the padding): a Data the parser refuses must not give the scanner a bill.
    const data = xsdBase64(this.dxpData ?? '');
    if (data === undefined) malformed('the Data of the DxpMsg is not Base64 (xs:base64Binary)');
    if (data === '') malformed('the DxpMsg has no Base64 Data');
    // Decoded as the parser decodes it: UTF-8, or GB18030 for a message declared GB2312, GBK or GB18030.
    const bytes = Buffer.from(data, 'base64');
    const decoder = xmlBytesDecoder(bytes);
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      malformed(`the Data of the DxpMsg is not ${decoder.encoding === 'gb18030' ? 'GB18030' : 'UTF-8'} text`);
    }
    const inner = new CebScanner({ items: this.withItems });
    inner.inner = true;
    const out = [...inner.push(text), ...inner.end()];
    this.type = inner.messageType;
    this.other = inner.otherMessageType;
    this.strays = inner.strays;
    return out;
  }
}

function unknownRoot(name: string, local: string, ns: string): SandanError {
  const where = ns === '' ? 'no namespace' : `namespace ${ns}`;
  return new SandanError(
    'XML_UNKNOWN_ROOT',
    `Unknown root element ${name} in ${where}; reconciliation reads CEB816/818 tax bills and CEB312/412/512/514/622/624/626 receipts in namespace ${CEB_NS}, bare or in a DxpMsg (alone or in a DxpMsgSv)`,
    { details: { root: local, namespace: ns === '' ? undefined : ns } },
  );
}

/** Scans a whole text at once; a message of a type the scanner does not read is XML_UNKNOWN_ROOT. */
export function scanCebText(text: string): { messageType: ScannedType; documents: ScannedDocument[] } {
  checkArgument(text, 'text', 'scanCebText', 'the XML');
  const s = new CebScanner();
  const documents = [...s.push(text), ...s.end()];
  const other = s.otherMessageType;
  if (other === 'DxpRep') throw unknownRoot('DxpRep', 'DxpRep', DXP_NS);
  if (other !== undefined) throw unknownRoot(`${other}Message`, `${other}Message`, CEB_NS);
  return { messageType: s.messageType!, documents };
}
