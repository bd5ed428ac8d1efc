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
import { buildMessage, parseCebXml, parseReturnInfo } from '../../src/xml/index.js';
import type { EngineOptions, OutgoingReceipt } from '../../src/emulator/types.js';
import { cancelOf, type DocKey, env, example, message, RATES } from '../emulator/helpers.js';
import { applyMutation, FUZZ_TIMEOUT, fuzzParams, type Mutation, mutation } from './mutations.js';

const KEYS: DocKey[] = ['order', 'payment', 'logistics', 'inventory'];
/** What follows the release: a cancel, a return or a delivery note. */
const AFTER = ['CEB623', 'CEB625', 'CEB711'] as const;
type After = (typeof AFTER)[number];
type Target = DocKey | 'after';

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

type Edit = { doc: Target; kind: 'value'; leaf: number; value: string } | { doc: Target; kind: 'text'; m: Mutation };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      doc: fc.constantFrom<Target>(...KEYS, 'after'),
      kind: fc.constant('value' as const),
      leaf: fc.nat(),
      value: fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 12 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      doc: fc.constantFrom<Target>(...KEYS, 'after'),
      kind: fc.constant('text' as const),
      m: mutation,
    }),
  },
);

/** The document of a cancel (CEB623), a return (CEB625) or a delivery note (CEB711) of the declaration. */
function afterDoc(type: After, d: Record<string, any>, invtNo: string): Record<string, unknown> {
  const { logistics, inventory } = d;
  if (type === 'CEB711')
    return {
      customsCode: inventory.customsCode,
      copNo: 'RKD202611200001',
      operatorCode: inventory.areaCode,
      operatorName: inventory.areaName,
      ieFlag: 'I',
      trafMode: '4',
      trafNo: '浙A12345',
      voyageNo: '20261120',
      billNo: 'B20261120',
      logisticsCode: logistics.logisticsCode,
      logisticsName: logistics.logisticsName,
      items: [{ gnum: 1, logisticsNo: logistics.logisticsNo }],
    };
  const cancel = cancelOf(d, invtNo);
  if (type === 'CEB623') return cancel;
  const line = inventory.items[0];
  return {
    ...cancel,
    reason: '质量问题',
    items: [{ gnum: 1, gcode: line.gcode, gname: line.gname, qty: 1, unit: line.unit }],
  };
}

function edited(xml: string, edits: readonly Edit[], doc: Target): string {
  for (const d of edits.filter((x) => x.doc === doc))
    xml = d.kind === 'value' ? withValue(xml, d.leaf, d.value) : applyMutation(xml, d.m);
  return xml;
}

/**
 * Sends the four messages (as `edits` make them), lets two days pass, sends the `after` document
 * of the inventory customs numbered (edited too), and lets a month pass; returns the receipts.
 */
async function run(
  base: Record<DocKey, string>,
  edits: readonly Edit[],
  after?: After,
  settings: Partial<EngineOptions> = {},
): Promise<OutgoingReceipt[]> {
  const e = await createEngine({
    store: 'memory',
    clock: manualClock('2026-11-20T02:20:00Z'),
    rates: RATES,
    requireSignature: false,
    ...settings,
  });
  try {
    for (const k of KEYS) {
      const ack = await e.submit(edited(base[k], edits, k), { transport: 'api' });
      expect(typeof ack.body).toBe('string');
    }
    await e.advance('2d');
    if (after) {
      const invtNo = e.receipts().find((r) => r.invtNo)?.invtNo ?? '29242026I000000001';
      const built = buildMessage(after, afterDoc(after, example(), invtNo) as never, env('2026-11-22T02:20:00Z'));
      if (!built.ok) throw new Error(JSON.stringify(built.issues));
      const ack = await e.submit(edited(built.xml, edits, 'after'), { transport: 'api' });
      expect(typeof ack.body).toBe('string');
      await e.advance('30d');
    }
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

/** The engine's settings that change verdicts: a quota the order may pass, and the decisions of docs/emulator.md. */
const settings: fc.Arbitrary<Partial<EngineOptions>> = fc.record(
  {
    quota: fc.constantFrom({ annualLimit: '26000' }, { annualLimit: '500' }, { annualLimit: '0.01' }),
    heldDocumentChange: fc.constantFrom('refuse' as const, 'take' as const),
    duplicateCopNo: fc.constantFrom('take' as const, 'refuse' as const),
  },
  { requiredKeys: [] },
);

describe('fuzzing the emulator with edited declarations', () => {
  it('the unedited declaration goes all the way: released, with its tax bill (so the edits reach every stage)', async () => {
    const base = await baseMessages();
    const trail = async (after?: After) => (await run(base, [], after)).map((r) => `${r.type}:${r.returnStatus ?? ''}`);
    expect(await trail()).toEqual(
      expect.arrayContaining(['CEB312:120', 'CEB412:120', 'CEB512:120', 'CEB622:800', 'CEB816:']),
    );
    expect(await trail('CEB623')).toContain('CEB624:-623005'); // a cancel after release is refused
    expect(await trail('CEB625')).toContain('CEB626:120');
    expect(await trail('CEB711')).toContain('CEB712:120');
  });

  it(
    'answers every message, writes readable receipts, and never falls back to 3001 "emulator failure"',
    async () => {
      const base = await baseMessages();
      await fc.assert(
        fc.asyncProperty(
          fc.array(edit, { minLength: 1, maxLength: 2 }),
          fc.option(fc.constantFrom(...AFTER)),
          settings,
          async (edits, after, options) => {
            for (const r of await run(base, edits, after ?? undefined, options)) {
              const parsed = parseCebXml(r.xml);
              expect(parsed.kind, r.name).toBe('ceb');
              const doc = parsed.kind === 'ceb' ? parsed.documents[0] : undefined;
              if (typeof doc?.returnInfo !== 'string') continue;
              // (E-Port's own notes, e.g. 电子口岸申报中, are free text without a code)
              expect(parseReturnInfo(doc.returnInfo).code, doc.returnInfo).not.toBe('3001');
            }
          },
        ),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );
});
