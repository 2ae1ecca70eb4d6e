// The Redis Cluster slot of a key or sharded channel (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#key-distribution-model):
// CRC16 (XMODEM) of the key, or of its hash tag (the part between the first "{" and the next "}", when not empty),
// modulo 16384. The subscriber side needs it to know which master holds a room's channel (SSUBSCRIBE must go to
// the owner of the channel's slot); ioredis computes the same for its commands. Pure, checked against CLUSTER KEYSLOT.

export const SLOTS = 16384;

const TABLE = makeTable();

function makeTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] as number);
  return crc;
}

/** The part of `key` Redis hashes: its hash tag when it has a non-empty one, else the whole key (as UTF-8 bytes). */
function hashedPart(key: Uint8Array): Uint8Array {
  const open = key.indexOf(0x7b); // "{"
  if (open === -1) return key;
  const close = key.indexOf(0x7d, open + 1); // "}"
  if (close === -1 || close === open + 1) return key;
  return key.subarray(open + 1, close);
}

export function keySlot(key: string): number {
  return crc16(hashedPart(new TextEncoder().encode(key))) % SLOTS;
}

/**
 * The hash tag of everything that belongs to one chat room: its presence keys (redis-presence-keys.ts) and its
 * pub/sub channel (room-adapter.ts). One slot per room, so one master serves all of a room: when that master is
 * down, the same rooms lose both their presence and their live delivery, and no other room loses either.
 */
export const roomHashTag = (room: string): string => `{r:${room}}`;
