import { FLOWZONE_ERROR_CODES } from "@flowzone/errors";
import { codeOfStatus, GRPC_STATUS } from "./status-codes";

describe("GRPC_STATUS and codeOfStatus", () => {
  it.each(FLOWZONE_ERROR_CODES)("%s round-trips to the code itself or to its generic code", (code) => {
    const back = codeOfStatus(GRPC_STATUS[code]);
    expect(GRPC_STATUS[back]).toBe(GRPC_STATUS[code]);
  });
});
