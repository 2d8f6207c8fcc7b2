import { z } from 'zod';
import type { StaffSeatView } from '../../../../core/views/staff-seat-view.js';
import type { EventDto } from '../events/event-admin.js';
import type { CourseDto } from './course-admin.js';
import type { MajorDto } from './major-admin.js';
import type { ProfessorDto } from './professor-admin.js';
import type { SectionDto } from './section-admin.js';
import type { TermDto } from './term-admin.js';
import type { WindowDto } from './window-admin.js';

/**
 * The rows staff read and edit, for the OpenAPI document only; each is annotated with the DTO its
 * resource returns, so `tsc` refuses one that no longer matches. `version` is what If-Match names.
 */
const id = z.number().int().positive();
const version = z.number().int().positive();

export const termRowSchema: z.ZodType<TermDto> = z.object({
  id,
  code: z.string(),
  name: z.string(),
  startsOn: z.iso.date(),
  endsOn: z.iso.date(),
  version,
});

export const majorRowSchema: z.ZodType<MajorDto> = z.object({
  id,
  code: z.string(),
  name: z.string(),
  version,
});

export const professorRowSchema: z.ZodType<ProfessorDto> = z.object({
  id,
  name: z.string(),
  email: z.string().nullable(),
  majorId: id,
  version,
});

export const courseRowSchema: z.ZodType<CourseDto> = z.object({
  id,
  code: z.string(),
  title: z.string(),
  credits: z.number().int(),
  majorId: id,
  professorId: id,
  description: z.string().nullable(),
  version,
});

export const sectionRowSchema: z.ZodType<SectionDto> = z.object({
  id,
  termId: id,
  courseId: id,
  sectionNumber: z.number().int(),
  capacity: z.number().int(),
  enrolled: z.number().int(),
  active: z.boolean(),
  meetings: z.array(
    z.object({
      dayOfWeek: z.number().int().min(1).max(7),
      startsAt: z.string(),
      endsAt: z.string(),
      room: z.string(),
    }),
  ),
  version,
});

export const windowRowSchema: z.ZodType<WindowDto> = z.object({
  id,
  termId: id,
  name: z.string(),
  grades: z.array(z.number().int()),
  opensAt: z.string(),
  closesAt: z.string(),
  version,
});

export const eventRowSchema: z.ZodType<EventDto> = z.object({
  id,
  kind: z.enum(['flight', 'concert']),
  title: z.string(),
  venue: z.string(),
  startsAt: z.string(),
  description: z.string().nullable(),
  perUserLimit: z.number().int(),
  holdTtlS: z.number().int(),
  version,
});

export const seatRowSchema: z.ZodType<StaffSeatView> = z.object({
  id,
  eventId: id,
  label: z.string(),
  zone: z.string(),
  row: z.string().nullable(),
  x: z.number().int().nullable(),
  y: z.number().int().nullable(),
  priceCents: z.number().int(),
  status: z.enum(['free', 'held', 'sold']),
  active: z.boolean(),
  version,
});

/** Staff listings (admin-page.ts): keyset pages; `next` is the `after` of the next page. */
export const staffPageOf = <T>(row: z.ZodType<T>) => z.object({ items: z.array(row), next: id.nullable() });
