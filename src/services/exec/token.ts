/**
 * Where the shared token comes from: a file (preferred) or the `UNSTUCK_TOKEN` environment
 * variable. Both ends of an exec connection load it the same way.
 *
 * @module
 */
import { effectiveUid, getEnv, type OwnedText, readOwnedTextFile } from "../../runtime/mod.ts";
import { ExecTokenError, ExecTokenFileError } from "./errors.ts";

/** The environment variable that holds the token when no token file is given. */
export const TOKEN_ENV = "UNSTUCK_TOKEN";

/** Options of {@linkcode loadToken}. */
export interface LoadTokenOptions {
  /** Read the token from this file; trailing line breaks are removed. Takes precedence. */
  tokenFile?: string;
  /** The token from the environment. @default {the value of `UNSTUCK_TOKEN`} */
  envToken?: string;
}

/** A token and, when its file is too open, a warning for the operator. */
export interface LoadedToken {
  /** The token. Never empty. */
  token: string;
  /** Set when the token file is readable by group or others. */
  warning?: string;
}

/**
 * Loads the token from `tokenFile`, else from `UNSTUCK_TOKEN`. A token file must belong to this
 * process's effective user and be writable by nobody else; one that others can read is used,
 * with a warning.
 *
 * @throws {ExecTokenFileError} when the file belongs to another user or group or others can
 *   write it
 * @throws {ExecTokenError} when there is no token, it is empty, or the file cannot be read
 * @example
 * ```ts
 * import { loadToken } from "@unstuck/unstuck";
 * const { token } = await loadToken({ envToken: "s3cret" });
 * console.log(token); // "s3cret"
 * ```
 */
export async function loadToken(options: LoadTokenOptions = {}): Promise<LoadedToken> {
  const { tokenFile } = options;
  if (tokenFile === undefined) {
    const token = "envToken" in options ? options.envToken : getEnv(TOKEN_ENV);
    if (token === undefined) {
      throw new ExecTokenError(`no token: give a token file or set ${TOKEN_ENV}`);
    }
    if (token === "") throw new ExecTokenError(`${TOKEN_ENV} is empty`);
    return { token };
  }
  let file: OwnedText;
  try {
    file = await readOwnedTextFile(tokenFile);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ExecTokenError(`cannot read token file ${tokenFile}: ${why}`);
  }
  const { text, mode, uid } = file;
  const octal = mode.toString(8).padStart(4, "0");
  const euid = effectiveUid();
  if (euid !== undefined && uid !== euid) {
    throw new ExecTokenFileError(
      `token file ${tokenFile} belongs to uid ${uid}, not to this user (uid ${euid}); ` +
        "use a file of your own, not writable by others",
    );
  }
  if ((mode & 0o022) !== 0) {
    throw new ExecTokenFileError(
      `token file ${tokenFile} is writable by group or others (mode ${octal}); ` +
        `run: chmod 600 ${tokenFile}`,
    );
  }
  const token = text.replace(/[\r\n]+$/, "");
  if (token === "") throw new ExecTokenError(`token file ${tokenFile} is empty`);
  if ((mode & 0o044) === 0) return { token };
  return {
    token,
    warning: `token file ${tokenFile} is readable by group or others (mode ${octal}); ` +
      `run: chmod 600 ${tokenFile}`,
  };
}
