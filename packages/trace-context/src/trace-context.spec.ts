import { traceIdOf } from "./trace-context";

describe("traceIdOf", () => {
  it.each([
    ["a string", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "4bf92f3577b34da6a3ce929d0e0e4736"],
    ["a Buffer (Kafka header)", Buffer.from("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"), "4bf92f3577b34da6a3ce929d0e0e4736"],
    ["a repeated header: the first counts", ["00-11111111111111111111111111111111-00f067aa0ba902b7-01", "junk"], "11111111111111111111111111111111"],
    ["no header", undefined, ""],
    ["a malformed value", "00-xyz-00f067aa0ba902b7-01", ""],
    ["the all-zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", ""],
  ])("reads %s", (_name, value, expected) => {
    expect(traceIdOf(value)).toBe(expected);
  });
});
