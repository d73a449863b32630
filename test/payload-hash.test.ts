import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { jsonbText, numericText, payloadHash } from "../src/db/payload-hash.js";
import { TicketGenerator } from "../src/simulator/generate.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  await db?.drop();
});

/** Returns PostgreSQL's text and md5 of each value's JSON.stringify text stored as jsonb. */
async function postgresForms(values: unknown[]): Promise<{ text: string; hash: string }[]> {
  return db.query<{ text: string; hash: string }>(
    `SELECT v::jsonb::text AS text, md5(v::jsonb::text) AS hash
     FROM unnest($1::text[]) WITH ORDINALITY AS u(v, position) ORDER BY position`,
    [values.map((value) => JSON.stringify(value))],
  );
}

/** Values parsed from JSON text, as the API client gets them. */
const EDGE_CASES: Record<string, unknown> = {
  "keys of several lengths": JSON.parse('{"bbb": 1, "a": 2, "cc": 3, "aa": 4, "B": 5}'),
  "integer-like keys": JSON.parse('{"10": "x", "2": "y", "b": "z", "1": "w"}'),
  "keys with non-ASCII letters": JSON.parse('{"ü": 1, "z": 2, "é": 3, "zz": 4, "\u00ff": 5, "\ue000": 6, "\ud83d\ude00": 7}'),
  "keys where UTF-16 and UTF-8 order differ": JSON.parse('{"\uffff": 1, "\ud800\udc00": 2, "ab\ue000": 3, "a\ud83d\ude00": 4}'),
  "escaped characters": { text: 'quote " backslash \\ slash / tab \t newline \n return \r bell \u0007 \u001f \u007f \u2028 end' },
  "unicode text": { text: "Müller, 東京, emoji \ud83d\ude00, \ufffd" },
  "nested arrays and objects": { a: [1, [2, [3, {}]], [], { z: null, y: [true, false] }], b: {} },
  "empty object": {},
  "large and small numbers": JSON.parse("[1e21, 1.5e21, 1e-7, 1.5e-7, -2.5e-9, 5e-324, 1.7976931348623157e308, 123456789012345678901234, 0.1, -0, 100, 24.5, -1e300]"),
  "integers near the safe limit": [9007199254740991, 9007199254740993, -9007199254740992],
  "a key named __proto__": JSON.parse('{"__proto__": {"x": 1}, "constructor": 2}'),
  "an object with too many keys to cache": Object.fromEntries(Array.from({ length: 150 }, (_, index) => [`room_${"x".repeat(index % 7)}${index}`, index])),
};

describe("jsonbText", () => {
  test.each(Object.entries(EDGE_CASES))("matches PostgreSQL for %s", async (_name, value) => {
    const [postgres] = await postgresForms([value]);

    expect(jsonbText(value)).toBe(postgres!.text);
    expect(payloadHash(value)).toBe(postgres!.hash);
  });

  test("matches PostgreSQL for generated tickets", async () => {
    const generator = new TicketGenerator(7, 100_000);
    const tickets = Array.from({ length: 2_000 }, (_, index) => JSON.parse(JSON.stringify(generator.ticket(index * 41, `id${index}`))) as unknown);

    const postgres = await postgresForms(tickets);

    const mismatches = tickets.filter((ticket, index) => payloadHash(ticket) !== postgres[index]!.hash);
    expect(mismatches).toEqual([]);
  });

  test("keeps colliding key lists apart", () => {
    // Both key lists join to "a\u0000b" with the separator the layout cache uses.
    expect(jsonbText({ "a\u0000b": 1 })).toBe('{"a\\u0000b": 1}');
    expect(jsonbText({ b: 1, a: 2 })).toBe('{"a": 2, "b": 1}');
    expect(jsonbText({ a: 2, b: 1 })).toBe('{"a": 2, "b": 1}');
    expect(jsonbText({ a: 1, b: 2 })).toBe('{"a": 1, "b": 2}');
    expect(jsonbText({ "a": 3, "\u0000": 1 })).toBe('{"\\u0000": 1, "a": 3}');
    expect(jsonbText({ a: 3 })).toBe('{"a": 3}');
  });

  test("skips values JSON cannot hold", () => {
    expect(jsonbText({ a: undefined, b: () => 1, c: 1 })).toBe('{"c": 1}');
    expect(jsonbText([undefined])).toBe("[null]");
  });
});

describe("numericText", () => {
  test.each([
    [1e21, "1000000000000000000000"],
    [1.5e-7, "0.00000015"],
    [-1.25e22, "-12500000000000000000000"],
    [1.2345e-5, "0.000012345"],
    [12.5, "12.5"],
    [Number.NaN, "null"],
  ])("prints %s as %s", (value, expected) => {
    expect(numericText(value)).toBe(expected);
  });
});
