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
    const html = shown.map((t) =>
      `<tr data-id="${t.id}"${t.id === selected ? ' class="selected"' : ""}><td>${t.id}</td><td>${esc(t.callsign)}</td>` +
      `<td>${esc(t.mode3a)}</td><td>${t.flight_level}</td><td>${Math.round(t.ground_speed_kt)}</td>` +
      `<td>${Math.round(t.course_deg).toString().padStart(3, "0")}</td></tr>`).join("");
    this.body.innerHTML = html;
    for (const th of this.table.querySelectorAll<HTMLElement>("th[data-key]")) {
      th.classList.toggle("sorted", th.dataset.key === key);
      th.classList.toggle("descending", th.dataset.key === key && !this.ascending);
    }
  }
}

export function esc(s: string | null | undefined): string {
  return (s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
