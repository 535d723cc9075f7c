// framed()'s idle and frame timeouts: they fire (and close the connection) when the peer stalls,
// do not fire while paused or while nothing waits, and leave no timer behind. Short timeouts and
// bounded waits; no assertion on timing beyond "it fired" and "it did not fire".
import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  encodeFrame,
  framed,
  FramedClosedError,
  FrameTimeoutError,
  IdleTimeoutError,
} from "../../mod.ts";
import { stillPending, within } from "../runtime/helpers.ts";
import { ScriptedTransport, sleep } from "./_transport.ts";

const FRAME = encodeFrame(new Uint8Array([1, 2, 3]));

/** Counts the timers alive (set and neither fired nor cleared), by wrapping the globals. */
class TimerCount {
  readonly #live = new Set<unknown>();
  /** Timers set since `install()`. */
  made = 0;
  readonly #set = globalThis.setTimeout;
  readonly #clear = globalThis.clearTimeout;

  install(): void {
    this.made = 0;
    const live = this.#live;
    const set = this.#set;
    const clear = this.#clear;
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      const id = set(() => {
        live.delete(id);
        fn();
      }, ms);
      live.add(id);
      this.made++;
      return id;
    }) as typeof setTimeout;
    globalThis.clearTimeout = ((id: ReturnType<typeof setTimeout>) => {
      live.delete(id);
      clear(id);
    }) as typeof clearTimeout;
  }

  uninstall(): void {
    globalThis.setTimeout = this.#set;
    globalThis.clearTimeout = this.#clear;
  }

  get live(): number {
    return this.#live.size;
  }
}

describe("framed() idle timeout", () => {
  it("closes a connection that completes no frame, with IdleTimeoutError", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { idleTimeoutMs: 50 });
    const error = await within(f.receive().catch((e) => e), 5000, "idle timeout");
    assert.ok(error instanceof IdleTimeoutError, String(error));
    assert.equal(error.timeoutMs, 50);
    assert.equal(t.closed, true);
    await assert.rejects(f.receive(), IdleTimeoutError);
    await assert.rejects(
      f.send(new Uint8Array(1)),
      (e: unknown) => e instanceof FramedClosedError && e.cause === error,
    );
  });

  it("counts bytes that complete no frame as idle (a peer trickling a frame forever)", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { idleTimeoutMs: 100 });
    const pending = f.receive().catch((e) => e);
    // A 256-byte frame, a byte every 20 ms: only a complete frame resets the idle clock.
    t.push(new Uint8Array([0, 0, 1, 0]));
    const trickle = setInterval(() => t.push(new Uint8Array([0])), 20);
    try {
      assert.ok((await within(pending, 5000, "idle timeout")) instanceof IdleTimeoutError);
    } finally {
      clearInterval(trickle);
    }
  });

  it("does not fire while paused, even with a receive pending; fires again after resume", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { idleTimeoutMs: 30 });
    f.idle.pause();
    f.idle.pause(); // pauses nest
    assert.equal(f.idle.paused, true);
    const pending = f.receive().catch((e) => e);
    assert.ok(await stillPending(pending, 200), "fired while paused");
    f.idle.resume();
    assert.ok(await stillPending(pending, 200), "fired while still paused once");
    t.push(FRAME); // a frame while paused is fine
    assert.deepEqual(await within(pending, 5000, "frame"), new Uint8Array([1, 2, 3]));
    f.idle.resume();
    assert.equal(f.idle.paused, false);
    assert.throws(() => f.idle.resume(), TypeError);
    const error = await within(f.receive().catch((e) => e), 5000, "idle after resume");
    assert.ok(error instanceof IdleTimeoutError);
  });

  it("does not count time when no receive waits (a slow consumer's peer is not idle)", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { idleTimeoutMs: 60 });
    t.push(FRAME);
    await sleep(200); // nobody receives: no clock runs
    assert.deepEqual(await f.receive(), new Uint8Array([1, 2, 3]));
    await sleep(200); // processing that message
    t.push(FRAME);
    assert.deepEqual(await f.receive(), new Uint8Array([1, 2, 3]));
    f.close();
  });

  it("starts over at every complete frame: a peer sending within the timeout is never cut", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { idleTimeoutMs: 1000 });
    const sender = (async () => {
      for (let i = 0; i < 10; i++) {
        await sleep(20);
        t.push(FRAME);
      }
      t.end();
    })();
    let count = 0;
    for await (const _ of f) count++;
    await sender;
    assert.equal(count, 10);
  });
});

