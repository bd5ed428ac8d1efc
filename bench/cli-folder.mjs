// `sandan validate DIR` over a folder of small files, one pretty-printed declaration each (how CI
// checks a folder of declarations): files per second of wall time, start-up included.
// SANDAN_BENCH_FILES sets the number of files (default 2,000).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threeLineDeclaration } from './fixtures.mjs';

const files = Number(process.env.SANDAN_BENCH_FILES ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'sandan-bench-folder-'));
try {
  const base = threeLineDeclaration();
  for (let i = 0; i < files; i++) {
    for (const doc of [base.order, base.payment, base.logistics, base.inventory]) doc.orderNo = `BENCH${i}`;
    writeFileSync(join(dir, `d${String(i).padStart(5, '0')}.json`), JSON.stringify(base, null, 2));
  }
  const start = performance.now();
  const r = spawnSync(
    process.execPath,
    [new URL('../bin/sandan.js', import.meta.url).pathname, 'validate', dir, '--format', 'json'],
    { encoding: 'utf8', maxBuffer: 1 << 30 },
  );
  const seconds = (performance.now() - start) / 1000;
  const summary = JSON.parse(r.stdout).summary;
  if (r.status !== 0 || summary.declarations !== files) throw new Error(`bench folder run failed: ${r.stderr}`);
  console.log(
    JSON.stringify({
      name: `validate a folder of ${files} one-declaration files (CLI, JSON output)`,
      unit: 'files/s',
      value: Math.round(files / seconds),
      seconds: Number(seconds.toFixed(2)),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
