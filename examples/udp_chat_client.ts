// Run: deno run -A examples/udp_chat_client.ts [PORT]
//      bun examples/udp_chat_client.ts [PORT]
//      npm run build:examples && node .build/examples/examples/udp_chat_client.js [PORT]
//
// The tutorial's chat client (run two or more). Done right: what the others say is printed as it
// arrives, not one datagram per line you send; "quit" (or EOF) leaves the room.
import process from "node:process";
import { joinChat } from "../mod.ts";
import { portArg, stdinLines } from "./_lines.ts";

const client = await joinChat({ port: portArg(8081) });
const printing = (async () => {
  for await (const line of client) console.log(line);
})();
for await (const line of stdinLines()) {
  const msg = line.trim();
  if (msg === "quit") break;
  if (msg) await client.send(msg);
}
await client.close(); // sends /quit
await printing;
// After "quit" stdin may still be open, and a pending read of it keeps Deno running: leave now.
process.exit(0);
