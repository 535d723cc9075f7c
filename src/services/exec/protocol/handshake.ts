/**
 * The steps of an `unstuck-exec/2` handshake, on either side, as functions of the messages and
 * of what this end knows about its connection (its binding ability and material): the server's
 * greeting and its answer to an `auth`; the client's check of the `hello`, its `auth`, and its
 * check of the server's proof. No I/O: a client or server of another make can drive them.
 *
 * @module
 */
import { ExecProtocolError } from "../errors.ts";
import { createNonce, type TokenKey } from "./auth.ts";
import { decodeBase64, encodeBase64 } from "./base64.ts";
import {
  type BindingAbility,
  type BindingMaterial,
  bindingOffer,
  type ChannelBinding,
  channelBindingValue,
  chooseBinding,
} from "./binding.ts";
import {
  type AuthMessage,
  type BindingsMessage,
  EXEC_NONCE_LENGTH,
  EXEC_PROTOCOL,
  EXEC_PROTOCOL_V1,
  type HelloMessage,
  type ReadyMessage,
} from "./messages.ts";
import { type HandshakeTranscript, signProof, verifyProof } from "./proof.ts";

/** What a server sends first, and keeps to check the client's `auth`. */
export interface ServerGreeting {
  /** The `hello` to send. */
  hello: HelloMessage;
  /** The `bindings` to send right behind it. */
  bindings: BindingsMessage;
  /** The nonce in `hello`, as bytes. */
  serverNonce: Uint8Array;
}

/**
 * A server's greeting for a connection it can bind as `ability` says: a fresh nonce and the
 * offer.
 *
 * @example
 * ```ts
 * import { createGreeting } from "@unstuck/unstuck/exec/protocol";
 * const greeting = createGreeting({ tls: true, exporter: true });
 * console.log(greeting.bindings.offer); // ["tls-exporter", "tls-server-cert"]
 * ```
 */
export function createGreeting(ability: BindingAbility): ServerGreeting {
  const serverNonce = createNonce();
  return {
    hello: { type: "hello", protocol: EXEC_PROTOCOL, nonce: encodeBase64(serverNonce) },
    bindings: { type: "bindings", offer: bindingOffer(ability) },
    serverNonce,
  };
}

function nonceBytes(text: string, whose: string): Uint8Array {
  const nonce = decodeBase64(text);
  if (nonce === undefined || nonce.length !== EXEC_NONCE_LENGTH) {
    throw new ExecProtocolError(`the ${whose} nonce is not base64 of ${EXEC_NONCE_LENGTH} bytes`);
  }
  return nonce;
}

/**
 * The server's check of a client's `auth`: resolves with the `ready` to send (the server's
 * proof) when the client's proof holds for the transcript as the server sees it (`material`:
 * its exporter value, its own certificate), or undefined when it does not.
 *
 * @throws {ExecProtocolError} for a binding the server did not offer, or a nonce that is not
 * base64 of 32 bytes
 * @example
 * ```ts
 * import { acceptAuth, createGreeting, importTokenKey } from "@unstuck/unstuck/exec/protocol";
 * const key = await importTokenKey("s3cret");
 * const greeting = createGreeting({ tls: false, exporter: false });
 * const auth = { type: "auth", nonce: "AAAA", binding: "none", mac: "AAAA" } as const;
 * await acceptAuth(key, greeting, auth, {}).catch((e) => console.log(e.message)); // bad nonce
 * ```
 */
export async function acceptAuth(
  key: TokenKey,
  greeting: ServerGreeting,
  auth: AuthMessage,
  material: BindingMaterial,
): Promise<ReadyMessage | undefined> {
  const offer = greeting.bindings.offer;
  const binding = offer.find((name) => name === auth.binding);
  if (binding === undefined) {
    throw new ExecProtocolError(`binding ${JSON.stringify(auth.binding)} was not offered`);
  }
  const transcript: HandshakeTranscript = {
    serverNonce: greeting.serverNonce,
    clientNonce: nonceBytes(auth.nonce, "client's"),
    offer,
    binding,
    channelBinding: await channelBindingValue(binding as ChannelBinding, material),
  };
  if (!(await verifyProof(key, "client", transcript, auth.mac))) return undefined;
  return { type: "ready", mac: await signProof(key, "server", transcript) };
}

