import net from "node:net";

import { PortHold } from "./port-hold";

const HOST = "127.0.0.1";

/** Listens on `port` (0: a free one) and resolves with the server, or rejects with the listen error. */
function listenOn(port: number, onConnection: (socket: net.Socket) => void = () => undefined): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConnection);
    server.once("error", reject);
    server.listen(port, HOST, () => {
      resolve(server);
    });
  });
}

function portOf(server: net.Server): number {
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("not listening");
  return address.port;
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => { resolve(); }));
}

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = await listenOn(0);
  const port = portOf(server);
  await close(server);
  return port;
}

/** A live client connection, its local port picked by the kernel as any client's is, and the server's end of it. */
async function clientConnection(): Promise<{ localPort: number; client: net.Socket; serverSide: Promise<net.Socket>; server: net.Server }> {
  let accepted: (socket: net.Socket) => void = () => undefined;
  const serverSide = new Promise<net.Socket>((resolve) => (accepted = resolve));
  const server = await listenOn(0, (socket) => { accepted(socket); });
  const client = net.connect({ host: HOST, port: portOf(server) });
  // Flowing, so it reads the server's FIN and ends its side at once: closed passively, its port keeps no TIME_WAIT.
  client.resume();
  await new Promise<void>((resolve) => client.once("connect", () => { resolve(); }));
  return { localPort: client.localPort ?? 0, client, serverSide, server };
}

describe("PortHold", () => {
  it("keeps a port from any other listener until it is released", async () => {
    const port = await freePort();
    const hold = await PortHold.take([{ host: HOST, port, name: "the test service" }], { waitMs: 1000, onWaiting: () => undefined });
    await expect(listenOn(port)).rejects.toMatchObject({ code: "EADDRINUSE" });

    await hold.release(HOST, port);
    const server = await listenOn(port);
    expect(portOf(server)).toBe(port);
    await close(server);
    await hold.close();
  });

  it("leaves port 0 and ports it does not hold alone", async () => {
    const hold = await PortHold.take([{ host: HOST, port: 0, name: "a free port" }], { waitMs: 1000, onWaiting: () => undefined });
    const server = await listenOn(0);
    await expect(hold.release(HOST, portOf(server))).resolves.toBeUndefined();
    // Releasing did not close someone else's listener.
    expect(server.listening).toBe(true);
    await close(server);
  });

  it("refuses whoever connects to a held port", async () => {
    const port = await freePort();
    const hold = await PortHold.take([{ host: HOST, port, name: "the test service" }], { waitMs: 1000, onWaiting: () => undefined });
    const client = net.connect({ host: HOST, port });
    const received: Buffer[] = [];
    client.on("data", (chunk: Buffer) => received.push(chunk));
    await new Promise<void>((resolve) => client.once("close", () => { resolve(); }));
    expect(Buffer.concat(received).length).toBe(0);
    await hold.close();
  });

  it("fails at once on a port another server listens on, naming it, and holds none of the others", async () => {
    const other = await listenOn(0);
    const first = await freePort();
    const waited: string[] = [];
    const taking = PortHold.take(
      [
        { host: HOST, port: first, name: "the first service" },
        { host: HOST, port: portOf(other), name: "the second service (SECOND_PORT)" },
      ],
      { waitMs: 30_000, onWaiting: (line) => waited.push(line) },
    );
    await expect(taking).rejects.toThrow(`cannot listen on ${HOST}:${portOf(other)} for the second service (SECOND_PORT): another server listens there`);
    expect(waited).toEqual([]);
    const server = await listenOn(first);
    await close(server);
    await close(other);
  });

  it("waits for a port a client connection holds, saying so once, and holds it when the connection closes", async () => {
    const connection = await clientConnection();
    const waited: string[] = [];
    const taking = PortHold.take([{ host: HOST, port: connection.localPort, name: "the test service" }], {
      waitMs: 10_000,
      intervalMs: 50,
      onWaiting: (line) => waited.push(line),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(waited).toEqual([`${HOST}:${connection.localPort} (the test service) is the local port of a connection, open or closing; waiting up to 10 s for it`]);

    // The server closes first, so the TIME_WAIT is on its side and the client's port is free at once.
    (await connection.serverSide).destroy();
    const hold = await taking;
    await expect(listenOn(connection.localPort)).rejects.toMatchObject({ code: "EADDRINUSE" });
    expect(waited).toHaveLength(1);
    connection.client.destroy();
    await hold.close();
    await close(connection.server);
  });

  it("gives up on a port a connection keeps, saying how long it waited", async () => {
    const connection = await clientConnection();
    const taking = PortHold.take([{ host: HOST, port: connection.localPort, name: "the test service" }], { waitMs: 300, intervalMs: 50, onWaiting: () => undefined });
    await expect(taking).rejects.toThrow(`cannot listen on ${HOST}:${connection.localPort} for the test service: a connection still holds the port after 0.3 s; choose another port`);
    (await connection.serverSide).destroy();
    connection.client.destroy();
    await close(connection.server);
  });
});
