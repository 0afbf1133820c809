import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";

/** CPU and memory of one process together with its direct children, from Linux's own counters. */
export interface ProcessUsage {
  /** User + system CPU time, milliseconds: its own, its reaped children's, and its live children's. */
  cpuMs: number;
  /** Resident set, bytes, summed over the process and its live children. */
  rssBytes: number;
  /** Proportional set (shared pages divided among the processes sharing them), bytes, summed likewise. */
  pssBytes: number;
  /**
   * Anonymous resident memory, bytes, summed likewise: the part of the resident set that is the process's
   * own data (V8's heap and malloc for a Node.js service), not mapped files such as the node binary.
   */
  anonymousBytes: number;
  /** How many processes were counted. */
  processes: number;
}

const clockTicksPerSecond = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcessStat {
  parent: number;
  /** utime + stime, in clock ticks. */
  ownTicks: number;
  /** cutime + cstime: children that have ended and were waited for. */
  reapedChildrenTicks: number;
}

/** Fields of /proc/<pid>/stat (proc(5)); the command name in parentheses may contain spaces. */
async function readStat(pid: number): Promise<ProcessStat | undefined> {
  const raw = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (raw === undefined) return undefined;
  const fields = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
  const field = (number: number) => Number(fields[number - 3]);
  return { parent: field(4), ownTicks: field(14) + field(15), reapedChildrenTicks: field(16) + field(17) };
}

async function readMemory(pid: number): Promise<{ rssBytes: number; pssBytes: number; anonymousBytes: number }> {
  const raw = await readFile(`/proc/${pid}/smaps_rollup`, "utf8").catch(() => "");
  const kilobytes = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(raw)?.[1] ?? 0);
  return { rssBytes: kilobytes("Rss") * 1024, pssBytes: kilobytes("Pss") * 1024, anonymousBytes: kilobytes("Anonymous") * 1024 };
}

/** Ids of the live processes whose parent is `pid` (PostgreSQL's backends and workers are the postmaster's). */
export async function childProcessIds(pid: number): Promise<number[]> {
  const entries = await readdir("/proc");
  const children: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readStat(Number(entry));
    if (stat?.parent === pid) children.push(Number(entry));
  }
  return children;
}

/**
 * The usage of `pid` and its direct children. A child that ends during a measurement moves its time into
 * the parent's reaped-children counter, so differences of two readings stay right across backends that
 * come and go.
 */
export async function readProcessUsage(pid: number): Promise<ProcessUsage> {
  const own = await readStat(pid);
  if (own === undefined) throw new Error(`process ${pid} is gone`);
  let ticks = own.ownTicks + own.reapedChildrenTicks;
  let { rssBytes, pssBytes, anonymousBytes } = await readMemory(pid);
  let processes = 1;
  for (const child of await childProcessIds(pid)) {
    const stat = await readStat(child);
    if (stat === undefined) continue;
    ticks += stat.ownTicks;
    const memory = await readMemory(child);
    rssBytes += memory.rssBytes;
    pssBytes += memory.pssBytes;
    anonymousBytes += memory.anonymousBytes;
    processes += 1;
  }
  return { cpuMs: (ticks * 1000) / clockTicksPerSecond, rssBytes, pssBytes, anonymousBytes, processes };
}
