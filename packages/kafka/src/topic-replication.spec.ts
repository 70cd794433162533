import { topicReplication } from "./topic-replication";

describe("topicReplication", () => {
  it("replicates on every broker of a cluster of one or two, one replica in sync enough", () => {
    expect(topicReplication(1)).toEqual({ replicationFactor: 1, minInSyncReplicas: 1 });
    expect(topicReplication(2)).toEqual({ replicationFactor: 2, minInSyncReplicas: 1 });
  });

  it("replicates three times with two in sync from three brokers on", () => {
    expect(topicReplication(3)).toEqual({ replicationFactor: 3, minInSyncReplicas: 2 });
    expect(topicReplication(7)).toEqual({ replicationFactor: 3, minInSyncReplicas: 2 });
  });

  it("refuses a cluster without brokers", () => {
    expect(() => topicReplication(0)).toThrow("cannot replicate topics on a cluster of 0 brokers");
  });
});
