import { SandanError } from '../errors.js';
import { describeInput } from '../model/guards.js';

/** A receipt's `returnInfo` taken apart: `[Code:1332;Desc:…],[OrderHead.acturalPaid:597.87,…]`. */
export interface ReturnInfo {
  /** The customs code, e.g. `1332`; undefined when the text is free-form (e.g. `新增申报成功[…]`). */
  code?: string;
  /** The description, or the whole text when it is free-form. */
  desc: string;
  /** Field/value pairs that follow the code, in order, e.g. `{ field: 'OrderHead.acturalPaid', value: '597.87' }`. */
  details: Array<{ field: string; value: string }>;
}

/**
 * The code the sandan emulator refuses a finding of sandan's rules with (its default `unmappedCode`, 1300 人工退单), the
 * finding's issue code ending the Desc: explainReceipt reads such a Desc as that finding. Here, below both, so that the
 * emulator's default and the explanation are one value.
 */
export const EMULATOR_FINDING_CODE = '1300';

// The code runs to the first `;` and is trimmed afterwards: `\s*([^;\]]*?)\s*;` would try every
// split of a run of spaces between the two `\s*` and the lazy group, cubic in its length (a
// 3,000-character returnInfo took 10 s). `[^;\]]*` followed by `;` has one way to match.
// (in any case: receipts quoted by peers write `[code:22007;Desc:…]`, and the catalogue carries their codes)
const HEAD = /^\s*\[Code:([^;\]]*);\s*Desc:\s*/i;
// A detail starts at a comma followed by a field name and a colon; values may themselves contain commas.
// Customs also runs a field path into its number with no colon (`…,PaymentHead.amountPaid3197.95`, a 1332 receipt
// as dandingtest quotes it): such a path is `Head.name` of letters, then the number.
const DETAIL_SPLIT = /,\s*(?=[A-Za-z_][\w.]*\s*:|[A-Za-z_]\w*\.[A-Za-z_]+-?\d)/;
const PATH_NUMBER = /^([A-Za-z_]\w*\.[A-Za-z_]+)(-?\d.*)$/s;

function detailPairs(group: string): Array<{ field: string; value: string }> {
  const out: Array<{ field: string; value: string }> = [];
  for (const part of group.split(DETAIL_SPLIT)) {
    const colon = part.indexOf(':');
    const joined = colon < 0 ? PATH_NUMBER.exec(part.trim()) : null;
    if (joined) {
      out.push({ field: joined[1] ?? '', value: (joined[2] ?? '').trim() });
      continue;
    }
    if (colon <= 0) {
      if (part.trim() !== '') out.push({ field: '', value: part.trim() });
      continue;
    }
    out.push({ field: part.slice(0, colon).trim(), value: part.slice(colon + 1).trim() });
  }
  return out;
}

/**
 * The description without the `]` that closes the code group: the first `]` outside the
 * description's own brackets (`第[2]项不符]`), so that a note after the group
 * (`审核通过]，已成功撤单[备注]`) stays part of the description, without a stray bracket.
 * Unbalanced brackets inside the description leave only the last `]` to close it.
 */
function withoutClosingBracket(text: string): string {
  let depth = 0;
  let end = -1;
  for (let i = 0; i < text.length && end < 0; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b) depth++;
    else if (c === 0x5d && depth-- === 0) end = i;
  }
  if (end < 0) end = text.lastIndexOf(']');
  return end < 0 ? text : text.slice(0, end) + text.slice(end + 1);
}

/**
 * Parses `returnInfo`. The customs form is `[Code:NNNN;Desc:text]`, optionally followed by
 * `,[Field.path:value,…]` groups, or by a note (`[Code:2300;Desc:审核通过]，已成功撤单`: desc
 * `审核通过，已成功撤单`); anything else is returned as a free-form description.
 */
export function parseReturnInfo(text: string): ReturnInfo {
  if (typeof text !== 'string')
    throw new SandanError('INVALID_OPTION', `parseReturnInfo takes the returnInfo text, got ${describeInput(text)}`);
  const m = HEAD.exec(text);
  if (!m) return { desc: text.trim(), details: [] };
  const code = (m[1] ?? '').trim();
  const rest = text.slice(m[0].length);
  const groups = rest.split(/\]\s*,\s*\[/);
  const desc = (groups.length === 1 ? withoutClosingBracket(groups[0] ?? '') : (groups[0] ?? '')).trim();
  const details = groups
    .slice(1)
    .flatMap((g, i, all) => detailPairs(i === all.length - 1 ? g.replace(/\]\s*$/, '') : g));
  return { code, desc, details };
}
