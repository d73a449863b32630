/** The scan returned pages that cannot be trusted; the run fails and deletes nothing. */
export class SuspiciousScanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SuspiciousScanError";
  }
}

/** A stop was requested (SIGTERM or SIGINT); the run keeps its checkpoint and resumes later. */
export class RunInterruptedError extends Error {
  constructor() {
    super("The sync run was interrupted by a stop request; the next sync resumes from its checkpoint.");
    this.name = "RunInterruptedError";
  }
}

/**
 * Replaces every occurrence of the given secrets in a message. Errors are stored in
 * `sync_runs.error` and logged, and some libraries quote the values they were given.
 */
export function redactSecrets(message: string, secrets: (string | undefined)[]): string {
  let redacted = message;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) redacted = redacted.split(secret).join("***");
  }
  return redacted;
}
