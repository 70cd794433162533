import { createLogger } from "./create-logger";

/** The top-level keys of one JSON line, in order, duplicates kept (JSON.parse would hide them). */
function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let i = 0;
  while (i < line.length) {
    const c = line.charAt(i);
    if (c === '"') {
      let end = i + 1;
      while (line.charAt(end) !== '"') end += line.charAt(end) === "\\" ? 2 : 1;
      if (depth === 1 && line.charAt(end + 1) === ":") keys.push(JSON.parse(line.slice(i, end + 1)) as string);
      i = end + 1;
      continue;
    }
    if (c === "{" || c === "[") depth += 1;
    if (c === "}" || c === "]") depth -= 1;
    i += 1;
  }
  return keys;
}

function collect(): { lines: string[]; destination: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe("one key once per line", () => {
  it("reads keys twice when a line has them twice (the helper can fail)", () => {
    expect(topLevelKeys('{"a":1,"b":{"a":2},"a":"x\\"y"}')).toEqual(["a", "b", "a"]);
  });

  it("a child's component replaces its parent's", () => {
    const { lines, destination } = collect();
    createLogger({ destination }).child({ component: "pdp" }).child({ component: "metrics" }).info({ port: 9464 }, "listening");
    const line = lines[0] ?? "";
    expect(topLevelKeys(line)).toEqual(["level", "time", "service", "component", "port", "msg"]);
    expect(JSON.parse(line)).toMatchObject({ component: "metrics", port: 9464 });
  });

  it("a grandchild keeps the bindings it does not repeat", () => {
    const { lines, destination } = collect();
    createLogger({ destination, service: "dev" }).child({ component: "enforcer", route: "r1" }).child({ component: "producers" }).warn("fenced");
    expect(topLevelKeys(lines[0] ?? "")).toEqual(["level", "time", "service", "component", "route", "msg"]);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ service: "dev", component: "producers", route: "r1" });
  });

  it("a call's field replaces a binding for that line only", () => {
    const { lines, destination } = collect();
    const log = createLogger({ destination }).child({ component: "audit-writer", topic: "flowzone.audit.v1" });
    log.info({ topic: "other", records: 3 }, "sent");
    log.info("after");
    expect(topLevelKeys(lines[0] ?? "")).toEqual(["level", "time", "service", "component", "topic", "records", "msg"]);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ topic: "other", records: 3 });
    expect(JSON.parse(lines[1] ?? "")).toMatchObject({ topic: "flowzone.audit.v1" });
  });

  it("still redacts a field that replaces a binding", () => {
    const { lines, destination } = collect();
    createLogger({ destination }).child({ token: "a" }).info({ token: "t0k3n" }, "auth");
    expect(topLevelKeys(lines[0] ?? "").filter((k) => k === "token")).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ token: "[redacted]" });
  });
});
