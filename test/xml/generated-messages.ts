import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { expect } from 'vitest';
import {
  CEB_EXPORT_ELEMENTS,
  CEB_IMPORT_ELEMENTS,
  type CebChild,
  type CebElement,
  type CebLeafType,
} from '../../src/model/generated/ceb-elements.js';
import { MESSAGE_NAMES } from '../../src/xml/messages.js';
import { parseCebXml, type CebMessage } from '../../src/xml/index.js';
import { needTool } from '../helpers/tools.js';
import { PLACEHOLDER_SIGNATURE, XMLLINT_CLI, XSD_DIR, type XsdName } from './helpers.js';

/*
 * Full messages of every CEB message type of both XSDs, generated from the descriptors (every child of every
 * content model once, each leaf with a valid value), and xmllint's verdict on many files at once: what
 * empty-elements.test.ts and facets.test.ts vary one leaf of and compare parseCebXml with.
 */

export type Schema = 'import' | 'export';
export const TABLES: Record<Schema, Readonly<Record<string, CebElement>>> = {
  import: CEB_IMPORT_ELEMENTS,
  export: CEB_EXPORT_ELEMENTS,
};
/** The XSD a case is validated against: a CEB message's, or the terminal node's for a DxpMsg. */
export type Against = Schema | 'dxp';
const XSD: Record<Against, XsdName> = { import: 'ceb-import.xsd', export: 'ceb-export.xsd', dxp: 'dxp-terminal.xsd' };
export const GUID = '6F0D2C8E-1B7A-4C1E-9D4F-0A1B2C3D4E5F';

/** One element of a generated message: a leaf with its XSD type and text, or complex content. */
export interface Node {
  name: string;
  /** The name of the element it is in. */
  parent?: string;
  /** Where parseCebXml reports about it, e.g. `documents[0].OrderHead.orderNo` (undefined for ds:Signature). */
  path?: string;
  /** Where its value is in the parsed message: documents are flattened, head fields at the top, lines under `items`. */
  at?: Array<string | number>;
  type?: CebLeafType;
  /** The XSD's minOccurs and maxOccurs (max is on complex elements only). */
  min?: number;
  max?: number;
  /** The XSD's fixed or default value. */
  ifEmpty?: string;
  /** The XSD's fixed value. */
  fixed?: string;
  text?: string;
  children?: Node[];
  signature?: true;
}

/** A value the element accepts: its fixed value, else the shortest non-empty one. */
function validText(c: CebChild): string {
  const t = c.type!;
  if (c.fixed !== undefined) return c.fixed;
  if (t.base === 'decimal' || t.base === 'int') return '1';
  if (t.base === 'xml') return '';
  return 'A'.repeat(t.length ?? Math.max(1, t.minLength ?? 0));
}

/** Where parseCebXml reports a child of the root (the document element is `documents[0]`). */
function rootChild(name: string, index: number): { path: string; at: Array<string | number> } {
  if (index === 0) return { path: 'documents[0]', at: ['documents', 0] };
  if (name === 'BaseSubscribe') return { path: 'baseSubscribe[0]', at: ['baseSubscribe', 0] };
  const key = `${name[0]!.toLowerCase()}${name.slice(1)}`;
  return { path: key, at: [key] };
}

/** Every child of a complex element once (optional ones too), so that every element of the XSD is in some message. */
export function generate(schema: Schema, key: string, path = '', at: Array<string | number> = [], depth = 0): Node[] {
  const el = TABLES[schema][key]!;
  // A document element with complex children is head + lines: the head's fields are the document's, lines `items`.
  const wrapper = depth === 1 && el.children.some((c) => c.ref !== undefined);
  return el.children.map((c, i) => {
    if (c.ns === 'ds') return { name: c.name, signature: true };
    const where =
      depth === 0
        ? rootChild(c.name, i)
        : {
            path: `${path}.${c.name}${c.ref !== undefined && c.max !== 1 ? '[0]' : ''}`,
            at: wrapper ? (i === 0 ? at : [...at, 'items', 0]) : [...at, c.name],
          };
    if (c.ref !== undefined)
      return {
        name: c.name,
        ...where,
        min: c.min,
        max: c.max,
        children: generate(schema, c.ref, where.path, where.at, depth + 1),
      };
    const n: Node = { name: c.name, parent: el.name, ...where, type: c.type!, min: c.min, text: validText(c) };
    const ifEmpty = c.fixed ?? c.default;
    if (ifEmpty !== undefined) n.ifEmpty = ifEmpty;
    if (c.fixed !== undefined) n.fixed = c.fixed;
    return n;
  });
}

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Writes the nodes; `element` may write one of them otherwise (return undefined for the usual `<x>text</x>`). */
export function writeNodes(nodes: Node[], element?: (n: Node) => string | undefined): string {
  return nodes
    .map((n) => {
      if (n.signature) return PLACEHOLDER_SIGNATURE;
      const own = element?.(n);
      if (own !== undefined) return own;
      const tag = `ceb:${n.name}`;
      const inner = n.children ? writeNodes(n.children, element) : esc(n.text ?? '');
      return `<${tag}>${inner}</${tag}>`;
    })
    .join('');
}

