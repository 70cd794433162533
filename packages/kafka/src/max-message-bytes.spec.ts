import { ConfigResourceTypes, ConfigSource, type Admin, type DescribeConfigResponse } from "kafkajs";

import { readMaxMessageBytes } from "./max-message-bytes";

type Resource = DescribeConfigResponse["resources"][number];

function resource(name: string, errorCode: number, value: string | undefined): Resource {
  return {
    resourceName: name,
    resourceType: ConfigResourceTypes.TOPIC,
    errorCode,
    errorMessage: errorCode === 0 ? "" : "not readable",
    configEntries: value === undefined ? [] : [{ configName: "max.message.bytes", configValue: value, isDefault: false, configSource: ConfigSource.TOPIC_CONFIG, isSensitive: false, readOnly: false, configSynonyms: [] }],
  };
}

/** An admin whose DescribeConfigs answers `answer` and records what it was asked. */
function fakeAdmin(answer: () => Promise<Resource[]>): { admin: Admin; asked: unknown[] } {
  const asked: unknown[] = [];
  const admin = {
    describeConfigs: async (request: unknown) => {
      asked.push(request);
      return { throttleTime: 0, resources: await answer() };
    },
  } as unknown as Admin;
  return { admin, asked };
}

describe("readMaxMessageBytes", () => {
  it("asks for max.message.bytes of every topic in one DescribeConfigs and maps each readable one", async () => {
    const { admin, asked } = fakeAdmin(() => Promise.resolve([resource("out", 0, "2097152"), resource("quarantine", 0, "1048588")]));
    await expect(readMaxMessageBytes(admin, ["out", "quarantine"])).resolves.toEqual(
      new Map([
        ["out", 2_097_152],
        ["quarantine", 1_048_588],
      ]),
    );
    expect(asked).toEqual([
      {
        includeSynonyms: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: "out", configNames: ["max.message.bytes"] },
          { type: ConfigResourceTypes.TOPIC, name: "quarantine", configNames: ["max.message.bytes"] },
        ],
      },
    ]);
  });

  it.each([
    ["an error code for the topic", resource("t", 29, "2097152")],
    ["no such entry", resource("t", 0, undefined)],
    ["a value that is no number", resource("t", 0, "lots")],
    ["zero", resource("t", 0, "0")],
    ["a fraction", resource("t", 0, "1.5")],
  ])("leaves out a topic answered with %s, for the caller to assume a limit", async (_, answer) => {
    const { admin } = fakeAdmin(() => Promise.resolve([answer, resource("u", 0, "500")]));
    await expect(readMaxMessageBytes(admin, ["t", "u"])).resolves.toEqual(new Map([["u", 500]]));
  });

  it("rejects when DescribeConfigs itself fails", async () => {
    const { admin } = fakeAdmin(() => Promise.reject(new Error("Cluster authorization failed")));
    await expect(readMaxMessageBytes(admin, ["t"])).rejects.toThrow("Cluster authorization failed");
  });
});
