/**
 * Services: the echo service (framed TCP, UDP), the UDP chat room, and the sticky-packet demo,
 * each a library API that the `unstuck` CLI wraps.
 *
 * @module
 */
export * from "./echo/mod.ts";
export * from "./chat/mod.ts";
export { type DemoOptions, type DemoResult, runDemo } from "./demo.ts";
export type { ServerHandle } from "./handle.ts";
export { ReplyTimeoutError, TooManyConnectionsError } from "./errors.ts";
export { DEFAULT_CHAT_PORT, DEFAULT_ECHO_MAX_CONNECTIONS, DEFAULT_ECHO_PORT } from "./defaults.ts";
