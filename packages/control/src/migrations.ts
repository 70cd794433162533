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

/**
 * The per-zone counts of migration 8 built from the signatures in one pass: what the store held
 * before the trigger kept them.
 */
const BACKLOG_COUNT_REBUILD: readonly string[] = [
  `INSERT INTO zone_backlog (zone, open_signatures, last_violation_at)
         SELECT zone, count(*) FILTER (WHERE status = 'open'), max(last_seen) FROM violation_signatures GROUP BY zone`,
  `INSERT INTO zone_backlog_days (zone, day, opened, resolved)
         SELECT zone, day, sum(opened), sum(resolved) FROM (
           SELECT zone, (first_seen AT TIME ZONE 'UTC')::date AS day, 1 AS opened, 0 AS resolved FROM violation_signatures
           UNION ALL
           SELECT zone, (resolved_at AT TIME ZONE 'UTC')::date, 0, 1 FROM violation_signatures WHERE status = 'resolved'
         ) AS changes GROUP BY zone, day`,
  `INSERT INTO zone_open_flows (zone, producer, sink, labels, signatures, count)
         SELECT zone, producer, sink, labels, count(*), sum(count) FROM violation_signatures WHERE status = 'open'
         GROUP BY zone, producer, sink, labels`,
];

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
  {
    version: 8,
    name: "backlog counts kept rather than recounted; the console's history, recent audit records and decision points",
    statements: [
      // Each zone's open signatures and latest violation, kept by the trigger below, so a zone's
      // status reads one row instead of counting a backlog that may hold a million signatures.
      `CREATE TABLE zone_backlog (
         zone text PRIMARY KEY,
         open_signatures bigint NOT NULL DEFAULT 0,
         last_violation_at timestamptz
       )`,
      // Signatures that opened (first seen or reopened) and were resolved, per zone and UTC day:
      // the burn-down and the drain forecast's pace. A day's open count at its end is today's
      // count minus what opened since plus what was resolved since.
      `CREATE TABLE zone_backlog_days (
         zone text NOT NULL,
         day date NOT NULL,
         opened bigint NOT NULL DEFAULT 0,
         resolved bigint NOT NULL DEFAULT 0,
         PRIMARY KEY (zone, day)
       )`,
      // The open signatures folded by flow (rules together), so the zone's top open flows are an
      // index scan rather than a GROUP BY over the backlog.
      `CREATE TABLE zone_open_flows (
         zone text NOT NULL,
         producer text NOT NULL,
         sink text NOT NULL,
         labels jsonb NOT NULL,
         signatures bigint NOT NULL,
         count bigint NOT NULL,
         PRIMARY KEY (zone, producer, sink, labels)
       )`,
      `CREATE INDEX zone_open_flows_by_count ON zone_open_flows (zone, count DESC, producer, sink)`,
      // One trigger keeps all three in the transaction that changes a signature, whichever code
      // path changes it (the backlog, a fix, an exception, a policy push): a row counts as open
      // with its count, and what changes is the difference between its old and new selves. A
      // signature opens on the day of its violation and is resolved on the day of its resolution.
      `CREATE FUNCTION violation_signatures_keep_counts() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         was_open boolean := TG_OP <> 'INSERT' AND OLD.status = 'open';
         is_open boolean := TG_OP <> 'DELETE' AND NEW.status = 'open';
         row_now violation_signatures := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
         open_delta integer := is_open::integer - was_open::integer;
         count_delta bigint := CASE WHEN is_open THEN NEW.count ELSE 0 END - CASE WHEN was_open THEN OLD.count ELSE 0 END;
         change_day date;
       BEGIN
         INSERT INTO zone_backlog AS b (zone, open_signatures, last_violation_at)
           VALUES (row_now.zone, open_delta, CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.last_seen END)
           ON CONFLICT (zone) DO UPDATE SET open_signatures = b.open_signatures + EXCLUDED.open_signatures,
             last_violation_at = GREATEST(b.last_violation_at, EXCLUDED.last_violation_at);
         IF open_delta <> 0 THEN
           change_day := CASE WHEN open_delta > 0 AND TG_OP = 'INSERT' THEN NEW.first_seen
                       WHEN open_delta > 0 THEN NEW.last_seen
                       ELSE COALESCE(NEW.resolved_at, now()) END AT TIME ZONE 'UTC';
           INSERT INTO zone_backlog_days AS d (zone, day, opened, resolved)
             VALUES (row_now.zone, change_day, GREATEST(open_delta, 0), GREATEST(-open_delta, 0))
             ON CONFLICT (zone, day) DO UPDATE SET opened = d.opened + EXCLUDED.opened, resolved = d.resolved + EXCLUDED.resolved;
         END IF;
         IF open_delta <> 0 OR count_delta <> 0 THEN
           INSERT INTO zone_open_flows AS f (zone, producer, sink, labels, signatures, count)
             VALUES (row_now.zone, row_now.producer, row_now.sink, row_now.labels, open_delta, count_delta)
             ON CONFLICT (zone, producer, sink, labels) DO UPDATE SET signatures = f.signatures + EXCLUDED.signatures, count = f.count + EXCLUDED.count;
         END IF;
         IF open_delta < 0 THEN
           DELETE FROM zone_open_flows WHERE zone = row_now.zone AND producer = row_now.producer AND sink = row_now.sink
             AND labels = row_now.labels AND signatures <= 0;
         END IF;
         RETURN NULL;
       END $$`,
      `CREATE TRIGGER violation_signatures_counts AFTER INSERT OR UPDATE OR DELETE ON violation_signatures
         FOR EACH ROW EXECUTE FUNCTION violation_signatures_keep_counts()`,
      // What the store held before this migration: counted once. Its days are rebuilt from first
      // seen and resolution times (a signature reopened before counts from its first violation).
      ...BACKLOG_COUNT_REBUILD,
      // Keyset pages of a zone's signatures, most recently seen first, of one status or of all.
      `DROP INDEX violation_signatures_by_zone`,
      `CREATE INDEX violation_signatures_page ON violation_signatures (zone, status, last_seen DESC, id)`,
      `CREATE INDEX violation_signatures_page_all ON violation_signatures (zone, last_seen DESC, id)`,
      // The last audit records of each zone as the backlog read them (a bounded window, pruned as
      // records arrive), for the console; seq is the order they were read in.
      `CREATE TABLE zone_audit_recent (
         seq bigserial PRIMARY KEY,
         zone text NOT NULL,
         record_id text NOT NULL,
         at timestamptz NOT NULL,
         kind text NOT NULL,
         producer text,
         sink text,
         labels jsonb NOT NULL,
         enforced boolean,
         enforcement_point text,
         reporter text,
         subject text,
         policy_version text NOT NULL,
         summary text NOT NULL
       )`,
      `CREATE INDEX zone_audit_recent_by_zone ON zone_audit_recent (zone, seq DESC)`,
      // Every decision point that reported traffic for a zone, with the policy version of its last
      // report, so a replica behind on policy shows; forgotten when unseen for a while.
      `CREATE TABLE decision_points (
         reporter text NOT NULL,
         zone text NOT NULL,
         enforcement_point text NOT NULL,
         policy_version text NOT NULL,
         last_seen timestamptz NOT NULL,
         PRIMARY KEY (reporter, zone)
       )`,
      `CREATE INDEX decision_points_by_last_seen ON decision_points (last_seen)`,
    ],
  },
  {
    version: 9,
    name: "backlog counts kept per statement rather than per row",
    statements: [
      // Migration 8's trigger ran its plpgsql and three upserts once per signature row, all on the
      // same zone's counter row, whose versions each update walks again: one INSERT of 4,000
      // signatures of one zone took 331 ms on the server and 505 ms on PGlite (medians), 85 ms
      // and 126 ms with these triggers. They keep the same counts once per statement: the rows a
      // statement changed come as transition tables, are turned into one set of changes, and each
      // count table takes one aggregated upsert.
      `DROP TRIGGER violation_signatures_counts ON violation_signatures`,
      `DROP FUNCTION violation_signatures_keep_counts()`,
      // One signature row's change, as migration 8's trigger saw it: its flow (the new row's, as
      // there), whether it was and is open, with its count before and after, its last violation
      // (none for a delete) and, when it opens or closes, the UTC day it does.
      `CREATE TYPE violation_signature_change AS (
         zone text,
         producer text,
         sink text,
         labels jsonb,
         was_open boolean,
         is_open boolean,
         old_count bigint,
         new_count bigint,
         last_seen timestamptz,
         change_day date
       )`,
      // Migration 8's rules, set-wise: a signature opens on its first violation's day when
      // inserted, on its last violation's day when reopened, and closes on its resolution's day
      // (now for a delete). Rows of an UPDATE pair by id, which no statement changes. Each table's
      // rows are upserted in key order, zones by name as lockZoneBacklogs takes them, so
      // concurrent writers lock them in one order. A flow left without open signatures goes.
      `CREATE FUNCTION violation_signatures_keep_counts_per_statement() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         changes violation_signature_change[];
       BEGIN
         IF TG_OP = 'INSERT' THEN
           SELECT array_agg(ROW(n.zone, n.producer, n.sink, n.labels, false, n.status = 'open', 0, n.count, n.last_seen,
                                CASE WHEN n.status = 'open' THEN (n.first_seen AT TIME ZONE 'UTC')::date END)::violation_signature_change)
             INTO changes FROM new_signatures AS n;
         ELSIF TG_OP = 'UPDATE' THEN
           SELECT array_agg(ROW(n.zone, n.producer, n.sink, n.labels, o.status = 'open', n.status = 'open', o.count, n.count, n.last_seen,
                                CASE WHEN n.status = 'open' AND o.status <> 'open' THEN (n.last_seen AT TIME ZONE 'UTC')::date
                                     WHEN o.status = 'open' AND n.status <> 'open' THEN (COALESCE(n.resolved_at, now()) AT TIME ZONE 'UTC')::date
                                END)::violation_signature_change)
             INTO changes FROM old_signatures AS o JOIN new_signatures AS n ON n.id = o.id;
         ELSE
           SELECT array_agg(ROW(o.zone, o.producer, o.sink, o.labels, o.status = 'open', false, o.count, 0, NULL,
                                CASE WHEN o.status = 'open' THEN (now() AT TIME ZONE 'UTC')::date END)::violation_signature_change)
             INTO changes FROM old_signatures AS o;
         END IF;
         IF changes IS NULL THEN
           RETURN NULL;
         END IF;
         INSERT INTO zone_backlog AS b (zone, open_signatures, last_violation_at)
           SELECT c.zone, sum(c.is_open::integer - c.was_open::integer), max(c.last_seen) FROM unnest(changes) AS c
           GROUP BY c.zone ORDER BY c.zone
           ON CONFLICT (zone) DO UPDATE SET open_signatures = b.open_signatures + EXCLUDED.open_signatures,
             last_violation_at = GREATEST(b.last_violation_at, EXCLUDED.last_violation_at);
         INSERT INTO zone_backlog_days AS d (zone, day, opened, resolved)
           SELECT c.zone, c.change_day, count(*) FILTER (WHERE c.is_open), count(*) FILTER (WHERE c.was_open)
           FROM unnest(changes) AS c WHERE c.is_open <> c.was_open
           GROUP BY c.zone, c.change_day ORDER BY c.zone, c.change_day
           ON CONFLICT (zone, day) DO UPDATE SET opened = d.opened + EXCLUDED.opened, resolved = d.resolved + EXCLUDED.resolved;
         INSERT INTO zone_open_flows AS f (zone, producer, sink, labels, signatures, count)
           SELECT c.zone, c.producer, c.sink, c.labels, sum(c.is_open::integer - c.was_open::integer),
                  sum(CASE WHEN c.is_open THEN c.new_count ELSE 0 END - CASE WHEN c.was_open THEN c.old_count ELSE 0 END)
           FROM unnest(changes) AS c
           WHERE c.is_open <> c.was_open OR (c.is_open AND c.new_count <> c.old_count)
           GROUP BY c.zone, c.producer, c.sink, c.labels ORDER BY c.zone, c.producer, c.sink, c.labels
           ON CONFLICT (zone, producer, sink, labels) DO UPDATE SET signatures = f.signatures + EXCLUDED.signatures, count = f.count + EXCLUDED.count;
         DELETE FROM zone_open_flows AS f
           USING (SELECT DISTINCT c.zone, c.producer, c.sink, c.labels FROM unnest(changes) AS c WHERE c.was_open AND NOT c.is_open) AS closed
           WHERE f.zone = closed.zone AND f.producer = closed.producer AND f.sink = closed.sink AND f.labels = closed.labels
             AND f.signatures <= 0;
         RETURN NULL;
       END $$`,
      // Transition tables allow one event per trigger: three triggers share the function.
      `CREATE TRIGGER violation_signatures_counts_insert AFTER INSERT ON violation_signatures
         REFERENCING NEW TABLE AS new_signatures
         FOR EACH STATEMENT EXECUTE FUNCTION violation_signatures_keep_counts_per_statement()`,
      `CREATE TRIGGER violation_signatures_counts_update AFTER UPDATE ON violation_signatures
         REFERENCING OLD TABLE AS old_signatures NEW TABLE AS new_signatures
         FOR EACH STATEMENT EXECUTE FUNCTION violation_signatures_keep_counts_per_statement()`,
      `CREATE TRIGGER violation_signatures_counts_delete AFTER DELETE ON violation_signatures
         REFERENCING OLD TABLE AS old_signatures
         FOR EACH STATEMENT EXECUTE FUNCTION violation_signatures_keep_counts_per_statement()`,
    ],
  },
];
