/**
 * The client principals of a secured local broker, each a SCRAM user with a client properties
 * file: `admin` is a super user, the others get the ACLs of {@link brokerAclCommands}.
 */
export const SECURED_PRINCIPALS = ["admin", "control", "decision", "producer"] as const;

/** One principal of {@link SECURED_PRINCIPALS}. */
export type SecuredPrincipal = (typeof SECURED_PRINCIPALS)[number];

/** The broker's own principal (inter-broker SASL), a super user with no client properties file. */
export const BROKER_PRINCIPAL = "broker";

/** flowzone's topics as the ACLs name them (packages/kafka owns the names; kafka-local depends on nothing). */
export const ACL_TOPICS = { control: "flowzone.control.v1", audit: "flowzone.audit.v1", redrive: "flowzone.redrive.v1", flows: "flowzone.flows.v1" } as const;

/** What a principal may not do to a topic it must be kept from writing. */
const WRITES = ["Write", "Delete", "Alter", "AlterConfigs"];

/**
 * `kafka-acls` argument lists, one run each, giving the flowzone principals their rights:
 * the control plane, decision points and producers may use every topic, group and transactional
 * id, but only the control plane may write (or delete, or reconfigure) `flowzone.control.v1` and
 * the re-drive ledger `flowzone.redrive.v1` (a forged ledger record would keep a quarantined
 * record from ever being re-driven), and producers may not write `flowzone.audit.v1` or
 * `flowzone.flows.v1` either (forged flows would enter the inventory). Deny wins over allow in Kafka's
 * authorizer, so the denials hold whatever else is allowed.
 */
export function brokerAclCommands(): string[][] {
  const principals = (flag: string, names: readonly SecuredPrincipal[]): string[] => names.flatMap((name) => [flag, `User:${name}`]);
  const operations = (names: readonly string[]): string[] => names.flatMap((name) => ["--operation", name]);
  return [
    ["--add", ...principals("--allow-principal", ["control", "decision", "producer"]), "--operation", "All", "--topic", "*", "--group", "*", "--transactional-id", "*"],
    ["--add", ...principals("--deny-principal", ["decision", "producer"]), ...operations(WRITES), "--topic", ACL_TOPICS.control],
    ["--add", ...principals("--deny-principal", ["decision", "producer"]), ...operations(WRITES), "--topic", ACL_TOPICS.redrive],
    ["--add", ...principals("--deny-principal", ["producer"]), ...operations(WRITES), "--topic", ACL_TOPICS.audit],
    ["--add", ...principals("--deny-principal", ["producer"]), ...operations(WRITES), "--topic", ACL_TOPICS.flows],
  ];
}
