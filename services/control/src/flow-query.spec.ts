import { FlowzoneError } from "@flowzone/errors";

import { parseFlowQuery } from "./flow-query";

const query = (text: string) => parseFlowQuery(new URLSearchParams(text));

describe("parseFlowQuery", () => {
  it("defaults to the last 7 days and 100 flows, no filters", () => {
    expect(query("")).toEqual({ zone: undefined, label: undefined, sink: undefined, producer: undefined, windowMs: 7 * 86_400_000, limit: 100 });
  });

  it("reads every filter, the window and the limit", () => {
    expect(query("zone=banana&label=pii.email&sink=kafka:ads&producer=svc:app&since=24h&limit=1000")).toEqual({
      zone: "banana",
      label: "pii.email",
      sink: "kafka:ads",
      producer: "svc:app",
      windowMs: 86_400_000,
      limit: 1000,
    });
  });

  it.each([
    ["sinks=kafka:ads", "sinks", 'unknown query parameter "sinks"; expected "zone", "label", "sink", "producer", "since", "limit"'],
    ["zone=a&zone=b", "zone", '"zone" is given more than once'],
    ["label=", "label", '"label" must not be empty; leave it out to match every flow'],
    ["since=7", "since", '"since" must be a positive duration such as 7d, 24h or 90m, not "7"'],
    ["since=0", "since", '"since" must be a positive duration such as 7d, 24h or 90m, not "0"'],
    ["limit=0", "limit", '"limit" must be an integer from 1 to 1000, not "0"'],
    ["limit=1001", "limit", '"limit" must be an integer from 1 to 1000, not "1001"'],
  ])("refuses ?%s naming %s", (text, field, message) => {
    let error: unknown;
    try {
      query(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FlowzoneError);
    expect(error).toMatchObject({ code: "invalid_argument", message, details: { fieldViolations: [{ field, description: message }] } });
  });
});
