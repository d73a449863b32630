import type pg from "pg";

/**
 * Advisory lock keys are two int4 values: a namespace for this program and a key inside it.
 * hashtext() maps the organisation ID to an int4; two organisations whose IDs collide merely
 * take turns, which is safe.
 */
const SYNC_NAMESPACE = "servicebay-sync:organisation";
const MIGRATION_NAMESPACE = "servicebay-sync:migrations";

/**
 * Takes the session-level advisory lock of an organisation on this connection, without waiting.
 * Returns false when another session has it. The lock lasts until `unlockOrganisation` or
 * until the connection closes, so a killed worker never leaves it behind.
 */
export async function tryLockOrganisation(client: pg.ClientBase, orgId: string): Promise<boolean> {
  const result = await client.query<{ locked: boolean }>(
    "SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked",
    [SYNC_NAMESPACE, orgId],
  );
  return result.rows[0]?.locked === true;
}

/** Waits until the organisation's advisory lock is free, then takes it. */
export async function lockOrganisation(client: pg.ClientBase, orgId: string): Promise<void> {
  await client.query("SELECT pg_advisory_lock(hashtext($1), hashtext($2))", [SYNC_NAMESPACE, orgId]);
}

export async function unlockOrganisation(client: pg.ClientBase, orgId: string): Promise<void> {
  await client.query("SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", [SYNC_NAMESPACE, orgId]);
}

export async function lockMigrations(client: pg.ClientBase): Promise<void> {
  await client.query("SELECT pg_advisory_lock(hashtext($1), 0)", [MIGRATION_NAMESPACE]);
}

export async function unlockMigrations(client: pg.ClientBase): Promise<void> {
  await client.query("SELECT pg_advisory_unlock(hashtext($1), 0)", [MIGRATION_NAMESPACE]);
}
