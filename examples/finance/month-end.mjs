#!/usr/bin/env node
// Journey 3 — month-end finance (关税对账) with the library: reconcile a month of declarations
// against the customs tax bills once, write the report as JSON, CSV, an Excel workbook and the
// summary, and say whether it balances. month-end.sh does the same with plain sandan calls.
//
//   node examples/finance/month-end.mjs examples/finance/2026-11 --out /tmp/month-end
//
// The month's folder holds declarations.ndjson (what the platform declared and withheld),
// bills/ (CEB816 tax bills and CEB818 statuses from customs), receipts/ (CEB622/624/626:
// they link bills to orders and mark cancels and refunds) and rates.json.
// Exit 0 when every order matches its bill, 1 when something needs a look, 2 when it could not run
// (a folder that is not a month's, a file that cannot be read).
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  expandPaths,
  openSqliteStore,
  reconcileBalanced,
  reconcileFiles,
  reportCsvChunks,
  reportJsonChunks,
  reportTextChunks,
  writeReportXlsx,
} from 'sandan';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string', default: 'month-end' } },
});
const month = positionals[0];
if (!month) {
  console.error('usage: month-end.mjs <month folder> [--out DIR]');
  process.exit(2);
}

try {
  await monthEnd(month, values.out);
} catch (e) {
  // A failure is told in one line, as the CLI tells it: no stack trace for a wrong folder.
  console.error(`month-end: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 2;
}

async function monthEnd(month, out) {
  const rateTables = [
    { data: JSON.parse(readFileSync(join(month, 'rates.json'), 'utf8')), source: join(month, 'rates.json') },
  ];

  // The join index lives in a temporary SQLite file, so memory stays flat however many bills there are.
  const store = await openSqliteStore();
  try {
    const files = await expandPaths([join(month, 'bills'), join(month, 'receipts')]);
    // Declarations are read in batches and computed on worker threads (one per core): a month of a
    // large platform neither fits in memory nor needs to wait for one core.
    const report = await reconcileFiles({
      declarations: join(month, 'declarations.ndjson'),
      documents: files,
      rateTables,
      store,
      // Each phase's progress, in bytes of the files read (a terminal would draw a bar from it).
      onProgress: (p) => {
        if (process.stderr.isTTY && p.total)
          process.stderr.write(`\r${p.phase} ${Math.floor((100 * p.done) / p.total)}%\x1b[K`);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');

    mkdirSync(out, { recursive: true });
    const name = month.replace(/\/+$/, '').split('/').pop();
    const json = join(out, `reconcile-${name}.json`);
    const csv = join(out, `reconcile-${name}.csv`);
    const xlsx = join(out, `reconcile-${name}.xlsx`);
    const summary = join(out, `summary-${name}.txt`);
    writeFileSync(json, [...reportJsonChunks(report)].join(''));
    writeFileSync(csv, [...reportCsvChunks(report)].join(''));
    await writeReportXlsx(report, createWriteStream(xlsx));
    const text = [...reportTextChunks(report)].join('');
    writeFileSync(summary, text);

    // The same verdict as `sandan reconcile`'s exit code: every order matched, cancelled or refunded.
    const balanced = reconcileBalanced(report.summary);
    console.log(text.trimEnd());
    console.log(`\nwrote ${json}, ${csv}, ${xlsx} and ${summary}: ${balanced ? 'balanced' : 'needs a look'}`);
    process.exitCode = balanced ? 0 : 1;
  } finally {
    store.close?.();
  }
}
