import { z } from 'zod';
import { DATE_TIME_14 } from '../time/beijing.js';

/**
 * Field primitives of receipts beyond ./primitives: the 17-digit receipt time. Kept apart from the
 * declaration primitives because only the receipt documents (src/model/generated/receipt-documents.ts) use them.
 */

/** Format key of a 17-digit time, in the style of `FORMAT` (./primitives). */
const FORMAT_DATE_TIME_17 = 'format:yyyyMMddHHmmssSSS';

/** A real `yyyyMMddHHmmssSSS` (receipt returnTime, Beijing time), as a pattern: a real 14-digit time and milliseconds. */
const DATE_TIME_17 = new RegExp(`${DATE_TIME_14.source.replace(/\$$/, '')}\\d{3}$`);

/** `yyyyMMddHHmmssSSS` (returnTime), a real time: 20260230120000000 is a format issue. */
export const dateTime17 = () => z.string().regex(DATE_TIME_17, { error: FORMAT_DATE_TIME_17 });
