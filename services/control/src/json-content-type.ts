import { FlowzoneError } from "@flowzone/errors";

/** Methods that only read; every other method changes something and must say it sends JSON. */
const READ_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD"]);

/** How much of a refused header the message quotes. */
const QUOTE_CHARS = 100;

/**
 * Refuses a change (any method but GET and HEAD) whose `content-type` is not `application/json`,
 * parameters allowed but a charset only if UTF-8, before the route reads the body. A browser sends
 * a cross-site form post (`application/x-www-form-urlencoded`, `multipart/form-data`,
 * `text/plain`, or no body and no type) without asking the server first; `application/json` it
 * sends only after a CORS preflight, which this API never grants. So a web page cannot make a
 * developer's browser change a control plane that listens on loopback without tokens. The header
 * is required even where the body is optional or absent (DELETE, `fixed`): one rule, no hole.
 *
 * @throws FlowzoneError `unsupported_media_type` naming the method and the content-type it got.
 */
export function requireJsonContentType(method: string, contentType: string | undefined): void {
  if (READ_METHODS.has(method) || isJson(contentType)) return;
  const got = contentType === undefined || contentType.trim() === "" ? "no content-type" : JSON.stringify(quote(contentType));
  throw new FlowzoneError("unsupported_media_type", `${method} needs the header "content-type: application/json", even without a body; the request has ${got}`);
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type = "", ...parameters] = contentType.split(";");
  if (type.trim().toLowerCase() !== "application/json") return false;
  return parameters.every((parameter) => {
    const [name = "", value = ""] = parameter.split("=", 2);
    return name.trim().toLowerCase() !== "charset" || /^"?utf-8"?$/i.test(value.trim());
  });
}

function quote(text: string): string {
  return text.length <= QUOTE_CHARS ? text : `${text.slice(0, QUOTE_CHARS)}…`;
}
