// engine.io's WebSocket transport, without a closure per connection (issue 20).
//
// engine.io 6.6's own transport (node_modules/engine.io/build/transports/websocket.js) makes, for every
// connection, four arrow functions for its send callbacks, a closure for ws's "message" event and two bound
// functions (one in a `once` wrapper) for "close" and "error": about 0.5 KB of an idle connection. This one speaks
// the same protocol through the same ws socket, but its listeners are shared by every connection (ws calls them
// with its socket as `this`, which points back at the transport), and a send makes its callbacks for that send.
//
// Two more things an idle connection kept, both in ws's Receiver, are let go after each message:
// - the last frame's 4-byte mask, a view into that frame's chunk, which keeps the chunk's ArrayBuffer (about
//   0.25 KB with their objects);
// - the chunk queue, an array that grew to 17 slots on the first chunk and never shrinks (0.15 KB).
// The receiver reads neither again before the next frame sets them (ws 8: getMask, then getData unmasks, then the
// message is emitted; with synchronous events off it waits for the emit before reading on).
import { Transport } from "engine.io";

type Packet = Parameters<Transport["send"]>[0][number];

/** The transport a ws socket belongs to, as a property of that socket. */
const TRANSPORT = Symbol("messenger-room transport");

/** What this file reads of ws's WebSocket (8.x), public and private. */
interface WsSocket {
  [TRANSPORT]?: LeanWebSocket;
  _receiver?: { _mask?: unknown; _buffers?: unknown[] };
  _sender?: { sendFrame?: (frame: unknown, cb: (err?: Error) => void) => void };
  /** The TCP socket under it. */
  _socket?: TcpSocket;
  send(data: unknown, cb: (err?: Error) => void): void;
  close(): void;
  on(event: string, fn: (...args: never[]) => void): void;
  removeListener(event: string, fn: (...args: never[]) => void): void;
}

/** What this file uses of the TCP socket under ws. */
interface TcpSocket {
  readonly writableCorked: number;
  readonly destroyed: boolean;
  cork(): void;
  uncork(): void;
}

/** A packet Socket.IO encoded once for every member of a room (engine.io's pre-encoded WebSocket frame). */
interface PreEncoded {
  options?: { wsPreEncodedFrame?: unknown };
}

export class LeanWebSocket extends Transport {
  /** engine.io sets it after construction (its `perMessageDeflate` option); a compressed socket encodes each frame. */
  perMessageDeflate: unknown = null;
  readonly socket: WsSocket;

  constructor(req: { _query: Record<string, string>; websocket?: unknown }) {
    super(req);
    const socket = req.websocket as unknown as WsSocket;
    this.socket = socket;
    socket[TRANSPORT] = this;
    socket.on("message", onWsMessage);
    socket.on("close", onWsClose);
    socket.on("error", onWsError);
    this.writable = true;
  }

  get name(): string {
    return "websocket";
  }

  get handlesUpgrades(): boolean {
    return true;
  }

  /**
   * Every packet of one turn goes out in one writev: the TCP socket is corked at the turn's first send and uncorked
   * by process.nextTick, which Node runs once the running callback, or the running batch of promise callbacks (a
   * group commit resolves every append of its batch in one), is done. A group commit's
   * messages broadcast together, or a join's answer with its notices, cost one system call per member instead of
   * one each: the system call, not the bytes, is most of a small frame's cost. The transport stays writable, so
   * engine.io hands each packet over at once rather than holding the rest until the first write's callback;
   * what a slow reader has not taken sits in the socket's buffer, which `bufferedAmount` counts for the sweep of
   * slow clients as it counted engine.io's queue.
   */
  send(packets: Packet[]): void {
    const raw = this.socket._socket;
    if (raw !== undefined && raw.writableCorked === 0 && !raw.destroyed) {
      raw.cork();
      process.nextTick(uncorkAfterTurn, raw);
    }
    this.sendEach(packets);
  }

  private sendEach(packets: Packet[]): void {
    for (let i = 0; i < packets.length; i++) {
      const packet = packets[i] as Packet & PreEncoded;
      const done = i + 1 === packets.length ? (err?: Error) => this.sentLast(err) : (err?: Error) => this.sent(err);
      const frame = packet.options?.wsPreEncodedFrame;
      const sender = this.socket._sender;
      if (frame !== undefined && !this.perMessageDeflate && typeof sender?.sendFrame === "function") {
        sender.sendFrame(frame, done);
      } else {
        this.parser.encodePacket(packet, this.supportsBinary, (data: unknown) => this.socket.send(data, done));
      }
    }
  }

  doClose(fn?: () => void): void {
    this.socket.close();
    fn?.();
  }

  /** The ws socket's events, forwarded (the shared listeners below call these). */
  received(data: Buffer | string): void {
    this.onData(data);
  }
  closed(): void {
    this.onClose();
  }
  failed(err: Error): void {
    this.onError(err as unknown as string);
  }

  private sent(err: Error | undefined): void {
    if (err) this.onError("write error", err.stack);
  }

  private sentLast(err: Error | undefined): void {
    if (err) return this.onError("write error", err.stack);
    this.emit("drain");
  }
}

function uncorkAfterTurn(raw: TcpSocket): void {
  raw.uncork();
}

function onWsMessage(this: WsSocket, data: Buffer, isBinary: boolean): void {
  this[TRANSPORT]?.received(isBinary ? data : data.toString());
  releaseLastFrame(this);
}

function onWsClose(this: WsSocket): void {
  this.removeListener("close", onWsClose); // once, as engine.io's own transport listens
  this[TRANSPORT]?.closed();
}

function onWsError(this: WsSocket, err: Error): void {
  this[TRANSPORT]?.failed(err);
}

/** See the top of the file: the frame just emitted is done with, its mask and the grown chunk queue with it. */
function releaseLastFrame(socket: WsSocket): void {
  const receiver = socket._receiver;
  if (receiver === undefined) return;
  receiver._mask = undefined;
  if (Array.isArray(receiver._buffers) && receiver._buffers.length === 0) receiver._buffers = [];
}
