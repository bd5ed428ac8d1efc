import { z } from 'zod';
import { ConfidenceSchema, DateSchema } from './policy.js';
import { SourceRefSchema } from '../model/sources.js';
import type { ExtensionField } from '../xml/extensions.js';
import { checkArgument, ownKeysRecord } from '../model/guards.js';

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

/**
 * Fields beyond the 2022 XSD that the district's messages carry: read, checked and kept by
 * `parseCebXml` when passed as its `extensions` (see {@link districtExtensions}).
 */
export const ExtensionFieldSchema = z.strictObject({
  /** The XSD element whose content carries the field, e.g. `OrderHead` or `OrderList`. */
  element: z.string().regex(/^[A-Z][A-Za-z]+$/),
  name: z.string().regex(/^[a-z][A-Za-z0-9]*$/),
  /** Messages that carry it, e.g. `["CEB311"]`. */
  messages: z.array(z.string().regex(/^CEB\d{3}$/)).min(1),
  type: z.enum(['string', 'decimal', 'int']),
  /** `C..n` */
  maxLength: z.number().int().positive().optional(),
  /** `Cn` */
  length: z.number().int().positive().optional(),
  values: z.array(z.string()).optional(),
  text: z.strictObject({ zh: z.string(), en: z.string() }),
  ...sourced,
});

/** The `district` section of a district ruleset. */
export const DistrictSectionSchema = z.strictObject({
  /** The district's own code, `xx00`. */
  code: z.string().regex(/^\d{2}00$/, 'a district code such as 2900'),
  name: z.strictObject({ zh: z.string().min(1), en: z.string().min(1) }),
  /** Offices (隶属海关/办事处) of the district beyond those in rulesets/codes/customs.json. */
  offices: z
    .array(z.strictObject({ code: z.string().regex(/^\d{4}$/), name: z.string().optional(), ...sourced }))
    .default([]),
  /** Port offices (口岸海关) where goods of this district enter, when they differ from its offices. */
  ports: z
    .array(z.strictObject({ code: z.string().regex(/^\d{4}$/), name: z.string().optional(), ...sourced }))
    .default([]),
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
  paymentCustomsCodes: ownKeysRecord(
    z.string(),
    z.strictObject({ codes: z.array(z.string().min(1)).min(1), ...sourced }),
  ).prefault({}),
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
  /** Fields beyond the 2022 XSD that this district's messages carry. */
  extensions: z.array(ExtensionFieldSchema).default([]),
});

/** A checked `district` section. */
export type DistrictSection = z.output<typeof DistrictSectionSchema>;

const KIND = { string: 's', decimal: 'd', int: 'i' } as const;

/** A declared extension field (district or user ruleset), as checked by {@link ExtensionFieldSchema}. */
export type ExtensionDeclaration = z.output<typeof ExtensionFieldSchema>;

/** Declared extension fields in the form `parseCebXml`, `buildMessage` and validate take. */
export function toExtensionFields(list: readonly ExtensionDeclaration[]): ExtensionField[] {
  checkArgument(list, 'list', 'toExtensionFields', 'the list');
  return list.map((x) => ({
    element: x.element,
    name: x.name,
    kind: KIND[x.type],
    ...(x.maxLength !== undefined && { maxLength: x.maxLength }),
    ...(x.length !== undefined && { length: x.length }),
    ...(x.values && { values: x.values }),
    ...(x.confidence !== undefined && { confidence: x.confidence }),
  }));
}

/** A district's extension fields in the form `parseCebXml` takes as its `extensions` option. */
export function districtExtensions(section: DistrictSection | undefined): ExtensionField[] {
  return toExtensionFields(section?.extensions ?? []);
}
