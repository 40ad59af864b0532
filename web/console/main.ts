/**
 * The coordinators' console, a Telegram Mini App: Preact with htm templates (no JSX step), the
 * Mini App SDK from npm, the Khmer font bundled. Every request carries the init data Telegram
 * gave the page; the server checks it each time. Text from people is always rendered as text
 * (Preact escapes it), never as HTML.
 */
import "@fontsource/noto-sans-khmer/khmer-400.css";
import "@fontsource/noto-sans-khmer/khmer-700.css";
import "./style.css";
import TelegramWebApp from "@twa-dev/sdk";
import htm from "htm";
import { h, render } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { ActionResult, Analysis, ExportLink, Meta, Row, Statement, Substantiation, Table } from "../../src/console/schema.js";

const html = htm.bind(h);

// ---------------------------------------------------------------------------------------------
// Talking to the server

// Using the import keeps the SDK in the bundle; its script sets window.Telegram.WebApp, which is
// read from there (the CommonJS default export does not survive bundling as the object itself).
const WebApp = ((window as unknown as { Telegram?: { WebApp?: typeof TelegramWebApp } }).Telegram?.WebApp ?? TelegramWebApp) as typeof TelegramWebApp;
const initData = WebApp.initData;
/** Every request carries the init data; the server checks it each time. */
const AUTH = { authorization: `tma ${initData}` };
// Telegram opens the page with its parameters in the hash; the SDK has read them, the routes take the hash over.
if (!location.hash.startsWith("#/")) history.replaceState(null, "", `${location.pathname}${location.search}#/`);

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method: init.method ?? "GET",
    headers: { ...AUTH, ...(init.body ? { "content-type": "application/json" } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const body = await res.json().catch(() => ({}));
  // A refused action still answers with the statement as it is now.
  if (!res.ok && !(res.status === 409 || res.status === 422 || (res.status === 403 && body.statement)))
    throw new ApiError(res.status, body.error ?? res.statusText);
  return body as T;
}

async function download(path: string, name: string) {
  const res = await fetch(`/api/v1${path}`, { headers: AUTH });
  if (!res.ok) throw new ApiError(res.status, (await res.json().catch(() => ({}))).error ?? res.statusText);
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A file of a statement (a photo, a voice note) as a local URL: <img> and <audio> cannot send the init data. */
function useFileUrl(path: string | null) {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!path) return;
    let gone = false;
    let made: string | undefined;
    fetch(path, { headers: AUTH })
      .then((r) => (r.ok ? r.blob() : undefined))
      .then((b) => {
        if (!b || gone) return;
        made = URL.createObjectURL(b);
        setUrl(made);
      })
      .catch(() => {});
    return () => {
      gone = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [path]);
  return url;
}

// ---------------------------------------------------------------------------------------------
// Words, digits and the route

let META: Meta;

/** A string of the person's language; the chat's strings may carry HTML tags, shown here as plain text. */
function tr(key: string, params: Record<string, string | number> = {}): string {
  let v: unknown = META?.strings;
  for (const part of key.split(".")) v = (v as Record<string, unknown> | undefined)?.[part];
  if (typeof v !== "string") return key;
  return v.replace(/<[^>]+>/g, "").replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, k: string) => (k in params ? num(params[k]!) : ""));
}

const KHMER_DIGITS = "០១២៣៤៥៦៧៨៩";
/** Numbers in the reader's digits (Khmer digits in Khmer). */
function num(v: string | number): string {
  const s = String(v);
  return META?.me.lang === "km" && typeof v === "number" ? s.replace(/\d/g, (d) => KHMER_DIGITS[Number(d)]!) : s;
}

interface Route {
  page: "statements" | "statement" | "classify" | "analysis" | "substantiation";
  id?: number;
  query: URLSearchParams;
}

