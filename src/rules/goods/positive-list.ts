import type { Decimal } from 'decimal.js';
import { Dec, toDecimal } from '../../model/primitives.js';
import { yearOfIsoDate } from '../../time/beijing.js';
import { show } from '../_lib/compare.js';
import { membershipOf } from '../_lib/positive-list.js';
import { editionAt, type PositiveListRemark } from '../positive-list.js';
import { defineRule, type LineView, type ReportOf, type RuleContext } from '../types.js';
import type { Message } from '../../model/issue.js';

const MESSAGES = {
  'positive-list': { zh: '{hs8} 不在《{edition}》内（{reasonZh}）', en: '{hs8} is not on {edition} ({reasonEn})' },
  'positive-list-unconfirmed': {
    zh: '无法确认 {hs8} 在《{edition}》内：所附清单对品目 {heading} 不完整',
    en: "{hs8} could not be confirmed on {edition}: sandan's copy of the list is incomplete for heading {heading}",
  },
  'positive-list-no-edition': {
    zh: '{at} 没有有效的跨境电商零售进口商品清单（{why}），未核对商品编码',
    en: 'No positive-list edition was in force on {at} ({why}); the commodity codes were not checked',
  },
  'positive-list-mode': {
    zh: '{on} 备注“{remark}”：限网购保税进口（{modesZh}），不能以 {mode} 申报',
    en: '{on} is limited to bonded import ({modesEn}) by its remark "{remark}"; it cannot be declared under {mode}',
  },
  'positive-list-exclusion': {
    zh: '{on} 备注“{remark}”：请确认本商品不属于被排除的商品',
    en: '{on} has the remark "{remark}" ({excluded}); confirm this item is not one of them',
  },
  'positive-list-name': {
    zh: '{on} 备注“{remark}”：请确认本商品属于“{allowed}”',
    en: '{on} is limited to "{allowed}" by its remark "{remark}"; confirm this item is such',
  },
  'positive-list-remark': {
    zh: '{on} 备注“{remark}”无法自动核对，请人工确认',
    en: '{on} has the remark "{remark}", which sandan cannot check; confirm it',
  },
  'positive-list-remark-missing': {
    code: 'positive-list-remark',
    zh: '{on}：sandan 所附清单没有该行的备注，请对照官方清单确认',
    en: "{on}: sandan's copy does not have the remarks of this line; check them on the official list",
  },
  'positive-list-quantity': {
    zh: '{on} 备注“{remark}”：每人每年限 {cap}；订购人{year}年已购 {used} {unit}，加本单 {order} {unit} 共 {total} {unit}',
    en: '{on} is capped at {cap} a person a year ("{remark}"); the buyer bought {used} {unit} earlier in {year}, and this order\'s {order} {unit} makes {total} {unit}',
  },
  'positive-list-quantity-order': {
    code: 'positive-list-quantity',
    zh: '{on} 备注“{remark}”：每人每年限 {cap}，本单已有 {order} {unit}',
    en: '{on} is capped at {cap} a person a year ("{remark}"); this order alone has {order} {unit}',
  },
  'positive-list-quantity-unconfirmed': {
    zh: '{on} 备注“{remark}”：每人每年限 {cap}；本单 {order} {unit}，订购人本年度已购数量未知，请确认',
    en: '{on} is capped at {cap} a person a year ("{remark}"); this order has {order} {unit}, and what the buyer bought earlier in {year} is unknown (pass the annualQuantities option); confirm the cap',
  },
  'positive-list-quantity-no-unit': {
    code: 'positive-list-quantity-unconfirmed',
    zh: '{on} 备注“{remark}”：每人每年限 {cap}，但本单该商品的法定数量不是以千克申报，无法核对',
    en: '{on} is capped at {cap} a person a year ("{remark}"), but this order gives no legal quantity in kg for it (qty1/unit1 or qty2/unit2 with unit 035), so the cap could not be checked',
  },
} as const;

type Out = ReportOf<typeof MESSAGES>;

/** What an exclusion remark leaves out, for the English text. */
const EXCLUDED: Record<Extract<PositiveListRemark, { kind: 'exclusion' }>['list'], string> = {
  cites: 'CITES-listed species are excluded',
  'dual-use': 'dual-use items are excluded',
  'special-food': 'special foods needing registration are excluded',
  other: 'some goods are excluded',
};

/** A unit code of the CEB unit table (`035` 千克) for each unit a remark caps. */
const UNIT_CODE = { kg: '035' } as const;

/** The quantity of one inventory line in `unit`, from whichever legal quantity (qty1/qty2) is in that unit. */
function lineQuantity(
  ctx: RuleContext,
  line: LineView<'inventory'>,
  unit: keyof typeof UNIT_CODE,
): Decimal | undefined {
  if (ctx.str(line, 'unit1') === UNIT_CODE[unit]) return ctx.dec(line, 'qty1');
  if (ctx.str(line, 'unit2') === UNIT_CODE[unit]) return ctx.dec(line, 'qty2');
  return undefined;
}

