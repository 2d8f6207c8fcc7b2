import { z } from 'zod';
import { decimalId, decimalLimit } from '../../../core/http/decimal-id.js';
import type { DayOfWeek } from '../../../core/views/catalog-views.js';
import { decodeSectionCursor, type SectionCursor } from './section-cursor.js';

const timeOfDay = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a time of day, HH:MM');

/** `day=1&day=3`, `day=1,3` or both; each 1 (Monday) … 7 (Sunday). */
const days = z.union([z.string(), z.array(z.string()).max(7)]).transform((v, ctx): DayOfWeek[] => {
  const parts = (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(','));
  if (parts.length > 7 || !parts.every((d) => /^[1-7]$/.test(d))) {
    ctx.addIssue({ code: 'custom', message: 'must be days 1 (Monday) to 7 (Sunday), e.g. day=1,3' });
    return z.NEVER;
  }
  return [...new Set(parts.map((d) => Number(d) as DayOfWeek))].sort();
});

export const termParams = z.strictObject({ termId: decimalId });

/**
 * GET /api/terms/:termId/sections. Unknown parameters are refused (400), not ignored: a misspelt filter
 * (`majorID=3`) would otherwise quietly answer with the whole catalogue, which looks like a right answer.
 */
export const sectionQuery = z
  .strictObject({
    q: z.string().trim().max(100, 'must be at most 100 characters').optional(),
    majorId: decimalId.optional(),
    professorId: decimalId.optional(),
    day: days.optional(),
    from: timeOfDay.optional(),
    to: timeOfDay.optional(),
    credits: z
      .string()
      .regex(/^[1-9][0-9]?$/, 'must be a whole number from 1 to 99')
      .transform(Number)
      .optional(),
    // A checkbox left unticked may still send `false`: that means "don't filter", not "only full ones".
    hasSeats: z
      .enum(['true', 'false'], 'must be true or false')
      .transform((v) => v === 'true')
      .optional(),
    limit: decimalLimit(100, 20),
    cursor: z
      .string()
      .max(200, 'is not a cursor this server gave')
      .transform((v, ctx): SectionCursor => {
        const cursor = decodeSectionCursor(v);
        if (!cursor) {
          ctx.addIssue({ code: 'custom', message: 'is not a cursor this server gave' });
          return z.NEVER;
        }
        return cursor;
      })
      .optional(),
  })
  .refine((v) => v.from === undefined || v.to === undefined || v.from < v.to, {
    message: 'must be later than from',
    path: ['to'],
  });
export type SectionQuery = z.output<typeof sectionQuery>;