function readRoute(): Route {
  const [path = "", search = ""] = location.hash.replace(/^#/, "").split("?");
  const query = new URLSearchParams(search);
  const parts = path.split("/").filter(Boolean);
  if (parts[0] === "s" && parts[1]) return { page: "statement", id: Number(parts[1]), query };
  if (parts[0] === "classify" || parts[0] === "analysis" || parts[0] === "substantiation") return { page: parts[0], query };
  return { page: "statements", query };
}

const go = (path: string, query?: URLSearchParams) => {
  location.hash = `#${path}${query && [...query.keys()].length ? `?${query}` : ""}`;
};

/** The filter's part of a query (not the page, sort or position). */
const FILTER_KEYS = ["org", "status", "round", "from", "to", "question", "option", "q"];
const filterOnly = (q: URLSearchParams) => new URLSearchParams([...q].filter(([k]) => FILTER_KEYS.includes(k)));

// ---------------------------------------------------------------------------------------------
// Shared pieces

function Filters({ query, onChange }: { query: URLSearchParams; onChange: (q: URLSearchParams) => void }) {
  const [text, setText] = useState(query.get("q") ?? "");
  const timer = useRef<number | undefined>(undefined);
  const set = (key: string, value: string) => {
    const q = new URLSearchParams(query);
    q.delete(key);
    if (value) q.set(key, value);
    q.delete("page");
    onChange(q);
  };
  const options = query.getAll("option");
  const typed = (v: string) => {
    setText(v);
    clearTimeout(timer.current);
    timer.current = window.setTimeout(() => set("q", v.trim()), 350);
  };
  return html`<div class="filters">
    <input type="search" aria-label=${tr("console.filter.text")} placeholder=${tr("console.filter.text")} value=${text} onInput=${(e: Event) => typed((e.target as HTMLInputElement).value)} />
    <select aria-label=${tr("console.filter.organisation")} value=${query.get("org") ?? ""} onChange=${(e: Event) => set("org", (e.target as HTMLSelectElement).value)}>
      <option value="">${tr("console.filter.all_organisations")}</option>
      ${META.organisations.map((o) => html`<option value=${o.id}>${o.name}</option>`)}
    </select>
    <select aria-label=${tr("console.filter.status")} value=${query.get("status") ?? ""} onChange=${(e: Event) => set("status", (e.target as HTMLSelectElement).value)}>
      <option value="">${tr("console.filter.all_statuses")}</option>
      ${META.statuses.map((s) => html`<option value=${s.key}>${s.label}</option>`)}
    </select>
    ${
      META.rounds.length > 0 &&
      html`<select aria-label=${tr("console.filter.round")} value=${query.get("round") ?? ""} onChange=${(e: Event) => set("round", (e.target as HTMLSelectElement).value)}>
        <option value="">${tr("console.filter.all_rounds")}</option>
        ${META.rounds.map((r) => html`<option value=${r.id}>${r.name}</option>`)}
      </select>`
    }
    ${
      META.questions.length > 0 &&
      html`<select aria-label=${tr("console.filter.question")} value=${query.get("question") ?? ""} onChange=${(e: Event) => set("question", (e.target as HTMLSelectElement).value)}>
        <option value="">${tr("console.filter.all_questions")}</option>
        ${META.questions.map((x) => html`<option value=${x.id}>${x.text}</option>`)}
      </select>`
    }
    <label class="month">${tr("console.filter.from")} <input type="month" value=${query.get("from") ?? ""} onChange=${(e: Event) => set("from", (e.target as HTMLInputElement).value)} /></label>
    <label class="month">${tr("console.filter.to")} <input type="month" value=${query.get("to") ?? ""} onChange=${(e: Event) => set("to", (e.target as HTMLInputElement).value)} /></label>
    <select
      aria-label=${tr("console.filter.option")}
      value=""
      onChange=${(e: Event) => {
        const v = (e.target as HTMLSelectElement).value;
        if (!v) return;
        const q = new URLSearchParams(query);
        q.append("option", v);
        q.delete("page");
        onChange(q);
      }}
    >
      <option value="">${tr("console.filter.add_option")}</option>
      ${META.dimensions.map((d) => html`<optgroup label=${d.label}>${d.options.filter((o) => !options.includes(String(o.id))).map((o) => html`<option value=${o.id}>${o.label}</option>`)}</optgroup>`)}
    </select>
    ${options.map((id) => {
      const found = META.dimensions.flatMap((d) => d.options.map((o) => ({ d, o }))).find((x) => String(x.o.id) === id);
      const q = new URLSearchParams(query);
      q.delete("option");
      for (const other of options) if (other !== id) q.append("option", other);
      return html`<button class="chip" onClick=${() => onChange(q)} title=${tr("console.filter.remove")}>${found ? `${found.d.label}: ${found.o.label}` : id} ×</button>`;
    })}
  </div>`;
}

function Nav({ route }: { route: Route }) {
  const filter = filterOnly(route.query);
  const tab = (page: Route["page"], path: string, label: string) =>
    html`<a class=${route.page === page || (page === "statements" && route.page === "statement") ? "tab on" : "tab"} href=${`#${path}${[...filter.keys()].length ? `?${filter}` : ""}`}>${label}</a>`;
  return html`<nav>
    ${tab("statements", "/", tr("console.nav.statements"))} ${tab("classify", "/classify", tr("console.nav.classify"))}
    ${tab("substantiation", "/substantiation", tr("console.nav.substantiation"))} ${tab("analysis", "/analysis", tr("console.nav.analysis"))}
  </nav>`;
}

function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error?: string; reload: () => void; set: (t: T) => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [n, setN] = useState(0);
  useEffect(() => {
    let gone = false;
    setError(undefined);
    load().then(
      (d) => !gone && setData(d),
      (e: Error) => !gone && setError(e instanceof ApiError && e.status === 401 ? tr("console.errors.session") : e.message),
    );
    return () => {
      gone = true;
    };
  }, [...deps, n]);
  return { data, error, reload: () => setN((x) => x + 1), set: setData };
}