describe("framed() frame timeout", () => {
  it("closes a connection whose frame does not complete in time, with FrameTimeoutError", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { frameTimeoutMs: 50 });
    t.push(FRAME.subarray(0, 2)); // half a header
    const error = await within(f.receive().catch((e) => e), 5000, "frame timeout");
    assert.ok(error instanceof FrameTimeoutError, String(error));
    assert.equal(error.timeoutMs, 50);
    assert.equal(error.received, 2);
    assert.equal(t.closed, true);
  });

  it("reports the bytes of the frame received, not the buffer held for it", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { frameTimeoutMs: 50 });
    t.push(Uint8Array.of(0, 1, 0, 0)); // announces 65,536 bytes
    t.push(new Uint8Array(14));
    const error = await within(f.receive().catch((e) => e), 5000, "frame timeout");
    assert.ok(error instanceof FrameTimeoutError, String(error));
    assert.equal(error.received, 18);
    assert.match(error.message, /\(18 bytes received\)/);
  });

  it("is not paused by pausing the idle timeout", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { idleTimeoutMs: 10_000, frameTimeoutMs: 50 });
    f.idle.pause();
    t.push(FRAME.subarray(0, 5));
    const error = await within(f.receive().catch((e) => e), 5000, "frame timeout");
    assert.ok(error instanceof FrameTimeoutError, String(error));
    assert.equal(error.received, 5);
  });

  it("does not run between frames, nor for a frame that completes in time", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { frameTimeoutMs: 1000 });
    const pending = f.receive();
    assert.ok(await stillPending(pending, 150), "a frame timeout with no frame begun");
    t.push(FRAME.subarray(0, 3));
    await sleep(20);
    t.push(FRAME.subarray(3));
    assert.deepEqual(await within(pending, 5000, "frame"), new Uint8Array([1, 2, 3]));
    f.close();
  });
});

describe("framed() timers", () => {
  const timers = new TimerCount();
  beforeEach(() => timers.install());
  afterEach(() => timers.uninstall());

  it("keep a timer only while a receive waits, and none once closed", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { idleTimeoutMs: 600_000, frameTimeoutMs: 600_000 });
    assert.equal(timers.live, 0, "no timer before any receive");
    const pending = f.receive();
    await Promise.resolve();
    assert.equal(timers.live, 1, "one timer while waiting");
    t.push(FRAME);
    await pending;
    assert.equal(timers.live, 0, "none once the frame came");
    const waiting = f.receive();
    await Promise.resolve();
    assert.equal(timers.live, 1);
    f.close();
    assert.equal(timers.live, 0, "none after close");
    assert.equal(await waiting, undefined);
  });

  it("set one timer for a frame that arrives in many reads, and keep none after it", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { idleTimeoutMs: 600_000, frameTimeoutMs: 600_000 });
    const frame = encodeFrame(new Uint8Array(2000).fill(7));
    const pending = f.receive();
    let ours = 0; // the sleeps' timers, and within()'s
    for (let at = 0; at < frame.length; at += 100, ours++) {
      await sleep(0); // each piece its own read
      t.push(frame.subarray(at, at + 100));
    }
    assert.deepEqual(await within(pending, 5000, "the frame"), new Uint8Array(2000).fill(7));
    ours++;
    const set = timers.made - ours;
    assert.ok(set <= 2, `${set} timers for one frame in ${ours - 1} reads`);
    assert.equal(timers.live, 0, "none once the frame came");
    f.close();
  });
});
