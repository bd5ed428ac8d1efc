import { z } from 'zod';
import { districtOf } from '../codes.js';
import type { GoodsRecords } from '../goods-records.js';
import type { Decimal } from 'decimal.js';
import { Dec, toDecimal } from '../../model/primitives.js';
import {
  editionAt,
  positiveListMembership,
  type AnnualQuantities,
  type PositiveList,
  type PositiveListRemark,
} from '../positive-list.js';
import { defineRule, type Rec, type RuleContext, type RuleIssue } from '../types.js';
import { show } from './util.js';

/** The inventory's customs office belongs to the district whose rules apply. */
export const districtOffices = defineRule({
  id: 'district/offices',
  description: {
    zh: '申报地海关属于所适用规则的关区；口岸海关属于该关区（否则提示）',
    en: 'customsCode belongs to the district whose ruleset applies; portCode too (else a warning)',
  },
  source: 'rulesets/codes/customs.json; rulesets/districts/*.json (offices), each citing its sources',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    'district-office-mismatch': { zh: '申报地海关不属于该关区', en: 'customsCode is not an office of the district' },
    'district-port-mismatch': { zh: '口岸海关不属于该关区', en: 'portCode is not an office of the district' },
  },
  check(ctx) {
    const district = ctx.district;
    const inv = ctx.doc('inventory');
    if (!district || !inv) return [];
    const own = (code: string) =>
      code === district.code ||
      district.offices.some((o) => o.code === code) ||
      district.ports.some((o) => o.code === code);
    const out: RuleIssue[] = [];
    for (const [key, code, severity] of [
      ['customsCode', 'district-office-mismatch', 'error'],
      ['portCode', 'district-port-mismatch', 'warning'],
    ] as const) {
      const v = ctx.str(inv, key);
      if (v === undefined || !/^\d{4}$/.test(v) || own(v) || districtOf(ctx.codes.customs, v) === district.code)
        continue;
      out.push({
        code,
        path: `inventory.${key}`,
        expected: district.code,
        actual: v,
        severity,
        message: {
          zh: `${key} ${v} 属于关区 ${districtOf(ctx.codes.customs, v)}，不属于 ${district.code} ${district.name.zh}`,
          en: `inventory.${key} ${v} belongs to district ${districtOf(ctx.codes.customs, v)}, not ${district.code} ${district.name.en}`,
        },
      });
    }
    return out;
  },
});

/** A unit code of the CEB unit table (`035` 千克) for each unit a remark caps. */
const UNIT_CODE = { kg: '035' } as const;

/** The quantity of one inventory line in `unit`, from whichever legal quantity (qty1/qty2) is in that unit. */
function lineQuantity(ctx: RuleContext, line: Rec, unit: keyof typeof UNIT_CODE): Decimal | undefined {
  for (const [q, u] of [
    ['qty1', 'unit1'],
    ['qty2', 'unit2'],
  ] as const) {
    if (ctx.str(line, u) === UNIT_CODE[unit]) return ctx.dec(line, q);
  }
  return undefined;
}

function annualQuantitiesOf(extras: Readonly<Record<string, unknown>>): AnnualQuantities | undefined {
  const q = extras.annualQuantities as { used?: unknown } | undefined;
  return q !== null && typeof q === 'object' && typeof q.used === 'function' ? (q as AnnualQuantities) : undefined;
}

