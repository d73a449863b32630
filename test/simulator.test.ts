import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

import { afterEach, describe, expect, test } from "vitest";

import { DEFAULT_API_KEY, DEFAULT_ORG_ID, startSimulator } from "../src/simulator/index.js";
import type { RunningSimulator, SimulatorOptions } from "../src/simulator/types.js";

const running: RunningSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

async function start(tickets: number, options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const simulator = await startSimulator({
    organisations: [{ orgId: DEFAULT_ORG_ID, apiKey: DEFAULT_API_KEY, tickets }],
    rateLimitPerMinute: null,
    ...options,
  });
  running.push(simulator);
  return simulator;
}

interface ListBody {
  success: boolean;
  error?: string;
  data: {
    tickets: Record<string, unknown>[];
    pagination: { limit: number; hasMore: boolean; nextCursor: string | null };
  };
}

function ticketsPath(orgId = DEFAULT_ORG_ID): string {
  return `/organisations/${encodeURIComponent(orgId)}/tickets`;
}

async function call(simulator: RunningSimulator, path: string, init: RequestInit = {}, apiKey = DEFAULT_API_KEY): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("X-API-Key", apiKey);
  if (init.body !== undefined) {
    headers.set("Content-Type", "application/json");
  }
  return fetch(simulator.url + path, { ...init, headers });
}

async function list(simulator: RunningSimulator, query: Record<string, string> = {}): Promise<ListBody> {
  const response = await call(simulator, `${ticketsPath()}?${new URLSearchParams(query)}`);
  expect(response.status).toBe(200);
  return (await response.json()) as ListBody;
}

/** Pages through the whole list at limit 100 and returns the IDs and the pagination of each page. */
async function scan(simulator: RunningSimulator, filters: Record<string, string> = {}) {
  const ids: string[] = [];
  const pages: ListBody["data"]["pagination"][] = [];
  let cursor: string | null = null;
  do {
    const query: Record<string, string> = { ...filters, limit: "100" };
    if (cursor !== null) {
      query.startAfter = cursor;
    }
    const body = await list(simulator, query);
    ids.push(...body.data.tickets.map((ticket) => ticket.id as string));
    pages.push(body.data.pagination);
    cursor = body.data.pagination.hasMore ? body.data.pagination.nextCursor : null;
  } while (cursor !== null);
  return { ids, pages };
}

function isInByteOrder(ids: string[]): boolean {
  return ids.every((id, i) => i === 0 || Buffer.compare(Buffer.from(ids[i - 1] ?? ""), Buffer.from(id)) < 0);
}

