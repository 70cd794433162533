import { renderTable } from "./table";

describe("renderTable", () => {
  it("aligns every column to its widest cell and leaves the last unpadded", () => {
    expect(renderTable(["ZONE", "MODE", "REASON"], [["banana", "enforcement", "drained"], ["pii", "off", ""]])).toBe(
      ["ZONE    MODE         REASON", "banana  enforcement  drained", "pii     off"].join("\n") + "\n",
    );
  });

  it("prints only the headers for no rows", () => {
    expect(renderTable(["ID", "SINK"], [])).toBe("ID  SINK\n");
  });
});
