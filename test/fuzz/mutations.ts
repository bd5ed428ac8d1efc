/*
 * Mutations of real messages for the fuzzing suite. A mutation is data (kind, where, what), so
 * fast-check can shrink a failing input to the smallest edit that still fails, and its report
 * says what was done to which message.
 *
 * Runs: `SANDAN_FUZZ_RUNS` per property (default 60, what `npm test` runs); `npm run fuzz` runs
 * thousands with a random seed. The short run has a fixed seed so CI is deterministic; set
 * `SANDAN_FUZZ_SEED` to replay a seed that a long run reported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export const FUZZ_RUNS = Number(process.env.SANDAN_FUZZ_RUNS ?? 60);
const LONG = FUZZ_RUNS > 500;
/** fast-check parameters: fixed seed for the short run, random (reported on failure) for a long one. */
export function fuzzParams<T>(runs = FUZZ_RUNS): fc.Parameters<T> {
  const seed = process.env.SANDAN_FUZZ_SEED;
  return {
    numRuns: runs,
    ...(seed !== undefined ? { seed: Number(seed) } : LONG ? {} : { seed: 20261130 }),
  };
}
/** Vitest timeout for a property: generous, the long run does thousands of cases. */
export const FUZZ_TIMEOUT = Math.max(60_000, FUZZ_RUNS * 200);

function read(path: string): string {
  return readFileSync(`${FIXTURES}${path}`, 'utf8');
}

function dir(path: string): string[] {
  return readdirSync(`${FIXTURES}${path}`)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => `${path}/${f}`);
}

/** Real messages sandan did not write: the official 2022-05 import samples and messages from other implementations. */
export const CORPUS: Record<string, string> = Object.fromEntries(
  [
    ...dir('ceb-spec/samples-202205/import'),
    ...dir('outside/dandingtest'),
    ...dir('outside/fucl123-crs'),
    ...dir('outside/weasley-chinaport'),
    'xml/CEB816Message.xml',
    'xml/CEB818Message.xml',
    'xml/CEB312-rejected.xml',
  ].map((p) => [p, read(p)]),
);

/**
 * The exchange's response to a DxpMsg (DxpRep), written from its XSD (none was published), for the entry points that
 * read one: parseDxpRep, and status through statusInputsOfMessage.
 */
export const DXP_REP_CORPUS: Record<string, string> = { 'xml/DxpRep.xml': read('xml/DxpRep.xml') };

/** Messages the reconciliation scanner reads (receipts and tax bills), bare and in a DxpMsg or a DxpMsgSv. */
export const SCANNED_CORPUS = Object.fromEntries([
  ...Object.entries(CORPUS).filter(([, text]) =>
    /<(?:\w+:)?CEB(?:312|412|512|514|622|624|626|816|818)Message[\s>]/.test(text),
  ),
  ...[
    'outside/zhaopei0418-distribution-message/DxpMsg-CEB312.xml',
    'outside/zhaopei0418-distribution-message/DxpMsgSv-CEB312.xml',
  ].map((p) => [p, read(p)]),
]);

/** Snippets an attacker (or a careless hand) puts into XML. */
const PAYLOADS = [
  '<',
  '>',
  '&',
  '&amp;',
  '&lt;',
  '&#0;',
  '&#x1;',
  '&#x1F600;',
  '&undefined;',
  '\u0000',
  '\u0001',
  '\u001f',
  '\ufffe',
  '\uffff',
  '\ud800',
  '\ufeff',
  '\u00a0',
  '\u3000',
  '<!--',
  '-->',
  '<!-- x -->',
  '<![CDATA[',
  ']]>',
  '<![CDATA[<Tax>]]>',
  '<?pi data?>',
  '<?xml version="1.0"?>',
  '<!DOCTYPE r [<!ENTITY e "x">]>',
  '<!ENTITY e SYSTEM "file:///etc/passwd">',
  '&e;',
  '</',
  '/>',
  '<a>',
  '</a>',
  '<a/>',
  '<p:a>',
  'xmlns="urn:x"',
  ' xmlns:ceb="urn:other"',
  ' a="1"',
  " a='<'",
  '"',
  "'",
  '=',
  ' ',
  '\n',
  '\r',
  '\t',
  '0',
  '-1',
  '99999999999999999999.99999',
  '<Tax>',
  '</Tax>',
  '<orderNo>X</orderNo>',
  '<ds:Signature>',
  '</ds:Signature>',
  '中文',
];

/** Where a mutation applies: anywhere, or at a tag's `<` or `>` (where structure lives). */
const position = fc.record({ at: fc.constantFrom('any', 'lt', 'gt'), n: fc.nat() });
type Position = { at: 'any' | 'lt' | 'gt'; n: number };

