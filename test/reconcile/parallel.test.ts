import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  expandPaths,
  readCebDocuments,
  reportJsonChunks,
  reconcileFiles,
  reconcile,
  type ReconcileReport,
  openSqliteStore,
  MemoryStore,
  reconcileBalanced,
  type ReconcileStore,
  type ReconcileFilesOptions,
} from '../../src/reconcile/index.js';
import { readRecords } from '../../src/cli/input.js';
import { MAX_RECORD_BYTES, MAX_SKIPPED_LINE_BYTES } from '../../src/model/json-input.js';
import { BloomFilter } from '../../src/reconcile/bloom.js';
import { declarationBatches, fileDeclarationBatches, readBatch } from '../../src/reconcile/jobs.js';
import { fileSink, generate, RATES, type Calculate } from './generator.js';
import { calculate } from './helpers.js';

// Worker threads run the built script (vitest's global setup builds dist/ first).
const workerUrl = new URL('../../dist/reconcile/worker.js', import.meta.url);

const dir = mkdtempSync(join(tmpdir(), 'sandan-reconcile-parallel-'));
const expected = generate(dir, fileSink(), {
  orders: 700,
  calculate: calculate as unknown as Calculate,
  billsPerFile: 40,
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A few lines the reader must report, not drop: invalid JSON, invalid UTF-8, blank, CRLF, a repeated order.
const lines = readFileSync(join(dir, 'declarations.ndjson'), 'utf8').trimEnd().split('\n');
const messy = Buffer.concat([
  Buffer.from(`${lines.slice(0, 300).join('\n')}\n{"order": \n\n   \n`),
  Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]),
  Buffer.from(`${lines.slice(300, 500).join('\r\n')}\r\n${lines[3]}\n${lines.slice(500, 650).join('\n')}\n`),
  // Line 656, in the second batch (beyond 1 MiB): a worker reads it before it knows where the batch starts.
  Buffer.from(`{"order": {"orderNo": "SD-BROKEN"]}\n${lines.slice(650).join('\n')}`),
]);
writeFileSync(join(dir, 'messy.ndjson'), messy);

// The generated month delivers some bills twice, whose copies agree: the problems name each (taxNo, both places) after
// what could not be read. These tests are about the latter; the repeats are counted against the summary.
const isRepeat = (p: string) => /^CEB816 taxNo \S+ came twice: /.test(p);
function unreadProblems(report: ReconcileReport): string[] {
  const { duplicateBills, conflictingBills = 0 } = report.summary.inputs;
  expect(report.problems.filter(isRepeat)).toHaveLength(duplicateBills - conflictingBills);
  return report.problems.filter((p) => !isRepeat(p));
}

function text(report: ReconcileReport): string {
  return [...reportJsonChunks(report)].join('');
}

async function sequential(file: string, store: ReconcileStore = new MemoryStore()): Promise<string> {
  const files = await expandPaths([join(dir, 'bills'), join(dir, 'receipts')]);
  const declarations = readRecords(Readable.from([readFileSync(file)]), { ndjson: true });
  const report = await reconcile({ declarations, documents: readCebDocuments(files) }, { calculate, store });
  try {
    return text(report);
  } finally {
    store.close();
  }
}

async function parallel(
  file: string,
  options: Partial<ReconcileFilesOptions> = {},
): Promise<{ report: string; summary: ReconcileReport['summary'] }> {
  const documents = await expandPaths([join(dir, 'bills'), join(dir, 'receipts')]);
  const store = options.store ?? new MemoryStore();
  const report = await reconcileFiles({
    declarations: file,
    documents,
    rateTables: [{ data: RATES, source: 'rates.json' }],
    workerUrl,
    store,
    ...options,
  });
  try {
    return { report: text(report), summary: report.summary };
  } finally {
    store.close();
  }
}

