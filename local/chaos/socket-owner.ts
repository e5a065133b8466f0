import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/*
 * Which of our processes holds the local end of a TCP connection, from
 * Linux's /proc: the connection's inode in /proc/net/tcp{,6} (by the
 * caller's port), then the process with that socket among its open files.
 * A chaos run uses it to kill exactly the process whose call a sandbox or
 * the emulator is handling. Linux only; elsewhere it finds nobody.
 */

const ESTABLISHED = '01';

/** The id in `candidates` of the process owning the TCP socket bound to local port `port`, if any. */
export function socketOwner<Id>(port: number, candidates: ReadonlyMap<Id, number>): Id | undefined {
  const inode = inodeOfLocalPort(port);
  if (inode === undefined) return undefined;
  const target = `socket:[${inode}]`;
  for (const [id, pid] of candidates) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return id;
      } catch {
        // closed between the listing and the read
      }
    }
  }
  return undefined;
}

function inodeOfLocalPort(port: number): string | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (fields.length < 10 || fields[3] !== ESTABLISHED) continue;
      if (fields[1]!.endsWith(`:${hexPort}`)) return fields[9];
    }
  }
  return undefined;
}
