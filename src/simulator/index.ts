/** A local Servicebay API with generated tickets and fault injection, for demos, tests and benchmarks. */
export { DEFAULT_API_KEY, DEFAULT_ORG_ID, startSimulator } from "./server.js";
export { runSimulatorCommand, type SimulatorCommandOptions } from "./command.js";
export { MAX_GENERATED_TICKETS } from "./ids.js";
export type {
  FaultOptions,
  ListInterceptor,
  RunningSimulator,
  SimulatorOptions,
  SimulatorOrganisation,
  SimulatorStats,
  TicketStore,
} from "./types.js";
