// Run: deno run -A examples/sticky_client.ts [PORT]
//      bun examples/sticky_client.ts [PORT]
//      npm run build:examples && node .build/examples/examples/sticky_client.js [PORT]
//
// The tutorial's sticky-packet client: two small writes, "hello" then "world", then it closes its
// side. Run sticky_server.ts first to see them arrive stuck together.
import { connect } from "../mod.ts";
import { portArg } from "./_lines.ts";

const conn = await connect({ port: portArg(8080) });
await Promise.all([
  conn.write(new TextEncoder().encode("hello")),
  conn.write(new TextEncoder().encode("world")),
]);
await conn.closeWrite();
for await (const _ of conn) {
  // wait for the server to close
}
conn.close();
