// `unstuck echo serve` and `unstuck echo send`, spawned as a user runs them, with raw sockets
// (node:net, node:dgram) as independent peers.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createConnection, type Socket } from "node:net";
import { createSocket } from "node:dgram";
import { Buffer } from "node:buffer";
import { spawnSync } from "node:child_process";
import { killAll, runCli, Running, startServer } from "../_helpers/cli.ts";

after(killAll);

/** A raw TCP client that collects what it receives and notices when the server closes. */
class RawClient {
  readonly socket: Socket;
  received: Buffer = Buffer.alloc(0);
  readonly ended: Promise<void>;
  #waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
      for (const w of this.#waiters.splice(0)) w();
    });
    this.ended = new Promise((resolve) => {
      socket.on("close", () => resolve());
      socket.on("error", () => {});
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: "127.0.0.1", port }, () => {
        socket.off("error", reject);
        resolve(new RawClient(socket));
      });
      socket.once("error", reject);
    });
  }

  /** Waits until `n` bytes have arrived (5 s at most). */
  async bytes(n: number): Promise<Buffer> {
    const deadline = Date.now() + 5_000;
    while (this.received.length < n) {
      if (Date.now() > deadline) throw new Error(`got ${this.received.length} of ${n} bytes`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        timer = setTimeout(r, 100);
      });
      clearTimeout(timer);
    }
    return this.received.subarray(0, n);
  }

  /** Resolves true once the server has closed the connection, false after `ms`. */
  async closedWithin(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      this.ended.then(() => true),
      new Promise<boolean>((res) => (timer = setTimeout(() => res(false), ms))),
    ]);
    clearTimeout(timer);
    return r;
  }

  write(bytes: Uint8Array | string): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

const frame = (payload: string): Buffer => {
  const body = Buffer.from(payload);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
};

