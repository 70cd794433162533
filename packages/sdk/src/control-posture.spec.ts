import { EMPTY_SNAPSHOT, type ControlSnapshot } from "@flowzone/control-feed";
import type { Mode, Write } from "@flowzone/engine";
import { createLogger } from "@flowzone/logging";

import { ControlPosture } from "./control-posture";

const LABELS = `kind: Label
name: card
description: Card numbers
---
kind: Label
name: pii.email
description: Email addresses
`;

/** card fails closed; email fails open (the Defaults'), with a rule of its own failing closed in `ruleMode`. */
function bundle(cardFailMode: "open" | "closed", emailRuleMode: Mode = "off"): { path: string; content: string }[] {
  return [
    { path: "labels.yaml", content: LABELS },
    { path: "assets.yaml", content: "kind: Asset\nid: table:cards\nlabels: [card]\n" },
    {
      path: "zones.yaml",
      content: `kind: Zone
name: card
description: Cards stay in payments
protects: [card]
members: [kafka:payments-*]
mode: enforcement
failMode: ${cardFailMode}
---
kind: Zone
name: email
description: Emails stay in the CRM
protects: [pii.email]
members: [kafka:crm-*]
mode: logging
rules:
  - name: no-export
    deny: [kafka:export-*]
    mode: ${emailRuleMode}
    failMode: closed
`,
    },
  ];
}

function snapshot(version: string, files: readonly { path: string; content: string }[] | undefined, zoneModes: Record<string, Mode> = {}, epoch = 1): ControlSnapshot {
  return { ...EMPTY_SNAPSHOT, epoch, bundle: files === undefined ? undefined : { version, files }, zoneModes: new Map(Object.entries(zoneModes)) };
}

const write = (labels: readonly string[], sources: readonly string[] = []): Write => ({ producer: "svc:app", sink: "kafka:out", labels, sources, purpose: "" });
const card = write(["card"]);
const email = write(["pii.email"]);

function posture(): { posture: ControlPosture; warnings: string[] } {
  const warnings: string[] = [];
  const log = createLogger({
    level: "warn",
    destination: {
      write(text: string): void {
        for (const line of text.split("\n")) if (line !== "") warnings.push(String((JSON.parse(line) as { msg: unknown }).msg));
      },
    },
  });
  return { posture: new ControlPosture("control", log), warnings };
}

describe("ControlPosture", () => {
  it("knows no posture before a bundle has been read, and says the producer's failMode applies", () => {
    const { posture: zones } = posture();
    expect(zones.postureOf([card])).toEqual({ posture: undefined, reason: expect.stringMatching(/no policy bundle read from control yet.*failMode/) as unknown });
    zones.apply(snapshot("v0", undefined, { card: "enforcement" }));
    expect(zones.postureOf([card]).posture).toBeUndefined();
    expect(zones.policyVersion).toBeUndefined();
  });

  it("takes each zone's failMode from the pushed bundle: closed for a write touching a closed zone, open otherwise", () => {
    const { posture: zones } = posture();
    zones.apply(snapshot("sha256:one", bundle("closed"), {}, 4));
    expect(zones.policyVersion).toMatch(/@4$/);
    expect(zones.postureOf([card])).toEqual({ posture: "closed", reason: expect.stringContaining("a zone it touches fails closed") as unknown });
    expect(zones.postureOf([email])).toEqual({ posture: "open", reason: expect.stringContaining("every zone it touches fails open") as unknown });
    expect(zones.postureOf([write([])]).posture).toBe("open");
    // A source's labels count: table:cards carries card.
    expect(zones.postureOf([write([], ["table:cards"])]).posture).toBe("closed");
  });

  it("is closed for a batch when any write of it touches a closed zone", () => {
    const { posture: zones } = posture();
    zones.apply(snapshot("sha256:one", bundle("closed")));
    expect(zones.postureOf([email, card, email]).posture).toBe("closed");
    expect(zones.postureOf([email, email]).posture).toBe("open");
  });

  it("leaves a write the bundle cannot place to the producer's failMode, unless another write of the batch fails closed", () => {
    const { posture: zones } = posture();
    zones.apply(snapshot("sha256:one", bundle("closed")));
    expect(zones.postureOf([email, write(["undeclared"])])).toEqual({ posture: undefined, reason: expect.stringContaining("cannot place the write") as unknown });
    expect(zones.postureOf([write([], ["table:nowhere"]), card]).posture).toBe("closed");
  });

  it("follows a new bundle and the zone modes of the control topic", () => {
    const { posture: zones } = posture();
    zones.apply(snapshot("sha256:one", bundle("open")));
    expect(zones.postureOf([card]).posture).toBe("open");
    zones.apply(snapshot("sha256:two", bundle("closed"), {}, 2));
    expect(zones.postureOf([card]).posture).toBe("closed");
    // A zone switched off is not evaluated, so its failMode no longer applies.
    zones.apply(snapshot("sha256:two", bundle("closed"), { card: "off" }, 3));
    expect(zones.postureOf([card]).posture).toBe("open");
    expect(zones.policyVersion).toMatch(/@3$/);
    // A rule failing closed counts once its mode makes it evaluated.
    zones.apply(snapshot("sha256:three", bundle("open", "logging"), {}, 4));
    expect(zones.postureOf([email]).posture).toBe("closed");
  });

  it("keeps the previous bundle when a pushed one does not compile, and warns once", () => {
    const { posture: zones, warnings } = posture();
    zones.apply(snapshot("sha256:one", bundle("closed")));
    const broken = [{ path: "zones.yaml", content: "kind: Zone\nname: card\n" }];
    zones.apply(snapshot("sha256:broken", broken, {}, 2));
    zones.apply(snapshot("sha256:broken", broken, { card: "logging" }, 3));
    expect(zones.postureOf([card]).posture).toBe("closed");
    expect(zones.policyVersion).toMatch(/@3$/);
    expect(warnings.filter((w) => w.includes("does not compile"))).toHaveLength(1);
  });
});