function indexOf(text: string, p: Position): number {
  if (p.at !== 'any') {
    const c = p.at === 'lt' ? '<' : '>';
    const hits: number[] = [];
    for (let i = text.indexOf(c); i !== -1 && hits.length < 4096; i = text.indexOf(c, i + 1)) hits.push(i);
    if (hits.length) return hits[p.n % hits.length]! + (p.at === 'gt' ? 1 : 0);
  }
  return p.n % (text.length + 1);
}

export type Mutation =
  | { kind: 'insert'; pos: Position; text: string }
  | { kind: 'delete'; pos: Position; length: number }
  | { kind: 'duplicate'; pos: Position; length: number; to: Position }
  | { kind: 'wrap'; pos: Position; length: number; open: string; close: string }
  | { kind: 'nest'; depth: number }
  | { kind: 'truncate'; pos: Position };

const wrappers: Array<[string, string]> = [
  ['<!--', '-->'],
  ['<![CDATA[', ']]>'],
  ['<x>', '</x>'],
  ['<ceb:x>', '</ceb:x>'],
  ['<q:x>', '</q:x>'],
  ['<?p ', '?>'],
];

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    pos: position,
    text: fc.oneof(fc.constantFrom(...PAYLOADS), fc.string({ maxLength: 8, unit: 'binary' })),
  }),
  fc.record({ kind: fc.constant('delete' as const), pos: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    pos: position,
    length: fc.integer({ min: 1, max: 400 }),
    to: position,
  }),
  fc
    .record({ pos: position, length: fc.integer({ min: 0, max: 300 }), w: fc.constantFrom(...wrappers) })
    .map(({ pos, length, w }) => ({ kind: 'wrap' as const, pos, length, open: w[0], close: w[1] })),
  fc.record({
    kind: fc.constant('nest' as const),
    depth: fc.oneof(fc.integer({ min: 1, max: 80 }), fc.constant(5000)),
  }),
  fc.record({ kind: fc.constant('truncate' as const), pos: position }),
);

export function applyMutation(text: string, m: Mutation): string {
  switch (m.kind) {
    case 'insert': {
      const i = indexOf(text, m.pos);
      return text.slice(0, i) + m.text + text.slice(i);
    }
    case 'delete': {
      const i = indexOf(text, m.pos);
      return text.slice(0, i) + text.slice(i + m.length);
    }
    case 'duplicate': {
      const i = indexOf(text, m.pos);
      const part = text.slice(i, i + m.length);
      const j = indexOf(text, m.to);
      return text.slice(0, j) + part + text.slice(j);
    }
    case 'wrap': {
      const i = indexOf(text, m.pos);
      const j = Math.min(text.length, i + m.length);
      return text.slice(0, i) + m.open + text.slice(i, j) + m.close + text.slice(j);
    }
    case 'nest': {
      // Deep nesting inside the first element of the root's content.
      const i = text.indexOf('>', text.indexOf('<', text.search(/<[A-Za-z]/) + 1)) + 1;
      return text.slice(0, i) + '<n>'.repeat(m.depth) + '</n>'.repeat(m.depth) + text.slice(i);
    }
    case 'truncate':
      return text.slice(0, indexOf(text, m.pos));
  }
}

/** A real message and one to three mutations of it; reported (and shrunk) as the source's name and the edits. */
export interface Mutated {
  source: string;
  mutations: Mutation[];
  text: string;
}

export function mutated(corpus: Record<string, string>): fc.Arbitrary<Mutated> {
  return fc
    .record({
      source: fc.constantFrom(...Object.keys(corpus)),
      mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
    })
    .map(({ source, mutations }) => ({
      source,
      mutations,
      text: mutations.reduce(applyMutation, corpus[source]!),
      [fc.toStringMethod]: () => `${source} with ${JSON.stringify(mutations)}`,
    }));
}

/** Values an attacker or a broken exporter puts into a field. */
export const hostileValue = fc.oneof(
  fc.jsonValue(),
  fc.anything({ withNullPrototype: true, withObjectString: true, withBigInt: false }),
  fc.constantFrom(
    '__proto__',
    { __proto__: { valid: true } },
    JSON.parse('{"__proto__":{"polluted":1}}'),
    '1e400',
    '-0',
    'NaN',
    '20260230120000',
    '99999999999999999999999999.99999',
    '\u0000',
    '\ud800',
    'A'.repeat(100_000),
  ),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`)),
);

/**
 * Names every object answers to (Object.prototype's), which a lookup `table[name]` finds where the table has no such
 * entry of its own.
 */
export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'toLocaleString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'prototype',
] as const;

/** A name of the same length that no object answers to: `toString` → `toStrinq`. */
export function plainTwin(name: string): string {
  return `${name.slice(0, -1)}${name.endsWith('q') ? 'z' : 'q'}`;
}
