// The map: the region's own layers (no tiles, nothing from outside), radar coverage, and the
// tracks in WebGL layers (symbols, labels, velocity leaders, trails), so thousands stay smooth.
import * as maplibregl from "maplibre-gl";
import type { GeoJSONSource, Map as MapLibre, StyleSpecification } from "maplibre-gl";
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?url";
import "maplibre-gl/dist/maplibre-gl.css";
import { api, type CoverageIndex, type Sensor } from "./api";
import { circle, rangeBearing } from "./geo";
import { addSymbols } from "./symbols";
import { t } from "./i18n";

maplibregl.setWorkerUrl(workerUrl);

type Theme = "night" | "day";
const PALETTE: Record<Theme, Record<string, string>> = {
  night: {
    background: "#0b1320", country: "#14253b", border: "#6f8fb8", neighbours: "#3b5069", graticule: "#1b2a3e",
    airport: "#9fb3c8", radar: "#59d38c", ring: "#2f5f48", label: "#e6edf3", halo: "#0b1320", leader: "#e6edf3",
    trail: "#8393a8", selected: "#ffd166", measure: "#ff9f43",
  },
  day: {
    background: "#dfe6ec", country: "#f7f6f0", border: "#3e5168", neighbours: "#8d9aa8", graticule: "#c9d3dc",
    airport: "#3f5163", radar: "#1b7a43", ring: "#86bfa0", label: "#0e1a28", halo: "#f7f6f0", leader: "#0e1a28",
    trail: "#5f6f82", selected: "#d35400", measure: "#c0392b",
  },
};

const EMPTY: GeoJSON.FeatureCollection = { type: "FeatureCollection", features: [] };
/** Airspace by type: prohibited and restricted red, danger orange, the ADIZ amber. */
const AIRSPACE: maplibregl.ExpressionSpecification = ["match", ["get", "type"],
  "prohibited", "#e74c3c", "restricted", "#e74c3c", "danger", "#ff9f43", "adiz", "#ffb020", "#8fa3b8"];
const FONT = ["sans-serif"];
/** Above this many tracks, labels, trails and leaders wait for the operator to zoom in. */
const DENSE_TRACKS = 1500;

function graticule(step: number): GeoJSON.FeatureCollection {
  const features: GeoJSON.Feature[] = [];
  for (let lon = -30; lon <= 40; lon += step) {
    features.push({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: [[lon, -10], [lon, 40]] } });
  }
  for (let lat = -10; lat <= 40; lat += step) {
    features.push({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: [[-30, lat], [40, lat]] } });
  }
  return { type: "FeatureCollection", features };
}