describe("listing", () => {
  test("paging returns every ID once", async () => {
    const simulator = await start(2345);
    const expected = [...simulator.store.ids(DEFAULT_ORG_ID)];

    const { ids, pages } = await scan(simulator);

    expect(expected).toHaveLength(2345);
    expect(ids).toEqual(expected);
    expect(new Set(ids).size).toBe(2345);
    expect(isInByteOrder(ids)).toBe(true);
    expect(pages).toHaveLength(24);
    expect(pages.slice(0, -1).every((page) => page.hasMore)).toBe(true);
    expect(pages.at(-1)?.hasMore).toBe(false);
    expect(pages.at(-1)?.nextCursor).toBe(ids.at(-1));
  });

  test("generated IDs look like Firestore IDs", async () => {
    const simulator = await start(500);
    for (const id of simulator.store.ids(DEFAULT_ORG_ID)) {
      expect(id).toMatch(/^[A-Za-z0-9]{20}$/);
    }
  });

  test("limit defaults to 50", async () => {
    const simulator = await start(120);
    const body = await list(simulator);
    expect(body.data.tickets).toHaveLength(50);
    expect(body.data.pagination.limit).toBe(50);
    expect(body.data.pagination.hasMore).toBe(true);
    expect(body.data.pagination.nextCursor).toBe(body.data.tickets[49]?.id);
  });

  test("limit 1 and 100 are accepted", async () => {
    const simulator = await start(120);
    expect((await list(simulator, { limit: "1" })).data.tickets).toHaveLength(1);
    expect((await list(simulator, { limit: "100" })).data.tickets).toHaveLength(100);
  });

  test.each(["0", "101", "abc", "1.5", "-1", "", "1e2", " 5"])("limit %j is rejected", async (limit) => {
    const simulator = await start(10);
    const response = await call(simulator, `${ticketsPath()}?limit=${encodeURIComponent(limit)}`);
    const body = (await response.json()) as { success: boolean; error: string };
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(body.success).toBe(false);
    expect(body.error).toContain("limit");
  });

  test("repeated limit is rejected", async () => {
    const simulator = await start(10);
    const response = await call(simulator, `${ticketsPath()}?limit=10&limit=20`);
    expect(response.status).toBe(400);
  });

  test("stats record every limit", async () => {
    const simulator = await start(10);
    await call(simulator, `${ticketsPath()}?limit=100`);
    await call(simulator, `${ticketsPath()}?limit=abc`);
    await call(simulator, ticketsPath());
    expect(simulator.stats.listLimits).toEqual(["100", "abc"]);
    expect(simulator.stats.requests).toBe(3);
    expect(simulator.stats.byStatus[200]).toBe(2);
    expect(simulator.stats.byStatus[400]).toBe(1);
  });

  test("cursor between two IDs is a position", async () => {
    const simulator = await start(50);
    const ids = [...simulator.store.ids(DEFAULT_ORG_ID)];
    const between = `${ids[9]}0`;

    const body = await list(simulator, { startAfter: between, limit: "5" });
    expect(body.data.tickets.map((ticket) => ticket.id)).toEqual(ids.slice(10, 15));
  });

  test("cursor of a deleted ticket still works", async () => {
    const simulator = await start(50);
    const ids = [...simulator.store.ids(DEFAULT_ORG_ID)];
    expect(simulator.store.remove(DEFAULT_ORG_ID, ids[9] ?? "")).toBe(true);

    const body = await list(simulator, { startAfter: ids[9] ?? "", limit: "5" });
    expect(body.data.tickets.map((ticket) => ticket.id)).toEqual(ids.slice(10, 15));
  });

  test("cursor after the last ID gives an empty page", async () => {
    const simulator = await start(50);
    const body = await list(simulator, { startAfter: "zzzzzzzzzzzzzzzzzzzzz" });
    expect(body.data.tickets).toEqual([]);
    expect(body.data.pagination.hasMore).toBe(false);
    expect(body.data.pagination.nextCursor).toBeNull();
  });

  test("empty organisation lists nothing", async () => {
    const simulator = await start(0);
    const body = await list(simulator);
    expect(body.data.tickets).toEqual([]);
    expect(body.data.pagination.hasMore).toBe(false);
  });

  test("filters match exactly", async () => {
    const simulator = await start(1500);
    const all = [...simulator.store.tickets(DEFAULT_ORG_ID)];
    const someCustomer = all[0]?.customerId as string;
    const cases: Record<string, string>[] = [
      { status: "Closed" },
      { status: "In Progress" },
      { status: "Awaiting Parts" },
      { assignedTechnician: "tech_chen" },
      { customerId: someCustomer },
      { status: "Closed", assignedTechnician: "tech_amelia" },
    ];

    for (const filters of cases) {
      const expected = all
        .filter((ticket) => Object.entries(filters).every(([field, value]) => ticket[field] === value))
        .map((ticket) => ticket.id);
      const { ids } = await scan(simulator, filters);
      expect(expected.length, JSON.stringify(filters)).toBeGreaterThan(0);
      expect(ids, JSON.stringify(filters)).toEqual(expected);
    }
  });

  test("filter without matches gives an empty page", async () => {
    const simulator = await start(300);
    const body = await list(simulator, { status: "closed" });
    expect(body.data.tickets).toEqual([]);
    expect(body.data.pagination.hasMore).toBe(false);
  });

  test("filters apply to changed tickets", async () => {
    const simulator = await start(300);
    const [first] = simulator.store.ids(DEFAULT_ORG_ID);
    simulator.store.update(DEFAULT_ORG_ID, first ?? "", { status: "Escalated" });
    const body = await list(simulator, { status: "Escalated" });
    expect(body.data.tickets.map((ticket) => ticket.id)).toEqual([first]);
  });
});

