// Choosing an adapter: runtime detection, getAdapter, the module-level functions and their
// `adapter` option, and the clear error for an adapter of another runtime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  availableAdapters,
  bindDatagram,
  connect,
  detectRuntime,
  getAdapter,
  listen,
  spawn,
  UnsupportedRuntimeError,
} from "../../mod.ts";
import type { AdapterName } from "../../mod.ts";
import { readAll, request, within } from "./helpers.ts";

const g = globalThis as { Deno?: unknown; Bun?: unknown };
const expected: AdapterName = g.Deno ? "deno" : g.Bun ? "bun" : "node";

describe("adapter selection", () => {
  it("detects the runtime and lists the adapters that run here", () => {
    assert.equal(detectRuntime(), expected);
    assert.deepEqual(availableAdapters(), expected === "node" ? ["node"] : [expected, "node"]);
  });

  it("gives every available adapter by name, the native one by default", async () => {
    for (const name of availableAdapters()) assert.equal((await getAdapter(name)).name, name);
    assert.equal((await getAdapter()).name, availableAdapters()[0]);
    assert.equal(await getAdapter("node"), await getAdapter("node"));
  });

  it("refuses the adapter of another runtime with a clear error", async () => {
    const foreign = (["deno", "bun"] as const).filter((n) => n !== expected);
    for (const name of foreign) {
      const error = await getAdapter(name).then(() => null, (e) => e);
      assert.ok(error instanceof UnsupportedRuntimeError, String(error));
      assert.match(error.message, new RegExp(`the ${name} adapter runs only in`));
      // It names the adapters that do run here, each once.
      const hint = expected === "node"
        ? 'use the "node" adapter'
        : `use the "${expected}" or "node" adapter`;
      assert.ok(error.message.endsWith(hint), error.message);
      await assert.rejects(listen({ adapter: name }, () => {}), UnsupportedRuntimeError);
    }
    await assert.rejects(getAdapter("python" as AdapterName), TypeError);
  });

  it("runs listen, connect, bindDatagram and spawn on the chosen adapter", async () => {
    for (const adapter of availableAdapters()) {
      await using server = await listen({ adapter }, async (conn) => {
        const text = new TextDecoder().decode(await readAll(conn));
        await conn.write(new TextEncoder().encode(text.toUpperCase()));
        conn.close();
      });
      await using conn = await connect({ adapter, port: server.addr.port });
      assert.equal(await within(request(conn, "mixed"), 5000, "echo"), "MIXED");
      await using sock = await bindDatagram({ adapter });
      assert.ok(sock.addr.port > 0);
      const proc = await spawn({ adapter, argv: ["sh", "-c", "exit 4"] });
      assert.equal((await within(proc.status, 5000, "exit")).code, 4);
    }
  });
});
