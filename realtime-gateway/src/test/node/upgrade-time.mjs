// Prints how long the official client takes from the polling handshake to the finished WebSocket upgrade
// (probe, noop to the waiting poll, upgrade) against a running gateway: node upgrade-time.mjs URL TOKEN [RUNS]
import { io } from "socket.io-client";

const [url, token, runs = "10"] = process.argv.slice(2);
const times = [];
for (let i = 0; i < Number(runs); i++) {
  times.push(await new Promise((resolve, reject) => {
    const socket = io(url, { auth: { token }, reconnection: false });
    socket.io.on("open", () => {
      const opened = performance.now();
      socket.io.engine.on("upgrade", () => {
        resolve(performance.now() - opened);
        socket.disconnect();
      });
    });
    socket.on("connect_error", reject);
  }));
}
times.sort((a, b) => a - b);
console.log(`open -> upgrade over ${times.length} connections: min ${times[0].toFixed(1)} ms, median ${times[Math.floor(times.length / 2)].toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`);
process.exit(0);
