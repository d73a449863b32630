/**
 * The fetch-only scenario, run as its own process: pages through the whole ticket list with the
 * worker's API client and discards every page. Its wall time is the lower bound of a sync.
 * Reads SERVICEBAY_BASE_URL, SERVICEBAY_ORG_ID and SERVICEBAY_API_KEY; prints one JSON line.
 */
import { createLogger } from "../logger.js";
import { ServicebayClient } from "../servicebay/client.js";

async function fetchAllPages(): Promise<void> {
  const startedAt = performance.now();
  const api = new ServicebayClient({
    baseUrl: requiredEnv("SERVICEBAY_BASE_URL"),
    orgId: requiredEnv("SERVICEBAY_ORG_ID"),
    apiKey: requiredEnv("SERVICEBAY_API_KEY"),
    logger: createLogger({ level: "warn", format: "json" }),
  });

  let cursor: string | null = null;
  let tickets = 0;
  for (;;) {
    const page = await api.fetchTicketPage(cursor);
    tickets += page.tickets.length;
    if (!page.hasMore) break;
    if (page.nextCursor === null) throw new Error(`The page after cursor ${cursor} claims more pages but has no nextCursor.`);
    cursor = page.nextCursor;
  }

  const { requests, rateLimited } = api.stats;
  const wallMs = Math.round(performance.now() - startedAt);
  process.stdout.write(`${JSON.stringify({ tickets, requests, rateLimited, wallMs })}\n`);
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}; the benchmark sets it for this process.`);
  return value;
}

await fetchAllPages();
