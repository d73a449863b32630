import { createTask, schedule, type ScheduledTask } from "node-cron";

import type { Logger } from "../logger.js";
import type { SyncResult } from "./sync-run.js";

export interface SchedulerOptions {
  expression: string;
  timezone: string;
  logger: Logger;
  /** Performs one run; receives a signal that is aborted when the scheduler stops. */
  runOnce: (signal: AbortSignal) => Promise<SyncResult>;
  runNow?: boolean;
  onRunFinished?: (result: SyncResult) => void;
}

export interface Scheduler {
  /** Stops scheduling, interrupts a run in progress and resolves once it has ended. */
  stop(): Promise<void>;
  isRunning(): boolean;
  nextRunAt(): Date | null;
}

/**
 * Runs syncs on a cron schedule with node-cron. A tick that comes while a run is still going
 * is skipped, never queued, so runs of one process never overlap. Runs of other processes are
 * kept apart by the organisation's advisory lock.
 */
export function startScheduler(options: SchedulerOptions): Scheduler {
  const { logger } = options;
  const controller = new AbortController();
  let current: Promise<void> | null = null;

  const runGuarded = (trigger: "schedule" | "startup") => {
    if (current) {
      logger.warn({ trigger }, "previous sync run still in progress; skipping this tick");
      return current;
    }
    current = (async () => {
      try {
        const result = await options.runOnce(controller.signal);
        options.onRunFinished?.(result);
      } catch (error) {
        // runOnce reports run failures as results; this is a failure outside any run.
        logger.error({ err: error instanceof Error ? { message: error.message } : { message: String(error) } }, "scheduled sync failed");
      } finally {
        current = null;
        if (!controller.signal.aborted) logger.info({ nextRunAt: task.getNextRun()?.toISOString() ?? null }, "next sync run scheduled");
      }
    })();
    return current;
  };

  const task: ScheduledTask = schedule(options.expression, () => runGuarded("schedule"), {
    timezone: options.timezone,
    name: "servicebay-sync",
  });
  logger.info({ schedule: options.expression, timezone: options.timezone, nextRunAt: task.getNextRun()?.toISOString() ?? null }, "scheduler started");
  if (options.runNow) void runGuarded("startup");

  return {
    async stop() {
      controller.abort();
      await task.stop();
      await task.destroy();
      if (current) await current;
      logger.info("scheduler stopped");
    },
    isRunning: () => !controller.signal.aborted,
    nextRunAt: () => task.getNextRun(),
  };
}

/** Returns the next `count` times a cron expression fires in a time zone, without scheduling anything. */
export async function upcomingRunTimes(expression: string, timezone: string, count: number): Promise<Date[]> {
  const task = createTask(expression, () => undefined, { timezone });
  try {
    return task.getNextRuns(count);
  } finally {
    await task.destroy();
  }
}
