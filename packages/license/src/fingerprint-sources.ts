import { readFileSync, readdirSync, existsSync } from "node:fs";
import { hostname as osHostname, networkInterfaces } from "node:os";
import { join } from "node:path";

/** The raw machine identifiers a fingerprint is built from. Injectable so tests can fake machines. */
export interface FingerprintSources {
  /** Contents of /etc/machine-id (or undefined when the machine has none). */
  machineId(): string | undefined;
  /** Primary MAC addresses: non-loopback, non-virtual where that can be told. Any order. */
  macs(): string[];
  hostname(): string | undefined;
}

/** Raw values of a fake (or described) machine. */
export interface RawMachine {
  machineId?: string | undefined;
  macs?: string[] | undefined;
  hostname?: string | undefined;
}

export function fixedFingerprintSources(machine: RawMachine): FingerprintSources {
  return {
    machineId: () => machine.machineId,
    macs: () => [...(machine.macs ?? [])],
    hostname: () => machine.hostname,
  };
}

export interface SystemSourceOptions {
  /** Files tried in order for the machine id. Default: /etc/machine-id, /var/lib/dbus/machine-id. */
  machineIdPaths?: string[];
  /** Root of the kernel's network class directory. Default /sys/class/net. */
  sysClassNet?: string;
}

export const DEFAULT_MACHINE_ID_PATHS = ["/etc/machine-id", "/var/lib/dbus/machine-id"];

/**
 * Interface names that are virtual by convention (containers, bridges, tunnels, VPNs). Used only when
 * /sys/class/net is not available; with /sys the kernel tells us (a physical or paravirtual NIC has
 * a `device` link, purely virtual interfaces have none).
 */
const VIRTUAL_NAME = /^(lo|docker|veth|br-|virbr|vmnet|vboxnet|tun|tap|wg|zt|tailscale|cni|flannel|cali|kube|vxlan|ifb|dummy|bond|team|macvlan|ipvlan)/;

const ZERO_MAC = "00:00:00:00:00:00";

export function systemFingerprintSources(options: SystemSourceOptions = {}): FingerprintSources {
  const machineIdPaths = options.machineIdPaths ?? DEFAULT_MACHINE_ID_PATHS;
  const sysClassNet = options.sysClassNet ?? "/sys/class/net";
  return {
    machineId() {
      for (const path of machineIdPaths) {
        try {
          const value = readFileSync(path, "utf8").trim();
          if (value) return value;
        } catch {
          // try the next path
        }
      }
      return undefined;
    },
    macs() {
      const fromSys = macsFromSys(sysClassNet);
      if (fromSys) return fromSys;
      const result: string[] = [];
      for (const [name, addresses] of Object.entries(networkInterfaces())) {
        if (VIRTUAL_NAME.test(name)) continue;
        for (const address of addresses ?? []) {
          if (!address.internal && address.mac && address.mac !== ZERO_MAC) result.push(address.mac);
        }
      }
      return result;
    },
    hostname() {
      const value = osHostname().trim();
      return value || undefined;
    },
  };
}

/** MACs of interfaces backed by a device (physical or paravirtual NIC); undefined when /sys is unusable. */
function macsFromSys(root: string): string[] | undefined {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return undefined;
  }
  const result: string[] = [];
  for (const name of names) {
    if (!existsSync(join(root, name, "device"))) continue;
    if (VIRTUAL_NAME.test(name)) continue;
    try {
      const mac = readFileSync(join(root, name, "address"), "utf8").trim();
      if (mac && mac !== ZERO_MAC) result.push(mac);
    } catch {
      // interface vanished while listing
    }
  }
  return result;
}
