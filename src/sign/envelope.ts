/**
 * One pass over a message's tokens, shared by signing and verification: the canonical form of the
 * document without the signatures that are children of the root (what an enveloped signature's
 * digest covers), and where the root and every ds:Signature are. No tree: a tree is built only of
 * the small part that needs one (SignedInfo, in the context of the root's start tag).
 */
import { DSIG_NS } from './algorithms.js';
import { type C14nSink, canonicalizeTextTo } from '../xml/core/c14n.js';
import type { XmlAttribute } from '../xml/core/tokenizer.js';
import {
  normalizeLineEnds,
  type ParsedElement,
  parseXml,
  readElement,
  startElement,
  type XmlDocument,
  type XmlElement,
} from '../xml/core/tree.js';

/**
 * The most nodes (elements, texts, comments) of the ds:Signature verification reads as a tree: a CEB signature has
 * about 40 with its white space, a few more per chain certificate. A flood in it (20 MB of `<x/>`) took 1.2 GB.
 */
export const MAX_SIGNATURE_NODES = 1000;

/** A ds:Signature of the message: [start, end) in `Envelope.text`, and its depth (the root is 1). */
export interface SignatureSpan {
  start: number;
  end: number;
  depth: number;
}

/** What {@link readEnvelope} found. Offsets are into `text`. */
export interface Envelope {
  /** The text without a byte-order mark, line ends normalised. */
  text: string;
  rootName: string;
  rootStart: number;
  /** Offset just after the root's start tag. */
  rootTagEnd: number;
  /** Offset of `<` of the root's end tag (equals rootEnd for `<root/>`). */
  rootEndTagStart: number;
  rootEnd: number;
  /** The root's namespace declarations and attributes (what a child inherits: declarations and xml:*). */
  rootNsDecls: ReadonlyArray<readonly [string, string]>;
  rootAttributes: readonly XmlAttribute[];
  /** Every ds:Signature in document order, nested ones included; those at depth 2 are left out of the canonical form. */
  signatures: SignatureSpan[];
  /** A child element of the root follows the first signature that is a child of the root. */
  elementAfterSignature: boolean;
  /**
   * With `signatureTree`: the first ds:Signature child of the root as a tree, read from the same
   * tokens, its parent the root (without children: what the signature inherits is on the root's
   * start tag). `doc.text` is `text`, so a canonicalizer copies source spans from it.
   */
  signature?: { doc: XmlDocument; element: XmlElement } | undefined;
}

/**
 * Reads `xml` token by token into `sink` (a DigestSink or an array): its canonical form (C14N 1.0
 * without comments) leaving out every ds:Signature that is a child of the root.
 * @throws SandanError `XML_MALFORMED`
 */
export function readEnvelope(
  xml: string,
  sink: C14nSink,
  options: {
    signatureTree?: boolean;
    /** Called with the root's start tag as soon as it is read; it may throw to stop the reading there. */
    root?: (t: { local: string; ns: string }) => void;
  } = {},
): Envelope {
  const src = normalizeLineEnds(xml);
  const bom = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  const env: Envelope = {
    text: bom ? src.slice(1) : src,
    rootName: '',
    rootStart: -1,
    rootTagEnd: -1,
    rootEndTagStart: -1,
    rootEnd: -1,
    rootNsDecls: [],
    rootAttributes: [],
    signatures: [],
    elementAfterSignature: false,
  };
  // Signatures not yet closed, innermost last.
  const open: SignatureSpan[] = [];
  let firstChildSignatureEnded = false;
  let root: ParsedElement | undefined;
  const seen = (t: { ns: string; local: string; depth: number; start: number }): boolean => {
    if (t.ns !== DSIG_NS || t.local !== 'Signature') return false;
    const s = { start: t.start - bom, end: -1, depth: t.depth };
    env.signatures.push(s);
    open.push(s);
    return true;
  };
  canonicalizeTextTo(
    src,
    sink,
    {},
    {
      exclude(t) {
        if (t.depth === 1) {
          options.root?.(t);
          env.rootName = t.name;
          env.rootStart = t.start - bom;
          env.rootTagEnd = t.end - bom;
          env.rootNsDecls = t.nsDecls;
          env.rootAttributes = t.attributes;
          if (options.signatureTree) root = startElement(t, null, bom);
        } else if (t.depth === 2 && firstChildSignatureEnded) env.elementAfterSignature = true;
        return seen(t) && t.depth === 2;
      },
      read(t) {
        // Verification's signature: a tree of its tokens, as they are read (no second parse).
        if (root === undefined || env.signature !== undefined) return false;
        const element = readElement(t, root, bom, MAX_SIGNATURE_NODES);
        const s = open.pop()!;
        s.end = element.end;
        firstChildSignatureEnded = true;
        // Signatures nested in it, for the count (a nested one is never an allowed layout).
        nestedSignatures(element, 3, env.signatures);
        env.signature = { doc: { text: env.text, children: [root], root }, element };
        return true;
      },
      skipped(t) {
        seen(t);
      },
      end(t) {
        // (Reading past the end of an array is slow in V8: look only when a signature is open.)
        const s = open.length ? open[open.length - 1]! : undefined;
        if (s !== undefined && s.depth === t.depth) {
          s.end = t.end - bom;
          open.pop();
          if (s.depth === 2) firstChildSignatureEnded = true;
        }
        if (t.depth === 1) {
          env.rootEndTagStart = t.start - bom;
          env.rootEnd = t.end - bom;
        }
      },
    },
  );
  return env;
}

/** The ds:Signature elements below `el` (whose children are at `depth`), in document order. */
function nestedSignatures(el: XmlElement, depth: number, out: SignatureSpan[]): void {
  for (const c of el.children) {
    if (c.type !== 'element') continue;
    if (c.ns === DSIG_NS && c.local === 'Signature') out.push({ start: c.start, end: c.end, depth });
    nestedSignatures(c, depth + 1, out);
  }
}

/**
 * A start tag as written, with an empty-element tag's `/>` (and the spaces before it) made `>`.
 * By slicing: `tag.replace(/\s*\/>$/, …)` retries the spaces from each of them, quadratic in a long
 * run of spaces inside the tag (100,000 took 12 s).
 */
export function asStartTag(tag: string): string {
  return tag.endsWith('/>') ? `${tag.slice(0, -2).trimEnd()}>` : tag;
}

/**
 * A small document of the root's start tag around `inner` (markup that was, or will be, a child of
 * the root): its elements see the namespaces and xml:* attributes they inherit in the message.
 * How SignedInfo is canonicalised in context without a tree of the whole message.
 */
export function inRootContext(env: Envelope, inner: string): { doc: XmlDocument; element: XmlElement } {
  const rootTag = asStartTag(env.text.slice(env.rootStart, env.rootTagEnd));
  const doc = parseXml(`${rootTag}${inner}</${env.rootName}>`);
  const element = doc.root.children.find((c): c is XmlElement => c.type === 'element')!;
  return { doc, element };
}
