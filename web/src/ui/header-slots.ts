import type { Component } from 'vue';

/**
 * What features put in the header: links (e.g. the catalog) and small widgets for signed-in people (e.g.
 * the notification bell). Each feature exports them from a `header.ts` beside its pages; gathered here.
 */
export interface HeaderLink {
  key: string;
  /** i18n key of the link's text. */
  label: string;
  to: string;
  /** Lower comes first. */
  order: number;
  /** Shown only to signed-in staff (the pages behind it refuse everyone else anyway). */
  staffOnly?: boolean;
}

export interface HeaderContribution {
  links?: HeaderLink[];
  widgets?: Component[];
}

const modules = import.meta.glob<{ default: HeaderContribution }>('../*/header.ts', { eager: true });
const contributions = Object.values(modules).map((m) => m.default);

export const headerLinks: HeaderLink[] = contributions
  .flatMap((c) => c.links ?? [])
  .sort((a, b) => a.order - b.order);
export const headerWidgets: Component[] = contributions.flatMap((c) => c.widgets ?? []);
