// The load of the soak's tcp part: honest clients and hostile peers against one echo or exec
// server, from many loopback addresses (127.0.1.x honest, 127.0.2.x and 127.0.3.1 hostile), as
// plain Node with node:net, so that it checks the server independently of the library: honest
// replies are compared byte for byte, exec's protocol is spoken from docs/PROTOCOL.md.
//
//   node bench/soak/tcp_load.mjs '{"service":"echo","port":8080,"durationMs":60000}'
//   node bench/soak/tcp_load.mjs '{"service":"exec","port":8082,"durationMs":60000,"token":"t"}'
//
// Prints one JSON line of results at the end. Every loop stops at the deadline; a request in
// flight then is waited for (bounded), so none is counted as lost for being cut short by us.
import { connect } from "node:net";
import { createHmac, randomBytes } from "node:crypto";

const options = JSON.parse(process.argv[2]);
const { service, port, durationMs, token } = options;
const deadline = Date.now() + durationMs;
const running = () => Date.now() < deadline;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const jitter = (min, max) => min + Math.random() * (max - min);

/** The mix of one run: loops of each kind (each keeps one connection open at a time). */
const MIX = service === "echo"
  ? {
    honest: 300,
    idle: 150,
    slowloris: 150,
    garbage: 100,
    lying: 100,
    rst: 100,
    churn: 80,
    overflow: 20,
  }
  : {
    honest: 40,
    idle: 200,
    slowloris: 100,
    garbage: 100,
    lying: 100,
    rst: 100,
    churn: 180,
    wrongMac: 160,
    overflow: 20,
  };

const honest = {
  attempted: 0,
  ok: 0,
  corrupt: 0,
  lost: 0,
  latencies: [],
  reconnects: 0,
  refusals: 0,
  /** Why handshakes were refused: an error before hello (busy), a close before it, after auth. */
  refusedBy: { busy: 0, closedBeforeHello: 0, afterAuth: 0 },
  failedConnects: 0,
};
const hostile = { opened: 0, refused: 0, byKind: {} };
let open = 0;
let peakOpen = 0;

/** A connection from `localAddress`, read as "!I" frames; null if it could not be opened. */
class Conn {
  static open(localAddress) {
    return new Promise((resolve) => {
      const socket = connect({ host: "127.0.0.1", port, localAddress });
      const conn = new Conn(socket);
      socket.once("connect", () => resolve(conn));
      socket.once("error", () => resolve(null));
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.closed = false;
    this.wake = null;
    this.counted = false;
    socket.on("connect", () => {
      this.counted = true;
      open++;
      peakOpen = Math.max(peakOpen, open);
    });
    socket.on("data", (chunk) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    const done = () => {
      if (this.closed) return;
      this.closed = true;
      if (this.counted) open--;
      this.wake?.();
    };
    socket.on("close", done);
    socket.on("error", done);
  }

  write(bytes) {
    if (!this.closed) this.socket.write(bytes);
  }

  /** The next frame's payload, or null once the connection closed (or after `ms`). */
  async frame(ms = 15_000) {
    const until = Date.now() + ms;
    for (;;) {
      if (this.buffer.length >= 4) {
        const n = this.buffer.readUInt32BE(0);
        if (this.buffer.length >= 4 + n) {
          const payload = this.buffer.subarray(4, 4 + n);
          this.buffer = this.buffer.subarray(4 + n);
          return payload;
        }
      }
      if (this.closed || Date.now() >= until) return null;
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, until - Date.now());
        this.wake = () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        };
      });
    }
  }

  /** Resolves once the server closed the connection (or after `ms`). */
  async whenClosed(ms = 120_000) {
    const until = Date.now() + ms;
    while (!this.closed && Date.now() < until && running()) {
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, Math.min(1_000, until - Date.now()));
        this.wake = () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        };
      });
    }
  }

  destroy() {
    this.socket.destroy();
  }

  reset() {
    if (typeof this.socket.resetAndDestroy === "function") this.socket.resetAndDestroy();
    else this.socket.destroy();
  }
}

const frame = (payload) => {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length);
  return Buffer.concat([header, payload]);
};
const control = (message) =>
  frame(Buffer.concat([Buffer.from([0]), Buffer.from(JSON.stringify(message))]));

