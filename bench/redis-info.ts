// Redis's own counters for the scale bench: `INFO stats` as text, parsed into numbers, and the two byte counters
// that show what a message costs Redis's network side (total_net_input_bytes, total_net_output_bytes).
import type { Redis } from "ioredis";

export interface RedisNetBytes {
  inBytes: number;
  outBytes: number;
}

/** `INFO` text ("# Stats\r\nkey:value\r\n...") as a map of its fields; section headers and blank lines skipped. */
export function parseRedisInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.indexOf(":");
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return fields;
}

/** The net byte counters of parsed `INFO stats`; throws when Redis did not report them (they exist since 2.6). */
export function netBytesOf(info: ReadonlyMap<string, string>): RedisNetBytes {
  const number = (name: string): number => {
    const value = Number(info.get(name));
    if (!Number.isFinite(value)) throw new Error(`INFO stats has no ${name}`);
    return value;
  };
  return { inBytes: number("total_net_input_bytes"), outBytes: number("total_net_output_bytes") };
}

/** One reading of the counters. The INFO reply itself counts as output: the same each reading, so idle subtracts it. */
export async function readRedisNetBytes(client: Redis): Promise<RedisNetBytes> {
  return netBytesOf(parseRedisInfo(await client.info("stats")));
}
