// A bare WebSocket speaking the Engine.IO v4 / Socket.IO v4 text protocol by hand, for clients the
// socket.io-client library will not imitate: one that stops reading, or one that sends broken frames.
// Frames: "0{...}" open, "2"/"3" ping/pong, "40" connect, "42[event, payload]" event, "42<id>[...]"
// event wanting an ack, "43<id>[answer]" the ack.
import WebSocket from "ws";

export interface RawSocket {
  ws: WebSocket;
  /** The Socket.IO socket id (server side: io.of("/").sockets.get(id)). */
  id: string;
  /** Every text frame received, in order. */
  frames: string[];
  send(frame: string): void;
  /** Emits an event; with ack, resolves with the answer. */
  emit(event: string, payload: unknown): void;
  call(event: string, payload: unknown, timeoutMs?: number): Promise<unknown>;
  closed: Promise<{ code: number }>;
}

export function socketIoWsUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
}

export async function rawConnect(httpUrl: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  const ws = new WebSocket(socketIoWsUrl(httpUrl), { headers });
  const frames: string[] = [];
  const waiters: { where: (f: string) => boolean; resolve: (f: string) => void }[] = [];
  const closed = new Promise<{ code: number }>((resolve) => ws.once("close", (code) => resolve({ code })));
  ws.on("message", (data, isBinary) => {
    if (isBinary) return;
    const frame = data.toString();
    if (frame === "2") {
      ws.send("3"); // answer pings while we read at all
      return;
    }
    frames.push(frame);
    for (const w of [...waiters]) {
      if (w.where(frame)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    }
  });
  const next = (where: (f: string) => boolean, timeoutMs = 5000): Promise<string> => {
    const seen = frames.find(where);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames).slice(0, 500)}`)), timeoutMs);
      waiters.push({
        where,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  };

  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`handshake refused: HTTP ${res.statusCode}`)));
  });
  await next((f) => f.startsWith("0{"));
  ws.send("40");
  const connected = await next((f) => f.startsWith("40{") || f.startsWith("44"));
  if (connected.startsWith("44")) throw new Error(`namespace connect refused: ${connected}`);
  const id = (JSON.parse(connected.slice(2)) as { sid: string }).sid;

  let nextAckId = 0;
  return {
    ws,
    id,
    frames,
    send: (frame) => ws.send(frame),
    emit: (event, payload) => ws.send(`42${JSON.stringify([event, payload])}`),
    call: async (event, payload, timeoutMs = 5000) => {
      const ackId = nextAckId++;
      ws.send(`42${ackId}${JSON.stringify([event, payload])}`);
      const answer = await next((f) => f.startsWith(`43${ackId}[`), timeoutMs);
      return (JSON.parse(answer.slice(2 + String(ackId).length)) as unknown[])[0];
    },
    closed,
  };
}
