/** Prints one benchmark figure as a JSON line on stdout (see bench/run.ts). */
export function printFigure(metric: string, value: number, unit: string): void {
  process.stdout.write(JSON.stringify({ metric, value: Math.round(value * 100) / 100, unit }) + "\n");
}

/** Prose for people goes to stderr so stdout stays machine-readable. */
export function note(text: string): void {
  process.stderr.write(text + "\n");
}
