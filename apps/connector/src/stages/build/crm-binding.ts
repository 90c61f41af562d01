/**
 * CRM entity references in the forms Bitrix24 methods want.
 */

export type CrmEntityType = "LEAD" | "CONTACT" | "COMPANY" | "DEAL";

export interface CrmEntityRef {
  type: CrmEntityType;
  id: number;
}

/** `UF_CRM_TASK` prefixes (tasks.task.add; Itgrix hook 004 §9): lead L, contact C, company CO, deal D. */
export const UF_CRM_TASK_PREFIX: Readonly<Record<CrmEntityType, string>> = {
  LEAD: "L",
  CONTACT: "C",
  COMPANY: "CO",
  DEAL: "D",
};

/** `{type: "CONTACT", id: 12}` → `"C_12"`. */
export function ufCrmTaskValue(ref: CrmEntityRef): string {
  return `${UF_CRM_TASK_PREFIX[ref.type]}_${ref.id}`;
}

/** `"CO_3"` → `{type: "COMPANY", id: 3}`; undefined when not in that form. */
export function parseUfCrmTaskValue(value: string): CrmEntityRef | undefined {
  const m = /^(L|C|CO|D)_(\d+)$/.exec(value.trim());
  if (!m) return undefined;
  const type = (Object.keys(UF_CRM_TASK_PREFIX) as CrmEntityType[]).find((t) => UF_CRM_TASK_PREFIX[t] === m[1])!;
  return { type, id: Number(m[2]) };
}

/** `CRM_ENTITY_TYPE` from register/searchCrmEntities (`"CONTACT"`, `"lead"`, …) → a typed ref. */
export function crmRef(type: string | null | undefined, id: number | string | null | undefined): CrmEntityRef | undefined {
  const t = String(type ?? "").toUpperCase();
  const n = Number(id);
  if (!(t in UF_CRM_TASK_PREFIX) || !Number.isInteger(n) || n <= 0) return undefined;
  return { type: t as CrmEntityType, id: n };
}
