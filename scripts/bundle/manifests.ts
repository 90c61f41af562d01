/**
 * One manifest per shippable app. Adding an app to `pnpm bundle` is one entry here (plus, for a
 * service, its systemd unit and example config under packaging/). Paths are relative to the repo root.
 */
export interface AppManifest {
  /** Archive, launcher and service name: `dist/bundles/<name>-<version>-linux-x64.tar.gz`, `bin/<name>`. */
  name: string;
  /** The app's workspace folder; its package.json gives the version (unless `pnpm bundle --version`). */
  packageDir: string;
  /** The TypeScript entry compiled into `lib/<name>.bundle.mjs`. */
  entry: string;
  /** One line for `bundle.json` and the install script's messages. */
  description: string;
  /** Name of the command linked into /usr/local/bin on a system install (root, default prefix). */
  command: string;
  /** Further commands in the same archive (own entry, same lib/node_modules): `bin/<name>`, linked as `command`. */
  extraCommands?: Array<{ name: string; entry: string; command: string }>;
  /** Long-running service: systemd unit template and the arguments `bin/<name>` is started with. */
  service?: {
    /** Unit template; `@PREFIX@`, `@CONFIG@`, `@DATA@`, `@USER@` are filled in by install.sh. */
    unit: string;
  };
  /** Example configuration, shipped as `config.example.json`; install.sh copies it to `<etc>/<name>.json` once. */
  exampleConfig?: string;
  /**
   * What an update must never touch, relative to the install prefix (`etc/…` = configuration,
   * `var/…` = data and licence). install.sh never writes these, and copies the ones that exist into
   * `<prefix>/backups/<old version>-<time>/` before switching to a new release.
   */
  keep: string[];
  /** Extra repo files or folders the app reads at run time (shipped under `share/`, same relative path). */
  assets: string[];
  /** Browser scripts built with esbuild into `share/<out>` (repo-relative paths; see web-assets.ts). */
  webAssets?: Array<{ entry: string; out: string }>;
  /** HTTP health endpoint (used by `lib/healthcheck.mjs`, the Docker HEALTHCHECK and the tests). */
  health?: { port: number; path: string };
}

export const MANIFESTS: AppManifest[] = [
  {
    name: "license-tool",
    packageDir: "apps/license-tool",
    entry: "apps/license-tool/src/cli.ts",
    description: "asterisk-b24 licence tool (keygen / request / issue / verify)",
    command: "license-tool",
    keep: [],
    assets: [],
  },
  {
    name: "connector",
    packageDir: "apps/connector",
    entry: "apps/connector/src/cli.ts",
    description: "asterisk-b24 connector (Asterisk AMI → Bitrix24)",
    command: "asterisk-b24-connector",
    service: { unit: "packaging/systemd/connector.service" },
    exampleConfig: "packaging/config/connector.example.json",
    // The licence: license.file, default /etc/asterisk-b24/license.jwt (= etc/ of a system install).
    keep: ["etc/connector.json", "etc/connector.env", "etc/license.jwt"],
    // The product only: the demo, `replay` and the test kit stay in the source checkout (dev-cli.ts).
    assets: [],
    health: { port: 8077, path: "/status" },
  },
  {
    name: "b24-app",
    packageDir: "apps/b24-app",
    entry: "apps/b24-app/src/main.ts",
    description: "asterisk-b24 local Bitrix24 app (credentials, connector tokens, REST gateway)",
    command: "asterisk-b24-b24-app",
    // Admin commands: keygen, token issue/list/revoke, install-url, audit, status.
    extraCommands: [{ name: "b24-app-cli", entry: "apps/b24-app/src/cli.ts", command: "asterisk-b24-app-cli" }],
    service: { unit: "packaging/systemd/b24-app.service" },
    exampleConfig: "packaging/config/b24-app.example.json",
    keep: ["etc/b24-app.json", "var/"], // its data (portal credentials, token keys) is small
    assets: [],
    // The app's page in the Bitrix24 frame (b24jssdk bundled in).
    webAssets: [{ entry: "apps/b24-app/web/main.ts", out: "apps/b24-app/src/page/dist/page.js" }],
    health: { port: 8090, path: "/status" },
  },
];

export function findManifest(name: string): AppManifest {
  const manifest = MANIFESTS.find((m) => m.name === name);
  if (!manifest) throw new UnknownAppError(name);
  return manifest;
}

export class UnknownAppError extends Error {
  override readonly name = "UnknownAppError";
  constructor(readonly app: string) {
    super(`unknown app "${app}" (known: ${MANIFESTS.map((m) => m.name).join(", ")})`);
  }
}
