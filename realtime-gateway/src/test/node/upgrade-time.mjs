// Prints how long the official client takes to upgrade to WebSocket against a running gateway:
//   node upgrade-time.mjs URL TOKEN [RUNS] [WS_DELAY_MS]
// from the polling handshake to the finished upgrade, and from the probe's answer (3probe: the client is
// "upgrading") to the finished upgrade, which needs the gateway to end the waiting poll with a noop at once. With
// WS_DELAY_MS the client goes through a proxy that holds every chunk of a WebSocket connection that long in each
// direction (polling passes straight through): a WebSocket path slower than polling, where a gateway that sent no
// noop stalled for a whole ping interval.
import { io } from "socket.io-client";
import net from "node:net";

const [url, token, runs = "10", wsDelay = "0"] = process.argv.slice(2);
const delay = Number(wsDelay);

/** A TCP proxy to the gateway that delays WebSocket connections only; resolves to its URL. */
function slowWebSocketProxy(target) {
  const { hostname, port } = new URL(target);
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    let slow = null;
    const relay = (from, to) => from.on("data", (chunk) => {
      if (slow === null) slow = /^GET [^\r\n]*transport=websocket/.test(chunk.toString("latin1"));
      if (slow) setTimeout(() => to.write(chunk), delay);
      else to.write(chunk);
    });
    relay(client, upstream);
    relay(upstream, client);
    const close = () => { client.destroy(); upstream.destroy(); };
    client.on("close", close).on("error", close);
    upstream.on("close", close).on("error", close);
  });
  server.unref();
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () =>
    resolve(`http://127.0.0.1:${server.address().port}${new URL(target).pathname}`)));
}

const through = delay > 0 ? await slowWebSocketProxy(url) : url;
const total = [];
const afterProbe = [];
for (let i = 0; i < Number(runs); i++) {
  await new Promise((resolve, reject) => {
    const socket = io(through, { auth: { token }, reconnection: false });
    socket.io.on("open", () => {
      const opened = performance.now();
      let probed = null;
      socket.io.engine.on("upgrading", () => (probed = performance.now()));
      socket.io.engine.on("upgrade", () => {
        const now = performance.now();
        total.push(now - opened);
        afterProbe.push(now - probed);
        socket.disconnect();
        resolve();
      });
    });
    socket.on("connect_error", reject);
  });
}
const line = (name, times) => {
  times.sort((a, b) => a - b);
  return `${name}: min ${times[0].toFixed(1)} ms, median ${times[Math.floor(times.length / 2)].toFixed(1)} ms, `
    + `max ${times[times.length - 1].toFixed(1)} ms`;
};
console.log(`${total.length} connections, WebSocket path delayed ${delay} ms each way`);
console.log(line("open -> upgrade", total));
console.log(line("3probe -> upgrade", afterProbe));
process.exit(0);
