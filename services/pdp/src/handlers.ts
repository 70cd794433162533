import type { Logger } from "@flowzone/logging";
import { checkBatchSize } from "./check-limits";
import { batchRequestsOf, requestIdOf, toCheckBatchResponse, toCheckResponse, toWrite } from "./convert";
import type { DecisionHandlers } from "./convert";
import { decide } from "./decide";
import type { DecisionIds } from "./decision-ids";
import type { Limits } from "./limits";
import type { PolicyRef } from "./policy-ref";
import { toStatus } from "./to-status";

export interface HandlerDeps {
  readonly policy: PolicyRef;
  readonly ids: DecisionIds;
  readonly limits: Limits;
  readonly logger: Logger;
}

/**
 * The DecisionService handlers. The per-call path is kept lean for throughput: no logging, no
 * per-call closures (streams allocate theirs once per stream), one read of the engine reference
 * per call (a whole batch is decided by one policy version), and no default answer: a request
 * that cannot be decided fails with a status, never a silent allow.
 */
export function decisionHandlers(deps: HandlerDeps): DecisionHandlers {
  const { policy, ids, limits, logger } = deps;

  return {
    check(call, callback): void {
      const request = call.request;
      const engine = policy.current;
      let response;
      try {
        response = toCheckResponse(request, decide(engine, toWrite(request), limits), ids.next(), engine.version);
      } catch (error) {
        callback(toStatus(error, "", logger, "Check"));
        return;
      }
      callback(null, response);
    },

    checkBatch(call, callback): void {
      const requests = batchRequestsOf(call.request);
      try {
        checkBatchSize(requests.length, limits);
      } catch (error) {
        callback(toStatus(error, "", logger, "CheckBatch"));
        return;
      }
      const engine = policy.current;
      const responses: ReturnType<typeof toCheckResponse>[] = [];
      for (const request of requests) {
        try {
          responses.push(toCheckResponse(request, decide(engine, toWrite(request), limits), ids.next(), engine.version));
        } catch (error) {
          callback(toStatus(error, `requests[${responses.length}].`, logger, "CheckBatch"));
          return;
        }
      }
      callback(null, toCheckBatchResponse(responses));
    },

    checkStream(call): void {
      let failed = false;
      const resume = (): void => {
        call.resume();
      };
      call.on("data", (request: Parameters<typeof toWrite>[0]) => {
        if (failed) return;
        const engine = policy.current;
        let response;
        try {
          response = toCheckResponse(request, decide(engine, toWrite(request), limits), ids.next(), engine.version);
        } catch (error) {
          failed = true;
          call.pause();
          call.emit("error", toStatus(error, `request_id "${requestIdOf(request)}": `, logger, "CheckStream"));
          return;
        }
        if (!call.write(response)) {
          call.pause();
          call.once("drain", resume);
        }
      });
      call.on("end", () => {
        if (!failed) call.end();
      });
      // A cancelled or broken stream is the client's business; grpc-js already ends the call.
      call.on("error", () => undefined);
    },
  };
}
