import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DeclarationSchema } from '../src/model/documents.js';
import { compileAccept } from '../src/model/fast-check.js';
import { example, type Json } from './helpers/examples.js';

const accept = compileAccept(DeclarationSchema);

/** Every [document, key] and [document, line, key] path of an example, to mutate. */
function paths(d: Json): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  for (const doc of ['order', 'payment', 'logistics', 'inventory']) {
    out.push([doc]);
    if (d[doc] === null || typeof d[doc] !== 'object') continue;
    for (const key of Object.keys(d[doc])) {
      out.push([doc, key]);
      if (key === 'items' && Array.isArray(d[doc].items)) {
        for (const [i, line] of (d[doc].items as Json[]).entries()) {
          if (line && typeof line === 'object') for (const k of Object.keys(line)) out.push([doc, 'items', i, k]);
        }
      }
    }
  }
  return out;
}

function setAt(d: Json, path: Array<string | number>, value: unknown): void {
  let cur: Json = d;
  for (const k of path.slice(0, -1)) cur = cur[k as string];
  const last = path[path.length - 1] as string;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

const values = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue(),
  fc.string(),
  fc.stringMatching(/^-?\d{1,16}(\.\d{0,7})?$/),
  fc.integer(),
  fc.double(),
  fc.constantFrom('', '142', '1', 'I', '2', '20261120', '20261120101500', '0'.repeat(36), 'A'.repeat(300), 'x'),
  // Characters of two UTF-16 units: 35 characters in 36 units, 18 in 36, one in two.
  fc.constantFrom(`${'0'.repeat(34)}😀`, '𠀀'.repeat(18), '😀', '𠀀'.repeat(36), `D😀`),
);

describe('the compiled accept function agrees with zod', () => {
  it('on the examples', () => {
    expect(accept(example('hangzhou-1210'))).toBe(true);
    expect(accept(example('guangzhou-9610'))).toBe(true);
  });

  it('counts characters, not UTF-16 units, in a fixed length (a guid of 35 characters and an emoji is refused)', () => {
    for (const guid of [`${'0'.repeat(34)}😀`, '𠀀'.repeat(18)]) {
      const d = example('hangzhou-1210');
      (d.order as Json).guid = guid;
      expect(guid.length).toBe(36);
      expect(DeclarationSchema.safeParse(d).success).toBe(false);
      expect(accept(d)).toBe(false);
    }
    // 36 characters of which some are two units each: the schema's to judge, and it accepts them.
    const d = example('hangzhou-1210');
    (d.order as Json).guid = `${'0'.repeat(35)}😀`;
    expect(accept(d)).toBe(DeclarationSchema.safeParse(d).success);
  });

  it('on any mutation of any field of the examples', () => {
    const bases = [example('hangzhou-1210'), example('guangzhou-9610')];
    fc.assert(
      fc.property(
        fc.nat(1),
        fc.nat(),
        fc.array(values, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        (b, pick, vals, pick2) => {
          const d = structuredClone(bases[b]!);
          const ps = paths(d);
          setAt(d, ps[pick % ps.length]!, vals[0]);
          if (vals.length > 1) {
            const ps2 = paths(d).filter((p) => p.length > 1);
            if (ps2.length) setAt(d, ps2[pick2 % ps2.length]!, vals[1]);
          }
          expect(accept(d)).toBe(DeclarationSchema.safeParse(d).success);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(accept(v)).toBe(DeclarationSchema.safeParse(v).success);
      }),
    );
  });
});

describe('compileAccept on schemas beyond the model', () => {
  it('a schema it cannot compile says no to everything, never yes (zod then decides)', () => {
    for (const schema of [z.number(), z.object({ a: z.union([z.string(), z.number()]) }), z.array(z.boolean())]) {
      const unsupported = compileAccept(schema);
      fc.assert(
        fc.property(fc.jsonValue(), (v) => {
          expect(unsupported(v)).toBe(false);
        }),
      );
      expect(unsupported({ a: 'x' })).toBe(false);
    }
  });

  it('a pattern with the global flag answers the same every time (no lastIndex carried between calls)', () => {
    const digits = compileAccept(z.object({ n: z.string().regex(/^\d+$/g) }));
    expect([digits({ n: '12' }), digits({ n: '12' }), digits({ n: '12' })]).toEqual([true, true, true]);
    expect(digits({ n: '1x' })).toBe(false);
  });
});
