// `unstuck exec serve --tls-cert/--tls-key` and `unstuck exec run --tls-ca` as processes: the
// README's certificate line, exactly as written, makes a certificate that pins; a certificate or
// CA the client does not trust is one line and exit 255, and nothing runs; a TLS client on a
// plaintext server fails the same way; `openssl s_client` sees TLS 1.3 and the certificate; and
// plaintext beyond loopback is refused (exit 2) unless --insecure-plaintext.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { killAll, runCli, type Running, startCli, startServer } from "../_helpers/cli.ts";
import { projectPath } from "../_helpers/paths.ts";
import { tempDir } from "../services/exec/_helpers.ts";
import { expectedBinding, nonLoopbackAddress, testCerts } from "../services/_tls.ts";
import { assertSClientSees, oneNewStderrLine } from "./_tls.ts";

const certs = testCerts();
const tmp = tempDir();
const tokenFile = join(tmp.dir, "token");
writeFileSync(tokenFile, "cli-tls-token\n", { mode: 0o600 });
const NO_ENV_TOKEN = { UNSTUCK_TOKEN: undefined };

after(() => {
  killAll();
  tmp.remove();
});

/** `exec serve` on 127.0.0.1, port 0, with `flags`; its first line is `listening on tls://…`. */
async function serve(...flags: string[]): Promise<{ proc: Running; port: string; url: string }> {
  const args = ["exec", "serve", "--port", "0", "--token-file", tokenFile, ...flags];
  const { proc, port, url } = await startServer([], startCli(args, NO_ENV_TOKEN));
  return { proc, port: String(port), url };
}

async function stop(proc: Running): Promise<void> {
  proc.signal("SIGTERM");
  assert.equal((await proc.wait()).code, 0);
}

function run(port: string, ...args: string[]): string[] {
  return ["exec", "run", "--port", port, "--token-file", tokenFile, ...args];
}

/** The `openssl req` line of README.md's "Across machines" section, as written. */
function readmeOpensslLine(): string {
  const readme = readFileSync(projectPath("README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Across machines"));
  const line = section.split("\n").find((l) => l.startsWith("openssl req "));
  assert.ok(line, "README.md's 'Across machines' section has an `openssl req` line");
  return line;
}

describe("unstuck exec over TLS (CLI)", () => {
  let server: Running;
  let port: string;
  before(async () => {
    ({ proc: server, port } = await serve(
      "--tls-cert",
      certs.pinned.certFile,
      "--tls-key",
      certs.pinned.keyFile,
      // A Node server hears of a client that refused its certificate only at this deadline.
      "--tls-handshake-timeout",
      "1",
    ));
  });
  after(() => stop(server));

  it("announces tls:// and runs a command for a client pinning the certificate", async () => {
    assert.match(server.stdout, /^listening on tls:\/\/127\.0\.0\.1:\d+\n/);
    const r = await runCli(run(port, "--tls-ca", certs.pinned.certFile, "--", "echo", "hi"));
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "hi\n");
    assert.equal(r.code, 0);
    await server.until(
      (_o, err) =>
        new RegExp(`argv=\\["echo","hi"\\] exit=0 .* binding=${expectedBinding()}`).test(err),
      "the command's log line, with its binding",
    );
  });

  for (
    const [what, ca] of [
      ["another self-signed certificate", certs.other.certFile],
      ["a CA that did not sign it", certs.ca.certFile],
    ] as const
  ) {
    it(`exits 255 with one line for ${what}, and nothing runs`, async () => {
      const marker = join(tmp.dir, `wrong-${ca.length}-${what.length}`);
      const before = server.stderr.length;
      const r = await runCli(run(port, "--tls-ca", ca, "--", "touch", marker));
      assert.equal(r.code, 255);
      assert.match(
        r.stderr,
        /^unstuck exec run: cannot connect to tls:\/\/127\.0\.0\.1:\d+: TLS handshake with 127\.0\.0\.1:\d+ failed: [^\n]+\n$/,
      );
      assert.equal(r.stdout, "");
      assert.equal(existsSync(marker), false);
      // The server: one line for the refused handshake, none for a command.
      const line = await oneNewStderrLine(server, before);
      assert.match(line, /tls-failed="TLS handshake with 127\.0\.0\.1:\d+/);
    });
  }

  it("exits 255 with one line for a certificate without the name asked for", async () => {
    const r = await runCli(
      run(
        port,
        "--tls-ca",
        certs.pinned.certFile,
        "--tls-server-name",
        "example.com",
        "--",
        "true",
      ),
    );
    assert.equal(r.code, 255);
    assert.equal(r.stderr.split("\n").length, 2, r.stderr);
  });

  it("shows openssl s_client TLS 1.3 and the server's certificate", () => {
    assertSClientSees(Number(port), certs.pinned);
  });
});

