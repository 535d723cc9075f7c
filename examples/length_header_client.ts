// Run: deno run -A examples/length_header_client.ts [PORT]
//      bun examples/length_header_client.ts [PORT]
//      npm run build:examples && node .build/examples/examples/length_header_client.js [PORT]
//
// The tutorial's length-header client: sends each line of stdin behind a struct.pack('i') header
// and prints each reply, read back as header + exactly that many bytes by the decoder. Works
// against length_header_server.ts and `unstuck echo serve --header i`. Port 8082 by default.
import { connect, createFrameDecoder, createFrameEncoder } from "../mod.ts";
import { portArg, stdinLines } from "./_lines.ts";

const framing = { header: "i", maxFrameLength: 64 * 1024 * 1024 } as const;
const encoder = createFrameEncoder(framing);
const conn = await connect({ port: portArg(8082) });
const replies = conn[Symbol.asyncIterator]();
const decoder = createFrameDecoder(framing);
const pending: Uint8Array[] = [];

/** The next reply frame, reading as many chunks as it takes. */
async function nextReply(): Promise<Uint8Array> {
  while (pending.length === 0) {
    const r = await replies.next();
    if (r.done) throw new Error("the server closed the connection");
    pending.push(...decoder.push(r.value));
  }
  return pending.shift()!;
}

for await (const line of stdinLines()) {
  const cmd = line.trim();
  if (!cmd) continue;
  await conn.writev(encoder.encodeParts(new TextEncoder().encode(cmd)));
  console.log(new TextDecoder().decode(await nextReply()));
}
conn.close();
