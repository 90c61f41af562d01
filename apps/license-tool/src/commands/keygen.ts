import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateVendorKeyPair } from "@asterisk-b24/license";
import { type CliContext, parseOptions, pathIn } from "../context.js";
import { UsageError } from "../errors.js";

export function keygen(ctx: CliContext, argv: string[]): number {
  const o = parseOptions("keygen", argv, {
    "out-dir": { type: "string" },
    name: { type: "string" },
    force: { type: "boolean" },
  });
  const dir = pathIn(ctx, o["out-dir"] ?? ".");
  const name = o.name ?? "vendor";
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new UsageError(`--name may hold only letters, digits, ".", "_" and "-"`, "keygen");
  const privatePath = join(dir, `${name}.key.pem`);
  const publicPath = join(dir, `${name}.pub.pem`);
  if (!o.force && (existsSync(privatePath) || existsSync(publicPath))) {
    throw new UsageError(
      `${existsSync(privatePath) ? privatePath : publicPath} already exists; licences signed with that key would stop verifying if it were replaced. Use --force to overwrite.`,
      "keygen",
    );
  }
  mkdirSync(dir, { recursive: true });
  const pair = generateVendorKeyPair();
  writeFileSync(privatePath, pair.privateKeyPem, { mode: 0o600 });
  chmodSync(privatePath, 0o600);
  writeFileSync(publicPath, pair.publicKeyPem, { mode: 0o644 });
  ctx.out(`Private key: ${privatePath} (mode 0600; keep it offline and backed up, never ship it)`);
  ctx.out(`Public key:  ${publicPath} (key id ${pair.keyId})`);
  ctx.out(`Embed the public key in connector builds: see docs/licensing.md, "Embedding the public key".`);
  return 0;
}
