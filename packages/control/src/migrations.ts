/**
 * The store's schema as numbered migrations, applied in order at start-up. Append only: a
 * released migration is never edited, a change is a new number. Each migration is a list of
 * single statements because PGlite's parameterised protocol runs one statement per call.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "control plane core",
    statements: [
      // The control epoch: one sequence, never rolled back, so an epoch published by a transaction
      // that later failed is never handed out again; control_state keeps the last committed one.
      `CREATE SEQUENCE control_epoch`,
      `CREATE TABLE control_state (
         id int PRIMARY KEY CHECK (id = 1),
         epoch bigint NOT NULL
       )`,
      `INSERT INTO control_state (id, epoch) VALUES (1, 0)`,
      `CREATE TABLE policy_bundles (
         id bigserial PRIMARY KEY,
         version text NOT NULL,
         files jsonb NOT NULL,
         pushed_by text NOT NULL,
         pushed_at timestamptz NOT NULL,
         epoch bigint NOT NULL
       )`,
      `CREATE TABLE zone_state (
         zone text PRIMARY KEY,
         mode text NOT NULL CHECK (mode IN ('off', 'logging', 'enforcement')),
         epoch bigint NOT NULL,
         updated_at timestamptz NOT NULL
       )`,
      `CREATE TABLE zone_flips (
         id bigserial PRIMARY KEY,
         zone text NOT NULL,
         from_mode text NOT NULL,
         to_mode text NOT NULL,
         actor text NOT NULL,
         reason text NOT NULL,
         forced boolean NOT NULL,
         automatic boolean NOT NULL,
         at timestamptz NOT NULL,
         epoch bigint NOT NULL
       )`,
      `CREATE INDEX zone_flips_by_zone ON zone_flips (zone, id DESC)`,
      `CREATE TABLE violation_signatures (
         id text PRIMARY KEY,
         zone text NOT NULL,
         rule text NOT NULL,
         producer text NOT NULL,
         sink text NOT NULL,
         labels jsonb NOT NULL,
         first_seen timestamptz NOT NULL,
         last_seen timestamptz NOT NULL,
         count bigint NOT NULL,
         status text NOT NULL CHECK (status IN ('open', 'resolved')),
         resolution text CHECK (resolution IN ('policy_change', 'exception', 'fixed')),
         resolved_at timestamptz,
         reopened integer NOT NULL DEFAULT 0
       )`,
      `CREATE INDEX violation_signatures_by_zone ON violation_signatures (zone, status, last_seen DESC)`,
      `CREATE TABLE zone_decisions (
         zone text NOT NULL,
         bucket_start timestamptz NOT NULL,
         decisions bigint NOT NULL,
         PRIMARY KEY (zone, bucket_start)
       )`,
      `CREATE TABLE remediations (
         id bigserial PRIMARY KEY,
         signature_id text NOT NULL REFERENCES violation_signatures (id),
         action text NOT NULL CHECK (action IN ('policy_change', 'exception', 'fixed')),
         note text NOT NULL,
         actor text NOT NULL,
         at timestamptz NOT NULL
       )`,
      `CREATE INDEX remediations_by_signature ON remediations (signature_id, id DESC)`,
      `CREATE TABLE zone_exceptions (
         id text PRIMARY KEY,
         zone text NOT NULL,
         producer text NOT NULL,
         sink text NOT NULL,
         justification text NOT NULL,
         approver text NOT NULL,
         created_at timestamptz NOT NULL,
         expires_at timestamptz NOT NULL,
         revoked_at timestamptz,
         revoked_by text,
         expired boolean NOT NULL DEFAULT false,
         epoch bigint NOT NULL
       )`,
      `CREATE INDEX zone_exceptions_active ON zone_exceptions (zone) WHERE revoked_at IS NULL`,
      `CREATE TABLE consumed_offsets (
         topic text NOT NULL,
         partition integer NOT NULL,
         next_offset bigint NOT NULL,
         updated_at timestamptz NOT NULL,
         PRIMARY KEY (topic, partition)
       )`,
    ],
  },
  {
    version: 2,
    name: "epoch of a policy or exception resolution",
    statements: [
      // The control epoch that resolved a signature by policy change or exception (null for fixed):
      // a violation decided under an older epoch was decided before the remediation reached its
      // decision point, so it is counted but does not reopen the signature.
      `ALTER TABLE violation_signatures ADD COLUMN resolved_epoch bigint`,
    ],
  },
  {
    version: 3,
    name: "offsets bound to the topic incarnation they count; counting idempotent on record ids",
    statements: [
      // The cluster and the last record counted tell a stored offset's topic incarnation from a new
      // one (a new broker, a recreated topic), whose offsets start at 0 again.
      `ALTER TABLE consumed_offsets ADD COLUMN cluster_id text`,
      `ALTER TABLE consumed_offsets ADD COLUMN last_record_id text`,
      // Ids of the audit records counted, so a partition read again from its start counts none twice.
      `CREATE TABLE consumed_records (
         record_id text PRIMARY KEY,
         consumed_at timestamptz NOT NULL
       )`,
      `CREATE INDEX consumed_records_at ON consumed_records (consumed_at)`,
    ],
  },
  {
    version: 4,
    name: "transactional outbox: control and audit records written with their change, published after commit",
    statements: [
      // Each change's outgoing records, encoded once (so a retry sends the same bytes, record ids
      // included) and published in id order after the change commits. A null value is a tombstone.
      `CREATE TABLE outbox (
         id bigserial PRIMARY KEY,
         target text NOT NULL CHECK (target IN ('control', 'audit')),
         key text NOT NULL,
         value bytea,
         created_at timestamptz NOT NULL,
         published_at timestamptz
       )`,
      `CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL`,
      // Who drains the outbox: one replica at a time, so records reach Kafka in commit order.
      `CREATE TABLE outbox_lease (
         id int PRIMARY KEY CHECK (id = 1),
         holder text,
         expires_at timestamptz
       )`,
      `INSERT INTO outbox_lease (id, holder, expires_at) VALUES (1, NULL, NULL)`,
    ],
  },
  {
    version: 5,
    name: "violations of signatures a zone had no room for",
    statements: [
      // Each zone holds at most a configured number of open signatures; a violation of a signature
      // beyond it is not stored but counted here, with its time, so readiness knows the zone saw
      // flows nobody can list.
      `CREATE TABLE zone_unstored_violations (
         zone text PRIMARY KEY,
         violations bigint NOT NULL,
         last_at timestamptz NOT NULL
       )`,
    ],
  },
  {
    version: 6,
    name: "outbox records Kafka refuses are set aside rather than retried forever",
    statements: [
      // A record Kafka refuses for itself (too large for the topic, invalid) is never published:
      // it is kept with the time and Kafka's reason, and the records behind it flow on.
      `ALTER TABLE outbox ADD COLUMN set_aside_at timestamptz, ADD COLUMN set_aside_reason text`,
      `DROP INDEX outbox_unpublished`,
      `CREATE INDEX outbox_pending ON outbox (id) WHERE published_at IS NULL AND set_aside_at IS NULL`,
    ],
  },
  {
    version: 7,
    name: "flow inventory: every distinct flow the decision points report, with hourly counts",
    statements: [
      // One row per flow signature (what the decision points key their reports by): what the flow
      // is, when it was first and last seen and its decisions in all. Age-out deletes by last_seen.
      `CREATE TABLE flows (
         signature text PRIMARY KEY,
         producer text NOT NULL,
         sink text NOT NULL,
         labels jsonb NOT NULL,
         sources jsonb NOT NULL,
         purpose text NOT NULL,
         first_seen timestamptz NOT NULL,
         last_seen timestamptz NOT NULL,
         count bigint NOT NULL
       )`,
      `CREATE INDEX flows_by_last_seen ON flows (last_seen)`,
      // Decisions per flow and hour, so a window's count is a sum over its buckets; a flow's
      // buckets go with it.
      `CREATE TABLE flow_counts (
         signature text NOT NULL REFERENCES flows (signature) ON DELETE CASCADE,
         bucket_start timestamptz NOT NULL,
         count bigint NOT NULL,
         PRIMARY KEY (signature, bucket_start)
       )`,
      // The window's buckets (listing) and the old ones (age-out) are both found by time.
      `CREATE INDEX flow_counts_by_bucket ON flow_counts (bucket_start, signature)`,
    ],
  },
];
