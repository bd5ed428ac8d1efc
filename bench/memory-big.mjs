// Peak resident memory of sandan's readers on big messages, as a multiple of the file (docs/performance.md, session
// 58): parseDxpRep of a DxpRep of many Response elements, parseCebXml of a CEB621 of many inventories and of a CEB816
// of many Tax elements (the XSD bounds none of these counts), and the reconciliation scanner (scanCebText) on that
// CEB816. Each reader runs in a child process of its own, which reads the file and reads it once; the peak RSS is the
// child's maxRSS, and the baseline the same child that reads the file and does not parse it.
//   node bench/memory-big.mjs [MB] [DIST]   (default 20 MB, this checkout's dist)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ceb621Samples } from './fixtures.mjs';
import { dxpRepText } from './generate-dxprep.mjs';

const mb = Number(process.argv[2] ?? 20);
const dist = resolve(process.argv[3] ?? new URL('../dist', import.meta.url).pathname);
const size = mb * 1e6;

/** `unit` repeated (numbered by `vary`) between `head` and `tail` until the text is about `size` characters. */
const grow = (head, unit, tail, vary) => {
  const n = Math.max(1, Math.floor((size - head.length - tail.length) / unit.length));
  const parts = [head];
  for (let i = 0; i < n; i++) parts.push(vary(unit, i));
  parts.push(tail);
  return { text: parts.join(''), n };
};

const { single } = ceb621Samples();
const inv = [single.indexOf('<ceb:Inventory>'), single.indexOf('</ceb:Inventory>') + '</ceb:Inventory>'.length];
const ceb621 = grow(single.slice(0, inv[0]), `${single.slice(...inv)}\n\t`, single.slice(inv[1]), (u, i) =>
  u.replace(/<ceb:copNo>[^<]*/, `<ceb:copNo>BIG${i}`),
);
const bill = readFileSync(new URL('../test/fixtures/xml/CEB816Message.xml', import.meta.url), 'utf8');
const tax = [bill.indexOf('  <Tax>'), bill.lastIndexOf('</Tax>') + '</Tax>\n'.length];
const ceb816 = grow(bill.slice(0, tax[0]), bill.slice(...tax), bill.slice(tax[1]), (u, i) =>
  u.replace(/<invtNo>[^<]*/, `<invtNo>BIG${i}`),
);
const repN = Math.floor(size / dxpRepText(1).length);
const cases = [
  ['parseDxpRep', 'DxpRep', dxpRepText(repN), repN, 'r.responses.length'],
  ['parseCebXml', 'CEB621', ceb621.text, ceb621.n, 'r.issues.length'],
  ['parseCebXml', 'CEB816', ceb816.text, ceb816.n, 'r.issues.length'],
  ['scanCebText', 'CEB816', ceb816.text, ceb816.n, 'r.documents.length'],
];

const dir = mkdtempSync(join(tmpdir(), 'sandan-memory-big-'));
try {
  const run = (fn, file, expr) => {
    const call = fn ? `const r = lib.${fn}(${fn === 'scanCebText' ? "buf.toString('utf8')" : 'buf'}); ${expr};` : '0';
    const script = `const lib = await import(${JSON.stringify(`${dist}/index.js`)});
      const buf = (await import('node:fs')).readFileSync(${JSON.stringify(file)});
      const t0 = performance.now(); const n = (() => { ${fn ? `${call.replace(/; (.*);$/, '; return $1;')}` : 'return 0;'} })();
      console.log(JSON.stringify([n, performance.now() - t0, process.resourceUsage().maxRSS * 1024]));`;
    const c = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    if (c.status !== 0) throw new Error(c.stderr);
    return JSON.parse(c.stdout);
  };
  console.log(
    '| reader | message | elements (read) | file MB | time s | peak RSS MB | RSS ÷ file | baseline MB | (RSS − baseline) ÷ file |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [fn, type, text, n, expr] of cases) {
    const file = join(dir, `${type}.xml`);
    writeFileSync(file, text);
    const bytes = statSync(file).size;
    const [, , base] = run(undefined, file);
    const [count, ms, peak] = run(fn, file, expr);
    const f = (x) => (x / 1e6).toFixed(0);
    console.log(
      `| ${fn} | ${type} | ${n} (${count}) | ${(bytes / 1e6).toFixed(1)} | ${(ms / 1000).toFixed(1)} | ${f(peak)} | ${(peak / bytes).toFixed(1)} | ${f(base)} | ${((peak - base) / bytes).toFixed(1)} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
