// The key every per-address limit counts under (handshakes, sockets without a cookie, the moderator and
// invite forms). Pure, no I/O: below chat/, http/ and storage/, so none of them reaches into another for it.
import { isIPv4, isIPv6 } from "node:net";

/**
 * The key per-address limits count under. One IPv6 customer usually gets a whole /64 (18 quintillion
 * addresses), so counting single IPv6 addresses would let one client pick a fresh one per connection:
 * IPv6 addresses count per network of `ipv6PrefixLength` bits. An IPv4-mapped IPv6 address
 * (`::ffff:1.2.3.4`, what a dual-stack listener reports for IPv4 clients) counts as the IPv4 address.
 */
export function addressKey(ip: string, ipv6PrefixLength: number): string {
  if (isIPv4(ip)) return ip;
  const groups = ipv6Groups(ip);
  if (groups === null) return ip; // not an address (a test double, a unix socket): counted as it is
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi, lo] = [groups[6] as number, groups[7] as number];
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  const masked = groups.map((g, i) => {
    const bitsKept = Math.min(16, Math.max(0, ipv6PrefixLength - i * 16));
    return bitsKept === 0 ? 0 : g & ((0xffff << (16 - bitsKept)) & 0xffff);
  });
  return `${masked.map((g) => g.toString(16)).join(":")}/${ipv6PrefixLength}`;
}

/** The eight 16-bit groups of an IPv6 address (zone dropped, embedded IPv4 converted), or null. */
export function ipv6Groups(raw: string): number[] | null {
  const ip = raw.split("%")[0] as string;
  if (!isIPv6(ip)) return null;
  let text = ip.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (part: string): number[] => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}