// No `glyphs`: MapLibre draws text with the browser's own fonts, so nothing is fetched.
function style(theme: Theme): StyleSpecification {
  const c = PALETTE[theme];
  const src = (data: GeoJSON.FeatureCollection) => ({ type: "geojson" as const, data });
  return {
    version: 8,
    sources: {
      country: src(EMPTY), neighbours: src(EMPTY), airports: src(EMPTY), graticule: src(graticule(2)),
      rings: src(EMPTY), radars: src(EMPTY), trails: src(EMPTY), leaders: src(EMPTY), tracks: src(EMPTY),
      measure: src(EMPTY), airspace: src(EMPTY), route: src(EMPTY),
    },
    layers: [
      { id: "background", type: "background", paint: { "background-color": c.background } },
      { id: "neighbours-fill", type: "fill", source: "neighbours", paint: { "fill-color": c.background, "fill-opacity": 0.6 } },
      { id: "country-fill", type: "fill", source: "country", paint: { "fill-color": c.country } },
      { id: "graticule", type: "line", source: "graticule", paint: { "line-color": c.graticule, "line-width": 1 } },
      { id: "neighbours-line", type: "line", source: "neighbours", paint: { "line-color": c.neighbours, "line-width": 1 } },
      { id: "country-line", type: "line", source: "country", paint: { "line-color": c.border, "line-width": 1.6 } },
      {
        id: "airspace-fill", type: "fill", source: "airspace", filter: ["!=", ["get", "type"], "adiz"],
        paint: { "fill-color": AIRSPACE, "fill-opacity": 0.12 },
      },
      {
        id: "airspace-line", type: "line", source: "airspace",
        paint: { "line-color": AIRSPACE, "line-width": 1.2, "line-dasharray": [6, 3], "line-opacity": 0.8 },
      },
      {
        id: "airspace-labels", type: "symbol", source: "airspace", minzoom: 6, filter: ["!=", ["get", "type"], "adiz"],
        layout: { "text-field": ["concat", ["get", "name"], "\n", ["get", "floor"], "–", ["get", "ceiling"]], "text-font": FONT, "text-size": 10 },
        paint: { "text-color": AIRSPACE, "text-halo-color": c.halo, "text-halo-width": 1 },
      },
      { id: "rings", type: "line", source: "rings", paint: { "line-color": c.ring, "line-width": 1, "line-dasharray": [4, 3] } },
      { id: "airports", type: "circle", source: "airports", paint: { "circle-radius": 2.5, "circle-color": c.airport } },
      {
        id: "airport-labels", type: "symbol", source: "airports", minzoom: 6,
        layout: { "text-field": ["get", "icao"], "text-font": FONT, "text-size": 10, "text-offset": [0, 0.9] },
        paint: { "text-color": c.airport },
      },
      {
        id: "radars", type: "circle", source: "radars",
        paint: { "circle-radius": 4, "circle-color": c.background, "circle-stroke-width": 2, "circle-stroke-color": ["case", ["==", ["get", "status"], "ok"], c.radar, "#e74c3c"] },
      },
      {
        id: "radar-labels", type: "symbol", source: "radars", minzoom: 5,
        layout: { "text-field": ["get", "id"], "text-font": FONT, "text-size": 10, "text-offset": [0, 1.1] },
        paint: { "text-color": c.radar },
      },
      { id: "trails", type: "line", source: "trails", paint: { "line-color": c.trail, "line-width": 1.2, "line-opacity": 0.7 } },
      { id: "leaders", type: "line", source: "leaders", paint: { "line-color": c.leader, "line-width": 1.2 } },
      {
        id: "track-alert", type: "circle", source: "tracks", filter: ["has", "alert"],
        paint: {
          "circle-radius": 11, "circle-color": "rgba(0,0,0,0)", "circle-stroke-width": 2.5,
          "circle-stroke-color": ["match", ["get", "alert"], "alarm", "#e74c3c", "#ffb020"],
        },
      },
      {
        id: "track-selected", type: "circle", source: "tracks", filter: ["==", ["get", "selected"], true],
        paint: { "circle-radius": 14, "circle-color": "rgba(0,0,0,0)", "circle-stroke-width": 2, "circle-stroke-color": c.selected },
      },
      {
        id: "tracks", type: "symbol", source: "tracks",
        layout: { "icon-image": ["get", "icon"], "icon-allow-overlap": true, "icon-ignore-placement": true },
      },
      {
        id: "track-labels", type: "symbol", source: "tracks",
        layout: {
          "text-field": ["get", "label"], "text-font": FONT, "text-size": 11, "text-anchor": "top-left",
          "text-offset": [1.2, 0.4], "text-justify": "left", "text-optional": true,
        },
        paint: { "text-color": c.label, "text-halo-color": c.halo, "text-halo-width": 1.2 },
      },
      { id: "measure-line", type: "line", source: "measure", paint: { "line-color": c.measure, "line-width": 2 } },
      { id: "route-line", type: "line", source: "route", paint: { "line-color": c.measure, "line-width": 2, "line-dasharray": [2, 2] } },
      {
        id: "route-points", type: "circle", source: "route", filter: ["==", ["geometry-type"], "Point"],
        paint: { "circle-radius": 4, "circle-color": c.measure },
      },
      {
        id: "measure-label", type: "symbol", source: "measure", filter: ["==", ["geometry-type"], "Point"],
        layout: { "text-field": ["get", "label"], "text-font": FONT, "text-size": 13, "text-allow-overlap": true },
        paint: { "text-color": c.measure, "text-halo-color": c.halo, "text-halo-width": 2 },
      },
    ],
  };
}

export class AirMap {
  readonly map: MapLibre;
  private theme: Theme;
  private layers: Record<string, GeoJSON.FeatureCollection> = {};
  private sensorsData: GeoJSON.FeatureCollection[] = [EMPTY, EMPTY];
  private measuring = false;
  private dense = false;
  private coverage: number | null = null;
  private coverageIndex: CoverageIndex | undefined;
  private measurePoints: [number, number][] = [];
  /** The instructor's route being drawn, or null. */
  private route: [number, number][] | null = null;
  private onRoute: (n: number) => void = () => {};
  readonly ready: Promise<void>;

