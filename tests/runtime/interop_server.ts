// Peer processes of the runtime tests: tests/runtime/peers/interop_peer.ts as a server in each
// runtime (its framed echo over TCP and over TLS, serving the pinned test certificate, and its UDP
// echo), and a peer run for the JSON line it prints last.
import { after, before } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "../../mod.ts";
import type { AdapterName, Subprocess } from "../../mod.ts";
import { peerArgv } from "./peers.ts";
import { readAll, within } from "./helpers.ts";
import { testCerts } from "./tls_certs.ts";

/** The peer script, relative to the project root. */
export const INTEROP_PEER = "tests/runtime/peers/interop_peer.ts";

/** A running interop server and its ports. */
export interface InteropServer {
  proc: Subprocess;
  tcp: number;
  tls: number;
  udp: number;
  stderr: Promise<string>;
}

/** Everything a stream yields, as text. */
export async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new TextDecoder().decode(await readAll(stream as unknown as AsyncIterable<Uint8Array>));
}

/** Starts the interop server in `runtime` and waits for its ready line. */
export async function startInteropServer(runtime: AdapterName): Promise<InteropServer> {
  const { certFile, keyFile } = testCerts().pinned;
  const proc = await spawn({
    argv: peerArgv(runtime, INTEROP_PEER, ["server", certFile, keyFile]),
    stdin: true,
  });
  const stderr = text(proc.stderr);
  const reader = proc.stdout.getReader();
  let line = "";
  while (!line.includes("\n")) {
    const r = await within(reader.read(), 30_000, `${runtime} server ready line`);
    if (r.done) throw new Error(`${runtime} server exited: ${await stderr}`);
    line += new TextDecoder().decode(r.value);
  }
  reader.releaseLock();
  const ready = JSON.parse(line.split("\n")[0]);
  assert.equal(ready.runtime, runtime);
  return { proc, tcp: ready.tcp, tls: ready.tls, udp: ready.udp, stderr };
}

/** Stops it (it exits at stdin EOF) and asserts that it exited cleanly. */
export async function stopInteropServer(server: InteropServer): Promise<void> {
  await server.proc.closeStdin();
  const status = await within(server.proc.status, 10_000, "server exit").catch(() => {
    server.proc.kill("SIGKILL");
    return server.proc.status;
  });
  assert.equal(status.code, 0, await server.stderr);
}

/**
 * Starts an interop server in each of `runtimes` before the tests of the enclosing `describe`,
 * and stops them after; returns the map the tests find them in.
 */
export function useInteropServers(runtimes: AdapterName[]): Map<AdapterName, InteropServer> {
  const servers = new Map<AdapterName, InteropServer>();
  before(async () => {
    for (const runtime of runtimes) servers.set(runtime, await startInteropServer(runtime));
  });
  after(async () => {
    for (const server of servers.values()) await stopInteropServer(server);
  });
  return servers;
}

/**
 * Runs `script` (a .ts path relative to the root) in `runtime` to its end, asserts that it
 * exited with 0, and returns the last JSON line it printed.
 */
export async function runPeer(
  runtime: AdapterName,
  script: string,
  args: string[],
  env?: Record<string, string>,
): Promise<unknown> {
  const proc = await spawn({ argv: peerArgv(runtime, script, args), env, timeoutMs: 60_000 });
  const [out, err, status] = await within(
    Promise.all([text(proc.stdout), text(proc.stderr), proc.status]),
    70_000,
    `${runtime} ${script}`,
  );
  assert.deepEqual(status, { code: 0, signal: null, timedOut: false }, err);
  return JSON.parse(out.trim().split("\n").pop() ?? "{}");
}