describe('reconcileFiles (worker threads)', () => {
  it('gives the report of the sequential reconcile(), byte for byte, with 0, 1 and 3 workers', async () => {
    const want = await sequential(join(dir, 'declarations.ndjson'));
    for (const workers of [0, 1, 3]) {
      const got = await parallel(join(dir, 'declarations.ndjson'), { workers });
      expect(got.report).toBe(want);
      expect(got.summary).toMatchObject({
        matched: expected.matched,
        mismatched: expected.mismatched,
        billMissing: expected.billMissing,
        cancelled: expected.cancelled,
        refunded: expected.refunded,
        billVoid: expected.billVoid,
        unlinked: expected.unlinked,
      });
      expect(got.summary.billedTaxTotal.toFixed(2)).toBe(expected.billedTaxTotal);
    }
  });

  it('reports bad lines, blank lines, CRLF and a repeated order as the CLI reader does, with the SQLite index', async () => {
    const file = join(dir, 'messy.ndjson');
    const want = await sequential(file, await openSqliteStore());
    const got = await parallel(file, { workers: 2, store: await openSqliteStore() });
    // reconcile() names its input inputs.declarations, reconcileFiles() the file.
    expect(got.report.replaceAll(`${file}, line`, 'inputs.declarations, line')).toBe(want);
    const rows = JSON.parse(got.report).orders as Array<{ status: string; notes: string[] }>;
    expect(rows.filter((r) => r.notes.includes('issue:json-syntax')).map((r) => r.notes[0])).toEqual([
      'line:301',
      'line:656',
    ]);
    expect(rows.filter((r) => r.notes.includes('issue:input-encoding')).map((r) => r.notes[0])).toEqual(['line:304']);
    expect(rows.filter((r) => r.status === 'duplicate-declaration')).toHaveLength(1);
  });

  it.each([0, 2])(
    'names each line it could not read in the problems, by file and line (%i workers)',
    async (workers) => {
      const file = join(dir, 'messy.ndjson');
      const store = await openSqliteStore();
      const report = await reconcileFiles({
        declarations: file,
        documents: await expandPaths([join(dir, 'bills'), join(dir, 'receipts')]),
        rateTables: [{ data: RATES, source: 'rates.json' }],
        workerUrl,
        workers,
        store,
      });
      try {
        // As an unusable document is named (the month's record says what was not read); the rows are not-computed.
        expect(unreadProblems(report)).toEqual([
          `${file}, line 301: The input is not valid JSON (line 301, column 11): Unexpected end of JSON input`,
          `${file}, line 304: The input is not valid UTF-8 text (byte 0xFF at line 304, column 2); save it as UTF-8`,
          expect.stringMatching(
            new RegExp(`^${file}, line 656: The input is not valid JSON \\(line 656, column 34\\)`),
          ),
        ]);
        expect(report.summary.notComputed).toBeGreaterThanOrEqual(3);
        expect(reconcileBalanced(report.summary)).toBe(false);
      } finally {
        store.close();
      }
    },
  );

  it('passes the tolerance to the workers', async () => {
    const got = await parallel(join(dir, 'declarations.ndjson'), { workers: 2, tolerance: '0.01' });
    expect(got.summary.mismatched).toBe(0);
  });

  it('finds its worker script from the CommonJS build too', async () => {
    const { createRequire } = await import('node:module');
    const cjs = createRequire(import.meta.url)('../../dist/index.cjs') as {
      reconcileFiles: typeof reconcileFiles;
      expandPaths: typeof expandPaths;
    };
    const documents = await cjs.expandPaths([join(dir, 'bills'), join(dir, 'receipts')]);
    const report = await cjs.reconcileFiles({
      declarations: join(dir, 'declarations.ndjson'),
      documents,
      rateTables: [{ data: RATES, source: 'rates.json' }],
      workers: 1,
    });
    expect(report.summary.matched).toBe(expected.matched);
  });

  it('reads declarations from a byte stream (standard input)', async () => {
    const got = await parallel('', {
      workers: 1,
      declarations: Readable.from([readFileSync(join(dir, 'declarations.ndjson'))]),
    });
    expect(got.summary.inputs.declarations).toBe(700);
  });

  it('skips a broken XML file through onFileError, or throws its SandanError', async () => {
    const bad = join(dir, 'broken.xml');
    writeFileSync(bad, '<?xml version="1.0"?><CEB816Message xmlns="http://www.chinaport.gov.cn/ceb"><Tax><TaxHeadRd>');
    const documents = [...(await expandPaths([join(dir, 'bills')])), bad];
    const skipped: string[] = [];
    const report = await reconcileFiles({
      declarations: join(dir, 'declarations.ndjson'),
      documents,
      rateTables: [{ data: RATES, source: 'r' }],
      workerUrl,
      workers: 2,
      onFileError: (f, e) => skipped.push(`${f} ${e.code}`),
    });
    expect(skipped).toEqual([`${bad} XML_MALFORMED`]);
    expect(report.summary.inputs.declarations).toBe(700);
    // The report itself says a file was skipped (the JSON, CSV and workbook are the month's record),
    // so reconcileBalanced cannot call a month balanced whose bills or voids were not all read.
    expect(report.summary.inputs.unreadableDocuments).toBe(1);
    expect(unreadProblems(report)).toEqual([expect.stringContaining(bad)]);
    expect(report.problems[0]).toContain('not well-formed');
    await expect(
      reconcileFiles({
        declarations: join(dir, 'declarations.ndjson'),
        documents,
        rateTables: [{ data: RATES, source: 'r' }],
        workerUrl,
        workers: 2,
      }),
    ).rejects.toMatchObject({ code: 'XML_MALFORMED' });
  });

  it('leaves no listener on a signal it was given: a service passing one long-lived signal to every run', async () => {
    const controller = new AbortController();
    for (const workers of [0, 1, 2]) {
      await parallel(join(dir, 'declarations.ndjson'), { workers, signal: controller.signal });
      expect(getEventListeners(controller.signal, 'abort'), `${workers} workers`).toEqual([]);
    }
    await reconcile({ declarations: [], bills: [] }, { calculate, signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort'), 'reconcile()').toEqual([]);
  });

  it('fails with RECONCILE_WORKER when a worker cannot start, and refuses a bad worker count', async () => {
    const broken = join(dir, 'broken-worker.mjs');
    writeFileSync(broken, 'throw new Error("no worker here");\n');
    await expect(
      parallel(join(dir, 'declarations.ndjson'), { workers: 1, workerUrl: new URL(`file://${broken}`) }),
    ).rejects.toMatchObject({ code: 'RECONCILE_WORKER' });
    // 0 to 64 threads: one past either end, or a fraction, is refused before any thread starts
    for (const workers of [-1, 65, 1.5])
      await expect(parallel(join(dir, 'declarations.ndjson'), { workers }), String(workers)).rejects.toMatchObject({
        code: 'INVALID_OPTION',
        message: `workers must be an integer from 0 to 64, got ${workers}`,
      });
    // 64 itself is taken: the next check (the declarations file, read before any thread starts) is what refuses.
    await expect(parallel(join(dir, 'missing.ndjson'), { workers: 64 })).rejects.toMatchObject({
      code: 'FILE_UNREADABLE',
    });
    await expect(
      parallel(join(dir, 'declarations.ndjson'), {
        workers: 1,
        workerUrl: new URL(`file://${join(dir, 'no-such-worker.js')}`),
      }),
    ).rejects.toThrow(
      // What a bundle of sandan meets: the message says how to run it (not only how to build a clone).
      `The reconciliation worker script is missing: ${join(dir, 'no-such-worker.js')}. It is read from beside sandan's own modules: if sandan is bundled into your application, leave it out of the bundle (esbuild --packages=external), or pass workerUrl (sandan's dist/reconcile/worker.js) or workers: 0; in a clone, build it with npm run build`,
    );
  });
});

describe('declaration batches', () => {
  // Lines as bytes: JSON, broken JSON, blanks, one or two BOMs, and arbitrary bytes (often not UTF-8).
  const line = fc.oneof(
    fc
      .constantFrom(
        '{"a":1}',
        '{"b":"中文"}',
        '',
        '   ',
        '\t',
        '\u00a0',
        '{"c": [1,2',
        'not json',
        '\uFEFF{"bom":true}',
        // A mark alone, or before white space: a blank line once the mark is dropped.
        '\uFEFF',
        '\uFEFF \t',
        // Two marks: both dropped on the input's first line only (a later line keeps the second, and is not JSON).
        '\uFEFF\uFEFF{"boms":2}',
        '{"x":"\\r"}',
      )
      .map((t) => Buffer.from(t)),
    fc.json().map((t) => Buffer.from(t)),
    fc.uint8Array({ minLength: 1, maxLength: 6 }).map((b) => Buffer.from(b.filter((x) => x !== 0x0a))),
  );
  it('read the lines the CLI reader reads, wherever the batches, chunks and decoded pieces are cut (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(line, fc.boolean()), { maxLength: 12 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 24 }),
        async (ls, finalNewline, chunk, batchBytes, pieceBytes) => {
          const parts = ls.flatMap(([l, crlf], i) => [
            ...(i > 0 ? [Buffer.from('\n')] : []),
            l,
            ...(crlf ? [Buffer.from('\r')] : []),
          ]);
          const bytes = Buffer.concat([...parts, ...(finalNewline ? [Buffer.from('\n')] : [])]);
          const want = [];
          for await (const r of readRecords(Readable.from([bytes]), { ndjson: true })) {
            // An input with no line at all: the CLI reader says so as a record; reconcile, in its problems.
            if (r.issue?.code === 'input-empty') continue;
            want.push({ line: r.line, value: r.value, issue: r.issue?.code });
          }
          const chunks = Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, i) =>
            bytes.subarray(i * chunk, (i + 1) * chunk),
          );
          const got = [];
          let first = 1;
          for await (const b of declarationBatches(Readable.from(chunks), batchBytes)) {
            // Decoded in pieces of whole lines as small as a byte (a line longer than a piece is one piece).
            const { records, breaks } = readBatch(b, first, (r) => r, pieceBytes);
            for (const r of records) got.push({ line: r.line, value: r.value, issue: r.issue?.code });
            first += breaks;
          }
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("read from a file in buffers of their own, numbered by the consumer, give the CLI reader's records (lines longer than a batch included)", async () => {
    const file = join(dir, 'numbered.ndjson');
    const body = Buffer.concat([
      Buffer.from('\uFEFF{"a":1}\n\n{"long":"'),
      Buffer.alloc(300, 0x78),
      Buffer.from('"}\r\n{"b":'),
      Buffer.from('\n{"c":"中文"}\n  \n{"d":4}'),
    ]);
    writeFileSync(file, body);
    const want = [];
    for await (const r of readRecords(Readable.from([body]), { ndjson: true }))
      want.push({ line: r.line, value: r.value, issue: r.issue?.code });
    for (const size of [16, 64, 1 << 20]) {
      const got = [];
      let first = 1;
      for await (const b of fileDeclarationBatches(file, size)) {
        const { records, breaks } = readBatch(b, first);
        for (const r of records) got.push({ line: r.line, value: r.value, issue: r.issue?.code });
        first += breaks;
      }
      expect(got).toEqual(want);
    }
  });

  it('number a line longer than 16 MiB and report it without holding it', async () => {
    const big = Buffer.alloc(17 * 1024 * 1024, 0x61);
    const chunks = [
      Buffer.from('{"a":1}\n'),
      ...Array.from({ length: 17 }, (_, i) => big.subarray(i << 20, (i + 1) << 20)),
      Buffer.from('\n{"b":2}'),
    ];
    const got = [];
    let first = 1;
    for await (const b of declarationBatches(Readable.from(chunks))) {
      const { records, breaks } = readBatch(b, first);
      for (const r of records) got.push([r.line, r.issue?.code ?? JSON.stringify(r.value)]);
      first += breaks;
    }
    expect(got).toEqual([
      [1, '{"a":1}'],
      [2, 'input-too-large'],
      [3, '{"b":2}'],
    ]);
  });
  it('carry a line of exactly 16 MiB across chunks whole, and one byte more as too large, as the CLI reader does', async () => {
    // Each line a JSON string of MAX_RECORD_BYTES (then + 1) bytes with its quotes, cut into 1 MiB chunks.
    const line = (n: number) => Buffer.concat([Buffer.from('"'), Buffer.alloc(n - 2, 0x61), Buffer.from('"')]);
    const body = Buffer.concat([
      line(MAX_RECORD_BYTES),
      Buffer.from('\n'),
      line(MAX_RECORD_BYTES + 1),
      Buffer.from('\n{}'),
    ]);
    const chunks = Array.from({ length: Math.ceil(body.length / (1 << 20)) }, (_, i) =>
      body.subarray(i << 20, (i + 1) << 20),
    );
    const want = [];
    // What a record is: its line, its issue, and its value (a string by its length).
    const seen = (r: { line: number; issue?: { code: string }; value?: unknown }) => [
      r.line,
      r.issue?.code,
      typeof r.value === 'string' ? r.value.length : JSON.stringify(r.value),
    ];
    for await (const r of readRecords(Readable.from([body]), { ndjson: true })) want.push(seen(r));
    // Line 1 is read whole (the string without its quotes); line 2 is not read at all.
    expect(want).toEqual([
      [1, undefined, MAX_RECORD_BYTES - 2],
      [2, 'input-too-large', undefined],
      [3, undefined, '{}'],
    ]);
    const got = [];
    let first = 1;
    for await (const b of declarationBatches(Readable.from(chunks))) {
      const { records, breaks } = readBatch(b, first);
      for (const r of records) got.push(seen(r));
      first += breaks;
    }
    expect(got).toEqual(want);
  });
});

describe('CebScanner without items', () => {
  it('reads the same tax bill heads and skips their lines', async () => {
    const { CebScanner } = await import('../../src/reconcile/scan.js');
    const file = readFileSync(join(dir, 'bills', 'CEB816-000002.xml'), 'utf8');
    const all = new CebScanner();
    const heads = new CebScanner({ items: false });
    const a = [...all.push(file), ...all.end()];
    const h = [...heads.push(file), ...heads.end()];
    expect(a.length).toBeGreaterThan(10);
    expect(a.every((d) => d.items.length > 0)).toBe(true);
    expect(h.map((d) => d.fields)).toEqual(a.map((d) => d.fields));
    expect(h.every((d) => d.items.length === 0)).toBe(true);
  });
});

describe('BloomFilter', () => {
  it('never forgets a key it was given (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 200 }), (keys) => {
        const f = new BloomFilter(10);
        for (const k of keys) f.add(k);
        return keys.every((k) => f.mayHave(k));
      }),
    );
  });
  it('rarely answers maybe for absent keys', () => {
    const f = new BloomFilter();
    for (let i = 0; i < 100_000; i++) f.add(`cancel:i:2924${i}`);
    let maybe = 0;
    for (let i = 0; i < 100_000; i++) if (f.mayHave(`refund:i:2924${i}`)) maybe++;
    expect(maybe).toBeLessThan(100);
  });
});

