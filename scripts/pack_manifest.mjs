#!/usr/bin/env node
// `npm pack` and `npm publish` ship package.json as it is on disk, and with it the `prepare`
// script that builds dist/ when `npm ci` runs in a checkout. For those who install the package it
// is an install script: npm warns every one of them about it, and it would fail where allowed (the
// package ships no tsc and no tsconfig). So prepack (after building dist/) writes package.json
// without the install scripts, and postpack puts the original back.
//
//   node scripts/pack_manifest.mjs strip     # prepack
//   node scripts/pack_manifest.mjs restore   # postpack
//
// The original waits in .build/ (ignored by git); a strip after a pack that died before postpack
// restores it first, so the checkout's package.json never loses its scripts for good.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The scripts npm runs when the package is installed. */
const INSTALL_SCRIPTS = [
  "preinstall",
  "install",
  "postinstall",
  "preprepare",
  "prepare",
  "postprepare",
];

const manifest = fileURLToPath(new URL("../package.json", import.meta.url));
const saved = fileURLToPath(new URL("../.build/package.json.before-pack", import.meta.url));

function restore() {
  if (existsSync(saved)) renameSync(saved, manifest);
}

switch (process.argv[2]) {
  case "strip": {
    restore();
    const text = readFileSync(manifest, "utf8");
    const pkg = JSON.parse(text);
    for (const name of INSTALL_SCRIPTS) delete pkg.scripts?.[name];
    mkdirSync(fileURLToPath(new URL("../.build/", import.meta.url)), { recursive: true });
    writeFileSync(saved, text);
    writeFileSync(manifest, JSON.stringify(pkg, null, 2) + "\n");
    break;
  }
  case "restore":
    restore();
    break;
  default:
    console.error("usage: node scripts/pack_manifest.mjs strip|restore");
    process.exit(2);
}
