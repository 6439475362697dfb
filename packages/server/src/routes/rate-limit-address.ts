import { isIPv6 } from 'node:net';

/**
 * What rate limits count a client by: its address, but an IPv6 one by its /64. A subnet is a /64
 * (RFC 4291 §2.5.1: interface IDs are 64 bits), a host on it may take a new address for every
 * request (RFC 8981 temporary addresses), and counted per address it would get a fresh allowance
 * each time. An IPv4-mapped address (a dual-stack listener) counts as its IPv4 address.
 */
export function rateLimitAddress(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const g = hextets(ip.replace(/%.*$/, ''));
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join('.');
  }
  return `${g.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function hextets(ip: string): number[] {
  let text = ip;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - front.length - back.length).fill('0');
  return [...front, ...zeros, ...back].map((x) => parseInt(x, 16));
}
