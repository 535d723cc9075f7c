// Run by tests/runtime/deno_tls_facts.test.ts in Deno: checks the two facts about Deno 2.9's TLS
// that shape the adapters (docs/RUNTIME.md), each on Deno's own API and nothing of ours, and
// prints them as one JSON line. When a Deno release fixes one, the test fails: time to look again.
//
//   stalledHandshakeHeld  closing a Deno.listenTls connection whose handshake stalls leaves the
//                         socket open (the peer still waits 2 s later): no handshake deadline can
//                         free anything, so the deno adapter's TLS server is not Deno.listenTls.
//   pausedEofLost         a node:tls socket paused while the peer's data, close_notify and FIN
//                         arrive never reads EOF: so in Deno the adapters' node:tls runs over a JS
//                         stream and stops reading at the TCP socket instead.
//
//   deno run -A deno_tls_facts.ts CERT KEY
import process from "node:process";
import net from "node:net";
import tls from "node:tls";
import { readFileSync } from "node:fs";

interface DenoTls {
  listenTls(o: { hostname: string; port: number; cert: string; key: string }): {
    addr: { port: number };
    accept(): Promise<{ close(): void }>;
    close(): void;
  };
}
const deno = (globalThis as { Deno?: DenoTls }).Deno!;
const [certFile, keyFile] = process.argv.slice(2);
const cert = readFileSync(certFile, "utf8");
const key = readFileSync(keyFile, "utf8");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stalledHandshakeHeld(): Promise<boolean> {
  const listener = deno.listenTls({ hostname: "127.0.0.1", port: 0, cert, key });
  const accepted = listener.accept();
  const client = net.connect({ host: "127.0.0.1", port: listener.addr.port }); // sends nothing
  let closed = false;
  client.on("close", () => (closed = true));
  client.on("error", () => {});
  (await accepted).close();
  listener.close();
  await sleep(2000);
  client.destroy();
  return !closed;
}

async function pausedEofLost(): Promise<boolean> {
  const total = 4 * 1024 * 1024;
  let ended = false;
  const server = tls.createServer({ cert, key, allowHalfOpen: true }, (s) => {
    let got = 0;
    let paused = false;
    s.on("data", (d: Uint8Array) => {
      got += d.length;
      if (!paused && got > total / 2) {
        paused = true;
        s.pause();
        setTimeout(() => s.resume(), 50);
      }
    });
    s.on("end", () => (ended = true));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const client = tls.connect({ host: "127.0.0.1", port, ca: [cert], servername: "localhost" });
  await new Promise((r) => client.once("secureConnect", r));
  const chunk = new Uint8Array(1024 * 1024);
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!client.write(chunk)) await new Promise((r) => client.once("drain", r));
  }
  client.end();
  await sleep(3000);
  client.destroy();
  server.close();
  return !ended;
}

console.log(JSON.stringify({
  stalledHandshakeHeld: await stalledHandshakeHeld(),
  pausedEofLost: await pausedEofLost(),
}));
process.exit(0);
