#!/usr/bin/env node
// The `flowzone` executable: everything else lives in run.ts, which tests call in-process.
import { run } from "./run";

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`flowzone: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