  constructor(container: HTMLElement, theme: Theme, onSelect: (id: number | null) => void) {
    this.theme = theme;
    this.map = new maplibregl.Map({
      container, style: style(theme), center: [8.5, 17.0], zoom: 5, attributionControl: false,
      maxZoom: 14, minZoom: 3,
    });
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: true }), "top-left");
    this.map.addControl(new maplibregl.ScaleControl({ unit: "nautical" }), "bottom-left");
    this.ready = new Promise((resolve) => this.map.once("load", () => { addSymbols(this.map); resolve(); }));
    // The end-to-end tests find the map here to know where a track is drawn.
    (window as unknown as { __vigie: { map: MapLibre } }).__vigie = { map: this.map };
    this.map.on("click", "tracks", (e) => {
      if (this.measuring || this.route) return;
      const id = e.features?.[0]?.properties?.id;
      if (typeof id === "number") onSelect(id);
    });
    this.map.on("click", (e) => {
      if (this.route) {
        this.route.push([e.lngLat.lng, e.lngLat.lat]);
        this.drawRoute();
        this.onRoute(this.route.length);
        return;
      }
      if (this.measuring) { this.measureClick([e.lngLat.lng, e.lngLat.lat]); return; }
      if (this.map.queryRenderedFeatures(e.point, { layers: ["tracks"] }).length === 0) onSelect(null);
    });
    this.map.on("mouseenter", "tracks", () => { this.map.getCanvas().style.cursor = "pointer"; });
    this.map.on("mouseleave", "tracks", () => { this.map.getCanvas().style.cursor = ""; });
  }

  async loadBackground(): Promise<void> {
    const [country, neighbours, airports, airspace] = await Promise.all(
      ["country", "neighbours", "airports", "airspace"].map((l) => api.layer(l)));
    this.layers = { country, neighbours, airports, airspace };
    await this.ready;
    this.applyBackground();
    // A deployment's own country: the view opens on it, whichever it is.
    const bounds = boundsOf(country);
    if (bounds) this.map.fitBounds(bounds, { padding: 40, animate: false });
  }

  private applyBackground(): void {
    for (const [name, data] of Object.entries(this.layers)) this.source(name)?.setData(data);
    this.source("rings")?.setData(this.sensorsData[0]);
    this.source("radars")?.setData(this.sensorsData[1]);
  }

  private source(name: string): GeoJSONSource | undefined {
    return this.map.getSource(name) as GeoJSONSource | undefined;
  }

  setSensors(sensors: Sensor[]): void {
    const radars = sensors.filter((s) => s.kind === "radar");
    const rings: GeoJSON.Feature[] = radars.filter((s) => s.range_m).map((s) => ({
      type: "Feature", properties: { id: s.id },
      geometry: { type: "LineString", coordinates: circle(s.lon_deg, s.lat_deg, s.range_m!) },
    }));
    const sites: GeoJSON.Feature[] = radars.map((s) => ({
      type: "Feature", properties: { id: s.id, status: s.status },
      geometry: { type: "Point", coordinates: [s.lon_deg, s.lat_deg] },
    }));
    this.sensorsData = [{ type: "FeatureCollection", features: rings }, { type: "FeatureCollection", features: sites }];
    this.source("rings")?.setData(this.sensorsData[0]);
    this.source("radars")?.setData(this.sensorsData[1]);
  }

  setTracks(tracks: GeoJSON.FeatureCollection, leaders: GeoJSON.FeatureCollection, trails: GeoJSON.FeatureCollection): void {
    // Declutter a dense picture: labels and trails appear as the operator zooms in.
    const dense = tracks.features.length > DENSE_TRACKS;
    if (dense !== this.dense && this.map.getLayer("track-labels")) {
      this.dense = dense;
      this.map.setLayerZoomRange("track-labels", dense ? 7 : 0, 24);
      this.map.setLayerZoomRange("trails", dense ? 6.5 : 0, 24);
      this.map.setLayerZoomRange("leaders", dense ? 6 : 0, 24);
    }
    this.source("tracks")?.setData(tracks);
    this.source("leaders")?.setData(leaders);
    this.source("trails")?.setData(trails);
  }

  /** Lays the network's coverage at `height_m` above ground under the tracks, or none. */
  async setCoverage(height_m: number | null): Promise<void> {
    this.coverage = height_m;
    await this.coverageLayers();
    this.drawCoverage();
  }

  /** The layers the server offers, fetched once. */
  async coverageLayers(): Promise<CoverageIndex> {
    return (this.coverageIndex ??= await api.coverage());
  }

  private drawCoverage(): void {
    if (this.map.getLayer("coverage")) this.map.removeLayer("coverage");
    if (this.map.getSource("coverage")) this.map.removeSource("coverage");
    const index = this.coverageIndex;
    if (this.coverage === null || !index || !index.layers_m.includes(this.coverage)) return;
    const b = index.bounds;
    this.map.addSource("coverage", {
      type: "image",
      url: `/api/coverage/${this.coverage}.png`,
      coordinates: [[b.west_deg, b.north_deg], [b.east_deg, b.north_deg], [b.east_deg, b.south_deg], [b.west_deg, b.south_deg]],
    });
    this.map.addLayer({ id: "coverage", type: "raster", source: "coverage", paint: { "raster-opacity": 0.55, "raster-fade-duration": 0 } }, "rings");
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.map.setStyle(style(theme), { diff: false });
    this.dense = false;
    this.map.once("style.load", () => { addSymbols(this.map); this.applyBackground(); this.drawMeasure(); this.drawRoute(); this.drawCoverage(); });
  }

  /** The instructor's route tool: each click on the map adds a point until `endRoute`. */
  startRoute(onChange: (points: number) => void): void {
    this.route = [];
    this.onRoute = onChange;
    this.map.getCanvas().style.cursor = "crosshair";
    this.drawRoute();
  }

  /** The route drawn, as [lat, lon] points; the tool is put away. */
  endRoute(): [number, number][] {
    const points = (this.route ?? []).map(([lon, lat]) => [lat, lon] as [number, number]);
    this.route = null;
    this.map.getCanvas().style.cursor = "";
    this.drawRoute();
    return points;
  }

  get drawingRoute(): boolean { return this.route !== null; }

  private drawRoute(): void {
    const pts = this.route ?? [];
    const features: GeoJSON.Feature[] = pts.map((p) => ({ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: p } }));
    if (pts.length >= 2) features.push({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: pts } });
    this.source("route")?.setData({ type: "FeatureCollection", features });
  }

  get currentTheme(): Theme { return this.theme; }

  centreOn(lon: number, lat: number): void {
    this.map.easeTo({ center: [lon, lat], duration: 600 });
  }

  /** The range and bearing tool: two clicks, a line, and its length and direction. */
  toggleMeasure(): boolean {
    this.measuring = !this.measuring;
    this.measurePoints = [];
    this.map.getCanvas().style.cursor = this.measuring ? "crosshair" : "";
    this.drawMeasure();
    return this.measuring;
  }

  private measureClick(p: [number, number]): void {
    if (this.measurePoints.length >= 2) this.measurePoints = [];
    this.measurePoints.push(p);
    this.drawMeasure();
  }

  measureText(): string | null {
    if (this.measurePoints.length < 2) return null;
    const { range_m, bearing_deg } = rangeBearing(this.measurePoints[0], this.measurePoints[1]);
    return `${(range_m / 1852).toFixed(1)} NM · ${(range_m / 1000).toFixed(1)} km · ${bearing_deg.toFixed(0).padStart(3, "0")}°`;
  }

  private drawMeasure(): void {
    const features: GeoJSON.Feature[] = [];
    const pts = this.measurePoints;
    if (pts.length === 2) {
      features.push({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: pts } });
      const mid: [number, number] = [(pts[0][0] + pts[1][0]) / 2, (pts[0][1] + pts[1][1]) / 2];
      features.push({ type: "Feature", properties: { label: this.measureText() }, geometry: { type: "Point", coordinates: mid } });
    } else if (pts.length === 1) {
      features.push({ type: "Feature", properties: { label: t("tool.measure.hint") }, geometry: { type: "Point", coordinates: pts[0] } });
    }
    this.source("measure")?.setData({ type: "FeatureCollection", features });
  }
}

/** The bounding box of every coordinate in a collection, if it has any. */
function boundsOf(fc: GeoJSON.FeatureCollection): maplibregl.LngLatBoundsLike | undefined {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === "number") {
      w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]);
    } else if (Array.isArray(c)) c.forEach(walk);
  };
  for (const f of fc.features) if (f.geometry && "coordinates" in f.geometry) walk(f.geometry.coordinates);
  return w <= e ? [[w, s], [e, n]] : undefined;
}
