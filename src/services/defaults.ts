/**
 * Defaults shared by the services and their CLI commands: loopback, and the tutorial's ports.
 *
 * @module
 */

/** The address every server binds unless told otherwise: loopback only. */
export const DEFAULT_HOST = "127.0.0.1";
/** The echo service's port (TCP and UDP), as in the tutorial. */
export const DEFAULT_ECHO_PORT = 8080;
/**
 * How many TCP connections the echo server serves at once. Each may hold up to one
 * `maxFrameLength` while a frame arrives, so this times that is the server's worst-case memory
 * for frames (128 × 8 MiB = 1 GiB at the defaults).
 */
export const DEFAULT_MAX_CONNECTIONS = 128;
/** The chat room's UDP port, as in the tutorial. */
export const DEFAULT_CHAT_PORT = 8081;
