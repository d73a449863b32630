import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { createLogger } from "../src/logger.js";
import { startSimulator, type RunningSimulator } from "../src/simulator/index.js";
import { TOO_DEEP_PLACEHOLDER } from "../src/servicebay/sanitize.js";
import { runSync, type SyncResult } from "../src/worker/sync-run.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { FAST_API } from "./support/harness.js";

type LogLine = Record<string, unknown> & { msg: string };

/** Generated tickets of each scenario: two pages, so odd payloads can sit on either. */
const GENERATED = 150;
/** Sorts before every generated ID, so a payload stored under it is first on page 1. */
const FIRST_KEY = "0";
/** Sorts after every generated ID, so a payload stored under it is last on page 2. */
const LAST_KEY = "z".repeat(21);

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/**
 * An organisation of its own on a simulator: generated tickets plus the odd payloads a test
 * adds with `putRaw`. It syncs into the shared test database and keeps the run's log lines.
 */
class Scenario {
  readonly orgId = `org_${randomBytes(4).toString("hex")}`;
  readonly apiKey = `sk_test_${randomBytes(16).toString("hex")}`;
  sim!: RunningSimulator;
  ids: string[] = [];
  lines: LogLine[] = [];

  async start(): Promise<this> {
    this.sim = await startSimulator({ seed: 5, rateLimitPerMinute: null, organisations: [{ orgId: this.orgId, apiKey: this.apiKey, tickets: GENERATED }] });
    this.ids = [...this.sim.store.ids(this.orgId)];
    return this;
  }

  put(sortKey: string, payload: unknown): void {
    this.sim.store.putRaw(this.orgId, sortKey, payload);
  }

  async sync(): Promise<SyncResult> {
    this.lines = [];
    const destination = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString().split("\n")) if (line.trim() !== "") this.lines.push(JSON.parse(line) as LogLine);
        done();
      },
    });
    return runSync({
      pool: db.pool,
      logger: createLogger({ level: "debug", format: "json", destination }),
      orgId: this.orgId,
      api: { baseUrl: this.sim.url, apiKey: this.apiKey, ...FAST_API },
      resumeMaxAgeMs: 3_600_000,
      maxDeleteFraction: 0.5,
    });
  }

  /** Returns the run's final log line, "sync run finished". */
  finishedLine(): LogLine | undefined {
    return this.lines.find((line) => line.msg === "sync run finished");
  }

  async runRow(runId: number | null): Promise<Record<string, unknown> | undefined> {
    const [row] = await db.query("SELECT * FROM servicebay.sync_runs WHERE id = $1", [runId]);
    return row;
  }

  async ticket(id: string): Promise<Record<string, unknown> | undefined> {
    const [row] = await db.query("SELECT * FROM servicebay.tickets WHERE org_id = $1 AND id = $2", [this.orgId, id]);
    return row;
  }

  async close(): Promise<void> {
    await this.sim.close();
  }
}

async function scenario(): Promise<Scenario> {
  return new Scenario().start();
}

describe("ticket without a string id", () => {
  let s: Scenario;
  let result: SyncResult;
  beforeAll(async () => {
    s = await scenario();
    expect((await s.sync()).outcome).toBe("succeeded");
    s.sim.store.remove(s.orgId, s.ids[10]!);
    s.sim.store.remove(s.orgId, s.ids[120]!);
    // Right after generated ticket 104. With ticket 10 removed, that is zero-based positions
    // 4, 5 and 6 of page 2.
    s.put(`${s.ids[104]}~1`, { ticketId: 7, status: "Open" });
    s.put(`${s.ids[104]}~2`, { id: 42, status: "Open" });
    s.put(`${s.ids[104]}~3`, "not an object");
    result = await s.sync();
  });
  afterAll(() => s.close());

  test("run succeeds and counts them", async () => {
    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.skipped).toBe(3);
    expect((await s.runRow(result.runId))?.skipped).toBe(3);
    expect(s.finishedLine()?.skipped).toBe(3);
  });

  test("each one is logged with its position", () => {
    const skipped = s.lines.filter((line) => line.msg === "skipped a listed ticket without a string id");

    expect(skipped.map((line) => [line.page, line.position])).toEqual([[2, 4], [2, 5], [2, 6]]);
  });

  test("run deletes nothing", async () => {
    const row = await s.runRow(result.runId);

    expect(result.counters?.deleted).toBe(0);
    expect(row?.deletion_check).toMatch(/^skipped: 3 listed ticket\(s\) had no usable id/);
    expect(s.finishedLine()?.deletionCheck).toBe("skipped");
    expect((await s.ticket(s.ids[10]!))?.deleted_at).toBeNull();
    expect((await s.ticket(s.ids[120]!))?.deleted_at).toBeNull();
  });

  test("the other tickets are stored", async () => {
    const [row] = await db.query<{ live: number }>("SELECT count(*)::int AS live FROM servicebay.tickets WHERE org_id = $1 AND deleted_at IS NULL", [s.orgId]);

    expect(row?.live).toBe(GENERATED);
  });
});