/** Hostile loops reopen at this pace, so that the load stays a load, not a fork bomb. */
const reopenPause = () => sleep(jitter(200, 500));

async function hostileLoop(kind, localAddress, behave) {
  hostile.byKind[kind] ??= 0;
  while (running()) {
    const conn = await Conn.open(localAddress);
    if (conn === null) {
      hostile.refused++;
      await reopenPause();
      continue;
    }
    hostile.opened++;
    hostile.byKind[kind]++;
    try {
      await behave(conn);
    } catch {
      // whatever the server did to us
    }
    conn.destroy();
    await reopenPause();
  }
}

/** The hostile kinds, each a way of spending a connection. */
const HOSTILE = {
  // Says nothing until closed (idle timeout, handshake timeout, displacement, penalty).
  idle: (conn) => conn.whenClosed(),
  // A frame a byte a second (echo: a frame of 1,000 bytes; exec: its auth, after the hello).
  async slowloris(conn) {
    const bytes = frame(Buffer.alloc(1_000, 120));
    for (const byte of bytes) {
      if (conn.closed || !running()) return;
      conn.write(Buffer.from([byte]));
      await sleep(1_000);
    }
  },
  // Random bytes, then waits for the server to close.
  async garbage(conn) {
    conn.write(randomBytes(64));
    await conn.whenClosed(30_000);
  },
  // Announces a large frame (8 MiB − 1; exec: 1,000 bytes, under its limit before auth), sends
  // 10 bytes of it, and stalls.
  async lying(conn) {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(service === "echo" ? 8 * 1024 * 1024 - 1 : 1_000);
    conn.write(Buffer.concat([header, randomBytes(10)]));
    await conn.whenClosed();
  },
  // Part of a frame, then a reset.
  async rst(conn) {
    conn.write(frame(randomBytes(1_000)).subarray(0, 300));
    await sleep(jitter(10, 200));
    conn.reset();
  },
  // Connects and closes at once.
  churn: (conn) => conn.destroy(),
  // Answers the exec hello with a wrong MAC.
  async wrongMac(conn) {
    const greeting = await readGreeting(conn, Date.now() + 10_000);
    if (greeting === null) return;
    const random = () => randomBytes(32).toString("base64");
    conn.write(control({ type: "auth", nonce: random(), binding: "none", mac: random() }));
    await conn.whenClosed(10_000);
  },
  // Opens more connections from one address than the server allows one address (16).
  overflow: (conn) => conn.whenClosed(),
};

async function honestEcho(localAddress) {
  while (running()) {
    const conn = await Conn.open(localAddress);
    if (conn === null) {
      honest.failedConnects++;
      await sleep(100);
      continue;
    }
    while (running()) {
      const payload = randomBytes(1 + Math.floor(Math.random() * 2_048));
      const started = performance.now();
      conn.write(frame(payload));
      honest.attempted++;
      const reply = await conn.frame();
      if (reply === null) {
        honest.lost++;
        break;
      }
      if (!reply.equals(payload)) honest.corrupt++;
      else {
        honest.ok++;
        honest.latencies.push(performance.now() - started);
      }
      await sleep(jitter(50, 150));
    }
    conn.destroy();
    if (running()) honest.reconnects++;
  }
}

/** A control message of a frame, or undefined (a data frame, or not JSON). */
function controlOf(payload) {
  if (payload === null || payload[0] !== 0) return undefined;
  try {
    return JSON.parse(payload.subarray(1).toString());
  } catch {
    return undefined;
  }
}

/** The server's hello and bindings, or null; an error in place of hello is returned as it is. */
async function readGreeting(conn, until) {
  const hello = controlOf(await conn.frame(until - Date.now()));
  if (hello?.type !== "hello") return hello ?? null;
  const bindings = controlOf(await conn.frame(until - Date.now()));
  return bindings?.type === "bindings" ? { hello, bindings } : null;
}

/** An unstuck-exec/2 proof (docs/PROTOCOL.md, "The proofs"), base64. */
function proof(label, serverNonce, clientNonce, offer, binding) {
  const field = (bytes) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  const text = (t) => Buffer.from(t, "utf8");
  const input = [text(label), serverNonce, clientNonce, text(offer.join(",")), text(binding)];
  const hmac = createHmac("sha256", Buffer.from(token));
  for (const part of input) hmac.update(field(part));
  return hmac.update(field(Buffer.alloc(0))).digest("base64"); // binding "none": no value
}

