// Benchmark clients in Node: `count` socket.io-client sockets in one process, so that the
// load generator is not the bottleneck (bench/relay.py --clients-impl node).
//
//   node bench/relay_clients.mjs <url> <count> [frame|plan]
//
// Prints "ready" once every socket is connected, tallies every detection it receives
// until a line "stop" arrives on stdin, then prints one JSON line of totals with a sparse
// latency histogram ({bucket: count}, 0.1 ms buckets, as bench/relay_client.py). Understands
// our `frame`s, the plan protocol's batches and single `streaming_pattern` events (the
// naive relays). The publish time travels in bar_data.volume (µs since the Unix epoch), the
// publish order in the symbol (B<n>).
import { io } from "socket.io-client";
import { createInterface } from "node:readline";

const [url, countText, protocol = "frame"] = process.argv.slice(2);
const count = Number(countText);
const BUCKET_US = 100;
const BUCKETS = 100_000;
const histogram = new Map();
const nowUs = () => (performance.timeOrigin + performance.now()) * 1000;

function record(detection, now, tally) {
  let bucket = Math.floor((now - detection.bar_data.volume) / BUCKET_US);
  bucket = bucket < 0 ? 0 : bucket >= BUCKETS ? BUCKETS - 1 : bucket;
  histogram.set(bucket, (histogram.get(bucket) ?? 0) + 1);
  const counter = Number(detection.symbol.slice(1));
  if (counter <= tally.lastCounter) tally.outOfOrder += 1;
  tally.lastCounter = counter;
  tally.received += 1;
}

function seen(tally, first, last) {
  if (tally.lastSeq !== null && first !== tally.lastSeq + 1) tally.seqHoles += 1;
  tally.lastSeq = last;
}

function connect(tally) {
  const socket = io(url, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    auth: { protocol },
  });
  socket.on("snapshot", (snapshot) => {
    tally.snapshots += 1;
    tally.lastSeq = snapshot.seq;
  });
  socket.on("frame", (frame) => {
    const now = nowUs();
    tally.frames += 1;
    for (const entry of frame.events) {
      seen(tally, entry.seq, entry.seq);
      if (entry.event === "streaming_pattern") record(entry.data.detection, now, tally);
    }
  });
  socket.on("streaming_pattern", (data) => {
    tally.frames += 1;
    if (data.seq !== undefined) seen(tally, data.seq, data.seq);
    record(data.detection, nowUs(), tally);
  });
  socket.on("streaming_patterns_batch", (batch) => {
    const now = nowUs();
    tally.frames += 1;
    seen(tally, batch.first_seq, batch.seq);
    for (const detection of batch.detections) record(detection, now, tally);
  });
  // plan protocol: the app's own events (metrics, app_status, …) are numbered too
  const counted = new Set(["snapshot", "resumed", "frame", "streaming_pattern", "streaming_patterns_batch"]);
  socket.onAny((event, data) => {
    if (!counted.has(event) && data?.seq !== undefined) seen(tally, data.seq, data.seq);
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

const tallies = Array.from({ length: count }, () => ({
  received: 0, frames: 0, outOfOrder: 0, seqHoles: 0, snapshots: 0, lastCounter: -1, lastSeq: null,
}));
const sockets = [];
for (let start = 0; start < count; start += 25) {
  sockets.push(...(await Promise.all(tallies.slice(start, start + 25).map(connect))));
}
const cpuAtReady = process.cpuUsage();
process.stdout.write("ready\n");

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() !== "stop") return;
  const cpu = process.cpuUsage(cpuAtReady);
  const totals = {
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    received: tallies.map((t) => t.received),
    frames: tallies.reduce((n, t) => n + t.frames, 0),
    out_of_order: tallies.reduce((n, t) => n + t.outOfOrder, 0),
    seq_holes: tallies.reduce((n, t) => n + t.seqHoles, 0),
    snapshots: tallies.reduce((n, t) => n + t.snapshots, 0),
    connected: sockets.filter((s) => s.connected).length,
    histogram: Object.fromEntries(histogram),
  };
  process.stdout.write(JSON.stringify(totals) + "\n", () => {
    for (const socket of sockets) socket.disconnect();
    process.exit(0);
  });
});
