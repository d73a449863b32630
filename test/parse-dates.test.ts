import { describe, expect, it } from 'vitest';

import { parseDateTime } from '../src/servicebay/dates.js';

const parsedCases: Array<{ name: string; value: unknown; expected: string }> = [
  { name: 'ISO with Z', value: '2019-08-24T14:15:22Z', expected: '2019-08-24T14:15:22.000Z' },
  { name: 'ISO with lowercase z', value: '2019-08-24t14:15:22z', expected: '2019-08-24T14:15:22.000Z' },
  { name: 'ISO with +02:00', value: '2019-08-24T16:15:22+02:00', expected: '2019-08-24T14:15:22.000Z' },
  { name: 'ISO with -0530', value: '2019-08-24T08:45:22-0530', expected: '2019-08-24T14:15:22.000Z' },
  { name: 'ISO with +02', value: '2019-08-24T16:15:22+02', expected: '2019-08-24T14:15:22.000Z' },
  { name: 'ISO without offset', value: '2019-08-24T14:15:22', expected: '2019-08-24T14:15:22.000Z' },
  { name: 'ISO with space', value: '2019-08-24 14:15:22', expected: '2019-08-24T14:15:22.000Z' },
  { name: 'ISO without seconds', value: '2019-08-24T14:15Z', expected: '2019-08-24T14:15:00.000Z' },
  { name: 'ISO microseconds', value: '2019-08-24T14:15:22.123456Z', expected: '2019-08-24T14:15:22.123Z' },
  { name: 'ISO one fraction digit', value: '2019-08-24T14:15:22.5Z', expected: '2019-08-24T14:15:22.500Z' },
  { name: 'date only', value: '2019-08-24', expected: '2019-08-24T00:00:00.000Z' },
  { name: 'surrounding spaces', value: ' 2019-08-24T14:15:22Z ', expected: '2019-08-24T14:15:22.000Z' },
  { name: 'leap day', value: '2020-02-29T00:00:00Z', expected: '2020-02-29T00:00:00.000Z' },
  { name: 'leap day of 2000', value: '2000-02-29T00:00:00Z', expected: '2000-02-29T00:00:00.000Z' },
  { name: 'last day of April', value: '2019-04-30T00:00:00Z', expected: '2019-04-30T00:00:00.000Z' },
  { name: 'toUTCString form', value: 'Sat, 24 Aug 2019 14:15:22 GMT', expected: '2019-08-24T14:15:22.000Z' },
  { name: 'toString form', value: 'Sat Aug 24 2019 16:15:22 GMT+0200 (Central European Summer Time)', expected: '2019-08-24T14:15:22.000Z' },
  { name: 'epoch seconds', value: 1566656122, expected: '2019-08-24T14:15:22.000Z' },
  { name: 'epoch seconds fraction', value: 1566656122.123, expected: '2019-08-24T14:15:22.123Z' },
  { name: 'epoch milliseconds', value: 1566656122123, expected: '2019-08-24T14:15:22.123Z' },
  { name: 'epoch seconds string', value: '1566656122', expected: '2019-08-24T14:15:22.000Z' },
  { name: 'epoch milliseconds string', value: '1566656122123', expected: '2019-08-24T14:15:22.123Z' },
  { name: 'negative epoch seconds', value: -86400, expected: '1969-12-31T00:00:00.000Z' },
  { name: 'epoch zero', value: 0, expected: '1970-01-01T00:00:00.000Z' },
  { name: 'Admin SDK timestamp', value: { _seconds: 1566656122, _nanoseconds: 123456789 }, expected: '2019-08-24T14:15:22.123Z' },
  { name: 'Admin SDK without nanos', value: { _seconds: 1566656122 }, expected: '2019-08-24T14:15:22.000Z' },
  { name: 'protobuf timestamp', value: { seconds: 1566656122, nanos: 5_000_000 }, expected: '2019-08-24T14:15:22.005Z' },
  { name: 'protobuf string seconds', value: { seconds: '1566656122', nanos: 0 }, expected: '2019-08-24T14:15:22.000Z' },
  { name: 'lower year bound', value: '1900-01-01T00:00:00Z', expected: '1900-01-01T00:00:00.000Z' },
  { name: 'upper year bound', value: '2200-12-31T23:59:59.999Z', expected: '2200-12-31T23:59:59.999Z' },
];

const unparseableCases: Array<{ name: string; value: unknown }> = [
  { name: 'free text', value: 'next Tuesday' },
  { name: 'February 30', value: '2019-02-30T00:00:00Z' },
  { name: 'February 29 of a common year', value: '2019-02-29T00:00:00Z' },
  { name: 'February 29 of 1900', value: '1900-02-29T00:00:00Z' },
  { name: 'April 31', value: '2019-04-31T00:00:00Z' },
  { name: 'month 13', value: '2019-13-01' },
  { name: 'hour 24', value: '2019-08-24T24:00:00Z' },
  { name: 'offset hours 25', value: '2019-08-24T14:15:22+25:00' },
  { name: 'year 0019', value: '0019-08-24T14:15:22Z' },
  { name: 'year 1800', value: '1800-01-01T00:00:00Z' },
  { name: 'year 2300', value: '2300-01-01T00:00:00Z' },
  { name: 'epoch milliseconds too far', value: 1e15 },
  { name: 'seconds read as year 3554', value: 5e10 },
  { name: 'infinite number', value: Number.POSITIVE_INFINITY },
  { name: 'boolean', value: true },
  { name: 'array', value: [2019, 8, 24] },
  { name: 'empty object', value: {} },
  { name: 'timestamp with text seconds', value: { _seconds: 'soon', _nanoseconds: 0 } },
  { name: 'timestamp with negative nanos', value: { seconds: 1566656122, nanos: -1 } },
  { name: 'timestamp with too many nanos', value: { seconds: 1566656122, nanos: 1_000_000_000 } },
  { name: 'timestamp with fractional seconds', value: { seconds: 1566656122.5 } },
  { name: 'local time text without zone', value: 'Aug 24 2019 14:15:22' },
];

describe('parseDateTime', () => {
  for (const { name, value, expected } of parsedCases) {
    it(`parses ${name}`, () => {
      expect(parseDateTime(value)).toEqual({ status: 'parsed', value: expected });
    });
  }

  for (const { name, value } of unparseableCases) {
    it(`rejects ${name}`, () => {
      expect(parseDateTime(value)).toEqual({ status: 'unparseable', value: null });
    });
  }

  for (const value of [null, undefined, '', '   ']) {
    it(`treats ${JSON.stringify(value) ?? 'undefined'} as missing`, () => {
      expect(parseDateTime(value)).toEqual({ status: 'missing', value: null });
    });
  }
});
