// Where the worker's CPU goes: the .cpuprofile files that `node --cpu-prof` writes at exit (one per thread: the
// main thread runs activities and the Core bridge, a worker thread runs the workflows' V8 context), folded into the
// functions with the most self time. Self time is a sample's whole interval charged to the frame on top.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotFunction {
  /** `name (file:line)`, the file relative to node_modules or the repository. */
  fn: string;
  selfMs: number;
  /** Of the busy time (all samples but idle). */
  share: number;
}

export interface ProfileSummary {
  threads: number;
  /** Samples on a thread that was running something (not idle), summed over the threads. */
  busyMs: number;
  /** V8's garbage collector, and native code outside JavaScript (the Core bridge, libuv): each a share of busy. */
  gcShare: number;
  programShare: number;
  /** The JavaScript functions with the most self time, highest first. */
  top: HotFunction[];
  /** Busy time per thread, main first. */
  perThreadMs: number[];
}

const PSEUDO = new Set(['(idle)', '(root)', '(program)', '(garbage collector)']);

function where(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '');
  const nm = url.lastIndexOf('node_modules/');
  const short = nm >= 0 ? url.slice(nm + 'node_modules/'.length) : path.basename(url);
  return short ? `${short}:${frame.lineNumber + 1}` : 'native';
}

/**
 * A window of the profiled process's life, in µs of CLOCK_MONOTONIC: V8 stamps its samples with the same clock as
 * `process.hrtime` in any process of the machine, so the bench marks its measured phase and the start-up is left out.
 */
export interface Window {
  fromUs: number;
  toUs: number;
}

export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** Self time per function (µs) of one profile, with the pseudo-frames kept apart. */
function selfTimes(p: CpuProfile, window?: Window): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  // timeDeltas[i] is the time before sample i; the interval a sample stands for is the one after it.
  let at = p.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    const node = byId.get(samples[i]!);
    if (!node) continue;
    const us = deltas[i + 1] ?? 0;
    const f = node.callFrame;
    const key = PSEUDO.has(f.functionName)
      ? f.functionName
      : `${f.functionName || '(anonymous)'} (${where(f)})`;
    out.set(key, (out.get(key) ?? 0) + us);
  }
  return out;
}

export function summariseCpuProfiles(
  dir: string,
  opts: { topN?: number; window?: Window } = {},
): ProfileSummary {
  const topN = opts.topN ?? 5;
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
  const thread = (f: string) => Number(/\.(\d+)\.\d+\.cpuprofile$/.exec(f)?.[1] ?? 0);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort((a, b) => thread(a) - thread(b));
  const total = new Map<string, number>();
  const perThreadMs: number[] = [];
  for (const f of files) {
    const self = selfTimes(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as CpuProfile, opts.window);
    let busy = 0;
    for (const [k, us] of self) {
      total.set(k, (total.get(k) ?? 0) + us);
      if (k !== '(idle)') busy += us;
    }
    perThreadMs.push(Math.round(busy / 1000));
  }
  const busyUs = [...total].filter(([k]) => k !== '(idle)').reduce((a, [, us]) => a + us, 0) || 1;
  const share = (us: number) => Math.round((1000 * us) / busyUs) / 1000;
  const top = [...total]
    .filter(([k]) => !PSEUDO.has(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([fn, us]) => ({ fn, selfMs: Math.round(us / 100) / 10, share: share(us) }));
  return {
    threads: files.length,
    busyMs: Math.round(busyUs / 1000),
    gcShare: share(total.get('(garbage collector)') ?? 0),
    programShare: share(total.get('(program)') ?? 0),
    top,
    perThreadMs,
  };
}

/** The one line the bench prints: the top functions with their share of the worker's busy time. */
export function profileLine(s: ProfileSummary): string {
  const fns = s.top.map((h) => `${h.fn} ${(h.share * 100).toFixed(1)}%`).join('; ');
  return `${fns} | gc ${(s.gcShare * 100).toFixed(1)}%, native ${(s.programShare * 100).toFixed(1)}%`;
}
