/*
 * Fuzzing the customs emulator with the three documents and the inventory of a real declaration,
 * one of them edited: a field's value replaced (so the message stays well-formed and reaches the
 * rules, the tax check and the quota), or the text mutated like the XML readers' fuzzing. What must
 * hold for every input:
 * - `submit` answers (it never rejects), and so does the timeline when time passes;
 * - every receipt is a CEB message sandan reads;
 * - no receipt says 3001 "emulator failure": that answer is the engine's safety net for its own
 *   defects (an exception inside), so it must never be reached by input, however bad.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/emulator/clock.js';
import { createEngine } from '../../src/emulator/engine.js';
import { parseCebXml, parseReturnInfo } from '../../src/xml/index.js';
import type { OutgoingReceipt } from '../../src/emulator/types.js';
import { type DocKey, example, message, RATES } from '../emulator/helpers.js';
import { applyMutation, FUZZ_TIMEOUT, fuzzParams, type Mutation, mutation } from './mutations.js';

const KEYS: DocKey[] = ['order', 'payment', 'logistics', 'inventory'];

/** Values a sender (or an attacker) puts into a field. */
const VALUES = [
  '',
  ' ',
  '],[',
  '[Code:1;Desc:x]',
  ']',
  '[',
  '0',
  '-0',
  '-1',
  '0.000001',
  '1e3',
  'NaN',
  '99999999999999999999.99999',
  '30000',
  '20261301000000',
  '20260229120000',
  '99991231235959',
  '00000000000000',
  '1',
  '9',
  '中文',
  '\u3000',
  'x'.repeat(1000),
  '&lt;',
  '&amp;&amp;',
];

const asText = (s: string) => s.replace(/&(?!(?:lt|amp);)/g, '&amp;').replace(/</g, '&lt;');

/** The n-th `<ceb:X>value</ceb:X>` leaf of a message with its value replaced. */
function withValue(xml: string, n: number, value: string): string {
  const leaves = [...xml.matchAll(/<ceb:(\w+)>([^<]*)<\/ceb:\1>/g)];
  const leaf = leaves[n % leaves.length];
  if (!leaf) return xml; // (a text edit before it left no leaf)
  const at = leaf.index! + `<ceb:${leaf[1]}>`.length;
  return xml.slice(0, at) + asText(value) + xml.slice(at + leaf[2]!.length);
}

type Edit = { doc: DocKey; kind: 'value'; leaf: number; value: string } | { doc: DocKey; kind: 'text'; m: Mutation };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      doc: fc.constantFrom(...KEYS),
      kind: fc.constant('value' as const),
      leaf: fc.nat(),
      value: fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 12 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ doc: fc.constantFrom(...KEYS), kind: fc.constant('text' as const), m: mutation }),
  },
);

/** Sends the four messages (each as `edit` makes it) and lets two days pass; returns the engine's receipts. */
async function run(base: Record<DocKey, string>, edits: readonly Edit[]): Promise<OutgoingReceipt[]> {
  const e = await createEngine({
    store: 'memory',
    clock: manualClock('2026-11-20T02:20:00Z'),
    rates: RATES,
    requireSignature: false,
  });
  try {
    for (const k of KEYS) {
      let xml = base[k];
      for (const d of edits.filter((x) => x.doc === k))
        xml = d.kind === 'value' ? withValue(xml, d.leaf, d.value) : applyMutation(xml, d.m);
      const ack = await e.submit(xml, { transport: 'api' });
      expect(typeof ack.body).toBe('string');
    }
    await e.advance('2d');
    return e.receipts();
  } finally {
    await e.close();
  }
}

async function baseMessages(): Promise<Record<DocKey, string>> {
  const decl = example();
  return Object.fromEntries(await Promise.all(KEYS.map(async (k) => [k, await message(decl, k)] as const))) as Record<
    DocKey,
    string
  >;
}

describe('fuzzing the emulator with edited declarations', () => {
  it('the unedited declaration goes all the way: released, with its tax bill (so the edits reach every stage)', async () => {
    const rs = await run(await baseMessages(), []);
    expect(rs.map((r) => `${r.type}:${r.returnStatus ?? ''}`)).toEqual(
      expect.arrayContaining(['CEB312:120', 'CEB412:120', 'CEB512:120', 'CEB622:800', 'CEB816:']),
    );
  });

  it(
    'answers every message, writes readable receipts, and never falls back to 3001 "emulator failure"',
    async () => {
      const base = await baseMessages();
      await fc.assert(
        fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 2 }), async (edits) => {
          for (const r of await run(base, edits)) {
            const parsed = parseCebXml(r.xml);
            expect(parsed.kind, r.name).toBe('ceb');
            const doc = parsed.kind === 'ceb' ? parsed.documents[0] : undefined;
            if (typeof doc?.returnInfo !== 'string') continue;
            // (E-Port's own notes, e.g. 电子口岸申报中, are free text without a code)
            expect(parseReturnInfo(doc.returnInfo).code, doc.returnInfo).not.toBe('3001');
          }
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );
});
