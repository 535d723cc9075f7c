/**
 * The `unstuck-exec/2` wire protocol, for clients and servers other than unstuck's own: the
 * message types, their strict parsing and encoding, the constants, the handshake's proofs and
 * channel binding, and its steps on either side. Every message is one frame: a 4-byte big-endian
 * length (at most {@linkcode EXEC_MAX_FRAME_LENGTH}), then the payload, whose first byte says what
 * the rest is. docs/PROTOCOL.md describes it in full, with test vectors and a transcript.
 *
 * @example Both sides of a handshake on plaintext (binding "none"), without a connection
 * ```ts
 * import {
 *   acceptAuth,
 *   answerGreeting,
 *   checkHello,
 *   checkReady,
 *   createGreeting,
 *   importTokenKey,
 * } from "@unstuck/unstuck/exec/protocol";
 *
 * const key = await importTokenKey("s3cret");
 * const plaintext = { tls: false, exporter: false };
 * const greeting = createGreeting(plaintext); // the server sends greeting.hello, greeting.bindings
 * const serverNonce = checkHello(greeting.hello); // the client checks the version
 * const answer = await answerGreeting(key, serverNonce, greeting.bindings.offer, plaintext, {});
 * const ready = await acceptAuth(key, greeting, answer.auth, {}); // the server checks the client
 * console.log(ready !== undefined && await checkReady(key, answer.transcript, ready)); // true
 * ```
 *
 * @module
 */
export {
  type AuthMessage,
  type BindingsMessage,
  type ClientControlMessage,
  type ClientFrame,
  encodeControl,
  type ErrorMessage,
  EXEC_DEFAULT_PORT,
  EXEC_MAX_CHUNK,
  EXEC_MAX_FRAME_LENGTH,
  EXEC_NONCE_LENGTH,
  EXEC_PROTOCOL,
  EXEC_PROTOCOL_V1,
  type ExitMessage,
  FRAME_CONTROL,
  FRAME_STDERR,
  FRAME_STDIN,
  FRAME_STDIN_END,
  FRAME_STDOUT,
  type HelloMessage,
  type ReadyMessage,
  type RunMessage,
  type ServerControlMessage,
  type ServerFrame,
} from "./messages.ts";
export {
  parseClientControl,
  parseClientFrame,
  parseServerControl,
  parseServerFrame,
} from "./parse.ts";
export { createNonce, importTokenKey, type TokenKey } from "./auth.ts";
export {
  acceptAuth,
  answerGreeting,
  checkHello,
  checkReady,
  type ClientAnswer,
  createGreeting,
  type ServerGreeting,
} from "./handshake.ts";
export { decodeBase64, encodeBase64 } from "./base64.ts";
export {
  type BindingAbility,
  type BindingMaterial,
  bindingOffer,
  CHANNEL_BINDINGS,
  type ChannelBinding,
  channelBindingValue,
  checkOffer,
  chooseBinding,
  MAX_OFFERED_BINDINGS,
} from "./binding.ts";
export {
  type HandshakeTranscript,
  PROOF_LABELS,
  proofInput,
  type ProofRole,
  signProof,
  verifyProof,
} from "./proof.ts";
export { ExecProtocolError, ExecTokenError } from "../errors.ts";
