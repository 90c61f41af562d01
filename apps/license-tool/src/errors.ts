/** A mistake in how the tool was called (unknown option, missing value). Printed without a stack trace. */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}
