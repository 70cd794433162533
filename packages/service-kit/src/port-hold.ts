import net from "node:net";

/** A port a service will listen on later, and what listens there for messages, with the setting that moves it. */
export interface PortToHold {
  readonly host: string;
  readonly port: number;
  /** E.g. "the decision service (FLOWZONE_PDP_PORT)". */
  readonly name: string;
}

/** Gives a held port back to its service just before the service binds it. */
export interface PortRelease {
  /** Frees `host:port` to bind; a port not held (port 0, or released before) is left alone. */
  release(host: string, port: number): Promise<void>;
}

export interface PortHoldOptions {
  /** How long to wait for a port a client connection holds; Linux keeps a closed one in TIME_WAIT for 60 s. */
  readonly waitMs: number;
  /** How often to try a held port again. */
  readonly intervalMs?: number;
  readonly onWaiting: (line: string) => void;
}

const DEFAULT_INTERVAL_MS = 250;

/**
 * Placeholder listeners on the ports a process will serve, taken before it opens any connection.
 *
 * Linux gives a client connection a local port from its ephemeral range (32768–60999), which holds
 * gRPC's customary ports: a connection that took 50051, live or for 60 s in TIME_WAIT after it
 * closed, stops a listener from binding it. A process that starts a broker and connects to it
 * before it listens can collide with its own connections, or with those of its last run. A port
 * under a listener is never handed to a connection, so holding each port from the start and
 * releasing it just before its service binds leaves no window but that of the bind itself.
 *
 * A port another server listens on fails at once; one a connection holds is waited for.
 */
export class PortHold implements PortRelease {
  private constructor(private readonly held: Map<string, net.Server>) {}

  /** Holds every port but 0 (a free one is picked at bind time); rejects, holding none, when one cannot be had. */
  static async take(ports: readonly PortToHold[], options: PortHoldOptions): Promise<PortHold> {
    const hold = new PortHold(new Map());
    try {
      for (const wanted of ports) {
        if (wanted.port === 0 || hold.held.has(keyOf(wanted.host, wanted.port))) continue;
        hold.held.set(keyOf(wanted.host, wanted.port), await holdOne(wanted, options));
      }
      return hold;
    } catch (error) {
      await hold.close();
      throw error;
    }
  }

  release(host: string, port: number): Promise<void> {
    const key = keyOf(host, port);
    const server = this.held.get(key);
    if (server === undefined) return Promise.resolve();
    this.held.delete(key);
    return closeServer(server);
  }

  /** Releases every port still held. */
  async close(): Promise<void> {
    const servers = [...this.held.values()];
    this.held.clear();
    await Promise.all(servers.map(closeServer));
  }
}

async function holdOne(wanted: PortToHold, options: PortHoldOptions): Promise<net.Server> {
  const where = `${wanted.host}:${wanted.port}`;
  const deadline = Date.now() + options.waitMs;
  let waiting = false;
  for (;;) {
    const attempt = await tryListen(wanted.host, wanted.port);
    if (attempt.server !== undefined) return attempt.server;
    const { error } = attempt;
    if (error.code !== "EADDRINUSE") throw new Error(`cannot listen on ${where} for ${wanted.name}: ${error.message}`, { cause: error });
    if (await answers(wanted.host, wanted.port)) {
      throw new Error(`cannot listen on ${where} for ${wanted.name}: another server listens there (is flowzone already running?); stop it or choose another port`, { cause: error });
    }
    if (Date.now() >= deadline) {
      throw new Error(`cannot listen on ${where} for ${wanted.name}: a connection still holds the port after ${seconds(options.waitMs)}; choose another port`, { cause: error });
    }
    if (!waiting) {
      waiting = true;
      options.onWaiting(`${where} (${wanted.name}) is the local port of a connection, open or closing; waiting up to ${seconds(options.waitMs)} for it`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? DEFAULT_INTERVAL_MS));
  }
}

type Attempt = { readonly server: net.Server; readonly error?: undefined } | { readonly server?: undefined; readonly error: NodeJS.ErrnoException };

function tryListen(host: string, port: number): Promise<Attempt> {
  return new Promise((resolve) => {
    // Whoever connects to a placeholder is cut off at once: the connection is accepted, then closed.
    const server = net.createServer((socket) => socket.destroy());
    server.once("error", (error: NodeJS.ErrnoException) => {
      resolve({ error });
    });
    server.listen(port, host, () => {
      server.removeAllListeners("error");
      resolve({ server });
    });
  });
}

/** Whether a server accepts connections on `host:port` (a port held only by a connection refuses them). */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1000);
    const settle = (listening: boolean): void => {
      socket.destroy();
      resolve(listening);
    };
    socket.once("connect", () => {
      settle(true);
    });
    socket.once("error", () => {
      settle(false);
    });
    socket.once("timeout", () => {
      settle(false);
    });
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

function keyOf(host: string, port: number): string {
  return `${host}:${port}`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
