import { isRecord } from '../model/guards.js';
import { isoDateOfCeb } from '../time/beijing.js';

/**
 * The date a validation result's `ruleset.at` gives for a declaration that has none (no readable
 * inventory.declTime or order.appTime): the newest policy was applied, and the warning
 * `date-unknown` says so.
 */
export const NEWEST_POLICY_DATE = '9999-12-31';

/**
 * The Beijing date of a declaration, `YYYY-MM-DD`: the day of `inventory.declTime`, else of
 * `order.appTime`, when the field is a real CEB time (an impossible date or time gives none).
 */
export function declarationDate(input: unknown): string | undefined {
  return declarationDateField(input).date;
}

/**
 * The date of a declaration (as {@link declarationDate}) and the field it was read from. Without a
 * date, `path` is the field that should carry it: `inventory.declTime` when there is an inventory,
 * else `order.appTime` when there is an order, else `''`. A finding about the date points at `path`,
 * so an unreadable declTime with a readable appTime points at the appTime the date came from.
 */
export function declarationDateField(input: unknown): { date: string | undefined; path: string } {
  const rec = isRecord(input) ? input : {};
  const inventory = isRecord(rec.inventory) ? rec.inventory : undefined;
  const order = isRecord(rec.order) ? rec.order : undefined;
  const fromInventory = isoDateOfCeb(inventory?.declTime);
  if (fromInventory !== undefined) return { date: fromInventory, path: 'inventory.declTime' };
  const fromOrder = isoDateOfCeb(order?.appTime);
  if (fromOrder !== undefined) return { date: fromOrder, path: 'order.appTime' };
  return { date: undefined, path: inventory ? 'inventory.declTime' : order ? 'order.appTime' : '' };
}