/**
 * The client's check of a server's `hello`: it must speak `unstuck-exec/2`. Returns the server's
 * nonce.
 *
 * @throws {ExecProtocolError} naming the version the server speaks, or for a bad nonce
 * @example
 * ```ts
 * import { checkHello } from "@unstuck/unstuck/exec/protocol";
 * const hello = { type: "hello", protocol: "unstuck-exec/1", nonce: "" } as const;
 * try {
 *   checkHello(hello);
 * } catch (e) {
 *   console.log((e as Error).message); // "the server speaks unstuck-exec/1, an older unstuck: …"
 * }
 * ```
 */
export function checkHello(hello: HelloMessage): Uint8Array {
  if (hello.protocol === EXEC_PROTOCOL_V1) {
    throw new ExecProtocolError(
      `the server speaks ${EXEC_PROTOCOL_V1}, an older unstuck: this client speaks ` +
        `${EXEC_PROTOCOL} only (upgrade the server)`,
    );
  }
  if (hello.protocol !== EXEC_PROTOCOL) {
    throw new ExecProtocolError(
      `the server speaks ${JSON.stringify(hello.protocol)}, this client ${EXEC_PROTOCOL}`,
    );
  }
  return nonceBytes(hello.nonce, "server's");
}

/** What a client sends in answer to a greeting, and keeps to check the server's proof. */
export interface ClientAnswer {
  /** The `auth` to send. */
  auth: AuthMessage;
  /** The transcript as the client sees it. */
  transcript: HandshakeTranscript;
}

/**
 * The client's `auth`: a fresh nonce, the first offered binding this end can compute (`ability`),
 * and the proof over the transcript with the binding's value as this end sees it (`material`:
 * its exporter value, the server certificate it received).
 *
 * @throws {ExecProtocolError} when the offer is malformed or has no binding this end can use
 * @example
 * ```ts
 * import { answerGreeting, importTokenKey } from "@unstuck/unstuck/exec/protocol";
 * const key = await importTokenKey("s3cret");
 * const { auth } = await answerGreeting(key, new Uint8Array(32), ["none"], {
 *   tls: false,
 *   exporter: false,
 * }, {});
 * console.log(auth.binding); // "none"
 * ```
 */
export async function answerGreeting(
  key: TokenKey,
  serverNonce: Uint8Array,
  offer: readonly string[],
  ability: BindingAbility,
  material: BindingMaterial,
): Promise<ClientAnswer> {
  const binding = chooseBinding(offer, ability);
  const clientNonce = createNonce();
  const transcript: HandshakeTranscript = {
    serverNonce,
    clientNonce,
    offer: [...offer],
    binding,
    channelBinding: await channelBindingValue(binding, material),
  };
  const auth: AuthMessage = {
    type: "auth",
    nonce: encodeBase64(clientNonce),
    binding,
    mac: await signProof(key, "client", transcript),
  };
  return { auth, transcript };
}

/**
 * The client's check of the server's proof in `ready`, against its own transcript, in constant
 * time. False means the server does not hold the token, or the two ends did not see the same
 * connection: send nothing more.
 *
 * @example
 * ```ts
 * import { answerGreeting, checkReady, importTokenKey } from "@unstuck/unstuck/exec/protocol";
 * const key = await importTokenKey("s3cret");
 * const ability = { tls: false, exporter: false };
 * const { transcript } = await answerGreeting(key, new Uint8Array(32), ["none"], ability, {});
 * console.log(await checkReady(key, transcript, { type: "ready", mac: "AAAA" })); // false
 * ```
 */
export function checkReady(
  key: TokenKey,
  transcript: HandshakeTranscript,
  ready: ReadyMessage,
): Promise<boolean> {
  return verifyProof(key, "server", transcript, ready.mac);
}
