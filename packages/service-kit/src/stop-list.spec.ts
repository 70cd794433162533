import { StopList } from "./stop-list";

describe("StopList", () => {
  it("stops the last started first, and keeps stopping when one part fails", async () => {
    const order: string[] = [];
    const errors: unknown[] = [];
    const stops = new StopList((error) => errors.push(error));
    stops.add(() => { order.push("broker"); return Promise.resolve(); });
    stops.add(() => Promise.reject(new Error("control did not stop")));
    stops.add(() => { order.push("enforcer"); return Promise.resolve(); });
    await stops.stopAll();
    expect(order).toEqual(["enforcer", "broker"]);
    expect(errors).toHaveLength(1);
  });

  it("stops what a start had started when the start fails half way, and rethrows", async () => {
    const stopped: string[] = [];
    const stops = new StopList();
    await expect(
      stops.starting((list) => {
        list.add(() => { stopped.push("database"); return Promise.resolve(); });
        return Promise.reject(new Error("port taken"));
      }),
    ).rejects.toThrow("port taken");
    expect(stopped).toEqual(["database"]);
  });
});
