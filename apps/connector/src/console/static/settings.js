import { api, clear, h, pill } from "./dom.js";

function issuesList(check) {
  if (check.ok) return h("div.notice.ok", { "data-check": "ok" }, "The configuration is valid. (Nothing was applied: edit the file and restart the connector to use it.)");
  return h(
    "div.notice.err",
    { "data-check": "invalid" },
    h("b", `${check.issues.length} wrong setting${check.issues.length === 1 ? "" : "s"}:`),
    h(
      "ul.issues",
      check.issues.map((i) => h("li", { "data-path": i.path }, h("code", i.path || "(root)"), " ", i.message)),
    ),
  );
}

function connectionsTable(result) {
  return h(
    "table",
    { id: "connections-result", "data-ok": String(result.ok) },
    h("thead", h("tr", h("th", "Connection"), h("th", ""), h("th", "Answer"))),
    h(
      "tbody",
      result.results.map((r) =>
        h("tr", { "data-connection": r.id, "data-ok": String(r.ok) }, h("td", r.title), h("td", pill(r.ok ? "OK" : "failed", r.ok ? "ok" : "failed")), h("td.small", r.detail)),
      ),
    ),
  );
}

function usersSection(doc) {
  const noExt = doc.usersWithoutExtension;
  const unmapped = doc.unmappedExtensions;
  return h(
    "div",
    h(
      "div.grid.cols-2",
      h(
        "div.card",
        { id: "users-without-extension" },
        h("h2", `Bitrix24 users without an internal number (${noExt.length})`),
        noExt.length
          ? h(
              "table",
              h("thead", h("tr", h("th", "ID"), h("th", "Name"))),
              h(
                "tbody",
                noExt.map((u) => h("tr", { "data-user": u.id }, h("td", u.id), h("td", u.name || "—"))),
              ),
            )
          : h("div.empty", "Every user has an internal number."),
        h("p.muted.small", "Calls can never show a card to them: set Employee profile → Internal phone (UF_PHONE_INNER)."),
      ),
      h(
        "div.card",
        { id: "unmapped-extensions" },
        h("h2", `PBX extensions that map to nobody (${unmapped.length})`),
        unmapped.length
          ? h(
              "table",
              h("thead", h("tr", h("th", "Extension"), h("th", "Looked up as"), h("th", "Seen in"))),
              h(
                "tbody",
                unmapped.map((e) => h("tr", { "data-extension": e.extension }, h("td.mono", e.extension), h("td.mono", e.mapsTo), h("td.small", e.seenIn.join(", ")))),
              ),
            )
          : h("div.empty", "Every extension seen on the PBX reaches a Bitrix24 user."),
        h("p.muted.small", "The most common cause of lost cards: give the user this internal number, or map it with product.extensionMap / product.extensionRules."),
      ),
    ),
    h(
      "div.card.section",
      { id: "users-table" },
      h("h2", `All users (${doc.users.length}) `, h("span.muted.small", `cache loaded ${doc.cache.last_updated ?? "never"}`)),
      h(
        "table",
        h(
          "thead",
          h(
            "tr",
            ["ID", "Name", "Internal number", "PBX extension", "Reachable", "Seen on the PBX"].map((t) => h("th", t)),
          ),
        ),
        h(
          "tbody",
          doc.users.map((u) =>
            h(
              "tr",
              { "data-user-row": u.id, "data-reachable": String(u.reachable) },
              h("td", u.id),
              h("td", u.name || "—"),
              h("td.mono", u.innerPhone || "—"),
              h("td.mono", u.pbxExtension || "—"),
              h("td", u.reachable ? pill("yes", "ok") : pill(u.innerPhone ? "no: the extension maps elsewhere or the number is shared" : "no internal number", "failed")),
              h("td", u.seen ? "yes" : ""),
            ),
          ),
        ),
      ),
    ),
  );
}

export async function renderSettings(main) {
  const [settings, users] = await Promise.all([api("/api/console/settings"), api("/api/console/users")]);
  const effective = JSON.stringify(settings.body.config, null, 2);
  const editor = h("textarea", { id: "config-editor", spellcheck: "false" });
  editor.value = effective;
  const checkOut = h("div", { id: "check-result" });
  const connOut = h("div", { id: "connections" });
  const checkBtn = h("button", { id: "check-config" }, "Check configuration");
  const testBtn = h("button.secondary", { id: "test-connections" }, "Test connections");
  checkBtn.addEventListener("click", async () => {
    checkBtn.disabled = true;
    const res = await api("/api/console/settings/check", { method: "POST", body: JSON.stringify({ config: editor.value }) });
    checkBtn.disabled = false;
    clear(checkOut, res.ok ? issuesList(res.body) : h("div.notice.err", `check failed: ${res.status}`));
  });
  testBtn.addEventListener("click", async () => {
    testBtn.disabled = true;
    clear(connOut, h("div.notice", "Testing AMI, Redis, Bitrix24 and recordings…"));
    const res = await api("/api/console/settings/test-connections", { method: "POST", body: "{}" });
    testBtn.disabled = false;
    clear(connOut, res.ok ? connectionsTable(res.body) : h("div.notice.err", `test failed: ${res.status}`));
  });
  main.append(
    h("h1", "Settings"),
    h(
      "div.grid.cols-2",
      h("div.card", h("h2", "Effective configuration ", h("span.muted.small", "secrets masked")), h("pre.config", { id: "effective-config" }, effective)),
      h(
        "div.card",
        h("h2", "Check a configuration ", h("span.muted.small", "paste or edit; nothing is applied")),
        editor,
        h("div.actions", { style: "margin-top:10px" }, checkBtn, h("span.muted.small", "Masked secrets (••••••) keep their current values.")),
        h("div.section", checkOut),
      ),
    ),
    h("div.card.section", h("div.actions", { style: "justify-content:space-between" }, h("h2", "Connections"), testBtn), connOut),
    h("h1.section", "Users ↔ extensions"),
    users.ok ? usersSection(users.body) : h("div.notice.err", `users: ${users.status}`),
  );
}
