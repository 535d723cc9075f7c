// A raw UDP peer (node:dgram) for the CLI's chat and UDP echo tests: it stands in for other
// clients where a test needs to control timing, and keeps every line it receives.
import { createSocket, type Socket } from "node:dgram";

/** What a line is waited for by: itself, a pattern, or a test. */
export type LineMatch = string | RegExp | ((line: string) => boolean);

const matches = (match: LineMatch, line: string): boolean =>
  typeof match === "string"
    ? line === match
    : match instanceof RegExp
    ? match.test(line)
    : match(line);

/** A raw UDP peer on 127.0.0.1 that keeps every line it receives, and its last sender's port. */
export class Peer {
  lines: string[] = [];
  lastFrom = 0;

  private constructor(readonly socket: Socket, readonly port: number) {
    socket.on("message", (m, info) => {
      this.lines.push(m.toString());
      this.lastFrom = info.port;
    });
  }

  static async open(): Promise<Peer> {
    const socket = createSocket("udp4");
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
    return new Peer(socket, socket.address().port);
  }

  send(text: string | Uint8Array, port: number): void {
    this.socket.send(text, port, "127.0.0.1");
  }

  /** How many lines received so far match. */
  count(match: LineMatch): number {
    return this.lines.filter((l) => matches(match, l)).length;
  }

  /** Waits (bounded) until a line that matches has arrived. */
  async until(match: LineMatch, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.lines.some((l) => matches(match, l))) {
      if (Date.now() > deadline) {
        throw new Error(`peer ${this.port} never got ${match}; got ${JSON.stringify(this.lines)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Takes `name` in the room on `port` and waits until the room confirmed it. */
  async named(port: number, name: string): Promise<void> {
    this.send(`/nick ${name}`, port);
    await this.until(`* you are now ${name}`);
  }

  close(): void {
    this.socket.close();
  }
}
