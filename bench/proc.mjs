// What a process has used so far, read from Linux's /proc: the benches compare servers by CPU
// time per request or per byte, which a busy neighbour disturbs far less than throughput.
import { readFileSync } from 'node:fs';

/** CPU seconds (user + system, every thread) process `pid` has used; undefined without /proc. */
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/** Resident set size of process `pid` in bytes. */
export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}
