// Run by tests/runtime/deno_udp_fallback.test.ts in Deno, with and without --unstable-net: binds
// UDP through the deno adapter, round-trips a full-size datagram, and prints which API it used.
import { getAdapter, MAX_DATAGRAM_SIZE } from "../../../mod.ts";
import { hasNativeDatagrams } from "../../../src/runtime/deno/udp.ts";

const deno = await getAdapter("deno");
const a = await deno.bindDatagram({});
const b = await deno.bindDatagram({});
const data = new Uint8Array(MAX_DATAGRAM_SIZE).map((_, i) => i * 7);
await a.send(data, b.addr);
const got = await b[Symbol.asyncIterator]().next();
const ok = !got.done && got.value.data.length === data.length &&
  got.value.data.every((x, i) => x === data[i]) && got.value.remote.port === a.addr.port;
a.close();
b.close();
console.log(JSON.stringify({ adapter: deno.name, native: hasNativeDatagrams(), ok }));
