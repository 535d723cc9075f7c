/**
 * Where the shared token comes from: a file (preferred) or the `UNSTUCK_TOKEN` environment
 * variable. Both ends of an exec connection load it the same way.
 *
 * @module
 */
import { fileMode, getEnv, readTextFile } from "../../runtime/mod.ts";
import { ExecTokenError } from "./errors.ts";

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
 * Loads the token from `tokenFile`, else from `UNSTUCK_TOKEN`.
 *
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
  let text: string;
  let mode: number;
  try {
    text = await readTextFile(tokenFile);
    mode = await fileMode(tokenFile);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ExecTokenError(`cannot read token file ${tokenFile}: ${why}`);
  }
  const token = text.replace(/[\r\n]+$/, "");
  if (token === "") throw new ExecTokenError(`token file ${tokenFile} is empty`);
  if ((mode & 0o044) === 0) return { token };
  const octal = mode.toString(8).padStart(4, "0");
  return {
    token,
    warning: `token file ${tokenFile} is readable by group or others (mode ${octal}); ` +
      `run: chmod 600 ${tokenFile}`,
  };
}
