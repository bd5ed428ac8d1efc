import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStore, openSqliteStore, type ReconcileStore } from '../../src/reconcile/index.js';

/*
 * The spooled rows of both stores, written in batches and read back as rows and as blocks. The
 * blocks are cut in bytes and decoded piece by piece (about 32 KiB, to keep strings out of V8's
 * large-object space), so rows with multi-byte characters, rows longer than a piece and rows that
 * end exactly at a piece's edge must all come back whole and in order.
 */

// A row is JSON text: never a line break inside. Characters of one, two, three and four UTF-8 bytes.
const char = fc.constantFrom('a', '"', '\\', 'é', '中', '文', '\u{20bb7}', '😀', '{', ',');
const row = fc.oneof(
  { weight: 6, arbitrary: fc.array(char, { maxLength: 40 }).map((cs) => cs.join('')) },
  // Long rows: one longer than the read buffer (32 KiB) makes it grow; some end near its edge.
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 32_700, max: 70_000 }), char).map(([n, c]) => 'x'.repeat(n) + c) },
);

async function stores(): Promise<Array<[string, ReconcileStore]>> {
  return [
    ['memory', new MemoryStore()],
    ['sqlite', await openSqliteStore()],
  ];
}

const PIECE = 1 << 15;

describe('the row spool', () => {
  it('gives back every row, whole and in order, as rows and as blocks (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(row, { maxLength: 30 }), { maxLength: 8 }), async (batches) => {
        const all = batches.flat();
        for (const [name, store] of await stores()) {
          try {
            for (const b of batches) store.putRows(b);
            expect([...store.rows()], name).toEqual(all);
            const blocks = [...store.rowBlocks()];
            expect(
              blocks.flatMap((b) => b.split('\n')),
              name,
            ).toEqual(all);
            // Bounded: a block is at most the read buffer, which doubles from a piece only while one row
            // fills it, so it stays under twice a piece or twice the longest row read so far (with its
            // line break), in bytes. (Not the block's own longest row: after a long row the buffer is kept
            // while the next row's start needs more than a piece, as seed 184625133 showed: a row of
            // 66,328 bytes, then a block of two rows of about 64,700 bytes, 129,455 bytes in all.)
            let longestBytes = 0;
            let row = 0;
            for (const b of blocks) {
              const rows = b.split('\n');
              for (const r of all.slice(row, (row += rows.length)))
                longestBytes = Math.max(longestBytes, Buffer.byteLength(r) + 1);
              expect(Buffer.byteLength(b), name).toBeLessThanOrEqual(2 * Math.max(PIECE, longestBytes));
            }
          } finally {
            store.close();
          }
        }
      }),
      { numRuns: 60, verbose: 0 },
    );
  });

  it('cuts 20,000 rows of 600 characters into blocks of about 32 KiB, not one of 12 MB', async () => {
    const rows = Array.from(
      { length: 20_000 },
      (_, i) => `{"orderNo":"SD${String(i).padStart(8, '0')}","pad":"${'0'.repeat(570)}"}`,
    );
    for (const [name, store] of await stores()) {
      try {
        for (let i = 0; i < rows.length; i += 1000) store.putRows(rows.slice(i, i + 1000));
        const blocks = [...store.rowBlocks()];
        // A row is 603 characters and its line break: 20,000 × 604 = 12,080,000 bytes; a block ends
        // with the row that reaches 32,768 or before it, so no block passes 32,768 + 603 and there are
        // at least 12,080,000 / 33,371 = 362 of them.
        expect(blocks.length, name).toBeGreaterThanOrEqual(362);
        expect(Math.max(...blocks.map((b) => b.length)), name).toBeLessThanOrEqual(PIECE + 603);
        expect(blocks.join('\n').split('\n'), name).toEqual(rows);
      } finally {
        store.close();
      }
    }
  });
});
