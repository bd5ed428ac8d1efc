import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { citation, refIds, type SourceRef } from '../src/model/sources.js';
import { receiptCatalogue } from '../src/xml/receipts.js';

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;');
const ids = (r: SourceRef) => refIds(r).join(', ');

/**
 * How `sandan status` reads an E-Port refusal: which refuse only their message (the catalogue's `declarationStands`,
 * listed from the data), and that any refusal after customs' answer does.
 */
function eportRefusalNote(stands: readonly string[], reached: readonly string[]): string[] {
  return [
    `The E-Port checks a message before it sends it to customs; a negative status answers that message (the 202205 XSD: 若小于0数字表示处理异常回执). \`sandan status\` reads a refusal as the document's state, with two exceptions in which it refuses only the message and the declaration before it stands (anomaly \`resend-refused\`): a code marked so in the catalogue (${stands.join(', ')}: a second new declaration under a number in use, a change its state does not allow, a stale message), and any E-Port refusal (a negative status, or 4 发送海关失败) that comes after customs answered the same declaration with 120 or later (300, 399, 5xx, 800, 899): customs answered a message that passed the E-Port, so the refusal is of a later one, and customs' decision stands; so too after the E-Port's 3 发送海关成功 (or a code saying the message reached customs): the message left the E-Port past its checks, and the document waits for customs' answer. After only the E-Port's own 1 or 2, after customs' 100, or after an approved cancel (CEB624 399, the inventory declared anew) the refusal counts. A code that says the message reached customs and only the E-Port's record of it failed (${reached.join(', ')}: 发送海关成功，更新状态时发生错误) refuses nothing: the document is pending, waiting for customs' answer, as after the E-Port's 3.`,
    '',
  ];
}

/** docs/receipts.md: the receipt catalogue (rulesets/receipts.json) for people. */
export function receiptsDoc(): string {
  const c = receiptCatalogue();
  const out: string[] = [
    '# Receipts: returnStatus values and codes',
    '',
    '<!-- Generated from rulesets/receipts.json by `npm run gen` (scripts/receipts-doc.ts); do not edit. -->',
    '',
    'Customs and E-Port answer each declaration asynchronously with receipts (CEB312, 412, 512, 514, 622, 624, 626, 712, and CEB900 for format failures).',
    '`sandan parse` reads them and explains `returnStatus` and the `[Code:…]` in `returnInfo` with the tables below.',
    '',
    "The receipts column is strict: a status is read only on the receipts it names (`all`: CEB312, 412, 512, 514, 622, 624, 626 and 712, as the message specification lists each receipt's statuses, with the statuses seen in the wild on the receipts they were seen on; CEB900 only where named). Another receipt's status (800 放行 on a CEB312, 501 on a CEB626) is not read as what it means there: `sandan parse` says whose status it is, and `sandan status` reports it as `unknown-status` (rule `other-receipt-status`) and leaves the document's state unread.",
    '',
    '## returnStatus',
    '',
    '| status | 含义 | meaning | outcome | receipts | what to do | source |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of c.statuses) {
    out.push(
      `| ${esc(s.status)} | ${esc(s.zh)} | ${esc(s.en)} | ${s.outcome} | ${s.receipts.join(', ')} | ${esc(s.fix.zh)} / ${esc(s.fix.en)} | ${ids(s.source)} |`,
    );
  }
  out.push(
    '',
    '## Tax bill status',
    '',
    "The `status` of an electronic tax bill (CEB816) and of its status message (CEB818). It is not a returnStatus: `sandan status` shows it in the timeline beside the bill's amounts, and reconciliation counts a bill whose status has the outcome `void` as void. A bill passes through the `live` statuses: a repeat of a bill that moved from one to another is not a contradiction.",
    '',
    '| status | 含义 | meaning | outcome | source |',
    '|---|---|---|---|---|',
  );
  for (const s of c.taxBillStatuses)
    out.push(`| ${esc(s.status)} | ${esc(s.zh)} | ${esc(s.en)} | ${esc(s.outcome)} | ${ids(s.source)} |`);
  const layers: Array<[string, string]> = [
    ['customs', 'Customs codes in returnInfo (`[Code:NNNN;Desc:…]`)'],
    ['dxp', 'DXP transport codes (4 digits)'],
    ['eport', 'E-Port processing codes (negative)'],
    ['port', 'Local port platform codes (e.g. Zhejiang e-port results)'],
  ];
  for (const [layer, title] of layers) {
    out.push(
      '',
      `## ${title}`,
      '',
      ...(layer === 'eport'
        ? eportRefusalNote(
            c.codes.filter((x) => x.declarationStands).map((x) => x.code),
            c.codes.filter((x) => x.reachedCustoms).map((x) => x.code),
          )
        : []),
      '| code | 含义 | meaning | why | what to do | source |',
      '|---|---|---|---|---|---|',
    );
    for (const e of c.codes.filter((x) => x.layer === layer)) {
      const zh = e.aliases?.length ? `${e.zh}（又见：${e.aliases.join('；')}）` : e.zh;
      const why = e.cause ? `${e.cause.zh} / ${e.cause.en}` : '';
      const other = (e.variants ?? []).map(
        (v) =>
          `<br>With “${esc(v.desc)}”: ${esc(`${v.zh} / ${v.en}${v.cause ? `; ${v.cause.zh} / ${v.cause.en}` : ''}; ${v.fix.zh} / ${v.fix.en}`)}`,
      );
      const also = e.issueCodes?.length ? ` (sandan validate: ${e.issueCodes.map((x) => `\`${x}\``).join(', ')})` : '';
      out.push(
        `| ${e.code} | ${esc(zh)} | ${esc(e.en)} | ${esc(why)} | ${esc(e.fix.zh)} / ${esc(e.fix.en)}${also}${other.join('')} | ${ids(e.source)} |`,
      );
    }
  }
  out.push(
    '',
    '`sandan validate` issues whose code is one of these (or listed after "sandan validate:") carry the entry as `help`: the receipt text, why and what to do.',
    '',
    "The local customs emulator (`sandan emulate`) refuses a finding of sandan's rules that has no code here with 1300 (its setting `unmappedCode`), the rule's message as Desc and the issue code at its end in full-width brackets: `…（positive-list）`. `sandan parse` and `explainReceipt` read a receipt whose returnInfo ends so, with an issue code of [rules.md](rules.md#issue-codes), as the emulator's refusal of that finding, not as an officer's manual refusal: its meaning, the rule, the rule's section of rules.md (`issue` in `explainReceipt`'s answer) and what to do, which `sandan status` gives as the fix; a variant above (（tax-mismatch）) keeps its own words. Any other returnInfo with 1300 reads as the entry says.",
  );
  out.push('', '## Sources', '', 'The source column names these documents by id.', '');
  for (const src of c.sources)
    out.push(
      `- **${src.id}**: ${esc(citation({ ...src, url: undefined }))}${src.url ? ` <${src.url}>` : ''}${src.note ? `. ${esc(src.note)}` : ''}`,
    );
  out.push('');
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(new URL('../docs/receipts.md', import.meta.url), receiptsDoc());
}
