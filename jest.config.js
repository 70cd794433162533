// Unit tests (*.spec.ts) live beside the code; integration tests (*.test.ts) under test/.
// Workspace packages resolve to their sources, so tests never need a build.
const fs = require("node:fs");
const path = require("node:path");

const moduleNameMapper = {};
for (const group of ["packages", "services"]) {
  for (const dir of fs.readdirSync(path.join(__dirname, group))) {
    const manifest = path.join(__dirname, group, dir, "package.json");
    if (!fs.existsSync(manifest)) continue;
    const { name, exports = {} } = JSON.parse(fs.readFileSync(manifest, "utf8"));
    moduleNameMapper[`^${name}$`] = `<rootDir>/${group}/${dir}/src/index.ts`;
    // Subpath entry points ("./embedded": dist/embedded.js) map to their sources too.
    for (const subpath of Object.keys(exports).filter((key) => key !== ".")) {
      moduleNameMapper[`^${name}/${subpath.slice(2)}$`] = `<rootDir>/${group}/${dir}/src/${subpath.slice(2)}.ts`;
    }
  }
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/packages", "<rootDir>/services", "<rootDir>/test"],
  testMatch: ["**/src/**/*.spec.ts", "<rootDir>/test/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
  moduleNameMapper,
  transform: {
    // Type-checking happens once, before jest, in `npm test`.
    "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.test.json", isolatedModules: true }],
  },
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
  globalSetup: "<rootDir>/test/support/kafka-global-setup.ts",
  globalTeardown: "<rootDir>/test/support/kafka-global-teardown.ts",
  testTimeout: 30000,
};
