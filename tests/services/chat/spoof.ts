// Datagrams with a forged source address, for the tests of what forged sources can do: sent by
// tests/python/spoof_udp.py through a raw socket, which needs root. Tests run as root here; else
// they skip, saying why.
import process from "node:process";
import { spawnSync } from "node:child_process";
import type { NetAddress } from "../../../src/runtime/types.ts";
import { projectPath } from "../../_helpers/paths.ts";

/** Why spoofing tests cannot run here, or undefined when they can. */
export const cannotSpoof: string | undefined = process.getuid?.() !== 0
  ? "forging source addresses needs a raw socket, so root (tests run as root in CI)"
  : spawnSync("python3", ["--version"]).status !== 0
  ? "python3 is needed to forge source addresses"
  : undefined;

/** Sends `payload` to `to` `count` times, each claiming to come from `from`. */
export function spoof(from: NetAddress, to: NetAddress, payload: Uint8Array, count = 1): void {
  const hex = [...payload].map((b) => b.toString(16).padStart(2, "0")).join("");
  const args = [
    projectPath("tests/python/spoof_udp.py"),
    from.hostname,
    String(from.port),
    to.hostname,
    String(to.port),
    hex,
    String(count),
  ];
  const run = spawnSync("python3", args, { encoding: "utf8", timeout: 10_000 });
  if (run.status !== 0) throw new Error(`spoof_udp.py failed (${run.status}): ${run.stderr}`);
}