/**
 * Connects and authenticates as docs/PROTOCOL.md says (unstuck-exec/2 over plaintext: binding
 * `none`, the server's proof checked), trying a refusal again (as `exec run`).
 */
async function execHandshake(localAddress) {
  const until = Date.now() + 10_000;
  for (let pause = 50; Date.now() < until; pause = Math.min(2 * pause, 1_000)) {
    const conn = await Conn.open(localAddress);
    if (conn !== null) {
      const greeting = await readGreeting(conn, until);
      if (greeting?.hello !== undefined) {
        const { hello, bindings } = greeting;
        const serverNonce = Buffer.from(hello.nonce, "base64");
        const clientNonce = randomBytes(32);
        const mac = proof(
          "unstuck-exec/2 client",
          serverNonce,
          clientNonce,
          bindings.offer,
          "none",
        );
        const nonce = clientNonce.toString("base64");
        conn.write(control({ type: "auth", nonce, binding: "none", mac }));
        const ready = controlOf(await conn.frame(until - Date.now()));
        const expected = proof(
          "unstuck-exec/2 server",
          serverNonce,
          clientNonce,
          bindings.offer,
          "none",
        );
        if (ready?.type === "ready" && ready.mac === expected) return conn;
        honest.refusedBy.afterAuth++;
      } else if (greeting?.type === "error") honest.refusedBy.busy++;
      else honest.refusedBy.closedBeforeHello++;
      conn.destroy();
    } else honest.failedConnects++;
    honest.refusals++;
    await sleep(pause * jitter(0.5, 1));
  }
  return null;
}

async function honestExec(localAddress) {
  let conn = null;
  while (running()) {
    const started = performance.now();
    honest.attempted++;
    conn ??= await execHandshake(localAddress);
    if (conn === null) {
      honest.lost++;
      continue;
    }
    const word = randomBytes(8).toString("hex");
    conn.write(control({ type: "run", argv: ["echo", word] }));
    let out = "";
    let exit = null;
    for (;;) {
      const payload = await conn.frame();
      if (payload === null) break;
      if (payload[0] === 1) out += payload.subarray(1).toString();
      else if (payload[0] === 0) {
        exit = JSON.parse(payload.subarray(1).toString());
        break;
      }
    }
    if (exit === null) {
      honest.lost++;
      conn.destroy();
      conn = null;
      continue;
    }
    if (exit.type === "exit" && exit.code === 0 && out === `${word}\n`) {
      honest.ok++;
      honest.latencies.push(performance.now() - started);
    } else honest.corrupt++;
    // Half the runs go on the same connection, half on a new one.
    if (Math.random() < 0.5) {
      conn.destroy();
      conn = null;
      honest.reconnects++;
    }
    await sleep(jitter(100, 300));
  }
  conn?.destroy();
}

const loops = [];
const hostileAddress = (i) => `127.0.2.${1 + (i % 80)}`;
let h = 0;
for (let i = 0; i < MIX.honest; i++) {
  const address = `127.0.1.${1 + (service === "echo" ? i % 30 : i)}`;
  loops.push(service === "echo" ? honestEcho(address) : honestExec(address));
}
for (const [kind, count] of Object.entries(MIX)) {
  if (kind === "honest") continue;
  for (let i = 0; i < count; i++) {
    const address = kind === "overflow" ? "127.0.3.1" : hostileAddress(h++);
    loops.push(hostileLoop(kind, address, HOSTILE[kind]));
  }
}
console.error(`${service}: ${loops.length} loops`);
await Promise.all(loops);

const sorted = honest.latencies.sort((a, b) => a - b);
const at = (q) =>
  sorted.length
    ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10
    : null;
const { latencies: _, ...counts } = honest;
console.log(JSON.stringify({
  service,
  loops: loops.length,
  mix: MIX,
  honest: { ...counts, p50: at(0.5), p99: at(0.99), max: at(1) },
  hostile,
  peakOpen,
}));
process.exit(0);
