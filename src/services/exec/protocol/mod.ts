/**
 * The `unstuck-exec/1` wire protocol, for clients and servers other than unstuck's own: the
 * message types, their strict parsing and encoding, the constants, and the handshake's HMAC.
 * Every message is one frame: a 4-byte big-endian length (at most
 * {@linkcode EXEC_MAX_FRAME_LENGTH}), then the payload, whose first byte says what the rest is.
 * docs/PROTOCOL.md describes it in full, with a transcript.
 *
 * @example Answer a server's hello
 * ```ts
 * import {
 *   createNonce,
 *   decodeBase64,
 *   encodeBase64,
 *   encodeControl,
 *   EXEC_PROTOCOL,
 *   importTokenKey,
 *   parseServerFrame,
 *   signNonce,
 *   verifyNonce,
 * } from "@unstuck/unstuck/exec/protocol";
 *
 * const key = await importTokenKey("s3cret");
 * // The payload of a server's first frame:
 * const payload = encodeControl({
 *   type: "hello",
 *   protocol: EXEC_PROTOCOL,
 *   nonce: encodeBase64(createNonce()),
 * });
 * const frame = parseServerFrame(payload);
 * if (frame.kind === "control" && frame.message.type === "hello") {
 *   const nonce = decodeBase64(frame.message.nonce)!;
 *   const auth = encodeControl({ type: "auth", mac: await signNonce(key, nonce) }); // one frame
 *   console.log(auth[0], await verifyNonce(key, nonce, await signNonce(key, nonce))); // 0 true
 * }
 * ```
 *
 * @module
 */
export {
  type AuthMessage,
  type ClientControlMessage,
  type ClientFrame,
  encodeControl,
  type ErrorMessage,
  EXEC_DEFAULT_PORT,
  EXEC_MAX_CHUNK,
  EXEC_MAX_FRAME_LENGTH,
  EXEC_NONCE_LENGTH,
  EXEC_PROTOCOL,
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
export { createNonce, importTokenKey, signNonce, type TokenKey, verifyNonce } from "./auth.ts";
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