/** Inventory goods are on the positive list edition in force, within what its remarks allow. */
export const positiveList = defineRule({
  id: 'goods/positive-list',
  description: {
    zh: '商品编码在当时有效的跨境电商零售进口商品清单（正面清单）内，并符合清单备注（限网购保税、除外商品、限定品名、每人每年限量）',
    en: 'The commodity code is on the positive list edition in force, within its remarks (bonded import only, exclusions, restricted product names, quantity caps per person and year)',
  },
  source:
    '财政部等11部门公告2016年第40号 and the 2016 second batch; 财政部等13部门公告2018年第157号; 2019 adjustment (from 2020-01-01); 2022 adjustment (from 2022-03-01); rulesets/positive-list/*.json',
  defaultSeverity: 'error',
  options: z.strictObject({}),
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
  check(ctx) {
    const editions = (ctx.extras.positiveLists as readonly PositiveList[] | undefined) ?? [];
    const items = ctx.lines('inventory');
    if (items.length === 0) return [];
    const edition = editionAt(editions, ctx.at);
    if (!edition) {
      const first = editions.map((e) => e.effectiveFrom).sort()[0];
      const why =
        first === undefined
          ? { zh: '没有提供任何正面清单', en: 'no positive-list edition was given' }
          : ctx.at < first
            ? { zh: `最早的清单自 ${first} 起施行`, en: `the first edition took effect on ${first}` }
            : { zh: '所给清单均不覆盖该日期', en: 'none of the editions given covers that date' };
      return [
        {
          code: 'positive-list-no-edition',
          path: 'inventory.items',
          actual: ctx.at,
          severity: 'warning',
          message: {
            zh: `${ctx.at} 没有有效的跨境电商零售进口商品清单（${why.zh}），未核对商品编码`,
            en: `No positive-list edition was in force on ${ctx.at} (${why.en}); the commodity codes were not checked`,
          },
        },
      ];
    }
    const mode = ctx.str(ctx.doc('inventory'), 'tradeMode');
    const buyer = ctx.str(ctx.doc('inventory'), 'buyerIdNumber') ?? ctx.str(ctx.doc('order'), 'buyerIdNumber');
    const year = Number(ctx.at.slice(0, 4));
    const ledger = annualQuantitiesOf(ctx.extras);
    const out: RuleIssue[] = [];
    for (const { index, line } of items) {
      const gcode = ctx.str(line, 'gcode');
      if (gcode === undefined || !/^\d{10}$/.test(gcode)) continue;
      const path = `inventory.items[${index}].gcode`;
      const hs8 = gcode.slice(0, 8);
      const m = positiveListMembership(edition, hs8, ctx.at);
      if (m.status === 'absent') {
        out.push({
          code: 'positive-list',
          path,
          actual: hs8,
          message: {
            zh: `${hs8} 不在《${edition.name.zh}》内（${m.reason}）`,
            en: `${hs8} is not on ${edition.name.en} (${m.reason})`,
          },
        });
        continue;
      }
      if (m.status === 'unconfirmed') {
        out.push({
          code: 'positive-list-unconfirmed',
          path,
          actual: hs8,
          severity: 'warning',
          message: {
            zh: `无法确认 ${hs8} 在《${edition.name.zh}》内：所附清单对品目 ${hs8.slice(0, 4)} 不完整`,
            en: `${hs8} could not be confirmed on ${edition.name.en}: sandan's copy of the list is incomplete for heading ${hs8.slice(0, 4)}`,
          },
        });
        continue;
      }
      const entry = m.line;
      const on = {
        zh: `${hs8} ${entry.name}（《${edition.name.zh}》）`,
        en: `${hs8} (${entry.name}) on ${edition.name.en}`,
      };
      if (entry.remarksUnknown) {
        out.push({
          code: 'positive-list-remark',
          path,
          actual: hs8,
          severity: 'warning',
          message: {
            zh: `${on.zh}：sandan 所附清单没有该行的备注，请对照官方清单确认`,
            en: `${on.en}: sandan's copy does not have the remarks of this line; check them on the official list`,
          },
        });
      }
      for (const remark of entry.remarks ?? []) {
        switch (remark.kind) {
          case 'bonded-only':
            if (mode !== undefined && !remark.modes.includes(mode)) {
              out.push({
                code: 'positive-list-mode',
                path,
                expected: remark.modes.join(' | '),
                actual: mode,
                message: {
                  zh: `${on.zh} 备注“${remark.text}”：限网购保税进口（${remark.modes.join('、')}），不能以 ${mode} 申报`,
                  en: `${on.en} is limited to bonded import (${remark.modes.join(', ')}) by its remark "${remark.text}"; it cannot be declared under ${mode}`,
                },
              });
            }
            break;
          case 'exclusion':
            out.push({
              code: 'positive-list-exclusion',
              path,
              actual: hs8,
              severity: 'warning',
              message: {
                zh: `${on.zh} 备注“${remark.text}”：请确认本商品不属于被排除的商品`,
                en: `${on.en} has the remark "${remark.text}" (${remark.list === 'cites' ? 'CITES-listed species are excluded' : remark.list === 'dual-use' ? 'dual-use items are excluded' : remark.list === 'special-food' ? 'special foods needing registration are excluded' : 'some goods are excluded'}); confirm this item is not one of them`,
              },
            });
            break;
          case 'name-restriction':
            out.push({
              code: 'positive-list-name',
              path,
              actual: ctx.str(line, 'gname') ?? hs8,
              expected: remark.allowed,
              severity: 'warning',
              message: {
                zh: `${on.zh} 备注“${remark.text}”：请确认本商品属于“${remark.allowed}”`,
                en: `${on.en} is limited to "${remark.allowed}" by its remark "${remark.text}"; confirm this item is such`,
              },
            });
            break;
          case 'annual-quantity':
            out.push(...quantityIssues(ctx, { items, index, hs8, path, on, remark, buyer, year, ledger }));
            break;
          case 'other':
            out.push({
              code: 'positive-list-remark',
              path,
              actual: hs8,
              severity: 'warning',
              message: {
                zh: `${on.zh} 备注“${remark.text}”无法自动核对，请人工确认`,
                en: `${on.en} has the remark "${remark.text}", which sandan cannot check; confirm it`,
              },
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
    items: Array<{ index: number; line: Rec }>;
    index: number;
    hs8: string;
    path: string;
    on: { zh: string; en: string };
    remark: Extract<PositiveListRemark, { kind: 'annual-quantity' }>;
    buyer: string | undefined;
    year: number;
    ledger: AnnualQuantities | undefined;
  },
): RuleIssue[] {
  const { remark, on } = a;
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
  if (order === undefined) {
    return [
      {
        code: 'positive-list-quantity-unconfirmed',
        path: a.path,
        expected: `≤ ${cap}`,
        severity: 'warning',
        message: {
          zh: `${on.zh} 备注“${remark.text}”：每人每年限 ${cap}，但本单该商品的法定数量不是以千克申报，无法核对`,
          en: `${on.en} is capped at ${cap} a person a year ("${remark.text}"), but this order gives no legal quantity in kg for it (qty1/unit1 or qty2/unit2 with unit 035), so the cap could not be checked`,
        },
      },
    ];
  }
  if (order.gt(max)) {
    return [
      {
        code: 'positive-list-quantity',
        path: a.path,
        expected: `≤ ${cap}`,
        actual: `${show(order)} ${remark.unit}`,
        message: {
          zh: `${on.zh} 备注“${remark.text}”：每人每年限 ${cap}，本单已有 ${show(order)} ${remark.unit}`,
          en: `${on.en} is capped at ${cap} a person a year ("${remark.text}"); this order alone has ${show(order)} ${remark.unit}`,
        },
      },
    ];
  }
  const raw =
    a.buyer === undefined || !Number.isInteger(a.year) || a.year > 9000
      ? undefined
      : a.ledger?.used(a.buyer, a.year, a.hs8, remark.unit);
  const used = raw === undefined ? undefined : toDecimal(typeof raw === 'object' ? raw.toString() : raw);
  if (used === undefined) {
    return [
      {
        code: 'positive-list-quantity-unconfirmed',
        path: a.path,
        expected: `≤ ${cap}`,
        actual: `${show(order)} ${remark.unit}`,
        severity: 'warning',
        message: {
          zh: `${on.zh} 备注“${remark.text}”：每人每年限 ${cap}；本单 ${show(order)} ${remark.unit}，订购人本年度已购数量未知，请确认`,
          en: `${on.en} is capped at ${cap} a person a year ("${remark.text}"); this order has ${show(order)} ${remark.unit}, and what the buyer bought earlier in ${a.year} is unknown (pass extras.annualQuantities); confirm the cap`,
        },
      },
    ];
  }
  const total = used.plus(order);
  if (total.lte(max)) return [];
  return [
    {
      code: 'positive-list-quantity',
      path: a.path,
      expected: `≤ ${cap}`,
      actual: `${show(total)} ${remark.unit}`,
      message: {
        zh: `${on.zh} 备注“${remark.text}”：每人每年限 ${cap}；订购人${a.year}年已购 ${show(used)} ${remark.unit}，加本单 ${show(order)} ${remark.unit} 共 ${show(total)} ${remark.unit}`,
        en: `${on.en} is capped at ${cap} a person a year ("${remark.text}"); the buyer bought ${show(used)} ${remark.unit} earlier in ${a.year}, and this order's ${show(order)} ${remark.unit} makes ${show(total)} ${remark.unit}`,
      },
    },
  ];
}

/** Inventory lines match the goods records filed for them (R15: legal units of the HS code). */
export const goodsRecordsMatch = defineRule({
  id: 'goods/records',
  description: {
    zh: '清单商品与商品备案一致（商品编码、名称、法定计量单位、原产国）',
    en: 'Inventory lines match their goods records (commodity code, name, legal units, origin)',
  },
  source: '报文规范 202205: InventoryList itemRecordNo; E-Port -625007 (item not filed)',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    'goods-record-missing': { zh: '商品未备案', en: 'No goods record for the line' },
    'goods-record-mismatch': { zh: '清单商品与备案不一致', en: 'The line differs from its goods record' },
  },
  check(ctx) {
    const records = ctx.extras.goodsRecords as GoodsRecords | undefined;
    if (!records) return [];
    const out: RuleIssue[] = [];
    for (const { index, line } of ctx.lines('inventory')) {
      const base = `inventory.items[${index}]`;
      const key = ctx.str(line, 'itemRecordNo') ?? ctx.str(line, 'itemNo');
      const rec = key === undefined ? undefined : records.get(key);
      if (!rec) {
        out.push({
          code: 'goods-record-missing',
          path: `${base}.${line.itemRecordNo !== undefined ? 'itemRecordNo' : 'itemNo'}`,
          actual: key ?? '',
          message: {
            zh: `商品 ${key ?? '(无料号)'} 没有备案`,
            en: `${base}: no goods record for ${key ?? '(no itemRecordNo or itemNo)'}`,
          },
        });
        continue;
      }
      const pairs: Array<[string, string | undefined]> = [
        ['gcode', rec.gcode],
        ['gname', rec.gname],
        ['unit1', rec.unit1],
        ['unit2', rec.unit2],
        ['country', rec.country],
      ];
      for (const [field, expected] of pairs) {
        const actual = ctx.str(line, field);
        if (field === 'country' && expected === undefined) continue;
        if (actual === expected) continue;
        out.push({
          code: 'goods-record-mismatch',
          path: `${base}.${field}`,
          expected: expected ?? '(none)',
          actual: actual ?? '(none)',
          message: {
            zh: `${field} 为 ${actual ?? '空'}，备案 ${key} 为 ${expected ?? '空'}`,
            en: `${base}.${field} is ${actual ?? 'empty'} but goods record ${key} says ${expected ?? 'none'}`,
          },
        });
      }
    }
    return out;
  },
});
