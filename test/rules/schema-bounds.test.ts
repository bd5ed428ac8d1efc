import { describe, expect, it } from 'vitest';
import { loadCodeTable } from '../../src/rules/codes.js';
import { loadGoodsRecords } from '../../src/rules/goods-records.js';
import { loadPositiveList } from '../../src/rules/positive-list.js';
import { loadRuleset } from '../../src/rules/ruleset.js';
import { RULES } from '../../src/rules/index.js';
import { SandanError } from '../../src/errors.js';

/*
 * The bounds of the data schemas (rulesets with their policy and district sections, rule options,
 * code tables, goods records, positive-list files), each at its edge: the smallest value accepted
 * (one character, one element, 0 or 1 day…) beside the first value refused (an empty string or
 * list, one past the bound). A bound moved by one either way turns one of the pair around.
 */

type Json = Record<string, any>;

const SOURCES = [{ id: 'T', issuer: 'test', title: 'test source', section: 'test', kind: 'secondary' }];

/** A copy of `base` changed by `edit`. */
function edited(base: Json, edit: (d: Json) => void): Json {
  const d = structuredClone(base);
  edit(d);
  return d;
}

interface Bound {
  name: string;
  /** The value at the edge, accepted. */
  ok: (d: Json) => void;
  /** The first value past the edge, refused… */
  bad: (d: Json) => void;
  /** …with a message naming this place. */
  where: RegExp;
}

/** Runs each bound: `load(ok)` passes, `load(bad)` throws a SandanError naming `where`. */
function bounds(what: string, base: Json, load: (data: unknown) => unknown, cases: Bound[]): void {
  describe(what, () => {
    it('the base data loads', () => {
      expect(() => load(base)).not.toThrow();
    });
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
      expect(() => load(edited(base, c.ok))).not.toThrow();
      let error: unknown;
      try {
        load(edited(base, c.bad));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SandanError);
      expect((error as Error).message).toMatch(c.where);
    });
  });
}

// --- rulesets: settings, rule options, policy values, district facts ---------------------------

const loadR = (data: unknown) => loadRuleset(data, RULES, 'bounds.json');
const RULESET: Json = { id: 'bounds', version: '1', sources: SOURCES };
const policy = (key: string, value: unknown) => (d: Json) => {
  d.policy = { [key]: [{ value, source: 'T' }] };
};
const rule = (id: string, setting: unknown) => (d: Json) => {
  d.rules = { [id]: setting };
};

