// Run: deno run -A examples/udp_echo_server.ts [PORT]
//      bun examples/udp_echo_server.ts [PORT]
//      npm run build:examples && node .build/examples/examples/udp_echo_server.js [PORT]
//
// The tutorial's "simple udp socket instance" server: every datagram goes back to its sender,
// uppercased. UDP keeps message boundaries, so no framing is needed; the buffer never truncates
// (the tutorial's recvfrom(1024) cut longer datagrams). Port 8080 by default, 0 for any.
import { asciiUpper, bindDatagram } from "../mod.ts";
import { portArg } from "./_lines.ts";

const socket = await bindDatagram({ hostname: "127.0.0.1", port: portArg(8080) });
console.log(`listening on udp://127.0.0.1:${socket.addr.port}`);
for await (const { data, remote } of socket) {
  console.log(new TextDecoder().decode(data), `${remote.hostname}:${remote.port}`);
  await socket.send(asciiUpper(data), remote);
}
