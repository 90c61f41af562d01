/**
 * Compares what the Bitrix24 emulator holds after a replay with the recording's expected CRM
 * outcome (NAME.expect.json). Returns human-readable mismatches (empty = as expected).
 */
import type { B24Emulator, ExpectedCall, Recording } from "@asterisk-b24/testkit";

type EmuCall = ReturnType<B24Emulator["calls"]>[number];

const digits = (s: string) => s.replace(/\D/g, "");
/** Same number in any Russian format (+7 / 8 / 7). */
function samePhone(a: string, b: string): boolean {
  const x = digits(a).replace(/^8(\d{10})$/, "7$1");
  const y = digits(b).replace(/^8(\d{10})$/, "7$1");
  return x === y;
}

function inList(value: number, expected: number | number[]): boolean {
  return Array.isArray(expected) ? expected.includes(value) : value === expected;
}

/** The Bitrix24 calls that belong to one recording when several played on one emulator. */
export function callsOfRecording(rec: Recording, emu: B24Emulator, clickedCallId?: string): EmuCall[] {
  const ids = new Set<string>();
  for (const { message } of rec.messages) {
    const l = message.get("Linkedid");
    if (l) ids.add(l);
  }
  return emu.calls().filter((c) => (c.EXTERNAL_CALL_ID !== null && ids.has(c.EXTERNAL_CALL_ID)) || c.CALL_ID === clickedCallId);
}

export function checkOutcome(rec: Recording, emu: B24Emulator, cardMode: "ringing" | "answer", clickedCallId?: string, only?: EmuCall[]): string[] {
  const exp = rec.expect.expect;
  const problems: string[] = [];
  const calls = only ?? emu.calls();
  const ours = calls.filter((c) => c.registeredBy !== "portal");
  const reg = exp.registrations;
  if (typeof reg === "number" ? ours.length !== reg : ours.length < reg.min || ours.length > reg.max) {
    problems.push(`registrations: got ${ours.length}, expected ${JSON.stringify(reg)}`);
  }
  for (const c of calls) if (c.reRegistrations > 0) problems.push(`${c.CALL_ID}: registered again ${c.reRegistrations} time(s)`);
  if (exp.tasks !== undefined) {
    const tasks = emu.requests().filter((r) => r.method === "tasks.task.add" && r.status === 200).length;
    if (tasks !== exp.tasks) problems.push(`tasks: got ${tasks}, expected ${exp.tasks}`);
  }
  const fourXX = emu.requests().filter((r) => typeof r.status === "number" && r.status >= 400 && r.status < 500);
  for (const r of fourXX) problems.push(`Bitrix24 answered ${r.status} to ${r.method}: ${r.error ?? ""}`);

  for (const want of exp.calls) problems.push(...checkCall(want, calls, cardMode, clickedCallId));
  return problems;
}

export function checkCall(want: ExpectedCall, calls: EmuCall[], cardMode: "ringing" | "answer", clickedCallId?: string): string[] {
  const label = `call ${want.match.PHONE_NUMBER}`;
  const candidates = calls.filter(
    (c) => samePhone(c.PHONE_NUMBER, want.match.PHONE_NUMBER) && (want.source === "portal" ? c.registeredBy === "portal" : c.registeredBy !== "portal"),
  );
  if (candidates.length !== 1) return [`${label}: expected exactly one such call in Bitrix24, found ${candidates.length}`];
  const call = candidates[0]!;
  const p: string[] = [];
  if (want.source === "portal" && clickedCallId && call.CALL_ID !== clickedCallId) p.push(`${label}: not the portal's CALL_ID`);
  if (!inList(call.TYPE, want.TYPE)) p.push(`${label}: TYPE ${call.TYPE}, expected ${JSON.stringify(want.TYPE)}`);
  if (want.lineNumber !== undefined && call.LINE_NUMBER !== want.lineNumber) p.push(`${label}: LINE_NUMBER ${call.LINE_NUMBER}, expected ${want.lineNumber}`);
  const finish = call.finish;
  if (!finish) return [...p, `${label}: never finished`];
  const user = Number(finish.params.USER_ID);
  if (!inList(user, want.responsible)) p.push(`${label}: responsible ${user}, expected ${JSON.stringify(want.responsible)}`);
  const status = String(finish.params.STATUS_CODE);
  const answered = status === "200";
  if (answered !== (want.status === "answered")) p.push(`${label}: STATUS_CODE ${status}, expected ${want.status}`);
  const duration = Number(finish.params.DURATION ?? 0);
  const d = want.duration;
  if (d.value !== undefined && Math.abs(duration - d.value) > (d.tolerance ?? 0)) p.push(`${label}: DURATION ${duration}, expected ${d.value}±${d.tolerance ?? 0}`);
  if (d.min !== undefined && duration < d.min) p.push(`${label}: DURATION ${duration} < ${d.min}`);
  if (d.max !== undefined && duration > d.max) p.push(`${label}: DURATION ${duration} > ${d.max}`);
  const shown = [...new Set(call.shows.map((s) => s.USER_ID))].sort((a, b) => a - b);
  if (cardMode === "ringing") {
    if (want.shownTo && JSON.stringify(shown) !== JSON.stringify([...want.shownTo].sort((a, b) => a - b)))
      p.push(`${label}: card shown to ${JSON.stringify(shown)}, expected ${JSON.stringify(want.shownTo)}`);
    for (const u of want.shownToInclude ?? []) if (!shown.includes(u)) p.push(`${label}: card not shown to ${u}`);
  } else {
    // Card on answer: only managers who answered see it, each with exactly one show request.
    if (!answered && want.source !== "portal" && shown.length > 0) p.push(`${label}: missed call showed a card to ${JSON.stringify(shown)} in answer mode`);
    // `shownTo: []`: nobody with a CRM user took part (a call nobody owns): no card for anyone.
    const noCard = want.shownTo !== undefined && want.shownTo.length === 0;
    if (noCard && shown.length > 0) p.push(`${label}: card shown to ${JSON.stringify(shown)}, expected none`);
    if (answered && want.source !== "portal" && !noCard && !shown.includes(user)) p.push(`${label}: the one who answered (${user}) got no card`);
    const perUser = new Map<number, number>();
    for (const s of call.shows) perUser.set(s.USER_ID, (perUser.get(s.USER_ID) ?? 0) + 1);
    for (const [u, n] of perUser) if (n > 1) p.push(`${label}: ${n} show requests for user ${u}`);
    const allowed = want.shownTo ?? want.shownToInclude;
    if (allowed && want.shownTo) for (const u of shown) if (!want.shownTo.includes(u)) p.push(`${label}: card shown to ${u}, who never rang`);
  }
  for (const u of want.notShownTo ?? []) if (shown.includes(u)) p.push(`${label}: card shown to ${u}, expected not`);
  if (want.record !== undefined && call.records.length > 0 !== want.record) p.push(`${label}: record attached = ${call.records.length > 0}, expected ${want.record}`);
  return p;
}
