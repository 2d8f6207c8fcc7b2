/**
 * The metric names a PromQL expression selects, without a PromQL parser (Prometheus 2.42 has no
 * parse endpoint): strings, label matchers, range/offset brackets and grouping label lists are removed
 * first, then every identifier not called as a function and not a keyword is a metric name.
 */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
]);

export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?[0-9a-z]+/gi, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(?=\s*(\(?))/g)) {
    const name = m[0];
    if (m[1] === '(' || KEYWORDS.has(name.toLowerCase())) continue;
    // A number's exponent (1e3) or a duration's unit never starts an identifier here: digits come first.
    if (m.index > 0 && /[0-9.]/.test(stripped[m.index - 1] ?? '')) continue;
    names.add(name);
  }
  return [...names].sort();
}
