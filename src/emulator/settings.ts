import { IMPORT_RECEIVER_ID } from '../xml/messages.js';
import { EMULATOR_FINDING_CODE } from '../xml/return-info.js';
import type { EngineOptions, Timing } from './types.js';

/*
 * The defaults and the allowed values of the engine's settings, in one place: the engine applies
 * them, and `sandan emulate --settings` checks a settings file against them and names the ones a
 * file changes. Kept apart from the engine so that reading a settings file does not load it.
 */

/** The default delays: seconds to a minute apart, like a quiet day at the E-Port. */
export const DEFAULT_TIMING: Timing = {
  sent: '2s',
  entered: '5s',
  released: '1m',
  taxBill: '5s',
  concluded: '30s',
};

/** The values of the settings where the sources are silent (docs/emulator.md), the default first. */
export const SETTING_CHOICES = {
  heldDocumentChange: ['refuse', 'take'],
  duplicateCopNo: ['take', 'refuse'],
  quotaDate: ['declTime', 'appTime'],
  certificateDates: ['check', 'ignore'],
} as const satisfies {
  heldDocumentChange: readonly NonNullable<EngineOptions['heldDocumentChange']>[];
  duplicateCopNo: readonly NonNullable<EngineOptions['duplicateCopNo']>[];
  quotaDate: readonly NonNullable<NonNullable<EngineOptions['quota']>['date']>[];
  certificateDates: readonly NonNullable<EngineOptions['certificateDates']>[];
};

/**
 * The code a rejection carries when its rule has no code of the receipt catalogue: 1300 (人工退单). explainReceipt
 * reads an issue code ending the Desc of such a receipt as the finding (one value: EMULATOR_FINDING_CODE).
 */
export const DEFAULT_UNMAPPED_CODE = EMULATOR_FINDING_CODE;

/** The customs node that sends import receipts (the DXP id import messages go to). */
export const DEFAULT_CUSTOMS_DXP_ID = IMPORT_RECEIVER_ID;

/** The receiver of DxpMsg-wrapped receipts when the input named no sender. */
export const DEFAULT_ENTERPRISE_DXP_ID = 'DXPENT0000000000';

/** The default of `maxScenarios` (`sandan emulate --max-scenarios`): scenarios kept at once. */
export const DEFAULT_MAX_SCENARIOS = 10_000;
