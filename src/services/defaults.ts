/**
 * Defaults shared by the services and their CLI commands: loopback, and the tutorial's ports.
 *
 * @module
 */
/** The echo service's port (TCP and UDP), as in the tutorial. */
export const DEFAULT_ECHO_PORT = 8080;
/**
 * How many TCP connections the echo server serves at once. Each may hold about two
 * `maxFrameLength` buffers (one arriving, one whose reply waits for a slow reader), so the
 * server's worst-case memory for frames is about 2 × 128 × 8 MiB = 2 GiB at the defaults; lower
 * either limit to lower it.
 *
 * @example
 * ```ts
 * import { DEFAULT_ECHO_MAX_CONNECTIONS } from "@unstuck/unstuck";
 * console.log(DEFAULT_ECHO_MAX_CONNECTIONS); // 128
 * ```
 */
export const DEFAULT_ECHO_MAX_CONNECTIONS = 128;
/** The chat room's UDP port, as in the tutorial. */
export const DEFAULT_CHAT_PORT = 8081;
