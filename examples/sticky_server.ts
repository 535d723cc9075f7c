// Run: deno run -A examples/sticky_server.ts [PORT]
//      bun examples/sticky_server.ts [PORT]
//      npm run build:examples && node .build/examples/examples/sticky_server.js [PORT]
//
// The tutorial's sticky-packet server: it reads twice, as recv(1024) twice, and prints what each
// read returned. Against sticky_client.ts, "hello" and "world" often arrive in the first read
// together: TCP is a byte stream and keeps no message boundaries. Often, not always: whether
// they stick depends on timing, which is the problem. (length_header_server.ts is the fix;
// `unstuck demo` shows both in one process.) Serves one connection. Port 8080 by default.
import { listen, type TcpConnection } from "../mod.ts";
import { portArg } from "./_lines.ts";

let served!: () => void;
const done = new Promise<void>((resolve) => (served = resolve));
const server = await listen({ port: portArg(8080) }, async (conn: TcpConnection) => {
  const reads = conn[Symbol.asyncIterator]();
  const text = async (): Promise<string> => {
    const r = await reads.next();
    return r.done ? "" : new TextDecoder().decode(r.value);
  };
  const data1 = await text();
  const data2 = await text();
  console.log(`data1: b'${data1}'`);
  console.log(`data2: b'${data2}'`);
  console.log(
    data1 === "helloworld"
      ? "Two writes, one read: the messages stuck together."
      : "This time they arrived apart; TCP promises neither. Run it again.",
  );
  conn.close();
  served();
});
console.log(`listening on tcp://127.0.0.1:${server.addr.port}`);
await done;
await server.close();
