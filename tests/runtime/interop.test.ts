// Cross-runtime interop: for every ordered pair of (node, deno, bun), a server process in one
// runtime and a client process in the other exchange framed messages over TCP and over TLS (the
// client trusting only the server's self-signed certificate, both ends exporting the same RFC 9266
// channel binding where both runtimes have an exporter) and UDP datagrams, each side on its
// runtime's native adapter.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AdapterName } from "../../mod.ts";
import { testCerts } from "./tls_certs.ts";
import { INTEROP_PEER, runPeer, useInteropServers } from "./interop_server.ts";

const RUNTIMES: AdapterName[] = ["node", "deno", "bun"];

describe("cross-runtime interop", () => {
  const servers = useInteropServers(RUNTIMES);

  for (const serverRuntime of RUNTIMES) {
    for (const clientRuntime of RUNTIMES) {
      it(`${serverRuntime} server, ${clientRuntime} client: framed TCP, TLS and UDP`, async () => {
        const server = servers.get(serverRuntime);
        assert.ok(server, `${serverRuntime} server did not start`);
        const ports = [server.tcp, server.udp, server.tls].map(String);
        const ca = testCerts().pinned.certFile;
        const result = await runPeer(clientRuntime, INTEROP_PEER, ["client", ...ports, ca]);
        // Deno's node:tls has no exporter: a session with Deno at either end is not bound so.
        const bound = serverRuntime !== "deno" && clientRuntime !== "deno";
        assert.deepEqual(result, {
          ok: true,
          runtime: clientRuntime,
          frames: 207,
          datagrams: 5,
          tlsFrames: 207,
          protocol: "TLSv1.3",
          binding: bound ? "tls-exporter" : "none",
        });
      });
    }
  }
});
