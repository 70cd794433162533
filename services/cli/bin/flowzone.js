#!/usr/bin/env node
// Checked-in entry for the `flowzone` bin, so `npm ci` can link it before the first build.
const path = require("node:path");
const fs = require("node:fs");

const main = path.join(__dirname, "..", "dist", "main.js");
if (!fs.existsSync(main)) {
  process.stderr.write("flowzone is not built yet: run `npm run build` at the repository root first\n");
  process.exit(1);
}
require(main);
