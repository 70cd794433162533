import { StopList } from "./stop-list";

describe("StopList", () => {
  it("stops the last started first, and keeps stopping when one part fails", async () => {
    const order: string[] = [];
    const errors: unknown[] = [];
    const stops = new StopList((error) => errors.push(error));
    stops.add(async () => { order.push("broker"); });
    stops.add(() => Promise.reject(new Error("control did not stop")));
    stops.add(async () => { order.push("enforcer"); });
    await stops.stopAll();
    expect(order).toEqual(["enforcer", "broker"]);
    expect(errors).toHaveLength(1);
  });

  it("stops what a start had started when the start fails half way, and rethrows", async () => {
    const stopped: string[] = [];
    const stops = new StopList();
    await expect(
      stops.starting(async (list) => {
        list.add(async () => { stopped.push("database"); });
        throw new Error("port taken");
      }),
    ).rejects.toThrow("port taken");
    expect(stopped).toEqual(["database"]);
  });
});
