import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { reconcileFiles } from '../../src/reconcile/index.js';
import { validateStream } from '../../src/rules/stream.js';
import { example } from '../helpers/examples.js';

/*
 * Byte-order marks at the start of lines 1 and 2, in an input that is valid UTF-8 and in the same input with one
 * byte that is not UTF-8 on line 3. Reconciliation decodes a piece of lines at once, and falls back to one line at a
 * time when the piece holds a bad byte; the streaming reader (validateStream) always reads one line at a time. Both
 * must read lines 1 and 2 alike in both inputs. They did not for a line that holds only a byte-order mark (and
 * perhaps white space): skipped as blank where the piece was valid, and an unreadable declaration (json-syntax)
 * everywhere else.
 */

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const decl = (orderNo: string) => {
  const d = example('hangzhou-1210') as Record<string, any>;
  d.order.orderNo = d.inventory.orderNo = orderNo;
  delete d.inventory.invtNo;
  return Buffer.from(JSON.stringify(d));
};
/** Line 3: a declaration whose note holds a byte that is not UTF-8 (0xFF) or, in the valid input, an `x`. */
const line3 = (bad: boolean) =>
  Buffer.concat([
    decl('SD-3').subarray(0, -1),
    Buffer.from(',"x":"a'),
    Buffer.from([bad ? 0xff : 0x78]),
    Buffer.from('"}'),
  ]);

/** Lines 1 and 2, each starting with a byte-order mark. */
const starts: Record<string, [Buffer, Buffer]> = {
  'a declaration on each': [Buffer.concat([BOM, decl('SD-1')]), Buffer.concat([BOM, decl('SD-2')])],
  'only a mark on line 2': [Buffer.concat([BOM, decl('SD-1')]), BOM],
  'only a mark on line 1': [BOM, Buffer.concat([BOM, decl('SD-2')])],
  'a mark and spaces on line 2': [Buffer.concat([BOM, decl('SD-1')]), Buffer.concat([BOM, Buffer.from('  \t')])],
  'two marks on each (the second dropped on line 1 only)': [
    Buffer.concat([BOM, BOM, decl('SD-1')]),
    Buffer.concat([BOM, BOM, decl('SD-2')]),
  ],
  'two marks alone on line 1, one mark and CR on line 2': [
    Buffer.concat([BOM, BOM]),
    Buffer.concat([BOM, Buffer.from('\r')]),
  ],
};
const input = ([one, two]: [Buffer, Buffer], bad: boolean) =>
  Buffer.concat([one, Buffer.from('\n'), two, Buffer.from('\n'), line3(bad), Buffer.from('\n'), decl('SD-4')]);

/** What a reader made of lines 1 and 2: [line, orderNo or the issue code]. */
type Seen = Array<[number, string]>;

const dir = mkdtempSync(join(tmpdir(), 'sandan-reconcile-bom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function throughReconcile(bytes: Buffer, asFile: boolean): Promise<Seen> {
  let declarations: string | AsyncIterable<Uint8Array> = Readable.from([bytes]);
  if (asFile) writeFileSync((declarations = join(dir, 'declarations.ndjson')), bytes);
  const report = await reconcileFiles({ declarations, documents: [], workers: 0 });
  const out: Seen = [];
  for (const row of report.rows()) {
    const line = Number(row.notes.find((n) => n.startsWith('line:'))?.slice(5));
    if (line > 2) continue;
    out.push([line, row.orderNo ?? row.notes.find((n) => n.startsWith('issue:'))!]);
  }
  return out;
}

async function throughValidateStream(bytes: Buffer): Promise<Seen> {
  const out: Seen = [];
  for await (const item of validateStream(Readable.from([bytes]))) {
    if (item.line! > 2) continue;
    const issue = item.result.valid ? undefined : item.result.issues.find((i) => i.ruleId === 'input');
    out.push([item.line!, issue ? `issue:${issue.code}` : (item.input as any).order.orderNo]);
  }
  return out;
}

describe('byte-order marks at the start of lines 1 and 2, with and without a bad byte on line 3', () => {
  it.each(Object.entries(starts))('%s: every reader reads lines 1 and 2 alike in both inputs', async (_name, lines) => {
    const seen = async (bad: boolean) => {
      const bytes = input(lines, bad);
      return {
        stream: await throughReconcile(bytes, false),
        file: await throughReconcile(bytes, true),
        validate: await throughValidateStream(bytes),
      };
    };
    const valid = await seen(false);
    const broken = await seen(true);
    expect(broken).toEqual(valid);
    // And the readers agree with each other.
    expect(valid.file).toEqual(valid.stream);
    expect(valid.validate).toEqual(valid.stream);
  });

  it('a line that holds only a byte-order mark (and white space) is blank, and skipped', async () => {
    const expected: Record<string, Seen> = {
      'a declaration on each': [
        [1, 'SD-1'],
        [2, 'SD-2'],
      ],
      'only a mark on line 2': [[1, 'SD-1']],
      'only a mark on line 1': [[2, 'SD-2']],
      'a mark and spaces on line 2': [[1, 'SD-1']],
      'two marks on each (the second dropped on line 1 only)': [
        [1, 'SD-1'],
        [2, 'issue:json-syntax'],
      ],
      'two marks alone on line 1, one mark and CR on line 2': [],
    };
    for (const [name, lines] of Object.entries(starts))
      expect([name, await throughValidateStream(input(lines, true))]).toEqual([name, expected[name]]);
  });
});
