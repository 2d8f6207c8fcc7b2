import fc from 'fast-check';

/**
 * Hostile values, named for what they try: ids that only look like numbers, keys that reach for the
 * prototype, numbers written as strings, text from every plane, and sizes past every limit.
 */
export const HOSTILE_IDS = [
  '0x1',
  '+1',
  '01',
  '1e0',
  '1.0',
  '1.5',
  '-1',
  '0',
  '-0',
  '%FF',
  '%',
  '%E0%A4%A',
  '%00',
  '%2F',
  '%2e%2e',
  '..',
  ' 1',
  '1%20',
  '%201',
  '1,2',
  '[1]',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '2147483647',
  '2147483648',
  '4294967296',
  '9007199254740993',
  '1' + '0'.repeat(40),
  '%EF%BC%91', // fullwidth 1
  '%D9%A1', // Arabic-Indic 1
  '1%3B%20DROP%20TABLE%20users',
  "1'",
  '__proto__',
  'constructor',
  'a'.repeat(300),
];

export const POLLUTING_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
];

/** Field names the api's schemas read, so generated bodies reach past "unknown shape" into each rule. */
export const FIELD_NAMES = [
  'username',
  'password',
  'refreshToken',
  'sectionIds',
  'sectionId',
  'seatIds',
  'seatId',
  'roomId',
  'eventId',
  'termId',
  'clientRequestId',
  'code',
  'name',
  'title',
  'kind',
  'role',
  'grade',
  'grades',
  'capacity',
  'credits',
  'startsAt',
  'endsAt',
  'opensAt',
  'closesAt',
  'prequeueOpensAt',
  'startsOn',
  'endsOn',
  'admissionRatePerMin',
  'maxActive',
  'tokenTtlS',
  'message',
  'reason',
  'userId',
  'ids',
  'version',
  'csv',
  'rows',
  'label',
  'zone',
  'priceCents',
  'displayName',
  'active',
  'perUserLimit',
  'holdTtlS',
  'meetings',
  'q',
  'cursor',
  'limit',
];

const weirdString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uFEFF',
    '\uD800',
    'Ⅻ',
    '１２',
    '٣',
    '1e3',
    '0x10',
    '+5',
    '-5',
    '1_000',
    'true',
    'null',
    '2027-02-30',
    '2027-13-01T00:00:00Z',
    '0000-00-00 00:00:00',
    '9999-12-31T23:59:59.999Z',
    '2027-03-01T00:00:00+25:00',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    '${7*7}',
    '../../etc/passwd',
    'a'.repeat(70_000),
  ),
);

const weirdNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, Number.MIN_VALUE, 0.1 + 0.2),
);

/** A JSON value of any shape, with hostile keys and leaves. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    weirdString,
    weirdNumber,
    fc.boolean(),
    fc.constant(null),
    weirdNumber.map(String),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...POLLUTING_KEYS, ...FIELD_NAMES), fc.string()), tie('value'), {
      maxKeys: 6,
    }),
  ),
})).value;

/** An object with the api's own field names, each holding something it should not. */
export const shapedBody = fc.dictionary(
  fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.constantFrom(...POLLUTING_KEYS)),
  fc.oneof(
    hostileJson,
    fc.array(fc.oneof(fc.integer(), fc.constantFrom(...HOSTILE_IDS)), { maxLength: 300 }),
    fc.constantFrom(...HOSTILE_IDS),
  ),
  { minKeys: 1, maxKeys: 8 },
);

/** Raw bodies that aren't JSON, or are JSON only in part. */
export const rawBodyText = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '{"a":',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    '\uFEFF{}',
    '[]',
    '"x"',
    '1',
    'null',
    'true',
    '{"a":1,"a":2}',
    '{"a":NaN}',
    "{'a':1}",
    '{"a":1}garbage',
    '+ADwAcwBjAHIAaQBwAHQAPg-',
    'a=1&b[]=2&__proto__[x]=1',
    'username,password\nadmin,admin',
  ),
);
