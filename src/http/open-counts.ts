// How many open connections each address holds, for the per-address caps (handshake-guard.ts counts Socket.IO
// connections, tcp-connection-cap.ts TCP ones). A connection is remembered with the key it counts against, one
// WeakMap entry per connection rather than a closure each (issue 20), and counted once however often it is closed.
export class OpenCounts<Conn extends object> {
  private readonly open = new Map<string, number>();
  private readonly keyOf = new WeakMap<Conn, string>();

  count(key: string): number {
    return this.open.get(key) ?? 0;
  }

  opened(conn: Conn, key: string): void {
    this.keyOf.set(conn, key);
    this.open.set(key, this.count(key) + 1);
  }

  closed(conn: Conn): void {
    const key = this.keyOf.get(conn);
    if (key === undefined) return;
    this.keyOf.delete(conn);
    const left = this.count(key) - 1;
    if (left <= 0) this.open.delete(key);
    else this.open.set(key, left);
  }
}
