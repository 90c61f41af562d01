/**
 * `{placeholder}` substitution for the admin-editable texts (task titles, notices).
 * Unknown placeholders are left as they are, so a typo shows up in the text instead of vanishing.
 */
export function renderTemplate(template: string, values: Record<string, string | number | undefined>): string {
  return template.replace(/\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g, (whole, key: string) => {
    const v = values[key];
    return v === undefined ? whole : String(v);
  });
}
