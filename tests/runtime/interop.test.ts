// Cross-runtime interop: for every ordered pair of (node, deno, bun), a server process in one
// runtime and a client process in the other exchange framed TCP messages and UDP datagrams, each
// side on its runtime's native adapter.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "../../mod.ts";
import type { AdapterName, Subprocess } from "../../mod.ts";
import { peerArgv } from "./peers.ts";
import { readAll, within } from "./helpers.ts";

const RUNTIMES: AdapterName[] = ["node", "deno", "bun"];
const PEER = "tests/runtime/peers/interop_peer.ts";

interface Server {
  proc: Subprocess;
  tcp: number;
  udp: number;
  stderr: Promise<string>;
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new TextDecoder().decode(await readAll(stream as unknown as AsyncIterable<Uint8Array>));
}

async function startServer(runtime: AdapterName): Promise<Server> {
  const proc = await spawn({ argv: peerArgv(runtime, PEER, ["server"]), stdin: true });
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
  return { proc, tcp: ready.tcp, udp: ready.udp, stderr };
}

describe("cross-runtime interop", () => {
  const servers = new Map<AdapterName, Server>();

  before(async () => {
    for (const runtime of RUNTIMES) servers.set(runtime, await startServer(runtime));
  });

  after(async () => {
    for (const server of servers.values()) {
      await server.proc.closeStdin(); // the server exits at stdin EOF
      const status = await within(server.proc.status, 10_000, "server exit").catch(() => {
        server.proc.kill("SIGKILL");
        return server.proc.status;
      });
      assert.equal(status.code, 0, await server.stderr);
    }
  });

  for (const serverRuntime of RUNTIMES) {
    for (const clientRuntime of RUNTIMES) {
      it(`${serverRuntime} server, ${clientRuntime} client: framed TCP and UDP`, async () => {
        const server = servers.get(serverRuntime);
        assert.ok(server, `${serverRuntime} server did not start`);
        const proc = await spawn({
          argv: peerArgv(clientRuntime, PEER, ["client", String(server.tcp), String(server.udp)]),
          timeoutMs: 60_000,
        });
        const [out, err, status] = await within(
          Promise.all([text(proc.stdout), text(proc.stderr), proc.status]),
          70_000,
          "client",
        );
        assert.deepEqual(status, { code: 0, signal: null, timedOut: false }, err);
        const result = JSON.parse(out.trim().split("\n").pop() ?? "{}");
        assert.deepEqual(result, { ok: true, runtime: clientRuntime, frames: 207, datagrams: 5 });
      });
    }
  }
});
