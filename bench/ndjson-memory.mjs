// Peak memory of `sandan validate -` over a large NDJSON stream: the input is generated on the
// fly into the CLI's standard input (no file), and the child's resident memory is sampled.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { threeLineDeclaration } from './fixtures.mjs';

const lines = Number(process.env.SANDAN_BENCH_LINES ?? 1_000_000);
const base = threeLineDeclaration();
const child = spawn(
  process.execPath,
  [new URL('../bin/sandan.js', import.meta.url).pathname, 'validate', '-', '--ndjson', '--format', 'json'],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);

let _outBytes = 0;
let tail = '';
child.stdout.on('data', (b) => {
  _outBytes += b.length;
  tail = (tail + b.toString()).slice(-400);
});

const samples = [];
let peak = 0;
const rss = () => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
};
let written = 0;
const timer = setInterval(() => {
  const r = rss();
  peak = Math.max(peak, r);
  samples.push({ written, rssMB: Math.round(r) });
}, 250);

const start = performance.now();
async function feed() {
  for (let i = 0; i < lines; i++) {
    for (const doc of [base.order, base.payment, base.logistics, base.inventory]) doc.orderNo = `BENCH${i}`;
    // Every line differs a little so nothing is cached by accident.
    const ok = child.stdin.write(`${JSON.stringify(base)}\n`);
    written = i + 1;
    if (!ok) await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
}
await feed();
const code = await new Promise((r) => child.on('close', r));
clearInterval(timer);
const seconds = (performance.now() - start) / 1000;
const at = (f) => samples[Math.min(samples.length - 1, Math.floor(samples.length * f))]?.rssMB;
console.log(
  JSON.stringify({
    name: `validate NDJSON stream (${lines} declarations, CLI)`,
    unit: 'MB peak RSS',
    value: Math.round(peak),
    rssAt10pct: at(0.1),
    rssAt50pct: at(0.5),
    rssAt90pct: at(0.9),
    declarationsPerSec: Math.round(lines / seconds),
    exitCode: code,
    // (the CLI's own last line: what it counted)
    cliSummary: tail.trim().split('\n').pop(),
  }),
);