bounds('ruleset', RULESET, loadR, [
  {
    name: 'version: one character, not empty',
    ok: (d) => {
      d.version = '1';
    },
    bad: (d) => {
      d.version = '';
    },
    where: /\$\.version/,
  },
  {
    name: 'a dated policy entry: one day (from = to), not an end before the start',
    ok: (d) => {
      d.policy = {
        annualLimit: [{ value: '26000', source: 'T', effectiveFrom: '2020-01-01', effectiveTo: '2020-01-01' }],
      };
    },
    bad: (d) => {
      d.policy = {
        annualLimit: [{ value: '26000', source: 'T', effectiveFrom: '2020-01-01', effectiveTo: '2019-12-31' }],
      };
    },
    where: /\$\.policy\.annualLimit\[0\]: effectiveTo 2019-12-31 is before effectiveFrom 2020-01-01/,
  },
  {
    // (the first listed was taken: a 2027 entry after an open-ended 2019 one never applied)
    name: 'dated entries of one policy key: one after another, not two in force on the same day',
    ok: (d) => {
      d.policy = {
        singleTransactionLimit: [
          { value: '5000', source: 'T', effectiveFrom: '2019-01-01', effectiveTo: '2026-12-31' },
          { value: '6000', source: 'T', effectiveFrom: '2027-01-01' },
        ],
      };
    },
    bad: (d) => {
      d.policy = {
        singleTransactionLimit: [
          { value: '5000', source: 'T', effectiveFrom: '2019-01-01' },
          { value: '6000', source: 'T', effectiveFrom: '2027-01-01' },
        ],
      };
    },
    where: /\$\.policy\.singleTransactionLimit\[1\]: in force from 2027-01-01 while \[0\] still is/,
  },
  {
    name: 'a dated rule setting: one day (from = to), not an end before the start',
    ok: rule('parties/assure-code', { severity: 'warning', effectiveFrom: '2020-01-01', effectiveTo: '2020-01-01' }),
    bad: rule('parties/assure-code', { severity: 'warning', effectiveFrom: '2020-01-01', effectiveTo: '2019-12-31' }),
    where: /\$\.rules\["parties\/assure-code"\]: effectiveTo 2019-12-31 is before effectiveFrom 2020-01-01/,
  },
  {
    name: 'a rule setting given as a list: one setting, not none',
    ok: rule('parties/assure-code', [{ severity: 'warning' }]),
    bad: rule('parties/assure-code', []),
    where: /\$\.rules\["parties\/assure-code"\]/,
  },
  {
    name: 'parties/assure-code roles: one role, not none',
    ok: rule('parties/assure-code', { options: { roles: ['ebpCode'] } }),
    bad: rule('parties/assure-code', { options: { roles: [] } }),
    where: /\$\.rules\["parties\/assure-code"\]\.options\.roles/,
  },
  {
    name: 'trade-mode/allowed: one trade mode, not none',
    ok: rule('trade-mode/allowed', { options: { allowed: ['9610'] } }),
    bad: rule('trade-mode/allowed', { options: { allowed: [] } }),
    where: /\$\.rules\["trade-mode\/allowed"\]\.options\.allowed/,
  },
  {
    name: 'a policy key: one dated entry, not none',
    ok: policy('generalTradeQuote', 'x'),
    bad: (d) => {
      d.policy = { generalTradeQuote: [] };
    },
    where: /\$\.policy\.generalTradeQuote/,
  },
  {
    name: 'generalTradeQuote: one character, not empty',
    ok: policy('generalTradeQuote', 'x'),
    bad: policy('generalTradeQuote', ''),
    where: /\$\.policy\.generalTradeQuote\[0\]\.value/,
  },
  {
    name: 'singleItemFullTax (not allowed) quote: one character, not empty',
    ok: policy('singleItemFullTax', { allowed: false, quote: 'x' }),
    bad: policy('singleItemFullTax', { allowed: false, quote: '' }),
    where: /\$\.policy\.singleItemFullTax\[0\]\.value/,
  },
  {
    name: 'singleItemFullTax (allowed) quote: one character, not empty',
    ok: policy('singleItemFullTax', { allowed: true, below: '5000', quote: 'x' }),
    bad: policy('singleItemFullTax', { allowed: true, below: '5000', quote: '' }),
    where: /\$\.policy\.singleItemFullTax\[0\]\.value/,
  },
  {
    name: 'rounding scale: 0, not −1',
    ok: policy('rounding', { mode: 'half-up', scale: 0, scope: 'line' }),
    bad: policy('rounding', { mode: 'half-up', scale: -1, scope: 'line' }),
    where: /\$\.policy\.rounding\[0\]\.value\.scale/,
  },
  {
    name: 'rounding scale: 5, not 6',
    ok: policy('rounding', { mode: 'half-up', scale: 5, scope: 'line' }),
    bad: policy('rounding', { mode: 'half-up', scale: 6, scope: 'line' }),
    where: /\$\.policy\.rounding\[0\]\.value\.scale/,
  },
  {
    name: 'returnWindow applyDays: 1, not 0',
    ok: policy('returnWindow', { applyDays: 1, arriveDays: 30 }),
    bad: policy('returnWindow', { applyDays: 0, arriveDays: 30 }),
    where: /\$\.policy\.returnWindow\[0\]\.value\.applyDays/,
  },
  {
    name: 'returnWindow applyDays: 366, not 367',
    ok: policy('returnWindow', { applyDays: 366, arriveDays: 30 }),
    bad: policy('returnWindow', { applyDays: 367, arriveDays: 30 }),
    where: /\$\.policy\.returnWindow\[0\]\.value\.applyDays/,
  },
  {
    name: 'returnWindow arriveDays: 1, not 0',
    ok: policy('returnWindow', { applyDays: 30, arriveDays: 1 }),
    bad: policy('returnWindow', { applyDays: 30, arriveDays: 0 }),
    where: /\$\.policy\.returnWindow\[0\]\.value\.arriveDays/,
  },
  {
    name: 'returnWindow arriveDays: 366, not 367',
    ok: policy('returnWindow', { applyDays: 30, arriveDays: 366 }),
    bad: policy('returnWindow', { applyDays: 30, arriveDays: 367 }),
    where: /\$\.policy\.returnWindow\[0\]\.value\.arriveDays/,
  },
]);

