import { afterEach, expect, test } from "vitest";

import { DEFAULT_API_KEY, DEFAULT_ORG_ID, startSimulator } from "../src/simulator/index.js";
import type { RunningSimulator } from "../src/simulator/types.js";

const TICKETS = 1_000_000;
const TAIL = 150;

let simulator: RunningSimulator | undefined;

afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

interface ListBody {
  data: { tickets: { id: string }[]; pagination: { hasMore: boolean; nextCursor: string | null } };
}

async function listAfter(running: RunningSimulator, cursor: string | null): Promise<ListBody> {
  const query = new URLSearchParams({ limit: "100" });
  if (cursor !== null) {
    query.set("startAfter", cursor);
  }
  const response = await fetch(`${running.url}/organisations/${DEFAULT_ORG_ID}/tickets?${query}`, {
    headers: { "X-API-Key": DEFAULT_API_KEY },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as ListBody;
}

// Speed is measured by the benchmark, not here: a timed assertion fails on a busy machine.
test("million tickets list in order and stay small", async () => {
  const heapBefore = process.memoryUsage().heapUsed;
  simulator = await startSimulator({
    organisations: [{ orgId: DEFAULT_ORG_ID, apiKey: DEFAULT_API_KEY, tickets: TICKETS }],
    rateLimitPerMinute: null,
  });

  // Walk every ID once, keeping the last TAIL in a ring to page through the end of the list.
  let count = 0;
  let previous = "";
  let ordered = true;
  const ring: string[] = new Array<string>(TAIL);
  for (const id of simulator.store.ids(DEFAULT_ORG_ID)) {
    ordered &&= previous < id;
    previous = id;
    ring[count % TAIL] = id;
    count += 1;
  }
  const tailStart = ring[count % TAIL] ?? "";

  for (let i = 0; i < 20; i++) {
    await listAfter(simulator, ring[(count + i) % TAIL] ?? null);
  }
  const nearEnd = await listAfter(simulator, tailStart);
  const lastPage = await listAfter(simulator, nearEnd.data.pagination.nextCursor);
  const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1_048_576;

  expect(count).toBe(TICKETS);
  expect(simulator.store.count(DEFAULT_ORG_ID)).toBe(TICKETS);
  expect(ordered).toBe(true);
  expect(nearEnd.data.tickets).toHaveLength(100);
  expect(nearEnd.data.pagination.hasMore).toBe(true);
  expect(lastPage.data.tickets).toHaveLength(TAIL - 101);
  expect(lastPage.data.pagination.hasMore).toBe(false);
  expect(lastPage.data.tickets.at(-1)?.id).toBe(previous);
  expect(heapGrowthMb).toBeLessThan(150);
}, 20_000);
