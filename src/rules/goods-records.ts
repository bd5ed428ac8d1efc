import { z } from 'zod';
import { SandanError } from '../errors.js';
import { isRecord, ownValue } from '../model/guards.js';

/**
 * Goods records (商品备案): what the platform filed for each item, keyed by the account-book
 * item number (`itemRecordNo`) or the SKU (`itemNo`). Supplied by the user; inventory lines
 * are checked against them.
 */
export const GoodsRecordSchema = z.strictObject({
  gcode: z.string().regex(/^\d{10}$/),
  gname: z.string().min(1),
  /** Legal first unit of the commodity code. */
  unit1: z.string().regex(/^\d{3}$/),
  /** Legal second unit, when the commodity code has one. */
  unit2: z
    .string()
    .regex(/^\d{3}$/)
    .optional(),
  /** Country of origin (3-digit customs code). */
  country: z
    .string()
    .regex(/^\d{3}$/)
    .optional(),
  note: z.string().optional(),
});

/** A goods-records file: records keyed by itemRecordNo or itemNo. */
export const GoodsRecordsSchema = z.record(z.string().min(1), GoodsRecordSchema);

/** One filed item. */
export type GoodsRecord = z.output<typeof GoodsRecordSchema>;
/** Goods records by itemRecordNo or itemNo. */
export type GoodsRecords = ReadonlyMap<string, GoodsRecord>;

/** Checks goods-record data (`{ "<itemRecordNo or itemNo>": { gcode, gname, unit1, unit2?, country? } }`). */
export function loadGoodsRecords(data: unknown, origin = 'goods records'): GoodsRecords {
  const r = GoodsRecordsSchema.safeParse(data);
  // zod's record passes over a key "__proto__", neither checked nor kept: a record filed under that name is checked
  // here, and kept, as any other
  const proto =
    isRecord(data) && Object.hasOwn(data, '__proto__')
      ? GoodsRecordSchema.safeParse(ownValue(data, '__proto__'))
      : undefined;
  const issues = [
    ...(r.success ? [] : r.error.issues),
    ...(proto?.success === false ? proto.error.issues.map((i) => ({ ...i, path: ['__proto__', ...i.path] })) : []),
  ];
  if (!r.success || proto?.success === false) {
    const problems = issues
      .slice(0, 5)
      .map((i) => `$${i.path.map((k) => `[${JSON.stringify(k)}]`).join('')}: ${i.message}`);
    throw new SandanError('INVALID_OPTION', `${origin}: ${problems.join('; ')}`);
  }
  const records = new Map(Object.entries(r.data));
  if (proto?.success) records.set('__proto__', proto.data);
  return records;
}
