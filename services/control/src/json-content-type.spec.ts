import { FlowzoneError } from "@flowzone/errors";

import { requireJsonContentType } from "./json-content-type";

function refusal(method: string, contentType: string | undefined): FlowzoneError | undefined {
  try {
    requireJsonContentType(method, contentType);
    return undefined;
  } catch (error) {
    if (error instanceof FlowzoneError) return error;
    throw error;
  }
}

describe("requireJsonContentType", () => {
  it.each([
    ["POST", "application/json"],
    ["PUT", "application/json; charset=utf-8"],
    ["DELETE", "Application/JSON;charset=UTF-8"],
    ["PATCH", 'application/json; charset="utf-8"'],
    ["POST", "application/json; foo=bar"],
    ["GET", undefined],
    ["GET", "text/plain"],
    ["HEAD", "application/x-www-form-urlencoded"],
  ])("lets %s with %p through", (method, contentType) => {
    expect(refusal(method, contentType)).toBeUndefined();
  });

  it.each([
    ["POST", "application/x-www-form-urlencoded", 'the request has "application/x-www-form-urlencoded"'],
    ["POST", "multipart/form-data; boundary=x", 'the request has "multipart/form-data; boundary=x"'],
    ["PUT", "text/plain;charset=UTF-8", 'the request has "text/plain;charset=UTF-8"'],
    ["POST", "application/json-patch+json", 'the request has "application/json-patch+json"'],
    ["POST", "application/jsonx", 'the request has "application/jsonx"'],
    ["POST", "application/json; charset=iso-8859-1", 'the request has "application/json; charset=iso-8859-1"'],
    ["DELETE", undefined, "the request has no content-type"],
    ["POST", "  ", "the request has no content-type"],
    ["PATCH", "text/html", 'the request has "text/html"'],
  ])("refuses %s with %p as unsupported_media_type, naming what it got", (method, contentType, got) => {
    const error = refusal(method, contentType);
    expect(error?.code).toBe("unsupported_media_type");
    expect(error?.message).toBe(`${method} needs the header "content-type: application/json", even without a body; ${got}`);
  });

  it("quotes at most 100 characters of a long header", () => {
    const error = refusal("POST", `text/plain; x=${"y".repeat(500)}`);
    expect(error?.message.length).toBeLessThan(220);
    expect(error?.message).toMatch(/…"$/);
  });
});
