import ipaddr from 'ipaddr.js';

/**
 * What rate limits count a client by: its address, but an IPv6 one by its /64. A subnet is a /64
 * (RFC 4291 §2.5.1: interface IDs are 64 bits), a host on it may take a new address for every
 * request (RFC 8981 temporary addresses), and counted per address it would get a fresh allowance
 * each time. An IPv4-mapped address (a dual-stack listener) counts as its IPv4 address.
 */
export function rateLimitAddress(ip: string): string {
  if (!ipaddr.IPv6.isValid(ip)) return ip;
  const address = ipaddr.IPv6.parse(ip);
  if (address.isIPv4MappedAddress()) return address.toIPv4Address().toString();
  return `${address.parts.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`;
}
