// The WebSocket server engine.io makes (its `wsEngine` option), with client pings left unanswered (transport review).
//
// ws answers every ping frame a client sends with a pong, written to the connection whether or not the client
// reads: a client that floods 125-byte pings and never reads made the server queue pongs without end (one
// connection took a server from 120 MB to 2.3 GB in 12 s, before any Socket.IO CONNECT, so no per-socket limit
// saw it). Nothing here needs those pongs: engine.io keeps connections alive with its own heartbeat (its ping and
// pong packets), and browsers never send ping frames. ws >= 8.16 takes `autoPong: false`; the "ping" event is still
// emitted, and ignored. See node_modules/ws/lib/websocket-server.js (the option) and websocket.js (receiverOnPing).
import { WebSocketServer, type ServerOptions } from "ws";

export class NoAutoPongWebSocketServer extends WebSocketServer {
  constructor(options?: ServerOptions, callback?: () => void) {
    super({ ...options, autoPong: false }, callback);
  }
}
