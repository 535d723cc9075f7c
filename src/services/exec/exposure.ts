/**
 * The one rule for plaintext exec beyond this machine: without TLS anyone on the path reads the
 * commands and their output and can relay a handshake to run commands of its own (nothing to
 * bind), so a server does not listen on a non-loopback address, nor a client connect to a
 * non-loopback host, without TLS unless told that plaintext is meant (docs/PROTOCOL.md, Security
 * notes). Loopback is the runtime layer's `isLoopback`: the address as written.
 *
 * @module
 */
import { isLoopback } from "../../runtime/mod.ts";

/**
 * Whether an exec server binding (or a client reaching) `hostname` would speak plaintext beyond
 * this machine without being told to: no TLS, not loopback, and `insecurePlaintext` not set.
 *
 * @example
 * ```ts
 * import { refusesPlaintext } from "./exposure.ts";
 * console.log(refusesPlaintext("0.0.0.0", { tls: undefined })); // true
 * console.log(refusesPlaintext("127.0.0.2", { tls: undefined })); // false
 * console.log(refusesPlaintext("0.0.0.0", { tls: undefined, insecurePlaintext: true })); // false
 * ```
 */
export function refusesPlaintext(
  hostname: string,
  options: { tls?: unknown; insecurePlaintext?: boolean },
): boolean {
  return options.tls === undefined && options.insecurePlaintext !== true && !isLoopback(hostname);
}

/**
 * The `TypeError` for {@linkcode refusesPlaintext}, naming the library options.
 *
 * @example
 * ```ts
 * import { plaintextRefusal } from "./exposure.ts";
 * console.log(plaintextRefusal("listen on", "0.0.0.0").message);
 * ```
 */
export function plaintextRefusal(what: "listen on" | "connect to", hostname: string): TypeError {
  return new TypeError(
    `exec refuses to ${what} ${hostname} without TLS: beyond loopback, plaintext shows commands ` +
      "and output to anyone on the path, who can also relay a handshake and run commands of its " +
      "own; pass tls, or insecurePlaintext: true",
  );
}