describe("unstuck exec: TLS and plaintext that do not meet (CLI)", () => {
  it("a TLS client on a plaintext server exits 255 with one line, at once", async () => {
    const { proc, port } = await serve();
    try {
      const r = await runCli(run(port, "--tls-ca", certs.pinned.certFile, "--", "true"), {
        timeoutMs: 8_000,
      });
      assert.equal(r.code, 255);
      assert.match(
        r.stderr,
        /^unstuck exec run: cannot connect to tls:\/\/127\.0\.0\.1:\d+: [^\n]+\n$/,
      );
      await proc.until((_o, err) => /rejected=/.test(err), "the server's line");
      const ok = await runCli(run(port, "--", "echo", "still"));
      assert.equal(ok.stdout, "still\n");
    } finally {
      await stop(proc);
    }
  });
});

describe("the README's certificate line (CLI)", () => {
  it("makes a certificate that exec serve serves and exec run pins, by its DNS name", async () => {
    const dir = join(tmp.dir, "readme");
    spawnSync("mkdir", ["-p", dir]);
    const made = spawnSync("sh", ["-c", readmeOpensslLine()], {
      cwd: dir,
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(made.status, 0, made.stderr);
    const cert = join(dir, "server.pem");
    const { proc, port } = await serve("--tls-cert", cert, "--tls-key", join(dir, "server.key"));
    try {
      const r = await runCli(
        run(port, "--tls-ca", cert, "--tls-server-name", "myhost", "--", "echo", "pinned"),
      );
      assert.equal(r.stdout, "pinned\n", r.stderr);
      // The certificate names myhost and 192.0.2.10, not 127.0.0.1: checked by name, refused.
      const byAddress = await runCli(run(port, "--tls-ca", cert, "--", "true"));
      assert.equal(byAddress.code, 255);
    } finally {
      await stop(proc);
    }
  });
});

describe("unstuck exec: plaintext beyond loopback (CLI)", () => {
  it("exec serve refuses 0.0.0.0 without TLS: exit 2, one line, nothing listens", async () => {
    const r = await runCli([
      "exec",
      "serve",
      "--host",
      "0.0.0.0",
      "--port",
      "0",
      "--token-file",
      tokenFile,
    ]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /^unstuck exec serve: refusing to listen on 0\.0\.0\.0 without TLS: give --tls-cert and --tls-key, or --insecure-plaintext .*\n$/,
    );
  });

  it("exec run refuses a host beyond loopback without TLS: exit 2 before connecting", async () => {
    const r = await runCli([
      "exec",
      "run",
      "--host",
      "198.51.100.1",
      "--token-file",
      tokenFile,
      "--",
      "true",
    ]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^unstuck exec run: refusing to connect to 198\.51\.100\.1 without TLS: give --tls/,
    );
  });

  it("exec run takes 127.0.0.2 as loopback (it is): no refusal", async () => {
    const r = await runCli([
      "exec",
      "run",
      "--host",
      "127.0.0.2",
      "--port",
      "1",
      "--token-file",
      tokenFile,
      "--",
      "true",
    ]);
    assert.equal(r.code, 255, r.stderr); // nothing listens there: a connection failure, not usage
    assert.match(r.stderr, /cannot connect to tcp:\/\/127\.0\.0\.2:1/);
  });

  it("refuses --insecure-plaintext together with TLS", async () => {
    const serveBoth = await runCli([
      "exec",
      "serve",
      "--port",
      "0",
      "--token-file",
      tokenFile,
      "--insecure-plaintext",
      "--tls-cert",
      certs.pinned.certFile,
      "--tls-key",
      certs.pinned.keyFile,
    ]);
    assert.equal(serveBoth.code, 2);
    const runBoth = await runCli(run("1", "--insecure-plaintext", "--tls", "--", "true"));
    assert.equal(runBoth.code, 2);
  });

  const address = nonLoopbackAddress();
  it(
    "on this machine's own address: refused without TLS, served with TLS or --insecure-plaintext",
    { skip: address === undefined && "this machine has no non-loopback IPv4 address" },
    async () => {
      const base = ["exec", "serve", "--host", address!, "--port", "0", "--token-file", tokenFile];
      assert.equal((await runCli(base)).code, 2);
      const modes: [string[], string[]][] = [
        [
          ["--tls-cert", certs.pinned.certFile, "--tls-key", certs.pinned.keyFile],
          ["--tls-ca", certs.pinned.certFile, "--tls-server-name", "localhost"],
        ],
        [["--insecure-plaintext"], ["--insecure-plaintext"]],
      ];
      for (const [serverFlags, clientFlags] of modes) {
        const proc = startCli([...base, ...serverFlags], NO_ENV_TOKEN);
        try {
          await proc.untilLine(/^listening on (tls|tcp):\/\//);
          const port = /:(\d+)\n/.exec(proc.stdout)![1];
          const r = await runCli([
            "exec",
            "run",
            "--host",
            address!,
            "--port",
            port,
            "--token-file",
            tokenFile,
            ...clientFlags,
            "--",
            "echo",
            "far",
          ]);
          assert.equal(r.stdout, "far\n", r.stderr);
          if (serverFlags[0] === "--insecure-plaintext") {
            assert.match(
              proc.stderr,
              /warning: listening on .* without TLS \(--insecure-plaintext\)/,
            );
          }
        } finally {
          await stop(proc);
        }
      }
    },
  );
});
