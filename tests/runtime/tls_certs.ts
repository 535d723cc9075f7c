// Test certificates, made at run time with `openssl` into a temporary directory (removed at
// exit), once per process: a CA and a server certificate it signed, a self-signed certificate to
// pin, an unrelated self-signed one, and one valid for the name "localhost" only. Every key is
// P-256; every certificate lasts two days.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** A certificate (PEM), its key (PEM), and where both are on disk. */
export interface CertAndKey {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

/** The certificates every TLS test uses. */
export interface TestCerts {
  /** The directory holding the files. */
  dir: string;
  /** A CA (basicConstraints CA:TRUE). */
  ca: CertAndKey;
  /** Signed by `ca`, for DNS:localhost and IP:127.0.0.1. */
  signed: CertAndKey;
  /** Self-signed, CA:FALSE, for DNS:localhost and IP:127.0.0.1: the one to pin. */
  pinned: CertAndKey;
  /** Another self-signed certificate for the same names, with its own key. */
  other: CertAndKey;
  /** Self-signed, for DNS:localhost only (connecting to 127.0.0.1 must fail its name check). */
  localhostOnly: CertAndKey;
}

/** What README and docs/RUNTIME.md tell users to run: the same flags. */
const SELF_SIGNED = [
  "-x509",
  "-newkey",
  "ec",
  "-pkeyopt",
  "ec_paramgen_curve:P-256",
  "-nodes",
  "-days",
  "2",
];

let made: TestCerts | undefined;

function openssl(dir: string, args: string[], input?: string): string {
  const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8", input, timeout: 30_000 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${r.error ?? r.stderr}`);
  return r.stdout;
}

function files(dir: string, name: string): CertAndKey {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  return {
    cert: readFileSync(certFile, "utf8"),
    key: readFileSync(keyFile, "utf8"),
    certFile,
    keyFile,
  };
}

function selfSigned(dir: string, name: string, subject: string, extensions: string[]): CertAndKey {
  const addext = extensions.flatMap((e) => ["-addext", e]);
  openssl(dir, [
    "req",
    "-config",
    "req.cnf",
    ...SELF_SIGNED,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.pem`,
    "-subj",
    subject,
    ...addext,
  ]);
  return files(dir, name);
}

/** The test certificates, made on first use. */
export function testCerts(): TestCerts {
  if (made !== undefined) return made;
  const dir = mkdtempSync(join(tmpdir(), "unstuck-tls-"));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  process.once("exit", remove);
  // `deno test` ends without the "exit" event; Deno's own "unload" comes then.
  (globalThis as { addEventListener?: (type: string, f: () => void) => void })
    .addEventListener?.("unload", remove);
  // A config of our own: the system's openssl.cnf may add extensions of its choosing.
  writeFileSync(join(dir, "req.cnf"), "[req]\ndistinguished_name = dn\n[dn]\n");
  const names = "subjectAltName=DNS:localhost,IP:127.0.0.1";
  const leaf = "basicConstraints=critical,CA:FALSE";
  const ca = selfSigned(dir, "ca", "/CN=unstuck test CA", [
    "basicConstraints=critical,CA:TRUE",
    "keyUsage=critical,keyCertSign",
  ]);
  const request = openssl(dir, [
    "req",
    "-config",
    "req.cnf",
    "-new",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    "signed.key",
    "-subj",
    "/CN=localhost",
    "-addext",
    names,
    "-addext",
    leaf,
  ]);
  openssl(dir, [
    "x509",
    "-req",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-set_serial",
    "2",
    "-days",
    "2",
    "-copy_extensions",
    "copy",
    "-out",
    "signed.pem",
  ], request);
  made = {
    dir,
    ca,
    signed: files(dir, "signed"),
    pinned: selfSigned(dir, "pinned", "/CN=localhost", [names, leaf]),
    other: selfSigned(dir, "other", "/CN=localhost", [names, leaf]),
    localhostOnly: selfSigned(dir, "localhost-only", "/CN=localhost", [
      "subjectAltName=DNS:localhost",
      leaf,
    ]),
  };
  return made;
}
