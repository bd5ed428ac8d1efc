import { z } from 'zod';
import { SandanError } from '../errors.js';
import { addDuration, parseDuration } from './clock.js';
import {
  DEFAULT_CUSTOMS_DXP_ID,
  DEFAULT_ENTERPRISE_DXP_ID,
  DEFAULT_TIMING,
  DEFAULT_UNMAPPED_CODE,
  SETTING_CHOICES,
} from './settings.js';
import type { EngineOptions, Timing } from './types.js';
import { DEFAULT_PAYMENT_DATA_WINDOW } from './payment-data.js';
import { nearestFieldName } from '../model/field-names.js';
import { checkArgument, isAmountText } from '../model/guards.js';
import { formatPath } from '../model/issue.js';
import { forbiddenCharacter } from '../xml/safety.js';

/*
 * The emulator's settings file (`sandan emulate --settings FILE`, or a test that starts the emulator
 * in-process with the same file): the engine's settings a command line has no flag for — the
 * decisions where the sources are silent (docs/emulator.md), the quota, the delays and the DXP
 * ids — as JSON of the same keys as createCustomsEmulator's options, checked when it is read.
 */

/** What settings files are called in messages (and in `Cannot read emulator settings PATH`). */
const EMULATOR_SETTINGS = 'emulator settings';

/** A delay: `'30s'`, `'30m'`, `'2h'`, `'1d'`, `'500ms'` or whole milliseconds, as the engine's `timing` takes it. */
const duration = z
  .union([z.string(), z.number()])
  .superRefine((v, ctx) => {
    try {
      parseDuration(v);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `must be a duration such as "30s", "30m", "2h", "1d", "500ms" or whole milliseconds, got ${JSON.stringify(v)}`,
      });
    }
  })
  .optional();

/** A DXP node id, as a DxpMsg's SenderId and ReceiverId take it (1 to 16 characters). */
// (written into the TransInfo of every wrapped receipt: a U+0000 there failed each as an emulator failure)
const dxpId = z
  .string()
  .min(1)
  .max(16, 'a DXP id has at most 16 characters')
  .refine((v) => forbiddenCharacter(v) === undefined, 'a DXP id holds characters XML can carry only')
  .optional();

/** The emulator's settings file (`sandan emulate --settings`); `schemas/emulator-settings.schema.json` is made from it. */
export const EmulatorSettingsSchema = z
  .object(
    {
      $schema: z.string().optional().describe('The JSON Schema of this file, for editors.'),
      heldDocumentChange: z
        .enum(SETTING_CHOICES.heldDocumentChange)
        .optional()
        .describe(
          'A change (appType 2) of a payment, waybill or inventory while customs holds the inventory: "refuse" (default) answers -401008, -504016 or -621012, "take" takes it.',
        ),
      certificateDates: z
        .enum(SETTING_CHOICES.certificateDates)
        .optional()
        .describe(
          'Whether a signature\'s certificate must be valid when the message arrives (emulator clock): "check" (default) answers one that is not as customs does, "ignore" takes it.',
        ),
      duplicateCopNo: z
        .enum(SETTING_CHOICES.duplicateCopNo)
        .optional()
        .describe(
          'An inventory whose copNo its declaring enterprise already gave another inventory in force: "take" (default) checks it as any other, "refuse" answers it with unmappedCode.',
        ),
      unmappedCode: z
        .string()
        .regex(/^-?\d+$/, 'must be a code such as "1300"')
        .optional()
        .describe(
          'The code of a rejection whose rule has no code of the receipt catalogue (e.g. the positive list); default "1300" (人工退单).',
        ),
      quota: z
        .object({
          annualLimit: z
            .string({
              error: (i) =>
                typeof i.input === 'number'
                  ? 'an amount is written as a decimal string, e.g. "26000", not a JSON number'
                  : 'must be an amount as a decimal string, e.g. "26000"',
            })
            .refine(isAmountText, 'must be an amount (CNY) such as "26000" or "26000.00": digits, at most 5 decimals')
            .optional()
            .describe(
              'Replaces the annual limit (CNY) of the quota policy in force, as a decimal string, e.g. "1000".',
            ),
          date: z
            .enum(SETTING_CHOICES.quotaDate)
            .optional()
            .describe(
              'The day that places a transaction in a quota year: "declTime" (default) the inventory\'s declaration date, "appTime" the order\'s.',
            ),
        })
        .strict()
        .optional()
        .describe("The buyer's annual quota, kept in the emulator's own ledger."),
      timing: z
        .object({
          sent: duration.describe('Receipt 3 (发送海关成功) after 2; default "2s".'),
          entered: duration.describe('Receipt 120 (海关入库), or 100 (海关退单), after 3; default "5s".'),
          released: duration.describe('Receipt 800 (放行) after 120; default "1m".'),
          taxBill: duration.describe('The CEB816 tax bill after release; default "5s".'),
          concluded: duration.describe('Receipt 399 (海关审结) of a cancel or return after its 120; default "30s".'),
        })
        .strict()
        .optional()
        .describe('Delays between the steps customs takes, on the emulator clock.'),
      paymentDataWindow: duration.describe(
        `How long after a request for an order's "179" payment data (POST /admin/payment-data-request) its upload is taken; default "${DEFAULT_PAYMENT_DATA_WINDOW}".`,
      ),
      customsDxpId: dxpId.describe(
        `The customs node: the receiver a DxpMsg must name (else 2001) and the SenderId of DxpMsg-wrapped receipts; default "${DEFAULT_CUSTOMS_DXP_ID}".`,
      ),
      enterpriseDxpId: dxpId.describe(
        `The receiver of DxpMsg-wrapped receipts when the input named no sender; default "${DEFAULT_ENTERPRISE_DXP_ID}".`,
      ),
    },
    { error: 'expected an object of settings, e.g. {"duplicateCopNo": "refuse"}' },
  )
  .strict();

