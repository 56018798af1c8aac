// The Node socket.io baseline of bench/relay.py (--impl node): a socket.io server that
// relays the same Redis events, as a plain Node relay would: one subscription to the 8
// channels, each message parsed, each detection broadcast to every client with
// io.emit("streaming_pattern", …) (socket.io encodes a broadcast once and writes it to
// each client). No validation, sequence numbers, coalescing or recovery.
//
//   node bench/node_relay_server.mjs <port> <redis-host> <redis-port>
//
// Redis is spoken in raw RESP over one socket (SUBSCRIBE, then pushed "message" arrays),
// so no Redis package is needed.
import { createServer } from "node:http";
import { connect } from "node:net";
import { Server } from "socket.io";

const [port, redisHost, redisPort] = process.argv.slice(2);
const CHANNELS = [
  "tickstock:streaming:session_started",
  "tickstock:streaming:session_stopped",
  "tickstock:streaming:health",
  "tickstock:patterns:streaming",
  "tickstock:patterns:detected",
  "tickstock:indicators:streaming",
  "tickstock:alerts:indicators",
  "tickstock:alerts:critical",
];

const http = createServer();
const io = new Server(http, { cors: { origin: "*" }, transports: ["websocket", "polling"] });

function relay(channel, payload) {
  let message;
  try {
    message = JSON.parse(payload);
  } catch {
    return;
  }
  if (channel.startsWith("tickstock:patterns:")) {
    const detections = message.detections ?? (message.detection ? [message.detection] : []);
    for (const detection of detections) {
      io.emit("streaming_pattern", { type: "streaming_pattern", detection });
    }
  }
}

// A RESP reader for pushed pub/sub messages: *3 $7 message $<n> channel $<n> payload.
let buffer = Buffer.alloc(0);
function readLine(at) {
  const end = buffer.indexOf("\r\n", at);
  return end < 0 ? null : { text: buffer.toString("latin1", at, end), next: end + 2 };
}
function readBulk(at) {
  const header = readLine(at);
  if (header === null) return null;
  const length = Number(header.text.slice(1));
  if (buffer.length < header.next + length + 2) return null;
  return { value: buffer.toString("utf8", header.next, header.next + length), next: header.next + length + 2 };
}
function readPush(at) {
  const header = readLine(at);
  if (header === null) return null;
  const items = [];
  let next = header.next;
  for (let i = 0; i < Number(header.text.slice(1)); i += 1) {
    if (buffer[next] === 0x3a /* ':' integer */) {
      const line = readLine(next);
      if (line === null) return null;
      items.push(Number(line.text.slice(1)));
      next = line.next;
    } else {
      const bulk = readBulk(next);
      if (bulk === null) return null;
      items.push(bulk.value);
      next = bulk.next;
    }
  }
  return { items, next };
}

const redis = connect(Number(redisPort), redisHost, () => {
  const parts = ["SUBSCRIBE", ...CHANNELS];
  redis.write(`*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join("")}`);
});
redis.on("data", (chunk) => {
  buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
  let at = 0;
  for (;;) {
    const push = readPush(at);
    if (push === null) break;
    at = push.next;
    if (push.items[0] === "message") relay(push.items[1], push.items[2]);
  }
  buffer = buffer.subarray(at);
});
redis.on("error", (error) => {
  console.error(`redis: ${error.message}`);
  process.exit(1);
});

http.listen(Number(port), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
