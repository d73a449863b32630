import { describe, expect, it } from 'vitest';

import { MAX_JSON_DEPTH, TOO_DEEP_PLACEHOLDER, repairJsonStrings, repairString } from '../src/servicebay/sanitize.js';

describe('repairString', () => {
  const cases: Array<{ name: string; input: string; expected: string }> = [
    { name: 'NUL', input: 'a\u0000b\u0000', expected: 'a\uFFFDb\uFFFD' },
    { name: 'lone high surrogate', input: 'x\uD800', expected: 'x\uFFFD' },
    { name: 'lone low surrogate', input: '\uDC00x', expected: '\uFFFDx' },
    { name: 'reversed pair', input: '\uDE00\uD83D', expected: '\uFFFD\uFFFD' },
    { name: 'NUL and surrogate', input: '\u0000\uD800', expected: '\uFFFD\uFFFD' },
  ];

  for (const { name, input, expected } of cases) {
    it(`replaces ${name}`, () => {
      expect(repairString(input)).toBe(expected);
    });
  }

  it('keeps valid pairs and other controls', () => {
    const text = 'emoji \uD83D\uDE00, tab\t, bell\u0007, \uFFFF';

    expect(repairString(text)).toBe(text);
  });
});

describe('repairJsonStrings', () => {
  it('returns clean values themselves', () => {
    const value = { a: [1, 'two', { three: true }], b: null, c: 'x'.repeat(1000) };
    const counter = { repairedStrings: 0, invalidValues: 0 };

    expect(repairJsonStrings(value, counter)).toBe(value);
    expect(counter.repairedStrings).toBe(0);
  });

  it('copies only the repaired path', () => {
    const clean = { deep: ['untouched'] };
    const value = { clean, dirty: { list: [clean, 'bad\u0000'] } };
    const counter = { repairedStrings: 0, invalidValues: 0 };

    const repaired = repairJsonStrings(value, counter) as typeof value;

    expect(repaired).not.toBe(value);
    expect(repaired.clean).toBe(clean);
    expect(repaired.dirty.list[0]).toBe(clean);
    expect(repaired.dirty.list[1]).toBe('bad\uFFFD');
    expect(value.dirty.list[1]).toBe('bad\u0000');
    expect(counter.repairedStrings).toBe(1);
  });

  it('keeps key order when copying', () => {
    const value = { first: 1, 'second\u0000': 2, third: 3 };

    const repaired = repairJsonStrings(value, { repairedStrings: 0, invalidValues: 0 }) as Record<string, unknown>;

    expect(Object.keys(repaired)).toEqual(['first', 'second\uFFFD', 'third']);
  });

  it('keeps a __proto__ key when copying', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "x": "\\u0000"}') as Record<string, unknown>;

    const repaired = repairJsonStrings(value, { repairedStrings: 0, invalidValues: 0 }) as Record<string, unknown>;

    expect(Object.hasOwn(repaired, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(repaired)).toBe(Object.prototype);
    expect(JSON.stringify(repaired)).toBe('{"__proto__":{"polluted":true},"x":"\uFFFD"}');
  });

  it('finds NUL that JSON escapes', () => {
    // JSON.stringify writes NUL as the six characters \u0000, so a scan of the JSON text
    // would miss it. The repair must look at the strings themselves.
    const value = JSON.parse('{"note": "a\\u0000b"}') as Record<string, unknown>;
    const counter = { repairedStrings: 0, invalidValues: 0 };

    const repaired = repairJsonStrings(value, counter) as Record<string, unknown>;

    expect(repaired.note).toBe('a\uFFFDb');
    expect(counter.repairedStrings).toBe(1);
  });
});

describe("repairJsonStrings depth limit", () => {
  /** Builds { a: { a: ... { a: "leaf" } } } with `levels` objects, without recursion. */
  function nested(levels: number): unknown {
    let value: unknown = "leaf";
    for (let level = 0; level < levels; level += 1) value = { a: value };
    return value;
  }

  it("cuts values nested too deep", () => {
    const counter = { repairedStrings: 0, invalidValues: 0 };

    const repaired = repairJsonStrings(nested(10_000), counter);

    expect(counter.invalidValues).toBe(1);
    expect(JSON.stringify(repaired)).toContain(TOO_DEEP_PLACEHOLDER);
  });

  it("keeps values at the depth limit", () => {
    const counter = { repairedStrings: 0, invalidValues: 0 };
    const value = nested(MAX_JSON_DEPTH);

    expect(repairJsonStrings(value, counter)).toBe(value);
    expect(counter.invalidValues).toBe(0);
  });
});
