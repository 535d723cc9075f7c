// Marks every package.json `bin` file executable after tsc wrote it (tsc writes 0644).
// npm sets the bit when it links a bin, but `npx unstuck` in this folder reuses the link it made
// in npm's cache on an earlier run: a fresh build there would be "Permission denied".
import { chmodSync, readFileSync, statSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const bins = typeof pkg.bin === "string" ? [pkg.bin] : Object.values(pkg.bin ?? {});
for (const bin of bins) {
  const path = new URL(`../${bin}`, import.meta.url);
  chmodSync(path, statSync(path).mode | 0o111);
}
