// Shared helpers of the exec tests: a server on port 0, running a command and collecting its
// output, raw protocol connections, temp dirs, and process-group checks through /proc.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  connect,
  createFrameDecoder,
  encodeFrame,
  ExecClient,
  type ExecResult,
  type ExecRunOptions,
  type ExecServer,
  type ExecServerOptions,
  serveExec,
  type TcpConnection,
} from "../../../mod.ts";
import {
  answerGreeting,
  type AuthMessage,
  checkHello,
  encodeControl,
  type HandshakeTranscript,
  importTokenKey,
  parseServerFrame,
  type ServerControlMessage,
} from "../../../src/services/exec/protocol/mod.ts";
import { connectionBinding } from "../../../src/services/exec/channel.ts";
import type { TlsClientOptions } from "../../../src/runtime/mod.ts";
import { concat, within } from "../../runtime/helpers.ts";

export { concat, eventually, isRunning, pseudoRandom, within } from "../../runtime/helpers.ts";

export const TOKEN = "exec-test-token";

/**
 * A server on 127.0.0.1 and an OS-chosen port, with the test token. Without penalties or limits
 * per address unless asked for: these tests make one bad handshake after another, and keep
 * connections open, all from 127.0.0.1, on purpose (the limits per address have tests of their
 * own, in tests/services/adversarial/).
 */
export function startServer(options: Partial<ExecServerOptions> = {}): Promise<ExecServer> {
  return serveExec({
    token: TOKEN,
    port: 0,
    penaltyMs: 0,
    maxConnectionsPerIp: 1_000,
    maxPendingHandshakesPerIp: 1_000,
    ...options,
  });
}

/** A client of `server`, authenticated with the test token. */
export function connectClient(server: ExecServer, token = TOKEN): Promise<ExecClient> {
  return within(ExecClient.connect({ token, port: server.addr.port }), 5_000, "connect");
}

/** What a command printed, and how it ended. */
export interface Collected {
  result: ExecResult;
  stdout: Uint8Array;
  stderr: Uint8Array;
  text: string;
  errText: string;
}

/** Runs a command and collects its output (bounded by `ms`). */
export async function collect(
  client: ExecClient,
  options: Omit<ExecRunOptions, "onStdout" | "onStderr">,
  ms = 10_000,
): Promise<Collected> {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const result = await within(
    client.run({
      ...options,
      onStdout: (b) => void out.push(b.slice()),
      onStderr: (b) => void err.push(b.slice()),
    }),
    ms,
    `run ${JSON.stringify(options.argv ?? options.shell)}`,
  );
  const stdout = concat(out);
  const stderr = concat(err);
  const dec = new TextDecoder();
  return { result, stdout, stderr, text: dec.decode(stdout), errText: dec.decode(stderr) };
}

/** A temporary directory, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "unstuck-exec-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Pids of running (not zombie) processes in process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // it ended while we looked
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [state, , pgrp] = fields;
    if (Number(pgrp) === pgid && state !== "Z" && state !== "X") members.push(Number(name));
  }
  return members;
}

/** A raw protocol connection, for sending what a well-behaved client never would. */
export class RawPeer {
  readonly conn: TcpConnection;
  readonly #decoder = createFrameDecoder({ header: "!I" });
  readonly #chunks: AsyncIterator<Uint8Array>;
  #pending: Uint8Array[] = [];
  #reading: Promise<boolean> | undefined;
  #hello: ServerControlMessage | undefined;
  /** The server's binding offer, read with its hello. */
  offer: string[] | undefined;
  /** The transcript of the last auth made by {@linkcode authMessage}. */
  transcript: HandshakeTranscript | undefined;

  private constructor(conn: TcpConnection) {
    this.conn = conn;
    this.#chunks = conn[Symbol.asyncIterator]();
  }

  static async open(port: number, tls?: TlsClientOptions): Promise<RawPeer> {
    return new RawPeer(await connect({ hostname: "127.0.0.1", port, tls }));
  }

  /** The next frame's payload, or undefined at EOF (bounded by `ms`). */
  async frame(ms = 5_000): Promise<Uint8Array | undefined> {
    let expired = false; // a read that timed out must not take a later frame
    const read = async (): Promise<Uint8Array | undefined> => {
      while (this.#pending.length === 0) {
        if (!(await this.#more()) || expired) return undefined;
      }
      return expired ? undefined : this.#pending.shift();
    };
    try {
      return await within(read(), ms, "a frame from the server");
    } catch (err) {
      expired = true;
      throw err;
    }
  }

  /** Reads one more chunk into the pending frames; false at EOF. One read at a time. */
  #more(): Promise<boolean> {
    this.#reading ??= (async () => {
      const next = await this.#chunks.next().catch(() => ({
        done: true as const,
        value: undefined,
      }));
      if (next.done) return false;
      this.#pending.push(...this.#decoder.push(next.value).map((f) => f.slice()));
      return true;
    })().finally(() => (this.#reading = undefined));
    return this.#reading;
  }

  /**
   * The next frame, which must be a control message. A `hello` is returned with the `bindings`
   * behind it read too (kept in `offer`), so that the next call reads what follows the greeting.
   */
  async control(ms = 5_000): Promise<ServerControlMessage | undefined> {
    const payload = await this.frame(ms);
    if (payload === undefined) return undefined;
    const frame = parseServerFrame(payload);
    if (frame.kind !== "control") throw new Error(`expected a control message, got ${frame.kind}`);
    if (frame.message.type === "hello") {
      this.#hello = frame.message;
      const bindings = await this.control(ms);
      if (bindings?.type !== "bindings") {
        throw new Error(`expected bindings behind hello, got ${JSON.stringify(bindings)}`);
      }
      this.offer = bindings.offer;
    }
    return frame.message;
  }

  /** Resolves true once the server has closed the connection (bounded by `ms` in all). */
  async closedByServer(ms = 5_000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while ((await this.frame(Math.max(1, deadline - Date.now()))) !== undefined);
    return true;
  }

  send(bytes: Uint8Array): Promise<void> {
    return this.conn.write(bytes);
  }

  sendControl(message: Parameters<typeof encodeControl>[0]): Promise<void> {
    return this.send(encodeFrame(encodeControl(message)));
  }

  sendFrame(payload: Uint8Array): Promise<void> {
    return this.send(encodeFrame(payload));
  }

  /**
   * The `auth` an honest client sends for `token` in answer to the server's greeting (read now
   * unless read already), bound to this connection; its transcript is kept in `transcript`.
   */
  async authMessage(token = TOKEN): Promise<AuthMessage> {
    const hello = this.#hello ?? await this.control();
    if (hello?.type !== "hello") throw new Error(`expected hello, got ${JSON.stringify(hello)}`);
    const { ability, material } = connectionBinding(this.conn, "client");
    const key = await importTokenKey(token);
    const answer = await answerGreeting(key, checkHello(hello), this.offer!, ability, material);
    this.transcript = answer.transcript;
    return answer.auth;
  }

  /** Answers the server's greeting with the `auth` for `token`; returns the server's answer. */
  async authenticate(token = TOKEN): Promise<ServerControlMessage | undefined> {
    await this.sendControl(await this.authMessage(token));
    return await this.control();
  }

  close(): void {
    this.conn.close();
  }
}