const statusLabel = (key: string) => META.statuses.find((s) => s.key === key)?.label ?? key;
const optionLabel = (id: number) => META.dimensions.flatMap((d) => d.options).find((o) => o.id === id)?.label ?? String(id);

// ---------------------------------------------------------------------------------------------
// The table

const SUBST = (s: Row["substantiation"]) => (s === "none" ? "" : tr(`console.substantiation.${s}`));

function StatementsPage({ route }: { route: Route }) {
  const query = route.query;
  const key = query.toString();
  const { data, error } = useLoad(() => call<Table>(`/statements?${query}`), [key]);
  const [columns, setColumns] = useState<number[]>(() => JSON.parse(localStorage.getItem("console.columns") ?? "[]"));
  const [busy, setBusy] = useState<string>();
  const update = (q: URLSearchParams) => go("/", q);
  const sortBy = (sort: string) => {
    const q = new URLSearchParams(query);
    q.set("dir", q.get("sort") === sort && q.get("dir") !== "asc" ? "asc" : "desc");
    q.set("sort", sort);
    update(q);
  };
  const toPage = (page: number) => {
    const q = new URLSearchParams(query);
    q.set("page", String(page));
    update(q);
  };
  const toggleColumn = (id: number) => {
    const next = columns.includes(id) ? columns.filter((c) => c !== id) : [...columns, id];
    setColumns(next);
    localStorage.setItem("console.columns", JSON.stringify(next));
  };
  const exportAs = async (format: "xlsx" | "csv") => {
    setBusy(format);
    try {
      const q = filterOnly(query);
      q.set("format", format);
      // In Telegram's apps a file is saved through Telegram, from a short-lived signed link; in a
      // browser (Telegram Web, Desktop, tests) the page saves it itself.
      if (WebApp.platform && WebApp.platform !== "unknown" && WebApp.isVersionAtLeast?.("8.0")) {
        const link = await call<ExportLink>("/export-link", { method: "POST", body: { query: q.toString() } });
        WebApp.downloadFile({ url: new URL(link.url, location.href).toString(), file_name: link.fileName });
      } else await download(`/export?${q}`, `outcomes.${format}`);
    } catch (e) {
      WebApp.showAlert?.((e as Error).message);
    } finally {
      setBusy(undefined);
    }
  };
  const head = (sort: string, label: string) =>
    html`<th><button class="sort" onClick=${() => sortBy(sort)}>${label}${query.get("sort") === sort || (!query.get("sort") && sort === "id") ? (query.get("dir") === "asc" ? " ▲" : " ▼") : ""}</button></th>`;
  return html`<section>
    <${Filters} query=${query} onChange=${update} />
    <div class="bar">
      <span class="count">${data ? tr("console.table.count", { n: data.total }) : ""}</span>
      <details class="columns">
        <summary>${tr("console.table.columns")}</summary>
        ${META.dimensions.map((d) => html`<label><input type="checkbox" checked=${columns.includes(d.id)} onChange=${() => toggleColumn(d.id)} /> ${d.label}</label>`)}
      </details>
      <button disabled=${busy === "xlsx"} onClick=${() => exportAs("xlsx")}>${tr("console.table.export_xlsx")}</button>
      <button disabled=${busy === "csv"} onClick=${() => exportAs("csv")}>${tr("console.table.export_csv")}</button>
    </div>
    ${error && html`<p class="error">${error}</p>`}
    ${
      data &&
      html`<div class="scroll"><table class="statements">
        <thead><tr>
          ${head("id", tr("console.table.number"))} <th>${tr("console.table.organisations")}</th> ${head("author", tr("console.table.author"))}
          ${head("status", tr("console.table.status"))} ${head("date", tr("console.table.date"))} ${head("harvested", tr("console.table.harvested"))}
          <th>${tr("console.table.lead")}</th> <th>${tr("console.table.substantiation")}</th>
          ${META.dimensions.filter((d) => columns.includes(d.id)).map((d) => html`<th>${d.label}</th>`)}
        </tr></thead>
        <tbody>
          ${data.rows.map(
            (r) => html`<tr onClick=${() => go(`/s/${r.id}`, filterOnly(query))} class="row">
              <td><a href=${`#/s/${r.id}`}>${num(r.id)}</a><div class="desc">${r.description}</div></td>
              <td>${r.organisations.join(", ")}</td><td>${r.author}</td>
              <td><span class=${`status ${r.status}`}>${statusLabel(r.status)}</span></td>
              <td>${r.date}</td><td>${r.harvested}</td>
              <td>${r.lead ? tr("console.table.is_lead") : tr("console.table.complete")}</td><td>${SUBST(r.substantiation)}</td>
              ${META.dimensions.filter((d) => columns.includes(d.id)).map((d) => html`<td>${(r.classes[d.id] ?? []).map(optionLabel).join(", ")}</td>`)}
            </tr>`,
          )}
        </tbody>
      </table></div>
      <div class="pager">
        <button disabled=${data.page === 0} onClick=${() => toPage(data.page - 1)}>‹ ${tr("console.table.previous")}</button>
        <span>${tr("console.table.page", { page: data.page + 1, pages: data.pages })}</span>
        <button disabled=${data.page >= data.pages - 1} onClick=${() => toPage(data.page + 1)}>${tr("console.table.next")} ›</button>
        <select aria-label=${tr("console.table.size")} value=${query.get("size") ?? "50"} onChange=${(e: Event) => {
          const q = new URLSearchParams(query);
          q.set("size", (e.target as HTMLSelectElement).value);
          q.delete("page");
          update(q);
        }}>
          ${[25, 50, 100].map((n) => html`<option value=${n}>${num(n)}</option>`)}
        </select>
      </div>`
    }
  </section>`;
}

// ---------------------------------------------------------------------------------------------
// One statement

function Evidence({ e }: { e: Statement["evidence"][number] }) {
  const url = useFileUrl(e.url);
  if (!url) return html`<span class="file">${tr(`console.file.${e.kind}`)}…</span>`;
  if (e.kind === "photo") return html`<img class="evidence" src=${url} alt=${tr("console.file.photo")} />`;
  if (e.kind === "voice" || e.kind === "audio") return html`<audio controls src=${url}></audio>`;
  return html`<a href=${url} download>${tr(`console.file.${e.kind}`)}</a>`;
}

function Classification({ s, act }: { s: Statement; act: (a: object) => void }) {
  return html`<div class="classify">
    ${META.dimensions.map(
      (d) => html`<fieldset>
        <legend>${d.label}</legend>
        ${d.options.map((o) => {
          const on = (s.classes[d.id] ?? []).includes(o.id);
          return html`<label class=${on ? "opt on" : "opt"}>
            <input type=${d.multiple ? "checkbox" : "radio"} name=${`d${d.id}`} checked=${on} disabled=${!s.canClassify}
              onChange=${() => act({ type: "classify", option: o.id, on: d.multiple ? !on : true })} />
            ${o.label}
          </label>`;
        })}
      </fieldset>`,
    )}
  </div>`;
}

function TextAction({ label, onSend, rows = 3 }: { label: string; onSend: (text: string) => void; rows?: number }) {
  const [text, setText] = useState("");
  return html`<form class="text-action" onSubmit=${(e: Event) => {
    e.preventDefault();
    if (text.trim()) onSend(text.trim());
    setText("");
  }}>
    <textarea rows=${rows} maxlength="4000" aria-label=${label} placeholder=${label} value=${text} onInput=${(e: Event) => setText((e.target as HTMLTextAreaElement).value)}></textarea>
    <button type="submit" disabled=${!text.trim()}>${label}</button>
  </form>`;
}

function StatementPage({ id, query }: { id: number; query: URLSearchParams }) {
  const { data: s, error, set } = useLoad(() => call<Statement>(`/statements/${id}`), [id]);
  const [note, setNote] = useState<{ ok: boolean; text: string }>();
  const [editing, setEditing] = useState<string>();
  const act = async (a: object) => {
    if (!s) return;
    try {
      const res = await call<ActionResult>(`/statements/${id}/actions`, { method: "POST", body: { ...a, version: s.version } });
      if (res.statement) set(res.statement);
      setNote(res.ok ? { ok: true, text: tr("console.done") } : { ok: false, text: res.message ?? tr("console.errors.not_now", { status: "" }) });
      if (res.ok) setEditing(undefined);
    } catch (e) {
      setNote({ ok: false, text: (e as Error).message });
    }
  };
  if (error) return html`<p class="error">${error}</p>`;
  if (!s) return html`<p class="loading">…</p>`;
  const actions = s.actions;
  return html`<article class="statement">
    <p><a href=${`#/?${filterOnly(query)}`}>‹ ${tr("console.back")}</a></p>
    <h2>${tr("console.statement.title", { id: s.id })} <span class=${`status ${s.status}`}>${s.statusLabel}</span></h2>
    <p class="meta">${s.organisation.name} · ${s.author} · ${s.submitted} · ${s.ref}</p>
    ${note && html`<p class=${note.ok ? "note ok" : "note error"} role="status">${note.text}</p>`}
    ${s.gaps.map((g) => html`<p class="lead">${tr("console.statement.lead", { gaps: g })}</p>`)}
    <dl class="parts">
      ${s.parts.map(
        (
          p,
        ) => html`<dt>${p.label} ${p.editable && html`<button class="link" onClick=${() => setEditing(editing === p.key ? undefined : p.key)}>${tr("console.statement.edit")}</button>`}</dt>
        <dd lang=${s.language}>${
          editing === p.key
            ? html`<${TextAction} label=${tr("console.statement.save")} rows=${p.key === "description" || p.key === "significance" || p.key === "contribution" ? 6 : 1}
                onSend=${(text: string) => act({ type: "edit", field: p.key, text })} />`
            : p.text || "—"
        }</dd>`,
      )}
    </dl>
    ${s.evidence.length > 0 && html`<h3>${tr("console.statement.evidence")}</h3><div class="evidence-list">${s.evidence.map((e) => html`<${Evidence} e=${e} />`)}</div>`}
    ${
      actions.length > 0 &&
      html`<h3>${tr("console.statement.review")}</h3>
      <div class="actions">
        ${actions.includes("accept") && html`<button class="primary" onClick=${() => act({ type: "accept" })}>${tr("console.action.accept")}</button>`}
        ${actions.includes("ask") && html`<${TextAction} label=${tr("console.action.ask")} onSend=${(text: string) => act({ type: "ask", text })} />`}
        ${actions.includes("return") && html`<${TextAction} label=${tr("console.action.return")} onSend=${(text: string) => act({ type: "return", text })} />`}
        ${actions.includes("reject") && html`<${TextAction} label=${tr("console.action.reject")} onSend=${(text: string) => act({ type: "reject", text })} />`}
      </div>`
    }
    <h3>${tr("console.statement.classification")}</h3>
    ${!s.canClassify && html`<p class="hint">${tr("console.statement.classify_after")}</p>`}
    <${Classification} s=${s} act=${act} />
    <h3>${tr("console.statement.links")}</h3>
    <p>${s.links.same ? tr("console.statement.same_as", { other: s.links.same }) : ""} ${s.links.sameAsThis.map((o) => html` <a href=${`#/s/${o}`}>${num(o)}</a>`)}
      ${s.links.ledTo.length > 0 && html`${tr("console.statement.led_to")} ${s.links.ledTo.map((o) => html` <a href=${`#/s/${o}`}>${num(o)}</a>`)}`}
      ${s.links.ledFrom.length > 0 && html`${tr("console.statement.led_from")} ${s.links.ledFrom.map((o) => html` <a href=${`#/s/${o}`}>${num(o)}</a>`)}`}</p>
    <${LinkForm} act=${act} />
    ${
      s.contributors.length > 0 &&
      html`<h3>${tr("console.statement.contributors")}</h3>${s.contributors.map(
        (c) =>
          html`<label class="opt"><input type="checkbox" checked=${c.on} onChange=${() => act({ type: "contributor", organisation: c.id, on: !c.on })} /> ${c.name}</label>`,
      )}`
    }
    ${
      s.questions.length > 0 &&
      html`<h3>${tr("console.statement.questions")}</h3>${s.questions.map(
        (q) =>
          html`<label class="opt"><input type="checkbox" checked=${q.on} onChange=${() => act({ type: "question", question: q.id, on: !q.on })} /> ${q.text}</label>`,
      )}`
    }
    ${
      s.substantiation &&
      html`<h3>${tr("console.statement.substantiation")}</h3>
      <ul>${s.substantiation.sources.map(
        (x) => html`<li>${x.name} — ${tr(`console.source_status.${x.status}`)}${x.offline ? ` (${tr("console.offline")})` : ""}
          ${x.answers.map((a) => html` · ${tr(`parts.${a.part}`)}: ${tr(`console.levels.${a.level}`)}`)}</li>`,
      )}</ul>
      <details><summary>${tr("console.statement.record_offline")}</summary><p class="hint">${tr("console.statement.offline_hint")}</p>
        <${TextAction} label=${tr("console.statement.record")} rows=${5} onSend=${(text: string) => act({ type: "offline", text })} /></details>`
    }
    <h3>${tr("console.statement.thread")}</h3>
    ${s.thread.length === 0 && html`<p class="hint">${tr("console.statement.no_thread")}</p>`}
    <ul class="thread">${s.thread.map((m) => html`<li class=${m.kind}><b>${m.author}</b> <small>${m.at}</small><div>${m.text}</div>${m.file && html`<${Evidence} e=${{ id: m.id, part: "", kind: "document", url: m.file }} />`}</li>`)}</ul>
    <h3>${tr("console.statement.history")}</h3>
    <ul class="history">${s.history.map((e) => html`<li>${e.text}</li>`)}</ul>
  </article>`;
}

function LinkForm({ act }: { act: (a: object) => void }) {
  const [other, setOther] = useState("");
  const [kind, setKind] = useState("same");
  return html`<form class="link-form" onSubmit=${(e: Event) => {
    e.preventDefault();
    const n = Number(other.replace(/[០-៩]/g, (d) => String(KHMER_DIGITS.indexOf(d))).replace(/\D/g, ""));
    if (n > 0) act({ type: "link", other: n, kind });
    setOther("");
  }}>
    <select value=${kind} onChange=${(e: Event) => setKind((e.target as HTMLSelectElement).value)} aria-label=${tr("console.statement.link_kind")}>
      <option value="same">${tr("console.statement.link_same")}</option>
      <option value="led_to">${tr("console.statement.link_led_to")}</option>
      <option value="led_from">${tr("console.statement.link_led_from")}</option>
    </select>
    <input inputmode="numeric" aria-label=${tr("console.statement.link_number")} placeholder=${tr("console.statement.link_number")} value=${other} onInput=${(e: Event) => setOther((e.target as HTMLInputElement).value)} />
    <button type="submit">${tr("console.statement.link")}</button>
  </form>`;
}

// ---------------------------------------------------------------------------------------------
// Classifying one statement after another, with the keyboard

function ClassifyPage({ route }: { route: Route }) {
  const filter = filterOnly(route.query);
  if (!filter.has("status")) filter.set("status", "accepted");
  const { data: table, error } = useLoad(() => call<Table>(`/statements?${filter}&size=100&sort=id&dir=asc`), [filter.toString()]);
  const [index, setIndex] = useState(0);
  const [dim, setDim] = useState(0);
  const rows = table?.rows ?? [];
  const row = rows[index];
  const { data: s, set } = useLoad(() => (row ? call<Statement>(`/statements/${row.id}`) : Promise.resolve(undefined)), [row?.id]);
  const [note, setNote] = useState<string>();
  const dims = META.dimensions;
  const act = async (optionId: number, on: boolean) => {
    if (!s) return;
    const res = await call<ActionResult>(`/statements/${s.id}/actions`, {
      method: "POST",
      body: { type: "classify", version: s.version, option: optionId, on },
    });
    if (res.statement) set(res.statement);
    setNote(res.ok ? undefined : res.message);
  };
  const stateRef = useRef({ s, dim, index });
  stateRef.current = { s, dim, index };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const { s: cur, dim: d, index: i } = stateRef.current;
      if ((e.target as HTMLElement).tagName === "INPUT" || (e.target as HTMLElement).tagName === "TEXTAREA") return;
      const dimension = dims[d];
      if (/^[1-9]$/.test(e.key) && dimension && cur) {
        const option = dimension.options[Number(e.key) - 1];
        if (!option) return;
        const on = (cur.classes[dimension.id] ?? []).includes(option.id);
        void act(option.id, dimension.multiple ? !on : true);
        if (!dimension.multiple) setDim(Math.min(d + 1, dims.length - 1));
      } else if (e.key === "ArrowDown" || e.key === "Tab") {
        e.preventDefault();
        setDim(Math.min(d + 1, dims.length - 1));
      } else if (e.key === "ArrowUp") setDim(Math.max(d - 1, 0));
      else if (e.key === "ArrowRight" || e.key === "Enter" || e.key === "n") {
        setIndex(Math.min(i + 1, rows.length - 1));
        setDim(0);
      } else if (e.key === "ArrowLeft" || e.key === "p") {
        setIndex(Math.max(i - 1, 0));
        setDim(0);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });
  if (error) return html`<p class="error">${error}</p>`;
  if (!table) return html`<p class="loading">…</p>`;
  return html`<section class="walk">
    <${Filters} query=${filter} onChange=${(q: URLSearchParams) => go("/classify", q)} />
    <p class="hint">${tr("console.classify.keys")}</p>
    ${rows.length === 0 && html`<p>${tr("console.classify.none")}</p>`}
    ${
      row &&
      html`<div class="bar"><button onClick=${() => setIndex(Math.max(index - 1, 0))} disabled=${index === 0}>‹</button>
        <span>${tr("console.classify.position", { i: index + 1, n: rows.length, total: table.total })}</span>
        <button onClick=${() => setIndex(Math.min(index + 1, rows.length - 1))} disabled=${index >= rows.length - 1}>›</button></div>`
    }
    ${note && html`<p class="note error">${note}</p>`}
    ${
      s &&
      html`<article>
        <h2><a href=${`#/s/${s.id}`}>${tr("console.statement.title", { id: s.id })}</a> <span class=${`status ${s.status}`}>${s.statusLabel}</span></h2>
        <p lang=${s.language}>${s.parts[0]?.text}</p>
        <p class="meta">${s.parts
          .filter((p) => p.key === "actorName" || p.key === "date" || p.key === "place")
          .map((p) => `${p.label}: ${p.text || "—"}`)
          .join(" · ")}</p>
        <div class="classify">${dims.map(
          (d, i) => html`<fieldset class=${i === dim ? "current" : ""} onClick=${() => setDim(i)}>
            <legend>${d.label}</legend>
            ${d.options.map((o, k) => {
              const on = (s.classes[d.id] ?? []).includes(o.id);
              return html`<label class=${on ? "opt on" : "opt"}><input type=${d.multiple ? "checkbox" : "radio"} name=${`w${d.id}`} checked=${on} disabled=${!s.canClassify}
                onChange=${() => act(o.id, d.multiple ? !on : true)} /> <kbd>${num(k + 1)}</kbd> ${o.label}</label>`;
            })}
          </fieldset>`,
        )}</div>
      </article>`
    }
  </section>`;
}

// ---------------------------------------------------------------------------------------------
// Analysis and substantiation

function AnalysisPage({ route }: { route: Route }) {
  const filter = filterOnly(route.query);
  const { data, error } = useLoad(() => call<Analysis>(`/analysis?${filter}`), [filter.toString()]);
  const max = useMemo(() => Math.max(1, ...(data?.map.actors.flatMap((a) => a.counts) ?? [1])), [data]);
  return html`<section>
    <${Filters} query=${filter} onChange=${(q: URLSearchParams) => go("/analysis", q)} />
    ${error && html`<p class="error">${error}</p>`}
    ${
      data &&
      html`<p class="count">${tr("console.analysis.total", { n: data.total })}</p>
      <div class="charts">${data.charts.map(
        (c) => html`<figure class="chart" data-key=${c.key}>
          <figcaption><b>${c.title}</b><br /><small>${c.subtitle}</small></figcaption>
          ${c.bars.map(
            (b) => html`<div class="bar-row"><span class="bar-label">${b.label}</span>
              <span class="bar-track"><span class="bar-fill" style=${`width:${b.percent}%`}></span></span>
              <span class="bar-value">${tr("console.analysis.value", { n: b.count, base: b.base, percent: b.percent })}</span></div>`,
          )}
        </figure>`,
      )}</div>
      <h3>${tr("console.analysis.map")}</h3>
      ${data.map.months.length === 0 && html`<p class="hint">${tr("console.analysis.empty")}</p>`}
      ${
        data.map.months.length > 0 &&
        html`<div class="scroll"><table class="map"><thead><tr><th></th>${data.map.monthLabels.map((m) => html`<th>${m}</th>`)}</tr></thead>
        <tbody>${data.map.actors.map(
          (a) => html`<tr><th>${a.label}</th>${a.counts.map((n) => html`<td style=${`--v:${n / max}`}>${n ? num(n) : ""}</td>`)}</tr>`,
        )}</tbody></table></div>`
      }`
    }
  </section>`;
}

function SubstantiationPage({ route }: { route: Route }) {
  const org = route.query.get("org") ?? "";
  const { data, error } = useLoad(() => call<Substantiation>(`/substantiation${org ? `?org=${org}` : ""}`), [org]);
  if (error) return html`<p class="error">${error}</p>`;
  if (!data) return html`<p class="loading">…</p>`;
  return html`<section>
    <select aria-label=${tr("console.filter.organisation")} value=${org} onChange=${(e: Event) => go("/substantiation", new URLSearchParams((e.target as HTMLSelectElement).value ? { org: (e.target as HTMLSelectElement).value } : {}))}>
      <option value="">${tr("console.filter.all_organisations")}</option>
      ${META.organisations.map((o) => html`<option value=${o.id}>${o.name}</option>`)}
    </select>
    <p class="headline">${data.headline}</p>
    <h3>${tr("console.subst.chosen", { n: data.chosen.length, accepted: data.accepted })}</h3>
    <div class="scroll"><table><thead><tr><th>${tr("console.table.number")}</th><th>${tr("console.subst.sources")}</th>
      ${["fully", "partially", "disagree", "dont_know"].map((l) => html`<th>${tr(`console.levels.${l}`)}</th>`)}</tr></thead>
    <tbody>${data.chosen.map(
      (
        c,
      ) => html`<tr><td><a href=${`#/s/${c.id}`}>${num(c.id)}</a> <small>${tr(`console.substantiation.${c.state}`)}</small><div class="desc">${c.description}</div></td>
        <td>${c.sources.map(
          (x) => html`<div>${x.name}: ${tr(`console.source_status.${x.status}`)}${x.reminders ? ` · ${tr("console.subst.reminders", { n: x.reminders })}` : ""}
            ${x.answers.length > 0 && html`<br /><small>${x.answers.map((a) => `${tr(`parts.${a.part}`)}: ${tr(`console.levels.${a.level}`)}`).join(" · ")}</small>`}</div>`,
        )}</td>
        ${["fully", "partially", "disagree", "dont_know"].map((l) => html`<td>${num(c.counts[l] ?? 0)}</td>`)}</tr>`,
    )}</tbody></table></div>
    <h3>${tr("console.subst.proposal", { n: data.proposal.length })}</h3>
    <p class="hint">${tr("console.subst.proposal_hint")}</p>
    <ul>${data.proposal.map((p) => html`<li><a href=${`#/s/${p.id}`}>${num(p.id)}</a> ${p.description.slice(0, 120)} <small>(${p.reasons.join(", ")})</small></li>`)}</ul>
  </section>`;
}

// ---------------------------------------------------------------------------------------------

function App() {
  const [route, setRoute] = useState(readRoute());
  const [meta, setMeta] = useState<Meta>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const on = () => setRoute(readRoute());
    window.addEventListener("hashchange", on);
    call<Meta>("/meta").then(
      (m) => {
        META = m;
        document.documentElement.lang = m.me.lang;
        setMeta(m);
      },
      (e: ApiError) => setError(e.status === 401 || e.status === 403 ? "forbidden" : e.message),
    );
    WebApp.ready?.();
    WebApp.expand?.();
    return () => window.removeEventListener("hashchange", on);
  }, []);
  if (error === "forbidden")
    return html`<main><p class="error">This console is for coordinators. Open it from the bot's menu. · កុងសូលនេះសម្រាប់អ្នកសម្របសម្រួល។</p></main>`;
  if (error) return html`<main><p class="error">${error}</p></main>`;
  if (!meta) return html`<main><p class="loading">…</p></main>`;
  const page =
    route.page === "statement"
      ? html`<${StatementPage} id=${route.id!} query=${route.query} />`
      : route.page === "classify"
        ? html`<${ClassifyPage} route=${route} />`
        : route.page === "analysis"
          ? html`<${AnalysisPage} route=${route} />`
          : route.page === "substantiation"
            ? html`<${SubstantiationPage} route=${route} />`
            : html`<${StatementsPage} route=${route} />`;
  return html`<main data-page=${route.page}>
    <header><b>${tr("console.title")}</b> <small>${meta.me.name}</small></header>
    <${Nav} route=${route} />
    ${page}
  </main>`;
}

render(html`<${App} />`, document.getElementById("app")!);
