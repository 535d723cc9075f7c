// Run: deno run -A examples/udp_chat_server.ts [PORT]
//      bun examples/udp_chat_server.ts [PORT]
//      npm run build:examples && node .build/examples/examples/udp_chat_server.js [PORT]
//
// The tutorial's chat server, where the operator answered each message by hand. Done right: a
// room where every client hears everyone (ChatRoom: /nick, /who, /quit, idle expiry, a peer
// limit), and lines typed here go to everyone as "server: ...". Port 8081 by default.
import { serveChat } from "../mod.ts";
import { portArg, stdinLines } from "./_lines.ts";

const server = await serveChat({ port: portArg(8081), onLine: (line) => console.log(line) });
console.log(`listening on udp://127.0.0.1:${server.addr.port}`);
for await (const line of stdinLines()) if (line.trim()) await server.announce(line);
await server.closed; // stdin ended: keep serving until the process is stopped