describe("strings PostgreSQL rejects", () => {
  let s: Scenario;
  let result: SyncResult;
  beforeAll(async () => {
    s = await scenario();
    s.put(`${s.ids[50]}~`, {
      id: "badStrings",
      customerName: "Ann\u0000Lee",
      serviceNotes: "broken \uD83D pair",
      status: "Open\uDC00",
      messageRooms: { "room\u0000key": { text: "hi\u0000", nested: ["x\uD800"] } },
      additionalItems: [{ "na\uDBFFme": "v" }],
      unknownField: "e\u0000",
    });
    result = await s.sync();
  });
  afterAll(() => s.close());

  test("typed columns get U+FFFD", async () => {
    const row = await s.ticket("badStrings");

    expect(row?.customer_name).toBe("Ann\uFFFDLee");
    expect(row?.service_notes).toBe("broken \uFFFD pair");
    expect(row?.status).toBe("Open\uFFFD");
  });

  test("nested keys and values get U+FFFD", async () => {
    const row = await s.ticket("badStrings");

    expect(row?.message_rooms).toEqual({ "room\uFFFDkey": { text: "hi\uFFFD", nested: ["x\uFFFD"] } });
    expect(row?.additional_items).toEqual([{ "na\uFFFDme": "v" }]);
  });

  test("raw gets U+FFFD", async () => {
    const raw = (await s.ticket("badStrings"))?.raw as Record<string, unknown>;

    expect(raw.customerName).toBe("Ann\uFFFDLee");
    expect(raw.unknownField).toBe("e\uFFFD");
    expect(raw.messageRooms).toEqual({ "room\uFFFDkey": { text: "hi\uFFFD", nested: ["x\uFFFD"] } });
  });

  test("each repaired string is counted", async () => {
    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.repairedStrings).toBe(8);
    expect((await s.runRow(result.runId))?.repaired_strings).toBe(8);
    expect(s.finishedLine()?.repairedStrings).toBe(8);
  });
});

