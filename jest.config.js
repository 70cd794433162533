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

/** What both projects share: workspace packages resolved to their sources, TypeScript through ts-jest. */
const common = {
  testEnvironment: "node",
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
  moduleNameMapper,
  transform: {
    // Type-checking happens once, before jest, in `npm test`.
    "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.test.json" }],
  },
};

/**
 * The main Kafka paths, run a second time by `integration-secured` on the secured broker: the
 * decision service's audit trail and a flip it reads from the control topic; the enforcer's
 * exactly-once under SIGKILL (the built command); a zone's whole lifecycle, where the control
 * plane's backlog counts both enforcement points' audit records and its flips reach the decision
 * service and the enforcer. Few, so the second broker and run cost CI well under two minutes;
 * docs/reference/kafka.md says which principal runs what.
 */
const SECURED_TESTS = [
  "test/pdp/audit-and-control.kafka.test.ts",
  "test/enforcer/exactly-once-kill.kafka.test.ts",
  "test/lifecycle/zone-lifecycle.kafka.test.ts",
];

/**
 * Three projects. `unit`: the specs beside the code, no broker, seconds (`npm run test:unit`).
 * `integration`: test/, against a real Kafka broker that its globalSetup starts (jest runs a
 * project's globalSetup only when one of its tests is selected, so `jest packages/engine`
 * provisions nothing) and the PostgreSQL server. `integration-secured`: SECURED_TESTS again, on
 * kafka-local's secured broker (SASL_SSL, SCRAM, ACLs), each part as its own principal. Both
 * globalSetups run in jest's main process, one after the other, and each broker takes free ports;
 * the one globalTeardown (jest runs a hook module once however many projects name it) stops both.
 *
 * @type {import('jest').Config}
 */
module.exports = {
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
  testTimeout: 30000,
  // On two cores jest runs the tests in its own process, so anything a library leaves running after
  // the last test (a kafkajs retry timer, a half-closed socket) would keep it, and .ci/run, from
  // ever finishing. The suite's results are final once the last test has run; hunt leaks with
  // `npx jest --detectOpenHandles`.
  forceExit: true,
  projects: [
    { ...common, displayName: "unit", roots: ["<rootDir>/packages", "<rootDir>/services"], testMatch: ["**/src/**/*.spec.ts"] },
    {
      ...common,
      displayName: "integration",
      roots: ["<rootDir>/test"],
      testMatch: ["<rootDir>/test/**/*.test.ts"],
      globalSetup: "<rootDir>/test/support/kafka-global-setup.ts",
      globalTeardown: "<rootDir>/test/support/kafka-global-teardown.ts",
    },
    {
      ...common,
      displayName: "integration-secured",
      roots: ["<rootDir>/test"],
      testMatch: SECURED_TESTS.map((file) => `<rootDir>/${file}`),
      globalSetup: "<rootDir>/test/support/secured-kafka-global-setup.ts",
      globalTeardown: "<rootDir>/test/support/kafka-global-teardown.ts",
      setupFiles: ["<rootDir>/test/support/secured-kafka-env.ts"],
    },
  ],
};
