/** Where a command writes: readable lines on a terminal, one JSON document per line with --json. */
export interface Output {
  readonly json: boolean;
  /** stdout is a terminal. */
  readonly tty: boolean;
  /** stderr is a terminal (progress bars go there). */
  readonly ttyErr: boolean;
  /** A result: `value` as JSON with --json, else the lines `lines()` gives. */
  result(value: unknown, lines: () => string | readonly string[]): void;
  /** A note for the person at the terminal (stderr): progress, warnings, "waiting for …". */
  note(line: string): void;
}

export const createOutput = (json: boolean): Output => ({
  json,
  tty: process.stdout.isTTY === true,
  ttyErr: process.stderr.isTTY === true,
  result: (value, lines) => {
    if (json) {
      process.stdout.write(`${JSON.stringify(value)}\n`);
      return;
    }
    const text = lines();
    for (const line of typeof text === "string" ? [text] : text) process.stdout.write(`${line}\n`);
  },
  note: (line) => {
    process.stderr.write(`${line}\n`);
  },
});

/** Columns padded to their widest cell, for tables on a terminal. */
export const table = (rows: readonly (readonly string[])[]): string[] => {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
};