describe("date-time forms", () => {
  const instant = "2019-08-24T14:15:22.000Z";
  const forms: Record<string, unknown> = {
    isoUtc: "2019-08-24T14:15:22Z",
    isoOffset: "2019-08-24T16:15:22+02:00",
    isoWithoutOffset: "2019-08-24T14:15:22",
    epochMs: 1566656122000,
    epochSeconds: 1566656122,
    epochMsString: "1566656122000",
    epochSecondsString: "1566656122",
    firestoreAdmin: { _seconds: 1566656122, _nanoseconds: 0 },
    firestoreProtobuf: { seconds: "1566656122", nanos: 0 },
  };
  let s: Scenario;
  let result: SyncResult;
  beforeAll(async () => {
    s = await scenario();
    for (const [name, value] of Object.entries(forms)) s.put(`${s.ids[20]}~${name}`, { id: `date_${name}`, timestamp: value });
    s.put(`${s.ids[20]}~milliseconds`, { id: "date_nanos", timestamp: { _seconds: 1566656122, _nanoseconds: 123_456_789 } });
    s.put(`${s.ids[20]}~unparseable`, {
      id: "date_unparseable",
      timestamp: "next Tuesday",
      serviceTime: { hour: 9 },
      endTime: "2019-02-30T10:00:00Z",
      ticketClosedTimestamp: 99_999_999_999_999,
    });
    result = await s.sync();
  });
  afterAll(() => s.close());

  for (const [name, value] of Object.entries(forms)) {
    test(`${name} ${JSON.stringify(value)} is parsed`, async () => {
      const row = await s.ticket(`date_${name}`);

      expect((row?.created_at as Date | null)?.toISOString()).toBe(instant);
      expect((row?.raw as Record<string, unknown>).timestamp).toEqual(value);
    });
  }

  test("nanoseconds are cut to milliseconds", async () => {
    const row = await s.ticket("date_nanos");

    expect((row?.created_at as Date).toISOString()).toBe("2019-08-24T14:15:22.123Z");
  });

  test("unparseable dates are null, raw kept", async () => {
    const row = await s.ticket("date_unparseable");
    const raw = row?.raw as Record<string, unknown>;

    expect(row?.created_at).toBeNull();
    expect(row?.service_time).toBeNull();
    expect(row?.end_time).toBeNull();
    expect(row?.closed_at).toBeNull();
    expect(raw.timestamp).toBe("next Tuesday");
    expect(raw.serviceTime).toEqual({ hour: 9 });
    expect(raw.endTime).toBe("2019-02-30T10:00:00Z");
    expect(raw.ticketClosedTimestamp).toBe(99_999_999_999_999);
  });

  test("only unparseable dates are counted", async () => {
    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.unparseableDates).toBe(4);
    expect((await s.runRow(result.runId))?.unparseable_dates).toBe(4);
    expect(s.finishedLine()?.unparseableDates).toBe(4);
  });
});

describe("wrong types and unknown fields", () => {
  let s: Scenario;
  let result: SyncResult;
  const unknown = { brandNewField: { deep: [1, "two", { three: true }] }, anotherField: null, yetAnother: 3.5 };
  beforeAll(async () => {
    s = await scenario();
    s.put(`${s.ids[30]}~a`, { id: "coerced", ticketId: "42", status: 5, warrantyRepair: "TRUE", alternativeCustomerAddress: 0 });
    s.put(`${s.ids[30]}~b`, { id: "invalid", ticketId: "forty-two", customerName: { first: "Ann" }, warrantyRepair: "yes" });
    s.put(`${s.ids[30]}~c`, { id: "unknown", status: "Open", ...unknown });
    result = await s.sync();
  });
  afterAll(() => s.close());

  test("unambiguous values are coerced", async () => {
    const row = await s.ticket("coerced");

    expect(row?.ticket_number).toBe("42");
    expect(row?.status).toBe("5");
    expect(row?.warranty_repair).toBe(true);
    expect(row?.alternative_customer_address).toBe(false);
    expect((row?.raw as Record<string, unknown>).ticketId).toBe("42");
  });

  test("other values are null, raw kept", async () => {
    const row = await s.ticket("invalid");
    const raw = row?.raw as Record<string, unknown>;

    expect(row?.ticket_number).toBeNull();
    expect(row?.customer_name).toBeNull();
    expect(row?.warranty_repair).toBeNull();
    expect(raw.ticketId).toBe("forty-two");
    expect(raw.customerName).toEqual({ first: "Ann" });
    expect(raw.warrantyRepair).toBe("yes");
  });

  test("unknown fields are kept in raw", async () => {
    const row = await s.ticket("unknown");

    expect(row?.raw).toEqual({ id: "unknown", status: "Open", ...unknown });
  });

  test("coerced and invalid values are counted", async () => {
    const row = await s.runRow(result.runId);

    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.coercedValues).toBe(4);
    expect(result.counters?.invalidValues).toBe(3);
    expect(row?.coerced_values).toBe(4);
    expect(row?.invalid_values).toBe(3);
    expect(s.finishedLine()?.coercedValues).toBe(4);
    expect(s.finishedLine()?.invalidValues).toBe(3);
  });
});