describe("ticket data", () => {
  test("generated fields have the documented types", async () => {
    const simulator = await start(2000);
    const tickets = [...simulator.store.tickets(DEFAULT_ORG_ID)];
    const statuses = new Set(tickets.map((ticket) => ticket.status));
    const names = tickets.map((ticket) => ticket.customerName as string);

    for (const status of ["Open", "In Progress", "Closed", "Awaiting Parts"]) {
      expect(statuses.has(status), status).toBe(true);
    }
    expect(names.some((name) => /[^\u0000-\u007f]/.test(name))).toBe(true);
    expect(tickets.some((ticket) => String(ticket.serviceNotes ?? "").length > 2000)).toBe(true);
    expect(tickets.some((ticket) => !("customerPhone" in ticket))).toBe(true);
    expect(new Set(tickets.map((ticket) => ticket.ticketId)).size).toBe(2000);

    for (const ticket of tickets) {
      expect(Number.isInteger(ticket.ticketId)).toBe(true);
      expect(Date.parse(ticket.timestamp as string)).not.toBeNaN();
      expect(["instore", "offsite", "remote"]).toContain(ticket.serviceLocation);
      expect(typeof ticket.warrantyRepair).toBe("boolean");
      expect("ticketClosedTimestamp" in ticket).toBe(ticket.status === "Closed");
      if (ticket.status === "Closed") {
        const durationMs = Date.parse(ticket.ticketClosedTimestamp as string) - Date.parse(ticket.timestamp as string);
        expect(durationMs).toBeGreaterThanOrEqual(3_600_000);
        expect(durationMs).toBeLessThanOrEqual(42 * 86_400_000);
      }
    }
  });

  test("get returns the listed ticket", async () => {
    const simulator = await start(100);
    const body = await list(simulator, { limit: "3" });
    const listed = body.data.tickets[2];

    const response = await call(simulator, `${ticketsPath()}/${encodeURIComponent(listed?.id as string)}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ success: true, data: listed });
  });

  test("unknown ticket is 404", async () => {
    const simulator = await start(100);
    const response = await call(simulator, `${ticketsPath()}/AAAAAAAAAAAAAAAAAAAA`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { success: boolean }).success).toBe(false);
  });

  test("same seed gives same data", async () => {
    const first = await start(800, { seed: 7 });
    const second = await start(800, { seed: 7 });
    const other = await start(800, { seed: 8 });

    expect([...second.store.tickets(DEFAULT_ORG_ID)]).toEqual([...first.store.tickets(DEFAULT_ORG_ID)]);
    expect([...other.store.ids(DEFAULT_ORG_ID)]).not.toEqual([...first.store.ids(DEFAULT_ORG_ID)]);
  });

  // tsx is only a transitive dependency; without it this check cannot run TypeScript in a child process.
  const tsxAvailable = (() => {
    try {
      createRequire(import.meta.url).resolve("tsx");
      return true;
    } catch {
      return false;
    }
  })();

  test.skipIf(!tsxAvailable)("same seed gives same data in another process", async () => {
    const simulator = await start(300, { seed: 11 });
    const expected = JSON.stringify([...simulator.store.tickets(DEFAULT_ORG_ID)]);
    const indexPath = fileURLToPath(new URL("../src/simulator/index.ts", import.meta.url));
    const script = `
      const { startSimulator, DEFAULT_ORG_ID, DEFAULT_API_KEY } = await import(${JSON.stringify(indexPath)});
      const simulator = await startSimulator({ seed: 11, organisations: [{ orgId: DEFAULT_ORG_ID, apiKey: DEFAULT_API_KEY, tickets: 300 }] });
      process.stdout.write(JSON.stringify([...simulator.store.tickets(DEFAULT_ORG_ID)]));
      await simulator.close();
    `;

    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(child.stderr).toBe("");
    expect(child.stdout).toBe(expected);
  });
});

describe("authentication", () => {
  const organisations = [
    { orgId: "org_a", apiKey: "sk_test_a", tickets: 5 },
    { orgId: "org_b", apiKey: "sk_test_b", tickets: 5 },
  ];

  test.each([
    ["missing key", 401, "org_a", ""],
    ["unknown key", 401, "org_a", "sk_test_unknown"],
    ["key of another organisation", 403, "org_b", "sk_test_a"],
    ["unknown organisation", 404, "org_c", "sk_test_a"],
    ["own organisation", 200, "org_a", "sk_test_a"],
  ])("%s gives %i", async (_case, status, orgId, apiKey) => {
    const simulator = await start(0, { organisations });
    const response = await fetch(simulator.url + ticketsPath(orgId), apiKey === "" ? {} : { headers: { "X-API-Key": apiKey } });
    const body = (await response.json()) as { success: boolean; error?: string };

    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(body.success).toBe(status === 200);
    if (status !== 200) {
      expect(typeof body.error).toBe("string");
      expect(body.error).not.toContain(apiKey || "sk_test_a");
    }
  });

  test("percent-encoded IDs are decoded", async () => {
    const simulator = await start(0, { organisations: [{ orgId: "acme/eu é", apiKey: "sk_test_a", tickets: 3 }] });
    simulator.store.putRaw("acme/eu é", "ticket/1 ü", { id: "ticket/1 ü", status: "Open" });

    const listed = await call(simulator, ticketsPath("acme/eu é"), {}, "sk_test_a");
    const single = await call(simulator, `${ticketsPath("acme/eu é")}/${encodeURIComponent("ticket/1 ü")}`, {}, "sk_test_a");
    expect(listed.status).toBe(200);
    expect(single.status).toBe(200);
    expect(((await single.json()) as { data: unknown }).data).toEqual({ id: "ticket/1 ü", status: "Open" });
  });

  test("server listens on 127.0.0.1 by default", async () => {
    const simulator = await start(0);
    expect(simulator.url).toBe(`http://127.0.0.1:${simulator.port}/api/v1`);
  });
});

describe("changes", () => {
  test("HTTP create, update and delete show in the next listing", async () => {
    const simulator = await start(20);
    const [firstId, secondId] = simulator.store.ids(DEFAULT_ORG_ID);

    const created = await call(simulator, ticketsPath(), { method: "POST", body: JSON.stringify({ status: "Open", customerName: "Zoë Müller" }) });
    const createdTicket = ((await created.json()) as { data: Record<string, unknown> }).data;
    const updated = await call(simulator, `${ticketsPath()}/${firstId}`, { method: "PUT", body: JSON.stringify({ status: "Closed" }) });
    const deleted = await call(simulator, `${ticketsPath()}/${secondId}`, { method: "DELETE" });
    const deletedAgain = await call(simulator, `${ticketsPath()}/${secondId}`, { method: "DELETE" });

    expect(created.status).toBe(201);
    expect(createdTicket.id).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(createdTicket.customerName).toBe("Zoë Müller");
    expect(updated.status).toBe(200);
    expect(deleted.status).toBe(200);
    expect(deletedAgain.status).toBe(404);

    const { ids } = await scan(simulator);
    const tickets = (await list(simulator, { limit: "100" })).data.tickets;
    expect(ids).toHaveLength(20);
    expect(ids).toContain(createdTicket.id);
    expect(ids).not.toContain(secondId);
    expect(isInByteOrder(ids)).toBe(true);
    expect(tickets.find((ticket) => ticket.id === firstId)?.status).toBe("Closed");
  });

  test("invalid JSON body is 400", async () => {
    const simulator = await start(5);
    const response = await call(simulator, ticketsPath(), { method: "POST", body: "{not json" });
    expect(response.status).toBe(400);
  });

  test("store changes show in the listing", async () => {
    const simulator = await start(10);
    const { store } = simulator;
    const [firstId] = store.ids(DEFAULT_ORG_ID);

    const created = store.create(DEFAULT_ORG_ID, { id: "00000000000000000000", status: "Quote Sent" });
    store.update(DEFAULT_ORG_ID, firstId ?? "", { status: "Closed", serviceNotes: undefined });
    const body = await list(simulator, { limit: "2" });

    expect(store.count(DEFAULT_ORG_ID)).toBe(11);
    expect(body.data.tickets[0]).toEqual(created);
    expect(body.data.tickets[1]?.id).toBe(firstId);
    expect(body.data.tickets[1]?.status).toBe("Closed");
    expect(body.data.tickets[1]).not.toHaveProperty("serviceNotes");
  });

  test("create rejects a taken ID", async () => {
    const simulator = await start(10);
    const [firstId] = simulator.store.ids(DEFAULT_ORG_ID);
    expect(() => simulator.store.create(DEFAULT_ORG_ID, { id: firstId })).toThrow(/already exists/);
  });

  test("update of an unknown ticket throws", async () => {
    const simulator = await start(10);
    expect(() => simulator.store.update(DEFAULT_ORG_ID, "missing", { status: "Open" })).toThrow(/not found/);
  });

  test("deleted ticket comes back with putRaw", async () => {
    const simulator = await start(10);
    const [firstId] = simulator.store.ids(DEFAULT_ORG_ID);
    simulator.store.remove(DEFAULT_ORG_ID, firstId ?? "");
    simulator.store.putRaw(DEFAULT_ORG_ID, firstId ?? "", { id: firstId, status: "Reopened" });

    const body = await list(simulator, { limit: "1" });
    expect(simulator.store.count(DEFAULT_ORG_ID)).toBe(10);
    expect(body.data.tickets[0]).toEqual({ id: firstId, status: "Reopened" });
  });

  test("putRaw payloads are served as given", async () => {
    const simulator = await start(10);
    const payloads: [string, unknown][] = [
      ["0", { status: "no id", ticketId: "42" }],
      ["1", { id: "1", serviceNotes: "nul \u0000 and lone surrogate \ud800", timestamp: { _seconds: 1, _nanoseconds: 0 } }],
      ["2", "a string, not an object"],
      ["3", null],
    ];
    for (const [key, payload] of payloads) {
      simulator.store.putRaw(DEFAULT_ORG_ID, key, payload);
    }

    const body = await list(simulator, { limit: "4" });
    expect(body.data.tickets).toEqual(payloads.map(([, payload]) => payload));
    expect(body.data.pagination.nextCursor).toBe("3");
    expect(simulator.store.count(DEFAULT_ORG_ID)).toBe(14);
  });
});

describe("list interceptor", () => {
  test("interceptor replaces the response", async () => {
    const simulator = await start(30);
    const seen: { startAfter: string | null; limit: number; ticketCount: number }[] = [];
    simulator.setListInterceptor((request) => {
      seen.push({ startAfter: request.startAfter, limit: request.limit, ticketCount: request.page.tickets.length });
      if (request.startAfter === null) {
        return undefined;
      }
      return { status: 200, body: { success: true, data: { tickets: [], pagination: { limit: 10, hasMore: true, nextCursor: null } } } };
    });

    const normal = await list(simulator, { limit: "10" });
    const replaced = await list(simulator, { limit: "10", startAfter: normal.data.pagination.nextCursor ?? "" });
    simulator.setListInterceptor(undefined);
    const restored = await list(simulator, { limit: "10", startAfter: normal.data.pagination.nextCursor ?? "" });

    expect(normal.data.tickets).toHaveLength(10);
    expect(replaced.data.tickets).toEqual([]);
    expect(replaced.data.pagination.nextCursor).toBeNull();
    expect(restored.data.tickets).toHaveLength(10);
    expect(seen).toEqual([
      { startAfter: null, limit: 10, ticketCount: 10 },
      { startAfter: normal.data.pagination.nextCursor, limit: 10, ticketCount: 10 },
    ]);
  });

  test("interceptor can send an error status", async () => {
    const simulator = await start(30);
    simulator.setListInterceptor(() => ({ status: 500, body: { success: false, error: "boom" } }));
    const response = await call(simulator, ticketsPath());
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ success: false, error: "boom" });
  });
});
