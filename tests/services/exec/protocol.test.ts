// Strict validation of exec frame payloads: every malformed or out-of-place message is an
// ExecProtocolError, every valid one round-trips through encodeControl.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ExecProtocolError } from "../../../mod.ts";
import {
  type ClientControlMessage,
  encodeControl,
  parseClientControl,
  parseClientFrame,
  parseServerControl,
  parseServerFrame,
  type ServerControlMessage,
} from "../../../src/services/exec/protocol/mod.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const control = (json: string): Uint8Array => new Uint8Array([0, ...utf8(json)]);

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ExecProtocolError, `expected ExecProtocolError, got ${err}`);
    assert.equal(err.name, "ExecProtocolError");
    assert.match(err.message, pattern);
    return true;
  });
}

describe("exec protocol: client messages", () => {
  it("accepts auth and both forms of run", () => {
    assert.deepEqual(
      parseClientControl(utf8('{"type":"auth","nonce":"QUJD","binding":"none","mac":"QUJD"}')),
      {
        type: "auth",
        nonce: "QUJD",
        binding: "none",
        mac: "QUJD",
      },
    );
    assert.deepEqual(
      parseClientControl(utf8('{"type":"run","argv":["ls","-l"],"stdin":true,"timeoutMs":500}')),
      { type: "run", argv: ["ls", "-l"], stdin: true, timeoutMs: 500 },
    );
    assert.deepEqual(parseClientControl(utf8('{"type":"run","shell":"ls | wc -l"}')), {
      type: "run",
      shell: "ls | wc -l",
    });
    assert.deepEqual(parseClientControl(utf8('{"type":"run","argv":["printf",""]}')), {
      type: "run",
      argv: ["printf", ""],
    });
  });

  it("rejects bad UTF-8, bad JSON and non-objects", () => {
    rejects(() => parseClientControl(new Uint8Array([0xff, 0xfe])), /not valid UTF-8/);
    rejects(() => parseClientControl(utf8('{"type":"run"')), /not valid JSON/);
    rejects(() => parseClientControl(utf8("")), /not valid JSON/);
    rejects(() => parseClientControl(utf8("[1,2]")), /not a JSON object/);
    rejects(() => parseClientControl(utf8("null")), /not a JSON object/);
    rejects(() => parseClientControl(utf8('"run"')), /not a JSON object/);
    rejects(() => parseClientControl(utf8('{"argv":["ls"]}')), /no string "type"/);
    rejects(() => parseClientControl(utf8('{"type":7}')), /no string "type"/);
  });

  it("rejects unknown types, including server-only ones", () => {
    rejects(() => parseClientControl(utf8('{"type":"exec"}')), /unknown message type "exec"/);
    rejects(() => parseClientControl(utf8('{"type":"ready"}')), /unknown message type "ready"/);
  });

  it("rejects unknown fields, so a misspelt option is never ignored", () => {
    rejects(
      () => parseClientControl(utf8('{"type":"run","argv":["ls"],"timeout":5}')),
      /unknown field "timeout"/,
    );
    rejects(
      () => parseClientControl(utf8('{"type":"auth","mac":"QUJD","binding":"none","x":{}}')),
      /unknown field "x"/,
    );
    rejects(
      () =>
        parseClientControl(
          utf8('{"type":"auth","nonce":"QUJD","binding":"none","mac":"QUJD","__proto__":{}}'),
        ),
      /unknown field "__proto__"/,
    );
  });

  it("names the versions for a version 1 auth (a mac and nothing else)", () => {
    rejects(
      () => parseClientControl(utf8('{"type":"auth","mac":"QUJD"}')),
      /^this server speaks unstuck-exec\/2 only, and the client sent an unstuck-exec\/1 auth: upgrade the client$/,
    );
  });

  it("rejects fields of the wrong type or value", () => {
    const bad: [string, RegExp][] = [
      ['{"type":"auth"}', /"nonce" must be a string/],
      ['{"type":"auth","nonce":"QUJD","binding":"none"}', /"mac" must be a string/],
      ['{"type":"auth","nonce":"QUJD","binding":"none","mac":1}', /"mac" must be a string/],
      ['{"type":"auth","nonce":"QUJD","mac":"QUJD"}', /"binding" must be a string/],
      ['{"type":"auth","nonce":1,"binding":"none","mac":"QUJD"}', /"nonce" must be a string/],
      ['{"type":"run"}', /exactly one of "argv" and "shell"/],
      ['{"type":"run","argv":["ls"],"shell":"ls"}', /exactly one of "argv" and "shell"/],
      ['{"type":"run","argv":[]}', /"argv" must be a non-empty array/],
      ['{"type":"run","argv":"ls"}', /"argv" must be a non-empty array/],
      ['{"type":"run","argv":["ls",1]}', /"argv" must be a string/],
      ['{"type":"run","argv":[""]}', /"argv" must be non-empty/],
      ['{"type":"run","argv":["ls","a\\u0000b"]}', /free of NUL/],
      ['{"type":"run","shell":""}', /"shell" must be non-empty/],
      ['{"type":"run","shell":null}', /exactly one|"shell" must be a string/],
      ['{"type":"run","shell":["ls"]}', /"shell" must be a string/],
      ['{"type":"run","argv":["ls"],"stdin":"yes"}', /"stdin" must be a boolean/],
      ['{"type":"run","argv":["ls"],"timeoutMs":0}', /"timeoutMs" must be a positive integer/],
      ['{"type":"run","argv":["ls"],"timeoutMs":1.5}', /"timeoutMs" must be a positive integer/],
      ['{"type":"run","argv":["ls"],"timeoutMs":"9"}', /"timeoutMs" must be a positive integer/],
      ['{"type":"run","argv":["ls"],"timeoutMs":1e300}', /"timeoutMs" must be a positive integer/],
    ];
    for (const [json, pattern] of bad) rejects(() => parseClientControl(utf8(json)), pattern);
  });
});