describe("large and repeated tickets", () => {
  let s: Scenario;
  let result: SyncResult;
  const notes = "Zoë's long notes. ".repeat(Math.ceil(1_000_000 / 18)).slice(0, 1_000_000);
  beforeAll(async () => {
    s = await scenario();
    s.put(`${s.ids[60]}~`, { id: "largeNotes", status: "Open", serviceNotes: notes });
    s.put(FIRST_KEY, { id: "twoPages", status: "Open" });
    s.put(LAST_KEY, { id: "twoPages", status: "Open" });
    s.put(`${s.ids[70]}~1`, { id: "samePage", status: "Open" });
    s.put(`${s.ids[70]}~2`, { id: "samePage", status: "Closed" });
    result = await s.sync();
  });
  afterAll(() => s.close());

  test("1 MB serviceNotes are stored whole", async () => {
    const row = await s.ticket("largeNotes");

    expect(row?.service_notes).toBe(notes);
    expect((row?.raw as Record<string, unknown>).serviceNotes).toBe(notes);
  });

  test("ticket on two pages is stored once", async () => {
    const rows = await db.query("SELECT version FROM servicebay.tickets WHERE org_id = $1 AND id = 'twoPages'", [s.orgId]);
    const versions = await db.query("SELECT version FROM servicebay.ticket_versions WHERE org_id = $1 AND id = 'twoPages'", [s.orgId]);

    expect(rows).toEqual([{ version: 1 }]);
    expect(versions).toEqual([{ version: 1 }]);
  });

  test("repeat on one page keeps the later copy", async () => {
    const row = await s.ticket("samePage");

    expect(row?.status).toBe("Closed");
    expect(result.counters?.duplicates).toBe(1);
    expect((await s.runRow(result.runId))?.duplicates).toBe(1);
    expect(s.finishedLine()?.duplicates).toBe(1);
  });

  test("every listing is counted as seen", async () => {
    const row = await s.runRow(result.runId);
    const [stored] = await db.query<{ count: number }>("SELECT count(*)::int AS count FROM servicebay.tickets WHERE org_id = $1", [s.orgId]);

    expect(result.outcome).toBe("succeeded");
    expect(row?.tickets_seen).toBe(GENERATED + 5);
    expect(row?.inserted).toBe(GENERATED + 3);
    expect(stored?.count).toBe(GENERATED + 3);
  });
});

describe("final log line", () => {
  test("carries every counter of sync_runs", async () => {
    const s = await scenario();
    const result = await s.sync();
    await s.close();
    const row = await s.runRow(result.runId);
    const line = s.finishedLine();

    const counterColumns = ["pages", "tickets_seen", "inserted", "updated", "unchanged", "deleted", "undeleted", "requests", "retries", "rate_limited", "skipped", "repaired_strings", "unparseable_dates", "coerced_values", "invalid_values", "duplicates"];
    for (const column of counterColumns) {
      const field = column.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
      expect(line?.[field], field).toBe(row?.[column]);
    }
  });
});

describe("values nested too deep", () => {
  let s: Scenario;
  let result: SyncResult;
  beforeAll(async () => {
    s = await scenario();
    // Deep enough to pass the depth limit, shallow enough for the simulator to serialise.
    let rooms: unknown = "leaf";
    for (let level = 0; level < 3000; level += 1) rooms = { room: rooms };
    s.put(`${s.ids[30]}~deep`, { id: "deepRooms", status: "Open", messageRooms: rooms });
    result = await s.sync();
  });
  afterAll(() => s.close());

  test("run succeeds", () => {
    expect(result.outcome).toBe("succeeded");
  });

  test("ticket is stored with the deep part cut", async () => {
    const row = await s.ticket("deepRooms");

    expect(row?.status).toBe("Open");
    expect(JSON.stringify(row?.raw)).toContain(TOO_DEEP_PLACEHOLDER);
  });

  test("the other tickets of the page are stored", async () => {
    const [row] = await db.query<{ live: number }>("SELECT count(*)::int AS live FROM servicebay.tickets WHERE org_id = $1", [s.orgId]);

    expect(row?.live).toBe(GENERATED + 1);
  });

  test("the cut value is counted as invalid", async () => {
    expect(result.counters?.invalidValues).toBeGreaterThanOrEqual(1);
  });
});
