/**
 * The services layer, as the CLI (the layer above) sees it: echo (framed TCP, UDP), the UDP chat
 * room, authenticated remote exec, the sticky-packet demo, and what they share.
 *
 * @module
 */
export * from "./echo/mod.ts";
export * from "./chat/mod.ts";
export * from "./exec/mod.ts";

// For the CLI only; the root mod.ts does not export these.
export { type DemoOptions, type DemoResult, runDemo } from "./demo.ts";
export { echoFraming } from "./echo/framing_options.ts";
export { MAX_TIMER_MS, timerDelay, withTimeout } from "./timeout.ts";
export { refusesPlaintext } from "./exec/exposure.ts";
export { LogLimiter, type LogLimiterOptions } from "./log_limiter.ts";