describe("exec protocol: client frames", () => {
  it("decodes control, stdin and stdin-end frames", () => {
    assert.deepEqual(parseClientFrame(control('{"type":"run","argv":["true"]}')), {
      kind: "control",
      message: { type: "run", argv: ["true"] },
    });
    const stdin = parseClientFrame(new Uint8Array([3, 104, 105]));
    assert.equal(stdin.kind, "stdin");
    assert.deepEqual(stdin.kind === "stdin" && [...stdin.data], [104, 105]);
    assert.deepEqual(parseClientFrame(new Uint8Array([3])), {
      kind: "stdin",
      data: new Uint8Array(0),
    });
    assert.deepEqual(parseClientFrame(new Uint8Array([4])), { kind: "stdin-end" });
  });

  it("rejects empty frames, server-only types, unknown types and a stdin-end with bytes", () => {
    rejects(() => parseClientFrame(new Uint8Array(0)), /empty frame/);
    rejects(() => parseClientFrame(new Uint8Array([1, 65])), /unexpected frame type 0x01/);
    rejects(() => parseClientFrame(new Uint8Array([2])), /unexpected frame type 0x02/);
    rejects(() => parseClientFrame(new Uint8Array([0x47, 0x45])), /unexpected frame type 0x47/);
    rejects(() => parseClientFrame(new Uint8Array([4, 0])), /stdin-end frame carries bytes/);
    rejects(() => parseClientFrame(control("{")), /not valid JSON/);
  });

  it("round-trips any valid client message through encodeControl", () => {
    const execString = fc.string({ unit: "grapheme" }).filter((s) => !s.includes("\0"));
    const nonEmpty = execString.filter((s) => s !== "");
    const run = fc.record(
      {
        type: fc.constant("run" as const),
        stdin: fc.boolean(),
        timeoutMs: fc.integer({ min: 1, max: 2 ** 40 }),
      },
      { requiredKeys: ["type"] },
    ).chain((base) =>
      fc.oneof(
        fc.tuple(nonEmpty, fc.array(execString)).map(([a0, rest]) => ({
          ...base,
          argv: [a0, ...rest],
        })),
        nonEmpty.map((shell) => ({ ...base, shell })),
      )
    );
    const auth = fc.tuple(fc.string(), fc.string(), fc.string()).map(([nonce, binding, mac]) => ({
      type: "auth" as const,
      nonce,
      binding,
      mac,
    }));
    fc.assert(
      fc.property(fc.oneof(run, auth), (message: ClientControlMessage) => {
        const frame = parseClientFrame(encodeControl(message));
        assert.deepEqual(frame, { kind: "control", message });
      }),
    );
  });

  it("never fails with anything but ExecProtocolError on arbitrary bytes", () => {
    const json = fc.json().map((s) => new Uint8Array([0, ...utf8(s)]));
    const bytes = fc.uint8Array({ maxLength: 64 });
    fc.assert(
      fc.property(fc.oneof(json, bytes), (payload) => {
        try {
          parseClientFrame(payload);
        } catch (err) {
          assert.ok(err instanceof ExecProtocolError, String(err));
        }
      }),
    );
  });
});

