import { describe, expect, it } from "vitest";
import { DEFAULT_MATCH_POLICY, describePolicy, matchMachine, parsePolicy } from "../src/index.js";
import { fp, SERVER_A, SERVER_B } from "./helpers.js";

const licensed = fp(SERVER_A);

describe("machine match policy (default: machine-id | hostname + MAC)", () => {
  it("matches the same machine", () => {
    expect(matchMachine(licensed, fp(SERVER_A), DEFAULT_MATCH_POLICY)).toEqual({
      matches: true,
      matched: ["machineId", "mac", "hostname"],
      notMatched: [],
    });
  });

  it("matches a VM whose MACs changed (machine-id still matches)", () => {
    const r = matchMachine(licensed, fp({ ...SERVER_A, macs: ["02:00:00:00:00:09"] }), DEFAULT_MATCH_POLICY);
    expect(r).toEqual({ matches: true, matched: ["machineId", "hostname"], notMatched: ["mac"] });
  });

  it("matches a reinstalled OS (new machine-id) on the same hostname and one of the NICs", () => {
    const r = matchMachine(licensed, fp({ ...SERVER_A, machineId: "ffff", macs: ["52:54:00:ab:cd:ef"] }), DEFAULT_MATCH_POLICY);
    expect(r.matches).toBe(true);
  });

  it("does not match on hostname alone, nor another machine", () => {
    expect(matchMachine(licensed, fp({ hostname: SERVER_A.hostname, machineId: "x", macs: [] }), DEFAULT_MATCH_POLICY).matches).toBe(false);
    expect(matchMachine(licensed, fp(SERVER_B), DEFAULT_MATCH_POLICY)).toEqual({
      matches: false,
      matched: [],
      notMatched: ["machineId", "mac", "hostname"],
    });
  });

  it("parses and describes custom policies", () => {
    const p = parsePolicy("machine-id+hostname|mac");
    expect(p).toEqual({ anyOf: [["machineId", "hostname"], ["mac"]] });
    expect(describePolicy(p)).toBe("machine-id + hostname | MAC address");
    expect(() => parsePolicy("serial")).toThrow('unknown factor "serial" in policy');
  });
});
