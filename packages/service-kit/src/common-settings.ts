import { text } from "./setting-kinds";

/**
 * `--home` / `FLOWZONE_HOME`: the working folder of a local run: the local broker's jars and
 * data, embedded PostgreSQL (PGlite) and the audit spools. Relative to the working directory.
 */
export const HOME_SETTING = text({
  env: "FLOWZONE_HOME",
  flag: "home",
  description: "Working folder for the local broker (jars, data), embedded PostgreSQL and audit spools.",
  default: ".flowzone",
});

/** `FLOWZONE_POLICY` / `--policy` for the services that can run without a bundle directory of their own. */
export const OPTIONAL_POLICY_SETTING = text({
  env: "FLOWZONE_POLICY",
  flag: "policy",
  description: "Policy bundle directory.",
  default: undefined,
});
