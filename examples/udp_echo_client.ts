// Run: deno run -A examples/udp_echo_client.ts [PORT]
//      bun examples/udp_echo_client.ts [PORT]
//      npm run build:examples && node .build/examples/examples/udp_echo_client.js [PORT]
//
// The tutorial's UDP echo client: sends each line of stdin as one datagram and prints the reply.
// Done right: a reply that never comes (UDP may drop either datagram) is a timeout, not a hang.
import { connectEchoUdp } from "../mod.ts";
import { portArg, stdinLines } from "./_lines.ts";

await using client = await connectEchoUdp({ port: portArg(8080), timeoutMs: 2_000 });
for await (const line of stdinLines()) {
  const msg = line.trim();
  if (!msg) continue;
  const reply = await client.request(new TextEncoder().encode(msg));
  console.log(new TextDecoder().decode(reply));
}
