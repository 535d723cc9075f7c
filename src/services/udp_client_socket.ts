/**
 * The socket a UDP client talks to one peer from.
 *
 * @module
 */
import {
  type AdapterName,
  bindDatagram,
  type DatagramSocket,
  localBindFor,
  type NetAddress,
} from "../runtime/mod.ts";

/**
 * Binds a UDP socket on a port the OS picks, on loopback to reach a loopback peer (so that
 * nothing listens beyond this machine), else on the wildcard address of the peer's family.
 *
 * @example
 * ```ts
 * import { openUdpClientSocket } from "./udp_client_socket.ts";
 * await using socket = await openUdpClientSocket({ hostname: "127.0.0.1", port: 8080 });
 * console.log(socket.addr.hostname); // "127.0.0.1"
 * ```
 */
export function openUdpClientSocket(
  peer: NetAddress,
  adapter?: AdapterName,
): Promise<DatagramSocket> {
  return bindDatagram({ hostname: localBindFor(peer.hostname), port: 0, adapter });
}
