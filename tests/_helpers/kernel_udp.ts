// What the kernel says of a UDP socket, whatever the runtime says: its receive buffer.
import process from "node:process";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * The receive buffer the kernel gives the UDP socket bound at 127.0.0.1:`port` (`rb` in
 * `ss -m`), whatever the runtime says; with port 0, whether `ss` can tell at all.
 */
export function kernelReceiveBuffer(port: number): number | undefined {
  if (process.platform !== "linux") return undefined;
  const ss = spawnSync("ss", ["-uanmH", `sport = :${port}`], { encoding: "utf8" });
  if (ss.status !== 0) return undefined;
  if (port === 0) return 0;
  const rb = /\brb(\d+)/.exec(ss.stdout);
  return rb === null ? undefined : Number(rb[1]);
}

/** The most `SO_RCVBUF` grants (`net.core.rmem_max`; Linux). */
export function receiveBufferMax(): number {
  return Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8"));
}
