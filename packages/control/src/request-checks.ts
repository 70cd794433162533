import type { Mode } from "@flowzone/engine";

import { isValidAssetPattern } from "./asset-pattern";
import { ControlError } from "./control-error";
import type { ExceptionRequest, FlipRequest } from "./control-plane";
import { isMode } from "./modes";

/**
 * Checks a flip request from an untrusted transport. Every flip needs a reason, not only forced
 * ones: each is audited with who made it and why, and a rollback at 3 a.m. is exactly the change
 * someone will need explained later.
 */
export function checkFlip(request: FlipRequest): { to: Mode; reason: string; force: boolean } {
  const to: unknown = request.to;
  if (!isMode(to)) {
    throw new ControlError("invalid_argument", `mode "${String(to)}" is not one of off, logging, enforcement`);
  }
  const reason = typeof request.reason === "string" ? request.reason.trim() : "";
  if (reason === "") {
    throw new ControlError(
      "invalid_argument",
      request.force ? "a forced flip needs a reason: say why the guard is bypassed" : "a flip needs a reason: say why the zone changes mode",
    );
  }
  return { to, reason, force: request.force };
}

/** The bundle's bounds an exception request is held to (its Defaults). */
export interface ExceptionBounds {
  /** `maxExceptionLifetime`: the furthest ahead an expiry may lie. */
  readonly maxLifetimeMs: number;
  /** `maxFieldBytes`: the longest producer or sink pattern. */
  readonly maxFieldBytes: number;
}

/**
 * Checks an exception request: engine-valid patterns no longer than the bundle's names, a
 * justification, an expiry in the future and at most `maxLifetimeMs` away: an exception is a
 * time-boxed way out while the flow is fixed, and one that never ends is a hidden zone member.
 */
export function checkException(request: ExceptionRequest, nowMs: number, bounds: ExceptionBounds): ExceptionRequest {
  const { maxLifetimeMs, maxFieldBytes } = bounds;
  for (const [field, pattern] of [["producer", request.producer], ["sink", request.sink]] as const) {
    if (typeof pattern === "string" && Buffer.byteLength(pattern, "utf8") > maxFieldBytes) {
      throw new ControlError("invalid_argument", `${field} is ${Buffer.byteLength(pattern, "utf8")} bytes long; the longest accepted is ${maxFieldBytes} bytes (maxFieldBytes of the bundle's Defaults)`);
    }
    if (typeof pattern !== "string" || !isValidAssetPattern(pattern)) {
      throw new ControlError(
        "invalid_argument",
        `${field} ${JSON.stringify(pattern)} is not an asset-id pattern such as svc:banana-app or kafka:banana-*`,
      );
    }
  }
  const justification = typeof request.justification === "string" ? request.justification.trim() : "";
  if (justification === "") throw new ControlError("invalid_argument", "an exception needs a justification: say why the flow is allowed");
  const expiresAtMs = request.expiresAt instanceof Date ? request.expiresAt.getTime() : Number.NaN;
  if (Number.isNaN(expiresAtMs)) throw new ControlError("invalid_argument", "expiresAt must be a valid time");
  if (expiresAtMs <= nowMs) {
    throw new ControlError("invalid_argument", `expiresAt ${request.expiresAt.toISOString()} is not in the future`);
  }
  if (expiresAtMs - nowMs > maxLifetimeMs) {
    throw new ControlError(
      "invalid_argument",
      `expiresAt ${request.expiresAt.toISOString()} is further away than the longest an exception may last, ${lifetime(maxLifetimeMs)} ` +
        `(maxExceptionLifetime of the bundle's Defaults): choose an expiry by ${new Date(nowMs + maxLifetimeMs).toISOString()} and renew it if the fix takes longer`,
    );
  }
  return { ...request, justification };
}

/** A lifetime as people say it: in the largest unit that counts it whole (`36 hours`), else in days. */
function lifetime(ms: number): string {
  const units = [[86_400_000, "day"], [3_600_000, "hour"], [60_000, "minute"], [1000, "second"], [1, "millisecond"]] as const;
  const [unitMs, unit] = units.find(([size]) => ms % size === 0 && ms >= size) ?? [86_400_000, "day"];
  const count = ms % unitMs === 0 ? ms / unitMs : Number((ms / unitMs).toFixed(3));
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}
