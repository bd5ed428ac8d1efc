/*
 * The message names and the buildable messages are generated from the XSDs and the overlay
 * (src/model/overlay.ts): see ./generated/messages.ts.
 */
import { BUILDABLE, type BuildableType } from './generated/messages.js';

export * from './generated/messages.js';

/** DXP receiver of import messages (the 2022-05 CEB interface spec). */
export const IMPORT_RECEIVER_ID = 'DXPEDCCEB0000002';
/** DXP receiver of export messages (the 2022-05 CEB interface spec). */
export const EXPORT_RECEIVER_ID = 'DXPEDCCEB0000003';

/** True for a message type sandan builds; false for anything but a string. */
export function isBuildableType(t: unknown): t is BuildableType {
  // (Object.hasOwn converts its key: a null-prototype object threw a TypeError)
  return typeof t === 'string' && Object.hasOwn(BUILDABLE, t);
}
