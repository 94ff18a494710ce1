/**
 * The lead routing rules file (JSON or YAML), as zod validates it. Objects are strict: an unknown key is
 * a typo that would silently change routing, so it is an error.
 *
 *   version: 1
 *   reps:      [{ email, name, weight?: 1, active?: true, outOfOffice?: [{ from, until }] }]
 *   rules:     [{ name, when?: { country?, region?, source?, companySize?: { min?, max? }, fields? }, reps: [email] }]
 *   fallback:  { rep: email } | { queue: { email, name } }
 */
import { z } from 'zod';

const text = z.string().trim().min(1, 'must not be empty');
const email = z.email({ message: 'must be an email address' });
const instant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 date-time with offset, like 2024-07-01T00:00:00Z',
});
const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item).min(1, 'must list at least one value')]);
const scalar = z.union([z.string(), z.number().finite(), z.boolean()]);

export const outOfOfficeSchema = z.strictObject({ from: instant, until: instant });

export const repSchema = z.strictObject({
  email,
  name: text,
  weight: z.number().finite().positive('must be greater than 0').default(1),
  active: z.boolean().default(true),
  outOfOffice: z.array(outOfOfficeSchema).default([]),
});

export const conditionsSchema = z.strictObject({
  /** ISO 3166-1 alpha-2 country code(s) of the lead (countryCode). */
  country: oneOrMany(text).optional(),
  /** Region code(s) of the lead (regionCode), e.g. MA. */
  region: oneOrMany(text).optional(),
  /** Lead source(s) (leadSource), e.g. "Whitepaper request form". */
  source: oneOrMany(text).optional(),
  /** Inclusive bounds on the number of employees (companySize). */
  companySize: z
    .strictObject({ min: z.number().int().nonnegative().optional(), max: z.number().int().nonnegative().optional() })
    .refine((range) => range.min !== undefined || range.max !== undefined, 'give min, max or both')
    .refine(
      (range) => range.min === undefined || range.max === undefined || range.min <= range.max,
      'min must not exceed max',
    )
    .optional(),
  /** Any other lead field by name (see lead-fields.ts), equal to one of the values. */
  fields: z.record(z.string(), oneOrMany(scalar)).optional(),
});

export const ruleSchema = z.strictObject({
  name: text,
  when: conditionsSchema.default({}),
  reps: z.array(email).min(1, 'must list at least one rep'),
});

export const fallbackSchema = z.union([
  z.strictObject({ rep: email }),
  z.strictObject({ queue: z.strictObject({ email, name: text }) }),
]);

export const routingFileSchema = z.strictObject({
  version: z.literal(1),
  reps: z.array(repSchema).min(1, 'must list at least one rep'),
  rules: z.array(ruleSchema),
  fallback: fallbackSchema,
});

export type RoutingFile = z.output<typeof routingFileSchema>;
