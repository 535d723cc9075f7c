// A chat member played by a socket of the test's own process: what it has heard, and bounded
// waits for it. Shared by the chat tests that run a real room.
import assert from "node:assert/strict";
import { bindDatagram } from "../../../src/runtime/adapter.ts";
import type { DatagramSocket, NetAddress } from "../../../src/runtime/types.ts";

const encoder = new TextEncoder();

/** A member: what it has heard, and a way to wait for it. */
export class Member implements AsyncDisposable {
  readonly heard: string[] = [];
  readonly #receiving: Promise<void>;

  private constructor(readonly socket: DatagramSocket, readonly room: NetAddress) {
    this.#receiving = (async () => {
      for await (const { data } of socket) this.heard.push(new TextDecoder().decode(data));
    })();
  }

  /** Joins the room as `name` and waits until the room has confirmed it. */
  static async join(room: NetAddress, name: string): Promise<Member> {
    const member = new Member(await bindDatagram({}), room);
    await member.say(`/nick ${name}`);
    await member.until([`* you are now ${name}`]);
    return member;
  }

  /** Sends `text` to the room. */
  say(text: string): Promise<void> {
    return this.socket.send(encoder.encode(text), this.room);
  }

  /** Waits (bounded) until every one of `lines` has been heard. */
  async until(lines: readonly string[]): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const missing = lines.filter((l) => !this.heard.includes(l));
      if (missing.length === 0) return;
      if (Date.now() > deadline) {
        assert.fail(`${this.socket.addr.port} never heard ${JSON.stringify(missing)}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.socket.close();
    await this.#receiving;
  }
}
