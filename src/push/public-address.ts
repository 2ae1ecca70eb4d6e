// Which addresses a push may connect to (issue 23 §3): public unicast only. IANA's special-purpose registries,
// with IPv4 embedded in IPv6 (mapped, NAT64, 6to4) judged as the IPv4 address it names. Used by transport.ts at
// connect time, on the address actually connected to.
import { BlockList, isIPv4, isIPv6 } from "node:net";
import { ipv6Groups } from "../shared/address-key.js";


function blockList(type: "ipv4" | "ipv6", subnets: readonly (readonly [string, number])[]): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of subnets) list.addSubnet(net, prefix, type);
  return list;
}

/** IANA's special-purpose IPv4 registry, less nothing: none of these is a push service. */
const IPV4_NOT_PUBLIC = blockList("ipv4", [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, where cloud metadata (169.254.169.254) lives
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast (deprecated)
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and 255.255.255.255 broadcast
]);

/** Global unicast: outside it nothing is public (::, ::1, fc00::/7, fe80::/10, fec0::/10, ff00::/8, 100::/64 ...). */
const IPV6_GLOBAL_UNICAST = blockList("ipv6", [["2000::", 3]]);

/** The parts of 2000::/3 that are not public either. */
const IPV6_NOT_PUBLIC = blockList("ipv6", [
  ["2001::", 23], // IETF protocol assignments: Teredo 2001::/32 (its IPv4 is hidden), benchmarking, ORCHID
  ["2001:db8::", 32], // documentation
  ["3fff::", 20], // documentation (RFC 9637)
]);

/** Whether `ip` is an address push may connect to: public unicast, never private, loopback, link-local or special. */
export function isPublicAddress(ip: string): boolean {
  if (isIPv4(ip)) return !IPV4_NOT_PUBLIC.check(ip, "ipv4");
  // A zone ("fe80::1%eth0") only means something on a local link.
  if (ip.includes("%") || !isIPv6(ip)) return false;
  const groups = ipv6Groups(ip) ?? [];
  const embedded = embeddedIPv4(groups);
  if (embedded !== null) return isPublicAddress(embedded);
  return IPV6_GLOBAL_UNICAST.check(ip, "ipv6") && !IPV6_NOT_PUBLIC.check(ip, "ipv6");
}

/** The IPv4 address an IPv6 address stands for: ::ffff:0:0/96 (mapped), 64:ff9b::/96 (NAT64), 2002::/16 (6to4). */
function embeddedIPv4(g: readonly number[]): string | null {
  const at = (i: number): number => g[i] ?? 0;
  const v4 = (hi: number, lo: number): string => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number): boolean => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && at(5) === 0xffff) return v4(at(6), at(7));
  if (at(0) === 0x64 && at(1) === 0xff9b && zeros(2, 6)) return v4(at(6), at(7));
  if (at(0) === 0x2002) return v4(at(1), at(2));
  return null;
}
