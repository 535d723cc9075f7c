// Runs python3 as a child of the test, without blocking its event loop (a server in the test's
// own process must go on serving): bounded (killed after 20 s), stdin closed, output collected.
import { spawn } from "node:child_process";

/** How a python3 run ended, with what it printed. */
export interface PythonResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `python3 args…` to its end. */
export function runPython(args: string[]): Promise<PythonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", args);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end();
  });
}