/** The settings a settings file gives (its `$schema` aside). */
export type EmulatorSettings = Omit<z.output<typeof EmulatorSettingsSchema>, '$schema'>;

/** The keys an object at `path` of the settings may have (for "did you mean"). */
function keysAt(path: readonly PropertyKey[]): string[] {
  let shape: Record<string, z.ZodType> = EmulatorSettingsSchema.shape;
  for (const k of path) {
    let inner: unknown = shape[String(k)];
    // through .optional() and .describe() to the object
    while (inner instanceof z.ZodOptional) inner = inner.unwrap();
    if (!(inner instanceof z.ZodObject)) return [];
    shape = inner.shape as Record<string, z.ZodType>;
  }
  return Object.keys(shape).filter((k) => k !== '$schema');
}

/** The problems of settings data, one sentence each with its JSON path. */
function problemsOf(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((i) => {
    if (i.code === 'unrecognized_keys') {
      const known = keysAt(i.path);
      return i.keys.map((key) => {
        const near = nearestFieldName(key, known);
        return `$.${formatPath([...i.path, key])}: unknown setting ${JSON.stringify(key)}; ${
          near !== undefined
            ? `did you mean ${near}?`
            : `the settings${i.path.length ? ` of ${formatPath(i.path)}` : ''} are ${known.join(', ')}`
        }`;
      });
    }
    return [`${i.path.length ? `$.${formatPath(i.path)}` : '$'}: ${i.message}`];
  });
}

/**
 * Checks settings data (the parsed JSON of a settings file; `origin`, e.g. its path, names it in messages). Amounts are
 * decimal strings. Spread {@link emulatorOptionsOf}'s answer into {@link createCustomsEmulator}'s options.
 * @throws SandanError `INVALID_OPTION` naming each problem with its JSON path; an unknown key is named with the setting
 * it most likely meant
 */
export function parseEmulatorSettings(data: unknown, origin = EMULATOR_SETTINGS): EmulatorSettings {
  const r = EmulatorSettingsSchema.safeParse(data);
  if (!r.success) {
    const problems = problemsOf(r.error.issues).slice(0, 5);
    throw new SandanError('INVALID_OPTION', `${origin}: ${problems.join('; ')}`, {
      details: { what: EMULATOR_SETTINGS, origin, problems },
    });
  }
  const { $schema: _schema, ...settings } = r.data;
  return settings;
}

/** The emulator's options the settings give (the engine's own keys: the type keeps them so). */
export function emulatorOptionsOf(settings: EmulatorSettings): Partial<Omit<EngineOptions, 'store' | 'clock'>> {
  checkArgument(settings, 'object', 'emulatorOptionsOf', "the settings (parseEmulatorSettings's answer)");
  const { quota, timing, ...rest } = settings;
  return {
    ...rest,
    ...(quota !== undefined && { quota }),
    ...(timing !== undefined && { timing }),
  };
}

/** A delay in milliseconds (a day as 24 h), to compare one with its default. */
function millisOf(d: string | number): number {
  return addDuration(new Date(0), parseDuration(d)).getTime();
}

/**
 * The settings that differ from the engine's defaults, as `[name, value, default]` in the order of
 * the schema: what `sandan emulate` lists at start-up (a test may log it likewise). An annual limit is always listed: it replaces
 * the policy's, whatever its figure.
 */
export function changedSettings(s: EmulatorSettings): Array<[name: string, value: string, byDefault: string]> {
  checkArgument(s, 'object', 'changedSettings', "the settings (parseEmulatorSettings's answer)");
  const out: Array<[string, string, string]> = [];
  const choice = (name: string, value: string | undefined, choices: readonly string[]) => {
    if (value !== undefined && value !== choices[0]) out.push([name, value, choices[0]!]);
  };
  choice('heldDocumentChange', s.heldDocumentChange, SETTING_CHOICES.heldDocumentChange);
  choice('certificateDates', s.certificateDates, SETTING_CHOICES.certificateDates);
  choice('duplicateCopNo', s.duplicateCopNo, SETTING_CHOICES.duplicateCopNo);
  choice('unmappedCode', s.unmappedCode, [DEFAULT_UNMAPPED_CODE]);
  if (s.quota?.annualLimit !== undefined)
    out.push(['quota.annualLimit', s.quota.annualLimit, "the quota policy's in force"]);
  choice('quota.date', s.quota?.date, SETTING_CHOICES.quotaDate);
  for (const [k, byDefault] of Object.entries(DEFAULT_TIMING) as Array<[keyof Timing, string | number]>) {
    const v = s.timing?.[k];
    if (v !== undefined && millisOf(v) !== millisOf(byDefault)) out.push([`timing.${k}`, String(v), String(byDefault)]);
  }
  if (s.paymentDataWindow !== undefined && millisOf(s.paymentDataWindow) !== millisOf(DEFAULT_PAYMENT_DATA_WINDOW))
    out.push(['paymentDataWindow', String(s.paymentDataWindow), DEFAULT_PAYMENT_DATA_WINDOW]);
  choice('customsDxpId', s.customsDxpId, [DEFAULT_CUSTOMS_DXP_ID]);
  choice('enterpriseDxpId', s.enterpriseDxpId, [DEFAULT_ENTERPRISE_DXP_ID]);
  return out;
}
