/** Exit codes of every command, documented in the README; scripts and alerts rely on them. */
export const EXIT_CODES = {
  success: 0,
  /** The run failed: API error, database error, or a scan that could not be trusted. */
  failure: 1,
  /** Invalid or missing configuration or command-line options. */
  configError: 2,
  /** Another run of the same organisation holds the lock; this one did nothing. */
  locked: 3,
  /** The mass-delete guard held back deletions; see `sync --allow-mass-delete`. */
  needsReview: 4,
  /** A stop signal interrupted the run; the next run resumes from the checkpoint. */
  interrupted: 5,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