/** Inventory goods are on the positive list edition in force, within what its remarks allow. */
export const positiveList = defineRule({
  id: 'goods/positive-list',
  description: {
    zh: '商品编码在当时有效的跨境电商零售进口商品清单（正面清单）内，并符合清单备注（限网购保税、除外商品、限定品名、每人每年限量）',
    en: 'The commodity code is on the positive list edition in force, within its remarks (bonded import only, exclusions, restricted product names, quantity caps per person and year)',
  },
  source:
    '财政部等11部门公告2016年第40号 and the 2016 second batch; 财政部等13部门公告2018年第157号; 财政部等13部门公告2019年第96号 (the 2019 adjustment, from 2020-01-01); 财政部等8部门公告2022年第7号 (the 2022 adjustment, from 2022-03-01); rulesets/positive-list/*.json',
  defaultSeverity: 'error',
  codes: {
    'positive-list': { zh: '商品不在正面清单内', en: 'The commodity is not on the positive list' },
    'positive-list-unconfirmed': {
      zh: '无法确认商品在正面清单内（所附清单不完整）',
      en: 'The commodity could not be confirmed on the positive list (the bundled copy of the list is incomplete)',
    },
    'positive-list-no-edition': {
      zh: '该日期没有有效的正面清单（2016年4月8日前）',
      en: 'No positive-list edition was in force on the date (before 2016-04-08)',
    },
    'positive-list-mode': {
      zh: '该商品限网购保税进口',
      en: 'The commodity may only be imported as bonded (网购保税) goods',
    },
    'positive-list-exclusion': {
      zh: '清单备注排除部分商品，请确认本商品不在其列',
      en: 'A remark excludes some goods of the line (CITES species, dual-use items, …); confirm this one is not among them',
    },
    'positive-list-name': {
      zh: '清单备注限定品名，请确认本商品符合',
      en: 'A remark limits the line to certain goods; confirm this one is such',
    },
    'positive-list-quantity': {
      zh: '超过清单备注的每人每年限量',
      en: 'The quantity passes the cap per person and year set by a remark',
    },
    'positive-list-quantity-unconfirmed': {
      zh: '无法核对清单备注的每人每年限量',
      en: 'The cap per person and year set by a remark could not be checked',
    },
    'positive-list-remark': {
      zh: '清单备注无法自动核对，请人工确认',
      en: 'A remark of the line could not be checked automatically; confirm it',
    },
  },
  messages: MESSAGES,
  examples: {
    valid: [
      {
        name: 'yoghurt 04031000 and honey 04090000 on the 2016 list',
        at: '2018-06-01',
        set: { 'inventory.items[0].gcode': '0403100000', 'inventory.items[1].gcode': '0409000000' },
      },
    ],
    invalid: [
      {
        name: '04019900 (other cream) where the 2016 list is complete',
        at: '2018-06-01',
        set: { 'inventory.items[0].gcode': '0401990000' },
        code: 'positive-list',
        path: 'inventory.items[0].gcode',
      },
    ],
  },
  check(ctx) {
    const editions = ctx.positiveLists;
    const items = ctx.lines('inventory');
    if (items.length === 0) return [];
    const edition = editionAt(editions, ctx.at);
    if (!edition) {
      const first = editions.map((e) => e.effectiveFrom).sort()[0];
      const why: Message =
        first === undefined
          ? { zh: '没有提供任何正面清单', en: 'no positive-list edition was given' }
          : ctx.at < first
            ? { zh: `最早的清单自 ${first} 起施行`, en: `the first edition took effect on ${first}` }
            : { zh: '所给清单均不覆盖该日期', en: 'none of the editions given covers that date' };
      return [
        {
          messageId: 'positive-list-no-edition',
          path: 'inventory.items',
          actual: ctx.at,
          severity: 'warning',
          data: { at: ctx.at, why },
        },
      ];
    }
    const inv = ctx.doc('inventory');
    const mode = ctx.str(inv, 'tradeMode');
    const buyer = ctx.str(inv, 'buyerIdNumber') ?? ctx.str(ctx.doc('order'), 'buyerIdNumber');
    const year = yearOfIsoDate(ctx.at);
    const out: Out[] = [];
    for (const { index, line } of items) {
      const gcode = ctx.str(line, 'gcode');
      if (gcode === undefined || !/^\d{10}$/.test(gcode)) continue;
      const path = `inventory.items[${index}].gcode`;
      const hs8 = gcode.slice(0, 8);
      const m = membershipOf(edition, hs8, ctx.at);
      if (m.status === 'absent') {
        out.push({
          messageId: 'positive-list',
          path,
          actual: hs8,
          data: { hs8, edition: edition.name, reasonZh: m.reason.zh, reasonEn: m.reason.en },
        });
        continue;
      }
      if (m.status === 'unconfirmed') {
        out.push({
          messageId: 'positive-list-unconfirmed',
          path,
          actual: hs8,
          severity: 'warning',
          data: { hs8, edition: edition.name, heading: hs8.slice(0, 4) },
        });
        continue;
      }
      const entry = m.line;
      const on: Message = {
        zh: `${hs8} ${entry.name}（《${edition.name.zh}》）`,
        en: `${hs8} (${entry.name}) on ${edition.name.en}`,
      };
      if (entry.remarksUnknown) {
        out.push({ messageId: 'positive-list-remark-missing', path, actual: hs8, severity: 'warning', data: { on } });
      }
      for (const remark of entry.remarks ?? []) {
        const text = remark.text;
        switch (remark.kind) {
          case 'bonded-only':
            if (mode !== undefined && !remark.modes.includes(mode)) {
              out.push({
                messageId: 'positive-list-mode',
                path,
                expected: remark.modes.join(' | '),
                actual: mode,
                data: { on, remark: text, modesZh: remark.modes.join('、'), modesEn: remark.modes.join(', '), mode },
              });
            }
            break;
          case 'exclusion':
            out.push({
              messageId: 'positive-list-exclusion',
              path,
              actual: hs8,
              severity: 'warning',
              data: { on, remark: text, excluded: EXCLUDED[remark.list] },
            });
            break;
          case 'name-restriction':
            out.push({
              messageId: 'positive-list-name',
              path,
              actual: ctx.str(line, 'gname') ?? hs8,
              expected: remark.allowed,
              severity: 'warning',
              data: { on, remark: text, allowed: remark.allowed },
            });
            break;
          case 'annual-quantity':
            out.push(...quantityIssues(ctx, { items, index, hs8, path, on, remark, buyer, year }));
            break;
          case 'other':
            out.push({
              messageId: 'positive-list-remark',
              path,
              actual: hs8,
              severity: 'warning',
              data: { on, remark: text },
            });
            break;
        }
      }
    }
    return out;
  },
});

