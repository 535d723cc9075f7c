/**
 * The flags of the limits a TCP server sets against hostile peers (echo and exec share them):
 * idle and frame timeouts, connections per address, and counts in general.
 *
 * @module
 */
import type { FlagDef } from "./args.ts";
import { millis, secondsFlag } from "./common_flags.ts";
import { MAX_TIMER_MS } from "../services/mod.ts";

/** The longest timeout a timer can hold, in whole seconds. */
export const MAX_TIMER_SECONDS: number = Math.floor(MAX_TIMER_MS / 1000);

/** An integer flag of at least 1 (a count of connections, say), its default shown. */
export function countFlag(help: string, defaultValue: number): FlagDef & { type: "integer" } {
  return {
    type: "integer",
    help,
    placeholder: "N",
    defaultText: String(defaultValue),
    min: 1,
    max: 1_000_000,
  };
}

/** A timeout in seconds for an option in milliseconds; 0 turns it off. */
export function timeoutFlag(help: string, defaultMs: number): FlagDef & { type: "integer" } {
  return secondsFlag(help, defaultMs, 0, MAX_TIMER_SECONDS);
}

/** What a server's defaults say about the limits below. */
export interface LimitDefaults {
  readonly idleTimeoutMs: number;
  readonly frameTimeoutMs: number;
  readonly maxConnectionsPerIp: number;
}

/** The flags of {@linkcode peerLimitFlags}. */
export interface PeerLimitFlags {
  "idle-timeout": FlagDef & { type: "integer" };
  "frame-timeout": FlagDef & { type: "integer" };
  "max-connections-per-ip": FlagDef & { type: "integer" };
}

/**
 * `--idle-timeout`, `--frame-timeout` and `--max-connections-per-ip`, with the service's
 * defaults; `idleHelp` says what idle means for it.
 */
export function peerLimitFlags(defaults: LimitDefaults, idleHelp: string): PeerLimitFlags {
  return {
    "idle-timeout": timeoutFlag(idleHelp, defaults.idleTimeoutMs),
    "frame-timeout": timeoutFlag(
      "Close a connection whose frame is not complete this long after it began (0: no limit)",
      defaults.frameTimeoutMs,
    ),
    "max-connections-per-ip": countFlag(
      "Connections served at once from one address; more are closed as they arrive",
      defaults.maxConnectionsPerIp,
    ),
  };
}

/** The options the flags of {@linkcode peerLimitFlags} give (undefined: the default). */
export function peerLimits(
  flags: {
    "idle-timeout": number | undefined;
    "frame-timeout": number | undefined;
    "max-connections-per-ip": number | undefined;
  },
): { idleTimeoutMs?: number; frameTimeoutMs?: number; maxConnectionsPerIp?: number } {
  return {
    idleTimeoutMs: millis(flags["idle-timeout"]),
    frameTimeoutMs: millis(flags["frame-timeout"]),
    maxConnectionsPerIp: flags["max-connections-per-ip"],
  };
}
