import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseB24AppConfig } from "../../../../apps/b24-app/src/config.js";
import { parseConfig } from "../../../../apps/connector/src/config/load.js";
import { findManifest } from "../../../../scripts/bundle/manifests.js";
import { expandArgs, parseDockerfile, type Dockerfile } from "./dockerfile.js";
import { bundleWithCli, netnsAvailable, REPO_ROOT, removeDir, tempDir, unpack } from "./harness.js";

const mustRun = process.env.CI === "true";
const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");
const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

describe("docker/compose.yaml", () => {
  it("passes `docker-compose config` (scripts/bundle/check-compose.sh); fails under CI when it cannot run", (ctx) => {
    const r = spawnSync("bash", ["scripts/bundle/check-compose.sh"], { cwd: REPO_ROOT, encoding: "utf8", timeout: 900_000, killSignal: "SIGKILL" });
    if (r.status === 3 && !mustRun) {
      ctx.skip(`docker-compose unavailable: ${r.stderr.trim()}`);
      return;
    }
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain("services: redis connector b24-app");

    // The resolved file: Redis with AOF and a volume, both apps built from the bundle Dockerfiles, configs mounted.
    const resolved = spawnSync(
      "bash",
      ["-c", `docker-compose -f docker/compose.yaml config | python3 -c 'import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'`],
      { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000, killSignal: "SIGKILL" },
    );
    expect(resolved.status, resolved.stderr).toBe(0);
    const doc = JSON.parse(resolved.stdout) as {
      services: Record<string, { command?: string[]; volumes?: Array<string | { target: string }>; build?: { dockerfile: string }; depends_on?: Record<string, { condition: string }> }>;
    };
    const redis = doc.services.redis!;
    expect(redis.command?.join(" ")).toContain("--appendonly yes");
    expect(JSON.stringify(redis.volumes)).toContain("/data");
    for (const app of ["connector", "b24-app"]) {
      const svc = doc.services[app]!;
      expect(svc.build?.dockerfile).toBe(`docker/${app}.Dockerfile`);
      expect(svc.depends_on?.redis?.condition).toBe("service_healthy");
      expect(JSON.stringify(svc.volumes)).toContain(`/etc/asterisk-b24/${app}.json`);
      expect(JSON.stringify(svc.volumes)).toContain(`/var/lib/asterisk-b24/${app}`);
    }
  }, 900_000);

  it("the configurations shipped (bundle examples, compose) are valid for their app", () => {
    for (const file of ["packaging/config/connector.example.json", "docker/config/connector.json"]) {
      const config = parseConfig(JSON.parse(read(file)), file, {});
      expect(config.http.port).toBe(findManifest("connector").health!.port);
    }
    for (const file of ["packaging/config/b24-app.example.json", "docker/config/b24-app.json"]) {
      const config = parseB24AppConfig(JSON.parse(read(file)), file, {});
      expect(config.http.port).toBe(findManifest("b24-app").health!.port);
    }
  });
});

describe("docker/*.Dockerfile", () => {
  for (const app of ["connector", "b24-app"]) {
    it(`${app}: small node base, installs the bundle archive with its install.sh, non-root, health-checked via node`, () => {
      const df = parseDockerfile(read(`docker/${app}.Dockerfile`));
      const manifest = findManifest(app);
      expect(df.from).toMatch(/^node:20(\.\d+)*-(slim|bookworm-slim|alpine)/);
      expect(expandArgs(df.add!.src, df.args)).toBe(`dist/bundles/${app}-${df.args.VERSION}-linux-x64.tar.gz`);
      expect(df.run.join(" ")).toContain(`/tmp/bundle/${app}-\${VERSION}-linux-x64/install.sh --no-systemd`);
      expect(df.user).toBeDefined();
      expect(df.user).not.toMatch(/^(root|0)$/);
      expect(df.healthcheck).toEqual(["node", `/opt/asterisk-b24/${app}/current/lib/healthcheck.mjs`]);
      expect(df.entrypoint).toEqual([`/opt/asterisk-b24/${app}/current/bin/${app}`]);
      // Same start command as the systemd unit.
      const unit = read(manifest.service!.unit);
      const execArgs = /^ExecStart=\S+ (.*)$/m.exec(unit)![1]!.replace("@CONFIG@", "/etc/asterisk-b24").split(" ");
      expect(df.cmd).toEqual(execArgs);
      expect(read(`docker/${app}.Dockerfile`)).toContain(`EXPOSE ${manifest.health!.port}`);
    });
  }
});

