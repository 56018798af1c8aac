/**
 * The Socket.IO connection: sends the resume `auth` payload at every (re)connect, feeds
 * `snapshot`, `resumed` and `frame` through the resume tracker, and reports the
 * connection state. Thin on purpose: the bookkeeping is in resume.js, the state in state.js and reducer.js.
 */
import { acceptFrame, acceptResumed, acceptSnapshot, authPayload, createResumeTracker } from "./resume.js";

/**
 * @param {{io: Function, getToken: () => string|null,
 *   onSnapshot: (snap: any) => void,
 *   onEntries: (entries: Array<{seq: number, event: string, at?: number, data: any}>) => void,
 *   onFrameApplied?: () => void,
 *   onConnection: (state: string, notice?: Record<string, any>|null) => void}} deps
 */
export function connect({ io, getToken, onSnapshot, onEntries, onFrameApplied, onConnection }) {
  const tracker = createResumeTracker();
  const socket = io({
    path: "/socket.io",
    transports: ["websocket", "polling"],
    auth: (cb) => cb(authPayload(tracker, getToken())),
    reconnectionDelay: 500,
    reconnectionDelayMax: 10000,
    randomizationFactor: 0.5,
  });

  socket.on("connect", () => onConnection("connected"));
  socket.on("disconnect", (reason) => {
    // The server closing us on purpose does not reconnect by itself.
    if (reason === "io server disconnect") socket.connect();
    onConnection("reconnecting");
  });
  socket.on("connect_error", (err) => {
    onConnection(err?.message === "unauthorized" ? "unauthorized" : "offline");
  });
  socket.on("snapshot", (snap) => {
    acceptSnapshot(tracker, snap);
    onSnapshot(snap);
    onFrameApplied?.();
  });
  socket.on("resumed", (resumed) => {
    const count = acceptResumed(tracker, resumed);
    onConnection("connected", { kind: "recovered", count });
  });
  socket.on("frame", (frame) => {
    const { entries, gap } = acceptFrame(tracker, frame);
    // The new entries, in seq order, each one event as relayed (never regrouped).
    if (entries.length) onEntries(entries);
    if (gap) onConnection("connected", { kind: "gap", missed: gap.missed });
    onFrameApplied?.();
  });

  return {
    tracker,
    socket,
    /** Reconnects now (e.g. after the reader entered a token). */
    reconnect() {
      socket.disconnect();
      socket.connect();
    },
    close() {
      socket.close();
    },
  };
}
