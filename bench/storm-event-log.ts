// What a worker's clients saw, as timestamped rows in growing typed arrays: a storm brings each worker a
// quarter of a million notices and presence events, so a row is three numbers, not an object. The windows
// (before, storm, after) are only known once the run is over, so rows are kept whole and counted afterwards.

const INITIAL_ROWS = 1024;

export class EventLog {
  private times = new Float64Array(INITIAL_ROWS);
  private clients = new Uint32Array(INITIAL_ROWS);
  private values = new Float64Array(INITIAL_ROWS);
  private size = 0;

  /** `client` is the worker-local index; `value` is what the row measures (a latency, names in a presence event). */
  add(timeMs: number, client: number, value = 1): void {
    if (this.size === this.times.length) this.grow();
    this.times[this.size] = timeMs;
    this.clients[this.size] = client;
    this.values[this.size] = value;
    this.size++;
  }

  get length(): number {
    return this.size;
  }

  /** Rows with from <= time < to. */
  count(from: number, to: number): number {
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      const t = this.times[i] as number;
      if (t >= from && t < to) n++;
    }
    return n;
  }

  /** The sum of the values of rows in the window (e.g. names carried by presence events). */
  sum(from: number, to: number): number {
    let total = 0;
    for (let i = 0; i < this.size; i++) {
      const t = this.times[i] as number;
      if (t >= from && t < to) total += this.values[i] as number;
    }
    return total;
  }

  /** Rows in the window per client (worker-local index), for the distribution over clients. */
  perClient(from: number, to: number, clientCount: number): Uint32Array {
    const counts = new Uint32Array(clientCount);
    for (let i = 0; i < this.size; i++) {
      const t = this.times[i] as number;
      const client = this.clients[i] as number;
      if (t >= from && t < to) counts[client] = (counts[client] ?? 0) + 1;
    }
    return counts;
  }

  /** The values of rows in the window (latencies of the messages composed in it). */
  valuesIn(from: number, to: number): Float64Array {
    const out = new Float64Array(this.count(from, to));
    let j = 0;
    for (let i = 0; i < this.size; i++) {
      const t = this.times[i] as number;
      if (t >= from && t < to) out[j++] = this.values[i] as number;
    }
    return out;
  }

  private grow(): void {
    const next = this.times.length * 2;
    const times = new Float64Array(next);
    times.set(this.times);
    const clients = new Uint32Array(next);
    clients.set(this.clients);
    const values = new Float64Array(next);
    values.set(this.values);
    this.times = times;
    this.clients = clients;
    this.values = values;
  }
}

/** Logs by name, made on first use: join outcomes by code, disconnects by reason. */
export class KeyedLogs {
  private readonly logs = new Map<string, EventLog>();

  add(key: string, timeMs: number, client: number, value = 1): void {
    let log = this.logs.get(key);
    if (!log) {
      log = new EventLog();
      this.logs.set(key, log);
    }
    log.add(timeMs, client, value);
  }

  /** Rows in the window per key; keys without any are left out. */
  counts(from: number, to: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, log] of this.logs) {
      const n = log.count(from, to);
      if (n > 0) out[key] = n;
    }
    return out;
  }

  /** Each key's values in the window (a latency per node); keys without any are left out. */
  valuesIn(from: number, to: number): Record<string, Float64Array> {
    const out: Record<string, Float64Array> = {};
    for (const [key, log] of this.logs) {
      const values = log.valuesIn(from, to);
      if (values.length > 0) out[key] = values;
    }
    return out;
  }
}
