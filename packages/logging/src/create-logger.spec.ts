import { createLogger } from "./create-logger";

function collect(): { lines: Record<string, unknown>[]; destination: { write(line: string): void } } {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    destination: {
      write(line: string): void {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  };
}

describe("createLogger", () => {
  it("stamps every line with the service and the component of a child", () => {
    const { lines, destination } = collect();
    createLogger({ destination, service: "pdp" }).child({ component: "reload" }).info("hello");
    expect(lines[0]).toMatchObject({ service: "pdp", component: "reload", msg: "hello", level: 30 });
  });

  it.each([
    [{ record: { value: "secret-payload" } }, ["record", "value"]],
    [{ record: { payload: "p" } }, ["record", "payload"]],
    [{ client: { token: "t0k3n" } }, ["client", "token"]],
    [{ authorization: "Bearer abc" }, ["authorization"]],
    [{ req: { headers: { authorization: "Bearer abc" } } }, ["req", "headers", "authorization"]],
  ])("redacts %j", (fields, path) => {
    const { lines, destination } = collect();
    createLogger({ destination }).info(fields, "with secrets");
    let node: unknown = lines[0];
    for (const key of path) node = (node as Record<string, unknown>)[key];
    expect(node).toBe("[redacted]");
  });

  it("keeps label and asset names readable", () => {
    const { lines, destination } = collect();
    createLogger({ destination }).info({ labels: ["banana"], sink: "kafka:orders" }, "decided");
    expect(lines[0]).toMatchObject({ labels: ["banana"], sink: "kafka:orders" });
  });

  it("honours the level", () => {
    const { lines, destination } = collect();
    const logger = createLogger({ destination, level: "warn" });
    logger.info("dropped");
    logger.warn("kept");
    expect(lines.map((l) => l["msg"])).toEqual(["kept"]);
  });

  it("throws on an unknown level at construction", () => {
    expect(() => createLogger({ level: "loud" })).toThrow(/loud/);
  });

  it("writes JSON to a destination that is not a terminal", () => {
    const { lines, destination } = collect();
    createLogger({ destination }).info("hello");
    expect(lines[0]).toMatchObject({ msg: "hello" });
  });

  it.each([
    ["on a terminal by default", { format: undefined, isTTY: true }],
    ["anywhere when asked", { format: "pretty" as const, isTTY: false }],
  ])("writes human-readable lines %s", (_name, { format, isTTY }) => {
    const lines: string[] = [];
    const destination = { isTTY, write: (line: string) => void lines.push(line) };
    createLogger({ destination, format }).child({ component: "pdp" }).info({ port: 50051 }, "listening");
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] .*INFO.*: .*pdp: listening.*"port":50051/);
    expect(lines[0]).not.toContain('"level"');
  });

  it("writes JSON to a terminal when asked", () => {
    const lines: string[] = [];
    const terminal = { isTTY: true, write: (line: string) => void lines.push(line) };
    createLogger({ destination: terminal, format: "json" }).info("hello");
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ msg: "hello", level: 30 });
  });
});
