// Drives real socket.io-client sockets for the gateway's Java tests. One JSON command per stdin line:
//   {"op":"connect","id":"a","url":"http://...","options":{...}}
//   {"op":"emit","id":"a","event":"customer:accept","payload":{...},"ack":"ref-1"}   (ack: optional)
//   {"op":"close","id":"a"}
// Everything the sockets see comes back as one JSON line on stdout: {"id","event","args"|...}.
import { io } from "socket.io-client";
import readline from "node:readline";

const sockets = new Map();
const out = (line) => process.stdout.write(JSON.stringify(line) + "\n");

function connect({ id, url, options }) {
  const socket = io(url, { reconnection: false, ...options });
  sockets.set(id, socket);
  socket.onAny((event, ...args) => out({ id, event, args }));
  socket.io.on("open", () => {
    out({ id, event: "open", transport: socket.io.engine.transport.name });
    socket.io.engine.on("upgrade", (t) => out({ id, event: "upgrade", transport: t.name }));
  });
  socket.on("connect", () => out({ id, event: "connect", transport: socket.io.engine.transport.name, recovered: socket.recovered }));
  socket.on("connect_error", (err) => out({ id, event: "connect_error", message: err.message, data: err.data ?? null, active: socket.active }));
  socket.on("disconnect", (reason) => out({ id, event: "disconnect", reason }));
}

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const command = JSON.parse(line);
  const socket = sockets.get(command.id);
  switch (command.op) {
    case "connect":
      connect(command);
      break;
    case "emit":
      if (command.ack) {
        socket.timeout(10000).emit(command.event, command.payload, (err, result) =>
          out({ id: command.id, event: "ack", ref: command.ack, error: err ? err.message : null, result: result ?? null }));
      } else {
        socket.emit(command.event, command.payload);
      }
      break;
    case "reconnect":
      socket.connect();
      break;
    case "close":
      socket.disconnect();
      break;
    default:
      out({ id: command.id, event: "driver_error", message: "unknown op " + command.op });
  }
}).on("close", () => process.exit(0));