const DISTRICT: Json = {
  ...RULESET,
  district: {
    code: '2900',
    name: { zh: '杭', en: 'H' },
    signatureAlgorithms: [{ signatureMethod: 's', digestMethod: 'd', source: 'T' }],
    paymentCustomsCodes: { wechat: { codes: ['W'], source: 'T' } },
    localRequirements: [{ id: 'r', text: { zh: '', en: '' }, source: 'T' }],
    extensions: [
      {
        element: 'OrderHead',
        name: 'extra',
        messages: ['CEB311'],
        type: 'string',
        text: { zh: '', en: '' },
        source: 'T',
      },
    ],
  },
};
/** Sets `district[key]` (`key` may be a dotted path). */
const at =
  (path: string, value: unknown) =>
  (d: Json): void => {
    const keys = path.split('.');
    let o = d.district;
    for (const k of keys.slice(0, -1)) o = o[k];
    o[keys.at(-1) as string] = value;
  };

bounds('district section', DISTRICT, loadR, [
  {
    name: 'name.zh: one character, not empty',
    ok: at('name.zh', '杭'),
    bad: at('name.zh', ''),
    where: /\$\.district\.name\.zh/,
  },
  {
    name: 'name.en: one character, not empty',
    ok: at('name.en', 'H'),
    bad: at('name.en', ''),
    where: /\$\.district\.name\.en/,
  },
  {
    name: 'a signature method: one character, not empty',
    ok: at('signatureAlgorithms.0.signatureMethod', 's'),
    bad: at('signatureAlgorithms.0.signatureMethod', ''),
    where: /\$\.district\.signatureAlgorithms\[0\]\.signatureMethod/,
  },
  {
    name: 'a digest method: one character, not empty',
    ok: at('signatureAlgorithms.0.digestMethod', 'd'),
    bad: at('signatureAlgorithms.0.digestMethod', ''),
    where: /\$\.district\.signatureAlgorithms\[0\]\.digestMethod/,
  },
  {
    name: 'payment customs codes: one code, not none',
    ok: at('paymentCustomsCodes.wechat.codes', ['W']),
    bad: at('paymentCustomsCodes.wechat.codes', []),
    where: /\$\.district\.paymentCustomsCodes\.wechat\.codes/,
  },
  {
    name: 'a payment customs code: one character, not empty',
    ok: at('paymentCustomsCodes.wechat.codes', ['W']),
    bad: at('paymentCustomsCodes.wechat.codes', ['']),
    where: /\$\.district\.paymentCustomsCodes\.wechat\.codes\[0\]/,
  },
  {
    name: 'a local requirement id: one character, not empty',
    ok: at('localRequirements.0.id', 'r'),
    bad: at('localRequirements.0.id', ''),
    where: /\$\.district\.localRequirements\[0\]\.id/,
  },
  ...(['signatureAlgorithms', 'localRequirements'] as const).map(
    (list): Bound => ({
      // (an entry in force on no day was taken: the district then seemed to list no algorithm, or no notice)
      name: `a dated ${list} entry: one day (from = to), not an end before the start`,
      ok: (d) => {
        at(`${list}.0.effectiveFrom`, '2020-01-01')(d);
        at(`${list}.0.effectiveTo`, '2020-01-01')(d);
      },
      bad: (d) => {
        at(`${list}.0.effectiveFrom`, '2020-01-01')(d);
        at(`${list}.0.effectiveTo`, '2019-12-31')(d);
      },
      where: new RegExp(`\\$\\.district\\.${list}\\[0\\]: effectiveTo 2019-12-31 is before effectiveFrom 2020-01-01`),
    }),
  ),
  {
    name: 'an extension field: carried by one message, not none',
    ok: at('extensions.0.messages', ['CEB311']),
    bad: at('extensions.0.messages', []),
    where: /\$\.district\.extensions\[0\]\.messages/,
  },
]);

// --- code tables, goods records, positive-list files ---------------------------------------------

bounds(
  'code table',
  {
    id: 't',
    name: { zh: '', en: '' },
    complete: true,
    completeness: 'c',
    sources: SOURCES,
    codes: [{ code: '1', zh: '', en: '', source: 'T' }],
  },
  (data) => loadCodeTable(data, 'table.json'),
  [
    {
      name: 'id: one character, not empty',
      ok: (d) => {
        d.id = 't';
      },
      bad: (d) => {
        d.id = '';
      },
      where: /table\.json.*id/,
    },
    {
      name: 'completeness: one character, not empty',
      ok: (d) => {
        d.completeness = 'c';
      },
      bad: (d) => {
        d.completeness = '';
      },
      where: /table\.json.*completeness/,
    },
    {
      name: 'a code: one character, not empty',
      ok: (d) => {
        d.codes[0].code = '1';
      },
      bad: (d) => {
        d.codes[0].code = '';
      },
      where: /table\.json.*codes.*0.*code/,
    },
  ],
);