describe("exec protocol: server messages", () => {
  it("accepts hello, bindings, ready, exit and error", () => {
    const messages: ServerControlMessage[] = [
      { type: "hello", protocol: "unstuck-exec/2", nonce: "AAAA" },
      { type: "bindings", offer: ["tls-exporter", "tls-server-cert"] },
      { type: "bindings", offer: [] }, // a well-formed message; the client refuses the offer
      { type: "ready", mac: "AAAA" },
      { type: "exit", code: 3, signal: null, timedOut: false, truncated: false },
      { type: "exit", code: null, signal: "SIGKILL", timedOut: true, truncated: true },
      { type: "error", message: "authentication failed" },
    ];
    for (const m of messages) {
      assert.deepEqual(parseServerFrame(encodeControl(m)), { kind: "control", message: m });
    }
  });

  it("decodes stdout and stderr frames as views", () => {
    const payload = new Uint8Array([1, 1, 2, 3]);
    const frame = parseServerFrame(payload);
    assert.equal(frame.kind, "stdout");
    assert.ok(frame.kind === "stdout" && frame.data.buffer === payload.buffer);
    assert.equal(parseServerFrame(new Uint8Array([2, 9])).kind, "stderr");
  });

  it("rejects malformed server messages and client-only frames", () => {
    const bad: [string, RegExp][] = [
      ['{"type":"hello","protocol":"unstuck-exec/2"}', /"nonce" must be a string/],
      ['{"type":"hello","protocol":"unstuck-exec/2","nonce":"AAAA","offer":[]}', /"offer"/],
      ['{"type":"bindings"}', /"offer" must be an array of strings/],
      ['{"type":"bindings","offer":"none"}', /"offer" must be an array of strings/],
      ['{"type":"bindings","offer":["none",1]}', /"offer" must be an array of strings/],
      ['{"type":"ready"}', /"mac" must be a string/],
      ['{"type":"ready","mac":"AAAA","extra":1}', /unknown field "extra"/],
      ['{"type":"exit","code":"0","signal":null,"timedOut":false,"truncated":false}', /"code"/],
      ['{"type":"exit","code":0.5,"signal":null,"timedOut":false,"truncated":false}', /"code"/],
      ['{"type":"exit","code":0,"signal":9,"timedOut":false,"truncated":false}', /"signal"/],
      ['{"type":"exit","code":0,"signal":null,"truncated":false}', /"timedOut"/],
      ['{"type":"exit","code":0,"signal":null,"timedOut":false}', /"truncated"/],
      ['{"type":"error"}', /"message" must be a string/],
      ['{"type":"run","argv":["ls"]}', /unknown message type "run"/],
    ];
    for (const [json, pattern] of bad) rejects(() => parseServerControl(utf8(json)), pattern);
    rejects(() => parseServerFrame(new Uint8Array([3, 1])), /unexpected frame type 0x03/);
    rejects(() => parseServerFrame(new Uint8Array([4])), /unexpected frame type 0x04/);
    rejects(() => parseServerFrame(new Uint8Array(0)), /empty frame/);
  });
});
