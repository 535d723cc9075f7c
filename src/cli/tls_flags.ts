/**
 * The TLS flags of the network commands: `--tls-cert` and `--tls-key` for servers (with the
 * handshake's limits, `--tls-handshake-timeout` and `--tls-max-handshakes`); `--tls`, `--tls-ca`
 * and `--tls-server-name` for clients (the last two imply `--tls`). Files are read
 * here; one that cannot be read is a usage error.
 *
 * @module
 */
import { type FlagDef, UsageError } from "./args.ts";
import {
  DEFAULT_MAX_PENDING_HANDSHAKES,
  DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
  readTextFile,
  type TlsClientOptions,
  type TlsServerOptions,
} from "../runtime/mod.ts";
import { millis, secondsFlag } from "./common_flags.ts";

/** The server flags of {@linkcode TLS_SERVER_FLAGS}. */
export interface TlsServerFlags {
  /** `--tls-cert FILE`. */
  "tls-cert": FlagDef & { type: "string" };
  /** `--tls-key FILE`. */
  "tls-key": FlagDef & { type: "string" };
  /** `--tls-handshake-timeout SECONDS`. */
  "tls-handshake-timeout": FlagDef & { type: "integer" };
  /** `--tls-max-handshakes N`. */
  "tls-max-handshakes": FlagDef & { type: "integer" };
}

/** `--tls-cert FILE` and `--tls-key FILE`: serve TLS; and the handshake's limits. */
export const TLS_SERVER_FLAGS: TlsServerFlags = {
  "tls-cert": {
    type: "string",
    help: "Serve TLS with this certificate (PEM, with any intermediates after it); needs --tls-key",
    placeholder: "FILE",
  },
  "tls-key": {
    type: "string",
    help: "The certificate's private key (PEM, not encrypted)",
    placeholder: "FILE",
  },
  "tls-handshake-timeout": secondsFlag(
    "Close a connection whose TLS handshake has not completed by then",
    DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
    1,
    3_600,
  ),
  "tls-max-handshakes": {
    type: "integer",
    help: "TLS handshakes in progress at once; one more closes the oldest",
    placeholder: "N",
    defaultText: String(DEFAULT_MAX_PENDING_HANDSHAKES),
    min: 1,
    max: 1_000_000,
  },
};

/** The client flags of {@linkcode TLS_CLIENT_FLAGS}. */
export interface TlsClientFlags {
  /** `--tls`. */
  tls: FlagDef & { type: "boolean" };
  /** `--tls-ca FILE`. */
  "tls-ca": FlagDef & { type: "string" };
  /** `--tls-server-name NAME`. */
  "tls-server-name": FlagDef & { type: "string" };
}

/** `--tls`, `--tls-ca FILE`, `--tls-server-name NAME`: connect with TLS. */
export const TLS_CLIENT_FLAGS: TlsClientFlags = {
  tls: {
    type: "boolean",
    help: "Connect with TLS, trusting the system's CAs unless --tls-ca is given",
  },
  "tls-ca": {
    type: "string",
    help: "Trust only these certificates (PEM): a CA bundle, or the server's self-signed " +
      "certificate to pin it; implies --tls",
    placeholder: "FILE",
  },
  "tls-server-name": {
    type: "string",
    help: "The name the server's certificate must carry (default: --host); implies --tls",
    placeholder: "NAME",
  },
};

async function read(flag: string, path: string): Promise<string> {
  try {
    return await readTextFile(path);
  } catch (err) {
    const why = (err as { code?: string }).code ?? (err instanceof Error ? err.message : err);
    throw new UsageError(`cannot read --${flag} ${path}: ${why}`);
  }
}

/**
 * The server's TLS options from `--tls-cert` and `--tls-key` (both, or neither: plaintext).
 *
 * @throws {UsageError} for one without the other, or a file that cannot be read
 */
export async function serverTlsOf(
  flags: {
    "tls-cert": string | undefined;
    "tls-key": string | undefined;
    "tls-handshake-timeout": number | undefined;
    "tls-max-handshakes": number | undefined;
  },
): Promise<TlsServerOptions | undefined> {
  const cert = flags["tls-cert"];
  const key = flags["tls-key"];
  const limits = {
    handshakeTimeoutMs: millis(flags["tls-handshake-timeout"]),
    maxPendingHandshakes: flags["tls-max-handshakes"],
  };
  if (cert === undefined && key === undefined) {
    const given = Object.entries(limits).find(([, v]) => v !== undefined);
    if (given) throw new UsageError("the TLS handshake limits need --tls-cert and --tls-key");
    return undefined;
  }
  if (cert === undefined || key === undefined) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  return { cert: await read("tls-cert", cert), key: await read("tls-key", key), ...limits };
}

/**
 * The client's TLS options from `--tls`, `--tls-ca` and `--tls-server-name` (undefined:
 * plaintext).
 *
 * @throws {UsageError} for a file that cannot be read
 */
export async function clientTlsOf(
  flags: { tls: boolean; "tls-ca": string | undefined; "tls-server-name": string | undefined },
): Promise<TlsClientOptions | undefined> {
  const ca = flags["tls-ca"];
  const serverName = flags["tls-server-name"];
  if (!flags.tls && ca === undefined && serverName === undefined) return undefined;
  if (serverName === "") throw new UsageError("--tls-server-name needs a name, got ''");
  return {
    ...(ca !== undefined && { ca: await read("tls-ca", ca) }),
    ...(serverName !== undefined && { serverName }),
  };
}

/**
 * The scheme of a TCP service's URL: `tls` when it speaks TLS, else `tcp`.
 *
 * @example
 * ```ts
 * import { tcpScheme } from "./tls_flags.ts";
 * console.log(tcpScheme(undefined)); // "tcp"
 * ```
 */
export function tcpScheme(tls: unknown): "tcp" | "tls" {
  return tls === undefined ? "tcp" : "tls";
}
