import { Presets, SingleBar } from "cli-progress";
import type { Output } from "./output.ts";

/** Progress through a stream up to a known last sequence: a bar on a terminal, plain lines otherwise. */
export interface Progress {
  /** `position`: how far through (a stream sequence); `count`: what was done (events written …). */
  update(position: number, count: number): void;
  stop(): void;
}

const PLAIN_EVERY_MS = 2_000;

const plainProgress = (out: Output, label: string, total: number, start: number): Progress => {
  const started = performance.now();
  let last = started;
  let position = 0;
  let count = 0;
  const line = () => {
    const elapsed = (performance.now() - started) / 1000;
    const done = Math.max(0, position - start);
    const rate = elapsed > 0 ? Math.round(count / elapsed) : 0;
    const left = done > 0 ? Math.round(((total - position) * elapsed) / done) : undefined;
    const percent = total > 0 ? Math.floor((100 * position) / total) : 100;
    out.note(
      `${label}: ${position}/${total} (${percent}%), ${count} events, ${rate}/s${left === undefined ? "" : `, ~${left} s left`}`,
    );
  };
  return {
    update: (p, c) => {
      position = p;
      count = c;
      const now = performance.now();
      if (now - last >= PLAIN_EVERY_MS) {
        last = now;
        line();
      }
    },
    stop: line,
  };
};

const barProgress = (label: string, total: number, start: number): Progress => {
  const started = performance.now();
  const bar = new SingleBar(
    {
      format: `${label} {bar} {percentage}% | {value}/{total} | {count} events | {rate}/s | {eta_formatted} left`,
      etaBuffer: 50,
      fps: 10,
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), start, { count: 0, rate: 0 });
  return {
    update: (position, count) => {
      const elapsed = (performance.now() - started) / 1000;
      bar.update(position, { count, rate: elapsed > 0 ? Math.round(count / elapsed) : 0 });
    },
    stop: () => bar.stop(),
  };
};

export const startProgress = (out: Output, label: string, total: number, start = 0): Progress =>
  out.ttyErr ? barProgress(label, total, start) : plainProgress(out, label, total, start);
