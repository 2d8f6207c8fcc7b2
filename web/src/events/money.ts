/**
 * Money formatting for long lists (a seat map names thousands of prices): one Intl.NumberFormat per
 * currency and language, reused, instead of one per call. Same output as ui/format.ts's formatMoney.
 */
const cache = new Map<string, Intl.NumberFormat>();

export function moneyFormat(currency: string, locale: string): (cents: number) => string {
  const key = `${currency}:${locale}`;
  let nf = cache.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(locale === 'ko' ? 'ko-KR' : 'en-GB', { style: 'currency', currency });
    cache.set(key, nf);
  }
  const format = nf;
  return (cents) => format.format(cents / 100);
}
