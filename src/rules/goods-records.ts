import { z } from 'zod';
import { SandanError } from '../errors.js';
import { ownKeysRecord } from '../model/guards.js';

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
export const GoodsRecordsSchema = ownKeysRecord(z.string().min(1), GoodsRecordSchema);

/** One filed item. */
export type GoodsRecord = z.output<typeof GoodsRecordSchema>;
/** Goods records by itemRecordNo or itemNo. */
export type GoodsRecords = ReadonlyMap<string, GoodsRecord>;

/** Checks goods-record data (`{ "<itemRecordNo or itemNo>": { gcode, gname, unit1, unit2?, country? } }`). */
export function loadGoodsRecords(data: unknown, origin = 'goods records'): GoodsRecords {
  const r = GoodsRecordsSchema.safeParse(data);
  if (!r.success) {
    const problems = r.error.issues
      .slice(0, 5)
      .map((i) => `$${i.path.map((k) => `[${JSON.stringify(k)}]`).join('')}: ${i.message}`);
    throw new SandanError('INVALID_OPTION', `${origin}: ${problems.join('; ')}`);
  }
  return new Map(Object.entries(r.data));
}