describe('declarations that never end', () => {
  it('a stream with no line break (as from /dev/zero) is refused once its first line passes the limit, not read forever', async () => {
    let pulled = 0;
    async function* zeros(): AsyncGenerator<Uint8Array> {
      const chunk = new Uint8Array(1 << 20);
      for (;;) {
        pulled += chunk.length;
        // (a reader that reads on fails here, rather than hang the suite)
        if (pulled > 4 * MAX_RECORD_BYTES) throw new Error('read on far past the limit');
        yield chunk;
      }
    }
    const report = await reconcileFiles({ declarations: zeros(), documents: [], workers: 0 });
    expect(report.summary.inputs).toMatchObject({ declarations: 0, unreadableDocuments: 1 });
    expect(report.problems[0]).toBe(
      `the declarations stream: The input is larger than ${MAX_RECORD_BYTES} bytes; a declaration is never that large`,
    );
    expect(pulled).toBe(MAX_RECORD_BYTES + (1 << 20));
  });

  it('as NDJSON, a line too long is skipped to MAX_SKIPPED_LINE_BYTES, then is the last line: not read for ever', async () => {
    let pulled = 0;
    async function* zeros(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode('{"a":1}\n');
      const chunk = new Uint8Array(1 << 20);
      for (;;) {
        pulled += chunk.length;
        if (pulled > 2 * MAX_SKIPPED_LINE_BYTES) throw new Error('read on far past the bound');
        yield chunk;
      }
    }
    const got = [];
    let first = 1;
    for await (const b of declarationBatches(zeros())) {
      const { records, breaks } = readBatch(b, first);
      for (const r of records) got.push([r.line, r.issue?.message.en ?? JSON.stringify(r.value)]);
      first += breaks;
    }
    expect(got).toEqual([
      [1, '{"a":1}'],
      [2, `Line 2 runs past ${MAX_SKIPPED_LINE_BYTES} bytes without a line break; the input was read no further`],
    ]);
    expect(pulled).toBe(MAX_SKIPPED_LINE_BYTES + (1 << 20));
  });
});