/** A cap per person and year: this order's quantity of the line (all its lines of that code) plus what the buyer bought before. */
function quantityIssues(
  ctx: RuleContext,
  a: {
    items: Array<{ index: number; line: LineView<'inventory'> }>;
    index: number;
    hs8: string;
    path: string;
    on: Message;
    remark: Extract<PositiveListRemark, { kind: 'annual-quantity' }>;
    buyer: string | undefined;
    year: number;
  },
): Out[] {
  const { remark, on, path } = a;
  const max = new Dec(remark.max);
  const same = a.items.filter(({ line }) => ctx.str(line, 'gcode')?.slice(0, 8) === a.hs8);
  // Report once per code, on its first line.
  if (same[0]?.index !== a.index) return [];
  let order: Decimal | undefined = new Dec(0);
  for (const { line } of same) {
    const q = lineQuantity(ctx, line, remark.unit);
    order = q === undefined || order === undefined ? undefined : order.plus(q);
  }
  const cap = `${remark.max} ${remark.unit}`;
  const unit = remark.unit;
  const base = { on, remark: remark.text, cap };
  if (order === undefined) {
    return [
      { messageId: 'positive-list-quantity-no-unit', path, expected: `≤ ${cap}`, severity: 'warning', data: base },
    ];
  }
  const ordered = show(order);
  if (order.gt(max)) {
    return [
      {
        messageId: 'positive-list-quantity-order',
        path,
        expected: `≤ ${cap}`,
        actual: `${ordered} ${unit}`,
        data: { ...base, order: ordered, unit },
      },
    ];
  }
  const raw =
    a.buyer === undefined || !Number.isInteger(a.year) || a.year > 9000
      ? undefined
      : ctx.annualQuantities?.used(a.buyer, a.year, a.hs8, remark.unit);
  // toDecimal reads a Decimal (ours or a caller's copy of decimal.js), a decimal text or a number.
  const used = raw === undefined ? undefined : toDecimal(raw);
  if (used === undefined) {
    return [
      {
        messageId: 'positive-list-quantity-unconfirmed',
        path,
        expected: `≤ ${cap}`,
        actual: `${ordered} ${unit}`,
        severity: 'warning',
        data: { ...base, order: ordered, unit, year: a.year },
      },
    ];
  }
  const total = used.plus(order);
  if (total.lte(max)) return [];
  return [
    {
      messageId: 'positive-list-quantity',
      path,
      expected: `≤ ${cap}`,
      actual: `${show(total)} ${unit}`,
      data: { ...base, year: a.year, used: show(used), order: ordered, unit, total: show(total) },
    },
  ];
}