describe("unstuck echo serve (TCP)", () => {
  it("prints 'listening on tcp://127.0.0.1:PORT' first and echoes frames, stuck or split", async () => {
    const { proc, port } = await startServer(["echo", "serve"]);
    await using _ = proc;
    const client = await RawClient.connect(port);
    // Two frames in one write, then one frame cut into three writes.
    client.write(Buffer.concat([frame("hello"), frame("world")]));
    const third = frame("split across writes");
    client.write(third.subarray(0, 2));
    client.write(third.subarray(2, 9));
    client.write(third.subarray(9));
    const expected = Buffer.concat([frame("hello"), frame("world"), third]);
    assert.deepEqual(await client.bytes(expected.length), expected);
    client.close();
  });

  it("--upper uppercases ASCII only, and echo send prints each reply on its own line", async () => {
    const { proc, port } = await startServer(["echo", "serve", "--upper"]);
    await using _ = proc;
    const r = await runCli(["echo", "send", "--port", String(port), "hello", "héllo wörld", ""]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "HELLO\nHéLLO WöRLD\n\n");
  });

  it("echo send without MESSAGE sends one message per stdin line until EOF", async () => {
    const { proc, port } = await startServer(["echo", "serve", "--upper"]);
    await using _ = proc;
    const r = await runCli(["echo", "send", "--port", String(port)], {
      input: "one\r\ntwo\n\nthree without newline",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "ONE\nTWO\n\nTHREE WITHOUT NEWLINE\n");
  });

  for (const header of ["<H", "i", ">q", "B", "varint"]) {
    it(`--header ${header} on both ends`, async () => {
      const { proc, port } = await startServer(["echo", "serve", "--header", header]);
      await using _ = proc;
      const r = await runCli([
        "echo",
        "send",
        "--port",
        String(port),
        "--header",
        header,
        "x".repeat(200),
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "x".repeat(200) + "\n");
    });
  }

  it("a frame over --max-frame closes that connection only, with one line on stderr", async () => {
    const { proc, port } = await startServer(["echo", "serve", "--max-frame", "16"]);
    await using _ = proc;
    const good = await RawClient.connect(port);
    const bad = await RawClient.connect(port);
    good.write(frame("before"));
    await good.bytes(10);
    // A good frame, then a header announcing 17 bytes: the good one is answered, then it closes.
    bad.write(Buffer.concat([frame("ok"), Buffer.from([0, 0, 0, 17])]));
    assert.ok(await bad.closedWithin(5_000), "the bad connection was closed");
    assert.deepEqual(bad.received, frame("ok"));
    await proc.until((_o, err) => err.includes("\n"), "a line on stderr");
    const lines = proc.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, proc.stderr);
    assert.match(lines[0], /^echo serve: 127\.0\.0\.1:\d+: FrameTooLargeError: .*17.*16/);
    // The other connection, and new ones, are still served.
    good.write(frame("after"));
    assert.deepEqual(await good.bytes(19), Buffer.concat([frame("before"), frame("after")]));
    const r = await runCli(["echo", "send", "--port", String(port), "still here"]);
    assert.equal(r.stdout, "still here\n");
    good.close();
  });

  it("a negative length from a signed header closes that connection only", async () => {
    const { proc, port } = await startServer(["echo", "serve", "--header", "!i"]);
    await using _ = proc;
    const bad = await RawClient.connect(port);
    bad.write(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
    assert.ok(await bad.closedWithin(5_000));
    await proc.until((_o, err) => /negative/.test(err), "a stderr line about the negative length");
    const r = await runCli(["echo", "send", "--port", String(port), "--header", "!i", "fine"]);
    assert.equal(r.stdout, "fine\n");
  });

  it("echo send reports a frame the header cannot carry as an error (exit 1)", async () => {
    const { proc, port } = await startServer(["echo", "serve", "--header", "B"]);
    await using _ = proc;
    const r = await runCli([
      "echo",
      "send",
      "--port",
      String(port),
      "--header",
      "B",
      "y".repeat(300),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^unstuck echo send: error: .*300/);
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal}: stops accepting, finishes the frame in flight, exits 0`, async () => {
      const { proc, port } = await startServer(["echo", "serve"]);
      await using _ = proc;
      const idle = await RawClient.connect(port);
      const busy = await RawClient.connect(port);
      const whole = frame("finish me");
      // One write holding a whole frame and half of the next: once the whole one is answered,
      // the server has read the half too, and holds a frame in flight when the signal comes.
      busy.write(Buffer.concat([frame("ping"), whole.subarray(0, 6)]));
      assert.deepEqual(await busy.bytes(8), frame("ping"));
      idle.write(frame("pong"));
      await idle.bytes(8);
      proc.signal(signal);
      assert.ok(await idle.closedWithin(5_000), "an idle connection is closed at once");
      busy.write(whole.subarray(6));
      assert.deepEqual(await busy.bytes(8 + whole.length), Buffer.concat([frame("ping"), whole]));
      const done = await proc.wait(10_000);
      assert.equal(done.code, 0, done.stderr);
      assert.equal(done.stderr, "");
      await assert.rejects(RawClient.connect(port), "no longer accepting");
    });
  }
});

/** Runs a foreign client (not ours) to completion: what it printed, and its exit code. */
async function foreign(cmd: string, args: string[], input: string): Promise<string> {
  const proc = new Running(cmd, args);
  proc.write(input);
  proc.endInput();
  const done = await proc.wait(10_000);
  assert.equal(done.code, 0, `${cmd} failed:\n${done.stderr}`);
  return done.stdout;
}

/** A line client as nc or telnet is: a raw socket, lines in, whatever comes back out, in Python. */
const PYTHON_LINE_CLIENT = `
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.stdin.buffer.read())
s.shutdown(socket.SHUT_WR)
while True:
    data = s.recv(4096)
    if not data:
        break
    sys.stdout.buffer.write(data)
`;

const hasSocat = spawnSync("socat", ["-V"]).status === 0;

describe("unstuck echo serve --lines", () => {
  it("talks to a plain socket client (Python), LF and CRLF, uppercased with --upper", async () => {
    const { proc, port } = await startServer(["echo", "serve", "--lines", "--upper"]);
    await using _ = proc;
    const out = await foreign(
      "python3",
      ["-c", PYTHON_LINE_CLIENT, String(port)],
      "hello\r\nnc world\n\nlast",
    );
    assert.equal(out, "HELLO\nNC WORLD\n\nLAST\n");
  });

  it("talks to socat", { skip: hasSocat ? false : "socat is not installed" }, async () => {
    const { proc, port } = await startServer(["echo", "serve", "--lines"]);
    await using _ = proc;
    const out = await foreign("socat", ["-t", "5", "-", `TCP:127.0.0.1:${port}`], "one\ntwo\r\n");
    assert.equal(out, "one\ntwo\n");
  });

  it("echo send --lines: messages and stdin lines", async () => {
    const { proc, port } = await startServer(["echo", "serve", "--lines", "--upper"]);
    await using _ = proc;
    const r = await runCli(["echo", "send", "--lines", "--port", String(port), "hi", "", "x y"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "HI\n\nX Y\n");
    const piped = await runCli(["echo", "send", "--lines", "--port", String(port)], {
      input: "a\r\nb\n",
    });
    assert.equal(piped.stdout, "A\nB\n", piped.stderr);
  });

  it("a line over --max-frame closes that connection only, with one line on stderr", async () => {
    const { proc, port } = await startServer(["echo", "serve", "--lines", "--max-frame", "8"]);
    await using _ = proc;
    const good = await RawClient.connect(port);
    good.write("before\r\n");
    assert.equal(String(await good.bytes(7)), "before\n");
    const bad = await RawClient.connect(port);
    bad.write("ok\n" + "x".repeat(20) + "\n");
    assert.ok(await bad.closedWithin(5_000), "the bad connection was closed");
    assert.equal(String(bad.received), "ok\n");
    await proc.until((_o, err) => err.includes("\n"), "a line on stderr");
    const lines = proc.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, proc.stderr);
    assert.match(lines[0], /^echo serve: 127\.0\.0\.1:\d+: FrameTooLargeError: .*8 bytes/);
    good.write("after\n");
    assert.equal(String(await good.bytes(13)), "before\nafter\n");
    good.close();
  });

  it("refuses --lines with --udp or --header (exit 2)", async () => {
    for (const flags of [["--lines", "--udp"], ["--lines", "--header", "<H"]]) {
      const r = await runCli(["echo", "serve", "--port", "0", ...flags]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, flags.includes("--udp") ? /--lines is for TCP/ : /--header/);
    }
  });
});

describe("unstuck echo serve: a text client on the framed port", () => {
  it("says in one stderr line that it looks like text, and to try --lines", async () => {
    const { proc, port } = await startServer(["echo", "serve"]);
    await using _ = proc;
    const client = await RawClient.connect(port);
    client.write("hello\r\n");
    assert.ok(await client.closedWithin(5_000));
    await proc.until((_o, err) => err.includes("\n"), "a line on stderr");
    const lines = proc.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, proc.stderr);
    assert.match(
      lines[0],
      /^echo serve: 127\.0\.0\.1:\d+: this looks like text \("hell"\), not a length header: is the client framing\? try --lines/,
    );
    // A frame that is too large but not text keeps the plain message.
    const binary = await RawClient.connect(port);
    binary.write(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
    assert.ok(await binary.closedWithin(5_000));
    await proc.until((_o, err) => err.split("\n").length > 2, "a second line on stderr");
    assert.match(
      proc.stderr.trimEnd().split("\n")[1],
      /FrameTooLargeError: frame length 2147483647/,
    );
  });
});

describe("unstuck echo serve: a second signal", () => {
  it("cuts a graceful shutdown short: exit 1 without waiting for the frame in flight", async () => {
    const { proc, port } = await startServer(["echo", "serve"]);
    await using _ = proc;
    const busy = await RawClient.connect(port);
    busy.write(Buffer.concat([frame("ping"), frame("never finished").subarray(0, 5)]));
    await busy.bytes(8);
    proc.signal("SIGTERM");
    // The server now waits (up to its grace time) for the rest of that frame.
    await new Promise((r) => setTimeout(r, 200));
    proc.signal("SIGINT");
    const done = await proc.wait(4_000);
    assert.equal(done.code, 1);
    busy.close();
  });
});

describe("unstuck echo serve --udp", () => {
  it("sends each datagram back to its sender, uppercased with --upper", async () => {
    const { proc, port, url } = await startServer(["echo", "serve", "--udp", "--upper"]);
    await using _ = proc;
    assert.match(url, /^udp:\/\//);
    const socket = createSocket("udp4");
    try {
      const replies: string[] = [];
      const got = new Promise<void>((resolve) => {
        socket.on("message", (m) => {
          replies.push(m.toString());
          if (replies.length === 2) resolve();
        });
      });
      await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
      socket.send("hello", port, "127.0.0.1");
      socket.send("udp", port, "127.0.0.1");
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([got, new Promise((_r, rej) => (timer = setTimeout(rej, 5_000)))]);
      clearTimeout(timer);
      assert.deepEqual(replies.sort(), ["HELLO", "UDP"]);
    } finally {
      socket.close();
    }
  });

  it("echo send --udp prints the replies; SIGTERM exits 0", async () => {
    const { proc, port } = await startServer(["echo", "serve", "--udp"]);
    const r = await runCli(["echo", "send", "--udp", "--port", String(port), "a b", "c"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "a b\nc\n");
    const piped = await runCli(["echo", "send", "--udp", "--port", String(port)], {
      input: "x\ny\n",
    });
    assert.equal(piped.stdout, "x\ny\n");
    proc.signal("SIGTERM");
    const done = await proc.wait();
    assert.equal(done.code, 0);
  });

  it("echo send --udp with no server times out with exit 1", async () => {
    // Bind a UDP port and never answer, so the datagram is taken and dropped.
    const silent = createSocket("udp4");
    await new Promise<void>((r) => silent.bind(0, "127.0.0.1", () => r()));
    try {
      const port = silent.address().port;
      const r = await runCli([
        "echo",
        "send",
        "--udp",
        "--port",
        String(port),
        "--timeout",
        "1",
        "x",
      ]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^unstuck echo send: error: no reply within 1000 ms/);
    } finally {
      silent.close();
    }
  });
});
