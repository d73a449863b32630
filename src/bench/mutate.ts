/**
 * Changes the simulator's data between two syncs through its own API, as Servicebay users
 * would: PUT on 1 % of the listed tickets and DELETE on 0.1 %, chosen by their position in ID
 * order from the mirrored table, so the two sets never overlap.
 */
import { DEFAULT_API_KEY, DEFAULT_ORG_ID } from "../simulator/server.js";
import { withClient } from "./database.js";

/** Requests in flight at once; the simulator adds its latency to each one. */
const CONCURRENCY = 16;

export interface Mutation {
  updated: number;
  deleted: number;
}

/**
 * Updates every 100th live ticket (positions 100, 200, ...) and deletes every 1000th one at
 * positions 555, 1555, ... Returns how many of each the simulator accepted.
 */
export async function mutateSimulator(simulatorUrl: string, databaseUrl: string): Promise<Mutation> {
  const rows = await withClient(databaseUrl, async (client) => {
    const result = await client.query<{ id: string; remove: boolean }>(
      `SELECT id, n % 1000 = 555 AS remove
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n
             FROM servicebay.tickets WHERE org_id = $1 AND deleted_at IS NULL) listed
       WHERE n % 100 = 0 OR n % 1000 = 555`,
      [DEFAULT_ORG_ID],
    );
    return result.rows;
  });

  const mutation: Mutation = { updated: 0, deleted: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const row = rows[next++]!;
      await sendChange(simulatorUrl, row.id, row.remove);
      if (row.remove) mutation.deleted += 1;
      else mutation.updated += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return mutation;
}

async function sendChange(simulatorUrl: string, id: string, remove: boolean): Promise<void> {
  const url = `${simulatorUrl}/organisations/${encodeURIComponent(DEFAULT_ORG_ID)}/tickets/${encodeURIComponent(id)}`;
  const response = await fetch(url, {
    method: remove ? "DELETE" : "PUT",
    headers: { "X-API-Key": DEFAULT_API_KEY, "Content-Type": "application/json" },
    body: remove ? undefined : JSON.stringify({ serviceNotes: `Changed by the benchmark at ${new Date().toISOString()}` }),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`The simulator rejected ${remove ? "DELETE" : "PUT"} of ticket ${id} with HTTP ${response.status}.`);
}
