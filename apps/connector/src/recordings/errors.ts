/** Failure kinds of the recording stage; callers branch on the class, not on the text. */

/** The recording file did not appear within the wait limit. */
export class RecordingNotFoundError extends Error {
  override readonly name = "RecordingNotFoundError";
  constructor(
    readonly path: string,
    message = `recording not found: ${path}`,
  ) {
    super(message);
  }
}

/** The file exists but kept growing (MixMonitor still writing) until the wait limit. */
export class RecordingNotStableError extends Error {
  override readonly name = "RecordingNotStableError";
  constructor(
    readonly path: string,
    readonly lastSize: number,
  ) {
    super(`recording still growing after the wait limit: ${path} (${lastSize} bytes)`);
  }
}

/** A path that leaves its allowed folder, or is otherwise unusable. */
export class RecordingPathError extends Error {
  override readonly name = "RecordingPathError";
}

/** Bitrix24 takes only .wav and .mp3. */
export class RecordingFormatError extends Error {
  override readonly name = "RecordingFormatError";
}

/** The external database lookup failed (connection, SQL, timeout). */
export class RecordingLookupError extends Error {
  override readonly name = "RecordingLookupError";
}

/** Bitrix24 answered attachRecord / upload with something we cannot use. */
export class RecordingAttachError extends Error {
  override readonly name = "RecordingAttachError";
}

export type RecordingTokenProblem = "malformed" | "bad-signature" | "expired";

/** A signed recording URL that does not verify. */
export class RecordingTokenError extends Error {
  override readonly name = "RecordingTokenError";
  constructor(readonly problem: RecordingTokenProblem) {
    super(`recording token ${problem}`);
  }
}