/**
 * No Docker engine here: the image's build step (its RUN: user + the bundle's install.sh as root with
 * the default prefix, i.e. a system install) is run for real inside `unshare -m -n`, with overlays on
 * /etc, /opt, /var/lib and /usr/local so nothing outside the namespace changes; then the ENTRYPOINT
 * runs as the image's USER.
 */
const netns = netnsAvailable();
const connectorCli = existsSync(join(REPO_ROOT, findManifest("connector").entry));

describe.skipIf(!connectorCli || (!netns.ok && !mustRun))("connector image steps, run as a system install in a private namespace", () => {
  let work: string;
  let df: Dockerfile;

  beforeAll(() => {
    if (!netns.ok) throw new Error(netns.reason);
    work = tempDir("docker");
    df = parseDockerfile(read("docker/connector.Dockerfile"));
    const archive = bundleWithCli("connector", df.args.VERSION!, join(work, "out")).archive;
    unpack(archive, join(work, "bundle")); // = ADD <archive> /tmp/bundle/
  }, 240_000);

  afterAll(() => {
    if (work) removeDir(work);
  });

  it("RUN installs for the image user; ENTRYPOINT runs as that user (--version, help); config readable, data dir writable", () => {
    const overlays = ["/etc", "/opt", "/var/lib", "/usr/local"]
      .map((dir, i) => `mkdir -p "$OV/u${i}" "$OV/w${i}" && mount -t overlay overlay -o "lowerdir=${dir},upperdir=$OV/u${i},workdir=$OV/w${i}" ${dir}`)
      .join("\n");
    const run = df.run.map((r) => r.replaceAll("/tmp/bundle/", `${work}/bundle/`)).join(" && ");
    const user = df.user!;
    const as = (cmd: string) => `setpriv --reuid=${user} --regid=${user} --init-groups sh -c 'cd ${df.workdir} && ${cmd}'`;
    const entry = df.entrypoint.join(" ");
    const argsEnv = Object.entries(df.args).map(([k, v]) => `${k}=${v}`).join(" ");
    mkdirSync(join(work, "ov"));
    const script = [
      "set -eu",
      "ip link set lo up",
      `OV="${work}/ov"`,
      'mount -t tmpfs tmpfs "$OV"',
      overlays,
      // Docker runs RUN with /bin/sh -c and the ARGs in the environment.
      `env ${argsEnv} sh -c ${shellQuote(run)}`,
      `id ${user}`,
      as(`${entry} --version`),
      as(`${entry} help | grep -q "check-config --config FILE" && echo HELP=ok`),
      as(`test -r /etc/asterisk-b24/connector.json && echo CONFIG=readable`),
      as(`touch /var/lib/asterisk-b24/connector/probe && echo DATA=writable`),
      `stat -c "%U:%G %a" /etc/asterisk-b24/connector.json`,
      `readlink /opt/asterisk-b24/connector/etc /opt/asterisk-b24/connector/var /usr/local/bin/asterisk-b24-connector`,
      // The unit a systemd host would get, checked by systemd itself.
      `/opt/asterisk-b24/connector/current/install.sh --print-unit > "$OV/asterisk-b24-connector.service"`,
      `grep -E "^(User|ExecStart|ReadWritePaths)=" "$OV/asterisk-b24-connector.service"`,
      `timeout 60 systemd-analyze verify --man=no "$OV/asterisk-b24-connector.service" && echo UNIT=valid`,
    ].join("\n");
    const r = spawnSync("unshare", ["-m", "-n", "bash", "-c", script], { encoding: "utf8", timeout: 120_000, killSignal: "SIGKILL" });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`uid=${df.args.APP_UID}(${user})`);
    expect(r.stdout.split("\n")).toContain(df.args.VERSION);
    expect(r.stdout).toContain("HELP=ok");
    expect(r.stdout).toContain("CONFIG=readable");
    expect(r.stdout).toContain("DATA=writable");
    expect(r.stdout).toContain(`root:${user} 640`);
    expect(r.stdout).toContain("/etc/asterisk-b24\n/var/lib/asterisk-b24/connector\n/opt/asterisk-b24/connector/current/bin/connector");
    expect(r.stdout).toContain("User=asterisk-b24\n");
    expect(r.stdout).toContain("ExecStart=/opt/asterisk-b24/connector/current/bin/connector run --config /etc/asterisk-b24/connector.json\n");
    expect(r.stdout).toContain("ReadWritePaths=/var/lib/asterisk-b24/connector\n");
    expect(r.stdout).toContain("UNIT=valid");
    // Nothing leaked out of the namespace.
    expect(existsSync("/opt/asterisk-b24/connector")).toBe(false);
  });
});
