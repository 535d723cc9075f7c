// Run: deno run -A examples/length_header_server.ts [PORT]
//      bun examples/length_header_server.ts [PORT]
//      npm run build:examples && node .build/examples/examples/length_header_server.js [PORT]
//
// The tutorial's fix for sticky packets: every message goes behind a fixed-size header,
// struct.pack('i', len(data)), and the receiver reads exactly the header, then exactly that many
// bytes. Done right: the requests are framed too, the decoder is correct however the stream is
// cut (the tutorial's recv(4) could return fewer bytes), frames over 1 MiB are refused, and a
// bad frame closes that connection only. The tutorial's server ran each request as a shell
// command; this one answers with the request uppercased (for remote commands, with
// authentication, see `unstuck exec`). Port 8082 by default; tests/python/length_header_client.py
// talks to it too.
import { asciiUpper, createFrameEncoder, decodeFrames, FramingError, listen } from "../mod.ts";
import { portArg } from "./_lines.ts";

const framing = { header: "i", maxFrameLength: 1024 * 1024 } as const;
const encoder = createFrameEncoder(framing);
const server = await listen({ port: portArg(8082) }, async (conn) => {
  try {
    // decodeFrames reads exactly one frame at a time, however the stream was cut, and throws
    // for an oversize frame or one cut short at EOF.
    for await (const request of decodeFrames(conn, framing)) {
      await conn.writev(encoder.encodeParts(asciiUpper(request)));
    }
  } catch (error) {
    if (error instanceof FramingError) console.error(`closing a connection: ${error.message}`);
    else throw error;
  } finally {
    conn.close();
  }
});
console.log(`listening on tcp://127.0.0.1:${server.addr.port}`);
