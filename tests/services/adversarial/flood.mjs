// A handshake flood against an exec server, run as a process of its own (plain Node, node:net)
// so that it competes with the server for the CPU as a remote attacker's packets would, and
// binds its sockets to another loopback address (127.0.0.2 stands in for another host).
//
//   node flood.mjs '{"port":8082,"address":"127.0.0.2","churn":100,"wrongMac":100,"idle":0}'
//
// churn: loops that connect and close at once, over and over; wrongMac: loops that answer the
// hello with a wrong MAC; idle: connections that say nothing, reopened when closed. Runs until
// SIGTERM or stdin closes, then prints one JSON line of counts.
import { connect } from "node:net";

const options = JSON.parse(process.argv[2]);
const { port, address, churn = 0, wrongMac = 0, idle = 0 } = options;
const counts = { connections: 0, refused: 0, errors: 0, hellos: 0, wrongMacs: 0 };
let running = true;

/** One connection: resolves when it closes; `onData` sees what it reads. */
function open(onConnect, onData) {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, localAddress: address });
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve();
    };
    socket.once("connect", () => {
      counts.connections++;
      onConnect?.(socket);
    });
    socket.on("data", (chunk) => onData?.(socket, chunk));
    socket.on("error", () => {
      counts.errors++;
      done();
    });
    socket.on("close", done);
    socket.setTimeout(15_000, done);
  });
}

/** The payload of the first whole "!I" frame in `bytes`, or undefined. */
function firstFrame(bytes) {
  if (bytes.length < 4) return undefined;
  const n = bytes.readUInt32BE(0);
  return bytes.length >= 4 + n ? bytes.subarray(4, 4 + n) : undefined;
}

async function churnLoop() {
  while (running) await open((s) => s.destroy());
}

async function wrongMacLoop() {
  const mac = Buffer.alloc(32, 7).toString("base64");
  const body = Buffer.from(JSON.stringify({ type: "auth", mac }));
  const auth = Buffer.concat([Buffer.from([0, 0, 0, body.length + 1, 0]), body]);
  while (running) {
    let seen = Buffer.alloc(0);
    let answered = false;
    await open(undefined, (socket, chunk) => {
      seen = Buffer.concat([seen, chunk]);
      const frame = firstFrame(seen);
      if (frame === undefined || answered) return;
      answered = true;
      const message = JSON.parse(frame.subarray(1).toString());
      if (message.type === "hello") {
        counts.hellos++;
        counts.wrongMacs++;
        socket.write(auth);
      } else counts.refused++;
    });
  }
}

async function idleLoop() {
  while (running) await open();
}

const loops = [
  ...Array.from({ length: churn }, churnLoop),
  ...Array.from({ length: wrongMac }, wrongMacLoop),
  ...Array.from({ length: idle }, idleLoop),
];
const stop = () => {
  if (!running) return;
  running = false;
  console.log(JSON.stringify(counts));
  process.exit(0);
};
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
console.error("flooding");
await Promise.all(loops);
