/** Dates, times and money in the person's language (Korean readers see 2027. 3. 2. 오전 9:00). */
const tag = (locale: string) => (locale === 'ko' ? 'ko-KR' : 'en-GB');

export function formatDateTime(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(tag(locale), {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(new Date(iso));
}

export function formatTime(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(tag(locale), { timeStyle: 'medium' }).format(new Date(iso));
}

export function formatMoney(cents: number, currency: string, locale: string): string {
  return new Intl.NumberFormat(tag(locale), { style: 'currency', currency }).format(cents / 100);
}

/** "in 3 minutes", "2 hours ago". */
export function formatRelative(iso: string, locale: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(tag(locale), { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86_400), 'day');
}
