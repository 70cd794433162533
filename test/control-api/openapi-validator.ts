/**
 * Validates real HTTP responses of the control plane against its OpenAPI 3.1 document
 * (services/control/openapi.json) with ajv's JSON Schema 2020-12 validator, and records which
 * documented responses were seen, so a test can fail on a documented status nothing exercised.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import Ajv2020 from "ajv/dist/2020";
import type { ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";

import type { ApiResponse } from "./control-api-harness";

export const OPENAPI_PATH = path.join(__dirname, "..", "..", "services", "control", "openapi.json");

/** The parts of an OpenAPI document these tests read. */
export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string };
  readonly paths: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, unknown>>; readonly responses: Readonly<Record<string, unknown>> };
}

interface MediaType {
  readonly schema?: unknown;
}
interface ResponseObject {
  readonly description: string;
  readonly content?: Readonly<Record<string, MediaType>>;
  readonly headers?: Readonly<Record<string, unknown>>;
}
interface Operation {
  readonly responses: Readonly<Record<string, ResponseObject | { readonly $ref: string }>>;
}

export const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const;

/** The schemas' own base: `#/components/schemas/X` becomes `<BASE>#/$defs/X` for ajv. */
const BASE = "urn:flowzone:openapi:schemas";

export function readOpenApiDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(OPENAPI_PATH, "utf8")) as OpenApiDocument;
}

export class OpenApiValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  /** `METHOD path status` of every documented response a validated response matched. */
  readonly seen = new Set<string>();

  constructor(readonly document: OpenApiDocument) {
    this.ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema(rebase({ $id: BASE, $defs: document.components.schemas }) as object);
  }

  /** Every documented `METHOD path status`, for the coverage check. */
  documented(): string[] {
    const all: string[] = [];
    for (const [template, item] of Object.entries(this.document.paths)) {
      for (const method of HTTP_METHODS) {
        const operation = item[method] as Operation | undefined;
        if (operation === undefined) continue;
        for (const status of Object.keys(operation.responses)) all.push(`${method.toUpperCase()} ${template} ${status}`);
      }
    }
    return all;
  }

  /** Compiles the schema of every documented response (and response component); throws naming the first that does not compile. */
  compileAll(): number {
    let count = 0;
    const responses: [string, ResponseObject | { readonly $ref: string }][] = Object.entries(this.document.components.responses as Record<string, ResponseObject>);
    for (const [template, item] of Object.entries(this.document.paths)) {
      for (const method of HTTP_METHODS) {
        const operation = item[method] as Operation | undefined;
        for (const [status, response] of Object.entries(operation?.responses ?? {})) responses.push([`${method.toUpperCase()} ${template} ${status}`, response]);
      }
    }
    for (const [key, response] of responses) {
      for (const media of Object.values(this.resolve(response).content ?? {})) {
        if (media.schema === undefined) continue;
        this.validatorOf(key, media.schema);
        count += 1;
      }
    }
    return count;
  }

  /**
   * Fails (throws with every schema error) unless `response` is one the document describes for
   * `method` on the path template: its status is documented, its content type is one of the
   * documented ones, and its body validates against that media type's schema.
   */
  check(method: string, template: string, response: ApiResponse): void {
    const item = this.document.paths[template];
    if (item === undefined) throw new Error(`the document has no path ${template}`);
    const operation = item[method.toLowerCase()] as Operation | undefined;
    if (operation === undefined) throw new Error(`the document has no ${method} ${template}`);
    const key = `${method.toUpperCase()} ${template} ${response.status}`;
    const documented = operation.responses[String(response.status)];
    if (documented === undefined) throw new Error(`${key} is not documented; body: ${response.text}`);
    this.checkAgainst(key, this.resolve(documented), response);
    this.seen.add(key);
  }

  /** Checks a response against a named `components.responses` entry (404 and 405 of unknown routes). */
  checkComponent(name: string, response: ApiResponse): void {
    const documented = this.document.components.responses[name] as ResponseObject | undefined;
    if (documented === undefined) throw new Error(`the document has no response component ${name}`);
    this.checkAgainst(`response ${name}`, documented, response);
  }

  private checkAgainst(key: string, documented: ResponseObject, response: ApiResponse): void {
    const contentType = (response.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
    if (documented.content === undefined) {
      if (response.text !== "") throw new Error(`${key} is documented without a body, but has one: ${response.text}`);
      return;
    }
    const media = documented.content[contentType];
    if (media === undefined) {
      throw new Error(`${key} answered content type "${contentType}"; documented: ${Object.keys(documented.content).join(", ")}`);
    }
    if (media.schema === undefined) return;
    const body: unknown = contentType === "application/json" ? JSON.parse(response.text) : response.text;
    const validate = this.validatorOf(key, media.schema);
    if (!validate(body)) {
      throw new Error(`${key} does not match the document:\n${this.ajv.errorsText(validate.errors, { separator: "\n" })}\nbody: ${response.text.slice(0, 2000)}`);
    }
  }

  private resolve(response: ResponseObject | { readonly $ref: string }): ResponseObject {
    if (!("$ref" in response)) return response;
    const name = response.$ref.replace("#/components/responses/", "");
    const found = this.document.components.responses[name] as ResponseObject | undefined;
    if (found === undefined) throw new Error(`unresolved ${response.$ref}`);
    return found;
  }

  private validatorOf(key: string, schema: unknown): ValidateFunction {
    const text = JSON.stringify(schema);
    let validate = this.compiled.get(text);
    if (validate === undefined) {
      try {
        validate = this.ajv.compile(rebase(schema) as object);
      } catch (error) {
        throw new Error(`the schema of ${key} does not compile: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.compiled.set(text, validate);
    }
    return validate;
  }
}

/** Points `#/components/schemas/X` references at the schema registered under {@link BASE}. */
function rebase(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${BASE}#/$defs/`)) as unknown;
}
