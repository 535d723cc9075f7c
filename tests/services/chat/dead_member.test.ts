// A chat member that vanished (its process killed: no /quit) stays in the room until idle
// expiry, and every datagram the room sends it draws an ICMP "port unreachable". That must cost
// the live members nothing: every line still reaches both of them, and no error blames them.
// (Bun reports the ICMP error on the socket's next send, which then failed: the member after
// the dead one in the room's order lost every line.)
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { serveChat } from "../../../src/services/chat/mod.ts";
import { availableAdapters } from "../../../src/runtime/adapter.ts";
import type { NetAddress } from "../../../src/runtime/types.ts";
import { Member } from "./member.ts";

const LINES = 20;
/**
 * A member in a Python process of its own: it joins as `name`, prints what the room sends, and
 * never leaves by itself (no /quit: only a kill ends it).
 */
const PYTHON_MEMBER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.sendto(("/nick " + sys.argv[3]).encode(), (sys.argv[1], int(sys.argv[2])))
while True:
    print(s.recvfrom(65535)[0].decode(), flush=True)
`;

async function joinInProcess(room: NetAddress, name: string): Promise<ChildProcess> {
  const args = ["-c", PYTHON_MEMBER, room.hostname, String(room.port), name];
  const child = spawn("python3", args, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  const deadline = Date.now() + 10_000;
  while (!out.includes(`* you are now ${name}`)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      assert.fail(`the python member never joined: ${JSON.stringify(out)}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return child;
}

describe("chat room with a member killed by SIGKILL", () => {
  for (const adapter of availableAdapters()) {
    it(`${adapter} adapter: every later line reaches both live members`, async () => {
      const errors: string[] = [];
      await using server = await serveChat({
        port: 0,
        adapter,
        onError: (e, peer) => errors.push(`${peer.hostname}:${peer.port}: ${e.message}`),
      });
      // Joined in this order, the dead member comes between the two live ones in every broadcast.
      await using alice = await Member.join(server.addr, "alice");
      const carol = await joinInProcess(server.addr, "carol");
      await using bob = await Member.join(server.addr, "bob");
      carol.kill("SIGKILL");
      await once(carol, "exit"); // its socket is gone: sends to it now draw ICMP errors
      assert.equal(server.room.size, 3, "the killed member is still in the room");

      const expected: string[] = [];
      for (let i = 0; i < LINES; i++) {
        await alice.say(`a${i}`);
        await bob.say(`b${i}`);
        expected.push(`alice: a${i}`, `bob: b${i}`);
      }
      await alice.until(expected);
      await bob.until(expected);
      const live = [alice, bob].map((m) => `${m.socket.addr.hostname}:${m.socket.addr.port}`);
      const blamed = errors.filter((e) => live.some((peer) => e.startsWith(`${peer}:`)));
      assert.deepEqual(blamed, [], "no send to a live member failed");
    });
  }
});
