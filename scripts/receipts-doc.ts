import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { receiptCatalogue } from '../src/xml/receipts.js';

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;');

/** docs/receipts.md: the receipt catalogue (rulesets/receipts.json) for people. */
export function receiptsDoc(): string {
  const c = receiptCatalogue();
  const out: string[] = [
    '# Receipts: returnStatus values and codes',
    '',
    '<!-- Generated from rulesets/receipts.json by scripts/receipts-doc.ts (npx tsx scripts/receipts-doc.ts); do not edit. -->',
    '',
    'Customs and E-Port answer each declaration asynchronously with receipts (CEB312, 412, 512, 514, 622, 624, 626, 712, and CEB900 for format failures).',
    '`sandan parse` reads them and explains `returnStatus` and the `[Code:…]` in `returnInfo` with the tables below.',
    '',
    '## returnStatus',
    '',
    '| status | 含义 | meaning | outcome | receipts | what to do | source |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of c.statuses) {
    out.push(`| ${esc(s.status)} | ${esc(s.zh)} | ${esc(s.en)} | ${s.outcome} | ${s.receipts.join(', ')} | ${esc(s.fix.zh)} / ${esc(s.fix.en)} | ${esc(s.source)} |`);
  }
  const layers: Array<[string, string]> = [
    ['customs', 'Customs codes in returnInfo (`[Code:NNNN;Desc:…]`)'],
    ['dxp', 'DXP transport codes (4 digits)'],
    ['eport', 'E-Port processing codes (negative)'],
  ];
  for (const [layer, title] of layers) {
    out.push('', `## ${title}`, '', '| code | 含义 | meaning | what to do | source |', '|---|---|---|---|---|');
    for (const e of c.codes.filter((x) => x.layer === layer)) out.push(`| ${e.code} | ${esc(e.zh)} | ${esc(e.en)} | ${esc(e.fix.zh)} / ${esc(e.fix.en)} | ${esc(e.source)} |`);
  }
  out.push('');
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(new URL('../docs/receipts.md', import.meta.url), receiptsDoc());
}
