import { readFileSync } from 'node:fs';

/*
 * CPU time from /proc (Linux only; elsewhere `undefined`, and the benchmark
 * leaves the figures out): per process, to see which process a load run kept
 * busy, and for the whole machine, to see how much other work (another
 * build, a test run) competed for the cores during the run.
 */

const ticksPerSecond = 100; // USER_HZ, 100 on every Linux ABI Node runs on

/** User + system CPU seconds `pid` has used so far. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds the whole machine has spent busy so far, all cores: running
 * processes and handling interrupts (not idle, iowait or steal). Interrupt
 * time counts because a process's own figure may include some of it (the
 * loopback networking of a load test lands there).
 */
export function machineBusySeconds(): number | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ... (guest time is already in user)
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = cpu;
    return (user + nice + system + irq + softirq) / ticksPerSecond;
  } catch {
    return undefined;
  }
}
