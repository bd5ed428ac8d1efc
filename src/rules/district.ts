import { z } from 'zod';
import { ConfidenceSchema, DateSchema } from './policy.js';
import { SourceRefSchema } from '../model/sources.js';

/**
 * What a district ruleset says about its customs district besides rule settings: the offices
 * and ports that belong to it, accepted signature algorithms, payment declaration codes and
 * local requirements. Every value cites a source; uncertain ones say so.
 */

const sourced = {
  source: SourceRefSchema,
  confidence: ConfidenceSchema.optional(),
  note: z.string().optional(),
};

/** The `district` section of a district ruleset. */
export const DistrictSectionSchema = z.strictObject({
  /** The district's own code, `xx00`. */
  code: z.string().regex(/^\d{2}00$/, 'a district code such as 2900'),
  name: z.strictObject({ zh: z.string().min(1), en: z.string().min(1) }),
  /** Offices (隶属海关/办事处) of the district beyond those in rulesets/codes/customs.json. */
  offices: z.array(z.strictObject({ code: z.string().regex(/^\d{4}$/), name: z.string().optional(), ...sourced })).default([]),
  /** Port offices (口岸海关) where goods of this district enter, when they differ from its offices. */
  ports: z.array(z.strictObject({ code: z.string().regex(/^\d{4}$/), name: z.string().optional(), ...sourced })).default([]),
  /** Signature algorithm URIs the district's E-Port accepts (see the signing guide). */
  signatureAlgorithms: z
    .array(
      z.strictObject({
        signatureMethod: z.string().min(1),
        digestMethod: z.string().min(1),
        effectiveFrom: DateSchema.optional(),
        effectiveTo: DateSchema.optional(),
        ...sourced,
      }),
    )
    .default([]),
  /** Customs codes payment providers use when declaring payments for this district. */
  paymentCustomsCodes: z.record(z.string(), z.strictObject({ codes: z.array(z.string().min(1)).min(1), ...sourced })).default({}),
  /** Local requirements found in the sources, as text (the rules that enforce them are in `rules`). */
  localRequirements: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        text: z.strictObject({ zh: z.string(), en: z.string() }),
        effectiveFrom: DateSchema.optional(),
        effectiveTo: DateSchema.optional(),
        /** Shown as a warning (rule `district/notices`) on every declaration dated within the effective range. */
        notice: z.boolean().optional(),
        ...sourced,
      }),
    )
    .default([]),
});

/** A checked `district` section. */
export type DistrictSection = z.output<typeof DistrictSectionSchema>;
