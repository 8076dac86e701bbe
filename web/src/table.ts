// The track table, kept in step with the map: sort by any column, filter, click to select.
import type { Track } from "./api";

type Key = "id" | "callsign" | "mode3a" | "flight_level" | "ground_speed_kt" | "course_deg";

const ROWS_MAX = 200;

export class TrackTable {
  private sortKey: Key = "id";
  private ascending = true;
  private filter = "";
  private body: HTMLTableSectionElement;

  private more: HTMLElement;

  constructor(private table: HTMLTableElement, filterInput: HTMLInputElement, private onSelect: (id: number) => void) {
    this.body = table.tBodies[0];
    this.more = document.createElement("p");
    this.more.className = "more";
    table.parentElement?.after(this.more);
    filterInput.addEventListener("input", () => { this.filter = filterInput.value.trim().toLowerCase(); this.onChange(); });
    for (const th of table.querySelectorAll<HTMLElement>("th[data-key]")) {
      th.addEventListener("click", () => {
        const key = th.dataset.key as Key;
        this.ascending = key === this.sortKey ? !this.ascending : true;
        this.sortKey = key;
        this.onChange();
      });
    }
    this.body.addEventListener("click", (e) => {
      const row = (e.target as HTMLElement).closest("tr");
      if (row?.dataset.id) this.onSelect(Number(row.dataset.id));
    });
  }

  onChange: () => void = () => {};

  private matches(t: Track): boolean {
    if (!this.filter) return true;
    return [String(t.id), t.callsign ?? "", t.mode3a ?? "", t.mode_s ?? ""].some((s) => s.toLowerCase().includes(this.filter));
  }

  render(tracks: Iterable<Track>, selected: number | null): void {
    const key = this.sortKey;
    const sign = this.ascending ? 1 : -1;
    const rows = [...tracks].filter((t) => this.matches(t)).sort((a, b) => {
      const x = a[key] ?? "";
      const y = b[key] ?? "";
      return (x < y ? -1 : x > y ? 1 : 0) * sign;
    });
    // The DOM holds at most ROWS_MAX rows: the table is for finding tracks (sort, filter),
    // and thousands of rows redrawn every second would stall the map.
    const shown = rows.slice(0, ROWS_MAX);
    if (selected !== null && !shown.some((t) => t.id === selected)) {
      const s = rows.find((t) => t.id === selected);
      if (s) shown.unshift(s);
    }
    this.more.textContent = rows.length > shown.length ? `+${rows.length - shown.length}` : "";
    // Rows are kept by track: one being clicked is not replaced by the next update.
    keyed(this.body, "tr", shown.map((t) => ({
      key: String(t.id),
      className: t.id === selected ? "selected" : "",
      attrs: { "data-id": String(t.id) },
      html: `<td>${t.id}</td><td>${esc(t.callsign)}</td>` +
        `<td>${esc(t.mode3a)}</td><td>${t.flight_level}</td><td>${Math.round(t.ground_speed_kt)}</td>` +
        `<td>${Math.round(t.course_deg).toString().padStart(3, "0")}</td>`,
    })));
    for (const th of this.table.querySelectorAll<HTMLElement>("th[data-key]")) {
      th.classList.toggle("sorted", th.dataset.key === key);
      th.classList.toggle("descending", th.dataset.key === key && !this.ascending);
    }
  }
}

/** One line of a list: its key, its class, what it holds. */
export interface Line { key: string; className: string; html: string; attrs?: Record<string, string> }

/**
 * Puts `lines` in `parent`, in order, keeping the element of each key that was already
 * there and changing only what changed: a line an operator is about to click is never
 * replaced under the pointer by the next second's update.
 */
export function keyed(parent: HTMLElement, tag: string, lines: Line[]): void {
  const old = new Map<string, HTMLElement>();
  for (const el of Array.from(parent.children) as HTMLElement[]) {
    if (el.dataset.key) old.set(el.dataset.key, el); else el.remove();
  }
  let prev: Element | null = null;
  for (const line of lines) {
    let el = old.get(line.key);
    old.delete(line.key);
    if (!el) {
      el = document.createElement(tag);
      el.dataset.key = line.key;
    }
    if (el.className !== line.className) el.className = line.className;
    if (el.dataset.html !== line.html) { el.innerHTML = line.html; el.dataset.html = line.html; }
    for (const [k, v] of Object.entries(line.attrs ?? {})) if (el.getAttribute(k) !== v) el.setAttribute(k, v);
    const next: Element | null = prev ? prev.nextElementSibling : parent.firstElementChild;
    if (next !== el) parent.insertBefore(el, next);
    prev = el;
  }
  for (const el of old.values()) el.remove();
}

export function esc(s: string | null | undefined): string {
  return (s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
