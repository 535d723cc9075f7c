// A chat member that floods the room as fast as this runtime can send, one datagram after
// another (what an attacker using this library does): joins as NAME, prints "flooding", sends
// for SECONDS (or until killed), then prints how many datagrams it sent.
//
//   <runtime> tests/services/chat/flooder.ts PORT NAME SECONDS [ADAPTER]
import process from "node:process";
import { bindDatagram } from "../../../src/runtime/adapter.ts";
import type { AdapterName } from "../../../src/runtime/types.ts";

const [port, name, seconds, adapter] = process.argv.slice(2);
const room = { hostname: "127.0.0.1", port: Number(port) };
const socket = await bindDatagram({ adapter: adapter as AdapterName | undefined });
const encoder = new TextEncoder();
await socket.send(encoder.encode(`/nick ${name}`), room);
for await (const { data } of socket) {
  if (new TextDecoder().decode(data) === `* you are now ${name}`) break;
}
console.log("flooding");
const payload = encoder.encode("flood " + "x".repeat(40));
const end = Date.now() + Number(seconds) * 1000;
let sent = 0;
while (Date.now() < end) {
  for (let i = 0; i < 256; i++, sent++) await socket.send(payload, room);
}
console.log(`sent ${sent}`);
socket.close();
process.exit(0);
