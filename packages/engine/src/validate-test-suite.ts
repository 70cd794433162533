import type { Located } from "./map-reader";
import { MapReader } from "./map-reader";
import { checkAssetId } from "./validate-common";

/** A write as a policy test gives it, with lines for the undeclared-label and unknown-source checks. */
export interface RawTestWrite {
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly Located<string>[];
  readonly sources: readonly Located<string>[];
  readonly purpose: string;
}

/** An expected violation, with lines for the unknown-zone and unknown-rule checks. */
export interface RawExpectedViolation {
  readonly zone: Located<string>;
  readonly rule: Located<string>;
  readonly enforced: boolean | undefined;
}

/** One test case as written. */
export interface RawTestCase {
  readonly name: string;
  readonly line: number;
  readonly write: RawTestWrite;
  readonly decision: "allow" | "deny";
  readonly violations: readonly RawExpectedViolation[] | undefined;
}

/** A `kind: TestSuite` document as written. */
export interface RawTestSuite {
  readonly name: Located<string> | undefined;
  readonly file: string;
  readonly tests: readonly RawTestCase[];
}

const SUITE_KEYS = ["kind", "name", "tests"] as const;
const TEST_KEYS = ["name", "write", "expect"] as const;
const WRITE_KEYS = ["producer", "sink", "labels", "sources", "purpose"] as const;
const EXPECT_KEYS = ["decision", "violations"] as const;
const VIOLATION_KEYS = ["zone", "rule", "enforced"] as const;
const DECISIONS = ["allow", "deny"] as const;

/** Validates a TestSuite document, reporting every problem it finds (names are resolved against the bundle later). */
export function validateTestSuite(reader: MapReader): RawTestSuite {
  reader.subject = "a TestSuite document";
  const name = reader.string("name", true);
  if (name !== undefined) reader.subject = `test suite "${name.value}"`;
  reader.rejectUnknownKeys(SUITE_KEYS);
  const items = reader.list("tests", "a list of tests");
  if (items === undefined && reader.node("tests") === undefined) reader.missing("tests");
  const tests: RawTestCase[] = [];
  const seen = new Map<string, number>();
  (items ?? []).forEach((item, index) => {
    const test = validateTestCase(reader, item, index);
    if (test === undefined) return;
    const first = seen.get(test.name);
    if (first !== undefined) {
      reader.context.report(test.line, `${reader.subject} has two tests named "${test.name}" (the first at line ${first})`);
    } else seen.set(test.name, test.line);
    tests.push(test);
  });
  return { name, file: reader.context.file, tests };
}

function validateTestCase(suite: MapReader, item: Located<unknown>, index: number): RawTestCase | undefined {
  const reader = MapReader.open(suite.context, item.value, `test ${index + 1} of ${suite.subject}`, item.line);
  if (reader === undefined) return undefined;
  const name = reader.string("name", true);
  if (name !== undefined) reader.subject = `test "${name.value}" of ${suite.subject}`;
  reader.rejectUnknownKeys(TEST_KEYS);
  const writeNode = reader.node("write");
  const expectNode = reader.node("expect");
  if (writeNode === undefined) reader.missing("write");
  if (expectNode === undefined) reader.missing("expect");
  const write =
    writeNode === undefined ? undefined : MapReader.open(reader.context, writeNode, `the write of ${reader.subject}`, reader.lineOf("write"));
  const expect =
    expectNode === undefined ? undefined : MapReader.open(reader.context, expectNode, `the expectation of ${reader.subject}`, reader.lineOf("expect"));
  const parsedWrite = write === undefined ? undefined : validateWrite(write);
  const decision = expect === undefined ? undefined : validateExpect(expect);
  if (name === undefined || parsedWrite === undefined || decision === undefined) return undefined;
  return { name: name.value, line: reader.line, write: parsedWrite, ...decision };
}

function validateWrite(reader: MapReader): RawTestWrite | undefined {
  reader.rejectUnknownKeys(WRITE_KEYS);
  const producer = reader.string("producer", true);
  const sink = reader.string("sink", true);
  const labels = reader.stringList("labels") ?? [];
  const sources = reader.stringList("sources") ?? [];
  const purpose = reader.string("purpose")?.value ?? "";
  if (producer !== undefined) checkAssetId(reader, producer, "producer");
  if (sink !== undefined) checkAssetId(reader, sink, "sink");
  const wellFormedSources = sources.filter((source) => checkAssetId(reader, source, "source"));
  if (producer === undefined || sink === undefined) return undefined;
  return { producer: producer.value, sink: sink.value, labels, sources: wellFormedSources, purpose };
}

function validateExpect(
  reader: MapReader,
): Pick<RawTestCase, "decision" | "violations"> | undefined {
  reader.rejectUnknownKeys(EXPECT_KEYS);
  const decision = reader.oneOf("decision", DECISIONS, "decision");
  if (decision === undefined && reader.node("decision") === undefined) reader.missing("decision");
  const items = reader.list("violations", "a list of violations");
  const violations: RawExpectedViolation[] = [];
  (items ?? []).forEach((item, index) => {
    const entry = MapReader.open(reader.context, item.value, `expected violation ${index + 1} of ${reader.subject}`, item.line);
    if (entry === undefined) return;
    entry.rejectUnknownKeys(VIOLATION_KEYS);
    const zone = entry.string("zone", true);
    const rule = entry.string("rule", true);
    const enforced = entry.boolean("enforced");
    if (zone !== undefined && rule !== undefined) violations.push({ zone, rule, enforced });
  });
  if (decision === undefined) return undefined;
  return { decision, violations: items === undefined ? undefined : violations };
}
