// A loopback TCP proxy between the browser and the server, so the e2e test can cut every open
// connection at once (a network drop) while new connections keep working.
import { createServer, connect } from "node:net";

/** Proxies 127.0.0.1:<free port> → target (host, port). Resolves to { port, dropAll(), close() }. */
export async function startTcpProxy(targetHost, targetPort) {
  const pairs = new Set();
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", ok);
  });
  return {
    port: server.address().port,
    /** While true, new connections are reset at once (the network stays down). */
    setRefusing(on) {
      refusing = on;
    },
    /** Resets every open connection (RST), like a dropped network. Returns how many. */
    dropAll() {
      const n = pairs.size;
      for (const { client, upstream } of pairs) {
        client.resetAndDestroy();
        upstream.destroy();
      }
      pairs.clear();
      return n;
    },
    close() {
      this.dropAll();
      return new Promise((ok) => server.close(() => ok()));
    },
  };
}
