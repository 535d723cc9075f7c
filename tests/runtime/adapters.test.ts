// Runs the conformance suite against every adapter available in this runtime:
// Node → node; Deno → deno and node; Bun → bun and node.
import { availableAdapters, getAdapter } from "../../src/runtime/adapter.ts";
import { describeConformance } from "./conformance.ts";

for (const name of availableAdapters()) describeConformance(await getAdapter(name));
