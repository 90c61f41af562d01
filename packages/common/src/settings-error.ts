/** A settings problem found while turning config into connection options; `path` is the config key. */
export class SettingsError extends Error {
  override readonly name: string = "SettingsError";
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}
