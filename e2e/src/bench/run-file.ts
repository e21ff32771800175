import { RunFileError } from '../errors.ts';
import type { HopFigure, HopHistograms } from './hops.ts';

/**
 * A run's result file: JSON Lines, a header (run metadata) first, then one record per loop, and an end record
 * when the run finished cleanly. Named `<name>-<date-time>.jsonl`; the run's name is the file name without
 * the extension, which is what a report's category patterns match.
 */

/** CPU (100 = one core) and resident memory of one component, over the rows since the previous sample. */
export interface ResourceFigure {
  readonly cpu: number;
  readonly rssBytes: number;
}

export interface RunHeader {
  readonly kind: 'header';
  readonly name: string;
  readonly startedAt: string;
  readonly git: { readonly commit: string | undefined; readonly dirty: boolean | undefined };
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryBytes: number;
    readonly platform: string;
    readonly node: string;
  };
  readonly target: Readonly<Record<string, unknown>>;
  readonly options: Readonly<Record<string, unknown>>;
  /** What the run ran on and how (absent in runs from before these were recorded; see run-setup.ts). */
  readonly kafkaClient?: string;
  /** Kafka brokers of the stack (undefined for a deployment that did not say). */
  readonly brokers?: number;
  readonly mode?: 'ramp' | 'steady';
  readonly preset?: string;
  /** Per service, its start as its /health reported it when the run began (absent in older runs). */
  readonly startup?: Readonly<Record<string, ServiceStartup>>;
}

/** Milliseconds from a service's process start until it served, and until its consumer groups joined. */
export interface ServiceStartup {
  readonly servingMs: number;
  readonly joinedMs?: number;
}

/**
 * The page's own part of one interaction, in ms after the click (its event.timeStamp), from the page's
 * `window.__openBankTimings`: request sent on the WebSocket, answer arrived, balance change pushed to the
 * page, new balance in the DOM. Null where the page did not get there (yet).
 */
export interface PageParts {
  readonly sentMs: number | null;
  readonly answerMs: number | null;
  readonly pushMs: number | null;
  readonly renderedMs: number | null;
}

export interface RunRow {
  readonly kind: 'row';
  readonly loop: number;
  readonly time: string;
  /** Additional load in messages/s while the interaction ran. */
  readonly load: number;
  readonly interaction: string;
  /**
   * The driver's figure: from just before it asked the browser to click until the browser told it the new
   * balance showed (the time-out threshold, or more, for a time-out). Comparable with the original.
   */
  readonly ms: number;
  readonly timedOut: boolean;
  /**
   * In-page: from the click event's timeStamp until a MutationObserver in the page saw the new balance, free
   * of the driver's round trips to the browser. Null when it never showed in time; absent in older runs.
   */
  readonly inPageMs?: number | null;
  /** The page's own timing of the interaction; null when the page recorded none. */
  readonly page?: PageParts | null;
  /** Every `resourceEvery`th row: per component. */
  readonly resources?: Readonly<Record<string, ResourceFigure>>;
  /** Beats the heartbeat has sent since it started. */
  readonly heartbeat?: number;
  /** Consumer lag (messages) per service. */
  readonly lag?: Readonly<Record<string, number>>;
  /**
   * Every `resourceEvery`th row: per hop of the trace, median and p99 of what the services observed since
   * the previous such row; null for a hop without observations.
   */
  readonly hops?: Readonly<Record<string, HopFigure | null>>;
  /** The histograms behind `hops`, for a report to merge rows exactly. */
  readonly hopHistograms?: HopHistograms;
}

export interface RunEnd {
  readonly kind: 'end';
  readonly time: string;
  readonly loops: number;
  readonly timeouts: number;
  readonly maxLoad: number;
  readonly reason: string;
}

export type RunRecord = RunHeader | RunRow | RunEnd;

export interface ParsedRun {
  readonly name: string;
  readonly header: RunHeader;
  readonly rows: RunRow[];
  readonly end: RunEnd | undefined;
}

export const RUN_FILE_EXTENSION = '.jsonl';

/** `2026-11-21T22:05:09.123Z` → `2026-11-21T22-05-09Z`: sortable and safe in a file name everywhere. */
export function fileStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
}

export function runFileName(name: string, startedAt: Date): string {
  return `${name}-${fileStamp(startedAt)}${RUN_FILE_EXTENSION}`;
}

/** A run name must be usable in a file name and in a glob pattern. */
export function runNameProblem(name: string): string | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(name)
    ? undefined
    : 'name must be 1–80 letters, digits, dots, dashes or underscores, starting with a letter or digit';
}

export const formatRecord = (r: RunRecord) => `${JSON.stringify(r)}\n`;

/**
 * Parses a run file. A last line cut short (a run killed while writing) is dropped; a missing header or a
 * malformed line elsewhere is an error naming the line.
 */
export function parseRunFile(fileName: string, text: string): ParsedRun {
  const name = fileName.replace(/^.*[\\/]/, '').replace(/\.jsonl$/, '');
  const lines = text.split('\n');
  let header: RunHeader | undefined;
  const rows: RunRow[] = [];
  let end: RunEnd | undefined;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let rec: RunRecord;
    try {
      rec = JSON.parse(line) as RunRecord;
    } catch {
      if (i >= lines.length - 2) return;
      throw new RunFileError(`${name}: line ${i + 1} is not JSON`);
    }
    if (rec.kind === 'header') header = rec;
    else if (rec.kind === 'row') {
      if (typeof rec.loop !== 'number' || typeof rec.load !== 'number' || typeof rec.ms !== 'number')
        throw new RunFileError(`${name}: line ${i + 1} is a row without loop, load and ms`);
      rows.push(rec);
    } else if (rec.kind === 'end') end = rec;
  });
  if (!header) throw new RunFileError(`${name}: no header record`);
  return { name, header, rows, end };
}

/** The additional load at the end of the run: SPEC §5's "max load reached". */
export function maxLoadReached(run: ParsedRun): number {
  return run.end?.maxLoad ?? run.rows.at(-1)?.load ?? 0;
}