bounds(
  'goods records',
  { A: { gcode: '1901101000', gname: 'x', unit1: '035' } },
  (data) => loadGoodsRecords(data, 'records.json'),
  [
    {
      name: 'a record key: one character, not empty',
      ok: (d) => {
        d.B = d.A;
      },
      bad: (d) => {
        d[''] = d.A;
      },
      where: /records\.json: \$\[""\]/,
    },
    {
      name: 'gname: one character, not empty',
      ok: (d) => {
        d.A.gname = 'x';
      },
      bad: (d) => {
        d.A.gname = '';
      },
      where: /records\.json: \$\["A"\]\["gname"\]/,
    },
  ],
);

const REMARKS = [
  { kind: 'bonded-only', modes: ['1210'], text: 'a' },
  { kind: 'exclusion', list: 'cites', text: 'b' },
  { kind: 'name-restriction', allowed: 'c', text: 'd' },
  { kind: 'annual-quantity', max: '2', unit: 'kg', text: 'e' },
  { kind: 'other', text: 'f' },
];
const set =
  (apply: (d: Json, v: any) => void, value: unknown) =>
  (d: Json): void =>
    apply(d, value);

bounds(
  'positive-list file',
  {
    id: 'p',
    edition: '2022',
    name: { zh: '', en: '' },
    effectiveFrom: '2022-03-01',
    complete: false,
    sources: SOURCES,
    completeness: { statement: 's', completeHeadings: [] },
    lines: [{ hs8: '19011010', name: 'n', remarks: REMARKS, source: 'T' }],
    absent: [{ hs8: '19011020', note: 'o', source: 'T' }],
  },
  (data) => loadPositiveList(data, 'list.json'),
  [
    {
      name: 'the edition: in force one day (from = to), not an end before the start',
      ok: (d) => {
        d.effectiveTo = '2022-03-01';
      },
      bad: (d) => {
        d.effectiveTo = '2022-02-28';
      },
      where: /list\.json: \$\.effectiveTo: 2022-02-28 is before effectiveFrom 2022-03-01/,
    },
    ...[
      ['id', (d: Json, v: any) => (d.id = v), /\$\.id/],
      ['completeness statement', (d: Json, v: any) => (d.completeness.statement = v), /\$\.completeness\.statement/],
      ['a line name', (d: Json, v: any) => (d.lines[0].name = v), /\$\.lines\.0\.name/],
      // A source is an id of `sources`: the one-character id T.
      ['a line source', (d: Json, v: any) => (d.lines[0].source = v), /\$\.lines\.0\.source/, 'T'],
      ['an absence note', (d: Json, v: any) => (d.absent[0].note = v), /\$\.absent\.0\.note/],
      ['an absence source', (d: Json, v: any) => (d.absent[0].source = v), /\$\.absent\.0\.source/, 'T'],
      [
        'the allowed goods of a name restriction',
        (d: Json, v: any) => (d.lines[0].remarks[2].allowed = v),
        /\$\.lines\.0\.remarks\.2\.allowed/,
      ],
      ...REMARKS.map(
        (r, i) =>
          [
            `the text of a ${r.kind} remark`,
            (d: Json, v: any) => (d.lines[0].remarks[i].text = v),
            new RegExp(`\\$\\.lines\\.0\\.remarks\\.${i}\\.text`),
          ] as const,
      ),
    ].map(
      ([field, apply, where, one]): Bound => ({
        name: `${field}: one character, not empty`,
        ok: set(apply as (d: Json, v: any) => void, one ?? 'z'),
        bad: set(apply as (d: Json, v: any) => void, ''),
        where: where as RegExp,
      }),
    ),
    {
      name: 'the trade modes of a bonded-only remark: one, not none',
      ok: (d) => {
        d.lines[0].remarks[0].modes = ['1210'];
      },
      bad: (d) => {
        d.lines[0].remarks[0].modes = [];
      },
      where: /\$\.lines\.0\.remarks\.0\.modes/,
    },
  ],
);
