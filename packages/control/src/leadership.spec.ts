import { createLogger } from "@flowzone/logging";

import type { LeaderLock } from "./leader-lock";
import { Leadership, type LeaderDuties } from "./leadership";

/** A lock the test hands out and takes away, as PostgreSQL does when a session ends. */
class FakeLock implements LeaderLock {
  free = true;
  mine = false;
  unreachable = false;
  releases = 0;
  tryAcquire(): Promise<boolean> {
    if (this.unreachable) return Promise.reject(new Error("connection refused"));
    if (this.free) {
      this.free = false;
      this.mine = true;
    }
    return Promise.resolve(this.mine);
  }
  stillHeld(): Promise<boolean> {
    if (this.unreachable) return Promise.reject(new Error("query timed out"));
    return Promise.resolve(this.mine);
  }
  release(): Promise<void> {
    this.releases += 1;
    if (this.mine) this.free = true;
    this.mine = false;
    return Promise.resolve();
  }
  /** The session that held the lock died: the server frees it. */
  sessionDied(): void {
    this.mine = false;
    this.free = true;
  }
}

/** Duties that record what happened to them; `failNextStart` makes the next start reject. */
function recordingDuties(): LeaderDuties & { events: string[]; failNextStart: boolean } {
  const duties = {
    events: [] as string[],
    failNextStart: false,
    start(): Promise<void> {
      duties.events.push("start");
      if (duties.failNextStart) {
        duties.failNextStart = false;
        return Promise.reject(new Error("Kafka is away"));
      }
      return Promise.resolve();
    },
    stop(): Promise<void> {
      duties.events.push("stop");
      return Promise.resolve();
    },
  };
  return duties;
}

function leadership(lock: LeaderLock, duties: LeaderDuties): Leadership {
  // A poll interval no test waits for: each test drives poll() itself.
  return new Leadership({ lock, duties, replicaId: "replica-a", pollMs: 3_600_000, logger: createLogger({ level: "silent" }) });
}

describe("Leadership", () => {
  it("leads at start when the lock is free, and starts the duties once", async () => {
    const lock = new FakeLock();
    const duties = recordingDuties();
    const l = leadership(lock, duties);
    await l.start();
    expect(l.isLeader).toBe(true);
    await l.poll();
    expect(duties.events).toEqual(["start"]);
    await l.stop();
    expect(duties.events).toEqual(["start", "stop"]);
    expect(lock.free).toBe(true);
  });

  it("follows while another holds the lock, and takes over when it is freed", async () => {
    const lock = new FakeLock();
    lock.free = false;
    const duties = recordingDuties();
    const l = leadership(lock, duties);
    await l.start();
    await l.poll();
    expect(l.isLeader).toBe(false);
    expect(duties.events).toEqual([]);
    lock.free = true;
    await l.poll();
    expect(l.isLeader).toBe(true);
    expect(duties.events).toEqual(["start"]);
    await l.stop();
  });

  it("stops its duties at the first check after its session died, and leads again once it retakes the lock", async () => {
    const lock = new FakeLock();
    const duties = recordingDuties();
    const l = leadership(lock, duties);
    await l.start();
    lock.sessionDied();
    lock.free = false; // another replica took it at once
    await l.poll();
    expect(l.isLeader).toBe(false);
    expect(duties.events).toEqual(["start", "stop"]);
    lock.free = true;
    await l.poll();
    expect(l.isLeader).toBe(true);
    expect(duties.events).toEqual(["start", "stop", "start"]);
    await l.stop();
  });

  it("counts a lock that does not answer as lost, and does not lead while it cannot be reached", async () => {
    const lock = new FakeLock();
    const duties = recordingDuties();
    const l = leadership(lock, duties);
    await l.start();
    lock.unreachable = true;
    await l.poll();
    expect(l.isLeader).toBe(false);
    expect(duties.events).toEqual(["start", "stop"]);
    expect(lock.releases).toBe(1);
    await l.poll();
    expect(l.isLeader).toBe(false);
    expect(duties.events).toEqual(["start", "stop"]);
    await l.stop();
  });

  it("fails the start when the duties fail to start at first, giving the lock up", async () => {
    const lock = new FakeLock();
    const duties = recordingDuties();
    duties.failNextStart = true;
    const l = leadership(lock, duties);
    await expect(l.start()).rejects.toThrow("Kafka is away");
    expect(l.isLeader).toBe(false);
    expect(duties.events).toEqual(["start", "stop"]);
    expect(lock.free).toBe(true);
  });

  it("gives the lock up when the duties fail to start on a later takeover, and tries again at the next poll", async () => {
    const lock = new FakeLock();
    lock.free = false;
    const duties = recordingDuties();
    const l = leadership(lock, duties);
    await l.start();
    lock.free = true;
    duties.failNextStart = true;
    await l.poll();
    expect(l.isLeader).toBe(false);
    expect(lock.free).toBe(true);
    await l.poll();
    expect(l.isLeader).toBe(true);
    expect(duties.events).toEqual(["start", "stop", "start"]);
    await l.stop();
  });
});