/** The nodes and all their descendants (no signature). */
export function all(nodes: Node[]): Node[] {
  return nodes.flatMap((n) => (n.signature ? [] : [n, ...all(n.children ?? [])]));
}

/** A message with that root around that body; `attrs` overrides the root's guid and version. */
export function message(root: string, body: string, attrs: { guid?: string; version?: string } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ceb:${root} guid="${attrs.guid ?? GUID}" version="${attrs.version ?? '1.0'}" xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${body}</ceb:${root}>\n`;
}

/** The message types of both XSDs (42). */
export const ROOTS = Object.entries(MESSAGE_NAMES).filter(([root, { schema }]) => Object.hasOwn(TABLES[schema], root));

/** A file for xmllint: its name, the XSD it is validated against, its text. */
export interface XsdFile {
  file: string;
  schema: Against;
  xml: string;
}

/**
 * Per file: does the XSD accept it. xmllint-wasm over all the files of a schema, in batches (one call over a few
 * thousand files runs out of its memory).
 */
export async function wasmVerdicts(cases: XsdFile[]): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  for (const schema of ['import', 'export', 'dxp'] as const) {
    const contents = (name: string) => readFileSync(join(XSD_DIR, name), 'utf8');
    const mine = cases.filter((c) => c.schema === schema);
    for (let i = 0; i < mine.length; i += 500) {
      const r = await validateXML({
        xml: mine.slice(i, i + 500).map((c) => ({ fileName: c.file, contents: c.xml })),
        schema: [{ fileName: XSD[schema], contents: contents(XSD[schema]) }],
        preload: [{ fileName: 'xmldsig-core-schema.xsd', contents: contents('xmldsig-core-schema.xsd') }],
        maxMemoryPages: 16384,
      });
      readVerdicts(r.rawOutput, out);
    }
  }
  return out;
}

/**
 * Per file: does the XSD accept it. The xmllint command line when there is one (CI requires it), else the wasm
 * build, so that a plain clone runs these tests too.
 */
export async function xsdVerdicts(cases: XsdFile[]): Promise<Map<string, boolean>> {
  if (!XMLLINT_CLI) return wasmVerdicts(cases);
  needTool('xmllint');
  return cliVerdicts(cases);
}

/** Per file, with the xmllint command line: one process per schema over all files. */
export function cliVerdicts(cases: XsdFile[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const dir = mkdtempSync(join(tmpdir(), 'sandan-xsd-many-'));
  try {
    for (const schema of ['import', 'export', 'dxp'] as const) {
      const mine = cases.filter((c) => c.schema === schema);
      if (mine.length === 0) continue;
      for (const c of mine) writeFileSync(join(dir, c.file), c.xml);
      const r = spawnSync(
        'xmllint',
        ['--noout', '--nonet', '--schema', join(XSD_DIR, XSD[schema]), ...mine.map((c) => c.file)],
        {
          cwd: dir,
          encoding: 'utf8',
          maxBuffer: 64 << 20,
        },
      );
      expect(r.error).toBeUndefined();
      readVerdicts(r.stderr, out);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** xmllint ends each file's report with `<file> validates` or `<file> fails to validate`. */
function readVerdicts(output: string, out: Map<string, boolean>): void {
  for (const line of output.split('\n')) {
    const m = /^(\S+\.xml) (validates|fails to validate)$/.exec(line);
    if (m) out.set(m[1]!, m[2] === 'validates');
  }
}

const parses = new Map<string, CebMessage>();
/** parseCebXml's result, each input parsed once (the tests look at one result several times). */
export function parsed(xml: string): CebMessage {
  let m = parses.get(xml);
  if (m === undefined) {
    const r = parseCebXml(xml);
    if (r.kind !== 'ceb') throw new Error('not a CEB message');
    parses.set(xml, (m = r));
  }
  return m;
}
