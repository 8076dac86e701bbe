//! An SVG map of a run: the region and its neighbours, the sensors with their instrumented
//! range, the airports, and every aircraft's track, so an instructor sees the exercise at a
//! glance and a planner sees what the sensors were asked to watch.
//!
//! The map is plain SVG written by hand (a few primitives do), in an equirectangular
//! projection scaled by the cosine of the mid latitude: true enough for one country.

use std::collections::BTreeMap;
use std::fmt::Write;

use vigie_core::interop::TruthState;
use vigie_core::Geodetic;

use crate::aircraft::AircraftType;
use crate::engine::Simulator;
use crate::flight::{FlightPlan, Origin};

const WIDTH_PX: f64 = 1400.0;
/// Degrees of context drawn around the region's bounding box.
const BORDER_DEG: f64 = 1.5;

/// Collects decimated truth while a run goes on.
#[derive(Debug, Clone, Default)]
pub struct MapRecorder {
    period_s: f64,
    next_s: f64,
    trails: BTreeMap<u32, Vec<[f64; 2]>>,
}

impl MapRecorder {
    /// Keeps one point per target every `period_s`.
    pub fn new(period_s: f64) -> Self {
        Self {
            period_s,
            next_s: 0.0,
            trails: BTreeMap::new(),
        }
    }

    pub fn record(&mut self, truth: &[TruthState]) {
        let Some(first) = truth.first() else { return };
        if first.time_s + 1e-9 < self.next_s {
            return;
        }
        self.next_s = first.time_s + self.period_s;
        for t in truth {
            self.trails
                .entry(t.target_id)
                .or_default()
                .push([t.lon_deg, t.lat_deg]);
        }
    }

    /// The map as an SVG document.
    pub fn to_svg(&self, sim: &Simulator) -> String {
        let [lat_min, lat_max, lon_min, lon_max] = sim.region().bbox_deg();
        let p = Projection::new(
            lat_min - BORDER_DEG,
            lat_max + BORDER_DEG,
            lon_min - BORDER_DEG,
            lon_max + BORDER_DEG,
        );
        let mut svg = String::with_capacity(1 << 20);
        let _ = writeln!(
            svg,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="DejaVu Sans, Arial, sans-serif">"##,
            w = p.width,
            h = p.height
        );
        let _ = writeln!(
            svg,
            r##"<defs><clipPath id="view"><rect width="{:.0}" height="{:.0}"/></clipPath></defs><rect width="100%" height="100%" fill="#e4ebf0"/><g clip-path="url(#view)">"##,
            p.width, p.height
        );
        self.countries(&mut svg, &p, sim);
        graticule(&mut svg, &p);
        sensors(&mut svg, &p, sim);
        self.tracks(&mut svg, &p, sim);
        svg.push_str("</g>\n");
        legend(&mut svg, &p, sim, self.trails.len());
        svg.push_str("</svg>\n");
        svg
    }

    fn countries(&self, svg: &mut String, p: &Projection, sim: &Simulator) {
        let region = sim.region();
        for c in &region.neighbours {
            for ring in &c.rings {
                polygon(
                    svg,
                    p,
                    ring,
                    r##"fill="#ecebe4" stroke="#9a9a90" stroke-width="0.8""##,
                );
            }
            if let Some([lon, lat]) = centroid(&c.rings) {
                let (x, y) = p.xy(lon, lat);
                let _ = writeln!(
                    svg,
                    r##"<text x="{x:.1}" y="{y:.1}" font-size="15" fill="#8a8a80" text-anchor="middle">{}</text>"##,
                    escape(&c.name)
                );
            }
        }
        for ring in &region.country.rings {
            polygon(
                svg,
                p,
                ring,
                r##"fill="#f8f1dc" stroke="#3d3d3d" stroke-width="1.8""##,
            );
        }
    }

    fn tracks(&self, svg: &mut String, p: &Projection, sim: &Simulator) {
        let plans: BTreeMap<u32, _> = sim.plans().iter().map(|pl| (pl.target_id, pl)).collect();
        // Civil first, so intruders and military are drawn on top.
        let mut order: Vec<_> = self.trails.iter().collect();
        order.sort_by_key(|(id, _)| plans.get(id).map(|pl| pl.origin).unwrap_or(Origin::Flow));
        for (id, points) in order {
            let Some(plan) = plans.get(id) else { continue };
            let (origin, colour, width) = style(plan);
            let mut d = String::new();
            for (i, [lon, lat]) in points.iter().enumerate() {
                let (x, y) = p.xy(*lon, *lat);
                let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { " L" });
            }
            let _ = writeln!(
                svg,
                r##"<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width}" stroke-opacity="0.85"/>"##
            );
            if let Some([lon, lat]) = points.last() {
                let (x, y) = p.xy(*lon, *lat);
                let _ = writeln!(
                    svg,
                    r##"<circle cx="{x:.1}" cy="{y:.1}" r="2.5" fill="{colour}"/>"##
                );
                let label = plan
                    .identity
                    .callsign
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| plan.name.clone());
                if origin != Origin::Flow {
                    let _ = writeln!(
                        svg,
                        r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="{colour}">{}</text>"##,
                        x + 5.0,
                        y - 4.0,
                        escape(&label)
                    );
                }
            }
        }
    }
}

/// Drawing rank (civil flows under scripted flights under intruders), colour and stroke width.
fn style(plan: &FlightPlan) -> (Origin, &'static str, f64) {
    let (colour, width) = match (plan.origin, plan.aircraft) {
        (Origin::Intruder, _) => ("#d62828", 2.2),
        (_, AircraftType::Fighter) => ("#2b7a3e", 1.8),
        (_, AircraftType::LightAircraft | AircraftType::Helicopter | AircraftType::SmallUav) => {
            ("#1a9c8c", 1.2)
        }
        (_, AircraftType::Airliner | AircraftType::BusinessJet) => ("#1f5fbf", 1.0),
    };
    (plan.origin, colour, width)
}

fn sensors(svg: &mut String, p: &Projection, sim: &Simulator) {
    for s in &sim.sensor_table().sensor {
        let site = Geodetic::new(s.lat_deg, s.lon_deg, 0.0);
        let (x, y) = p.xy(s.lon_deg, s.lat_deg);
        let radar = s.kind == vigie_core::SensorKind::Radar;
        if radar {
            if let Some(range_m) = s.range_max_m {
                let ring: Vec<[f64; 2]> = (0..=72)
                    .map(|i| {
                        let g = site.destination(f64::from(i) * 5.0, range_m);
                        [g.lon_deg, g.lat_deg]
                    })
                    .collect();
                polygon(
                    svg,
                    p,
                    &ring,
                    r##"fill="#6a4c93" fill-opacity="0.03" stroke="#6a4c93" stroke-width="0.9" stroke-dasharray="5 3""##,
                );
            }
            let _ = writeln!(
                svg,
                r##"<path d="M{:.1},{:.1} l6,10 l-12,0 z" fill="#6a4c93"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#4a2c73">{}</text>"##,
                x,
                y - 7.0,
                x + 8.0,
                y + 4.0,
                escape(&s.id)
            );
        } else {
            let _ = writeln!(
                svg,
                r##"<rect x="{:.1}" y="{:.1}" width="7" height="7" fill="#e07a00" transform="rotate(45 {x:.1} {y:.1})"/>"##,
                x - 3.5,
                y - 3.5
            );
        }
    }
}

fn graticule(svg: &mut String, p: &Projection) {
    let step = 2.0;
    let mut lat = (p.lat_min / step).ceil() * step;
    while lat <= p.lat_max {
        let (x0, y) = p.xy(p.lon_min, lat);
        let (x1, _) = p.xy(p.lon_max, lat);
        let _ = writeln!(
            svg,
            r##"<line x1="{x0:.1}" y1="{y:.1}" x2="{x1:.1}" y2="{y:.1}" stroke="#b9c3cc" stroke-width="0.6"/><text x="4" y="{:.1}" font-size="11" fill="#6b7780">{lat:.0}°N</text>"##,
            y - 3.0
        );
        lat += step;
    }
    let mut lon = (p.lon_min / step).ceil() * step;
    while lon <= p.lon_max {
        let (x, y0) = p.xy(lon, p.lat_max);
        let (_, y1) = p.xy(lon, p.lat_min);
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" y1="{y0:.1}" x2="{x:.1}" y2="{y1:.1}" stroke="#b9c3cc" stroke-width="0.6"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#6b7780">{}°{}</text>"##,
            x + 3.0,
            y1 - 4.0,
            lon.abs(),
            if lon < 0.0 { "W" } else { "E" }
        );
        lon += step;
    }
}

fn legend(svg: &mut String, p: &Projection, sim: &Simulator, tracks: usize) {
    let s = sim.scenario();
    let (x, y) = (p.width - 390.0, 16.0);
    let _ = writeln!(
        svg,
        r##"<g font-size="13"><rect x="{x:.0}" y="{y:.0}" width="374" height="204" fill="white" fill-opacity="0.9" stroke="#888"/>"##
    );
    let _ = writeln!(
        svg,
        r##"<text x="{:.0}" y="{:.0}" font-size="15" font-weight="bold">{}</text>"##,
        x + 10.0,
        y + 22.0,
        escape(&s.name)
    );
    let _ = writeln!(
        svg,
        r##"<text x="{:.0}" y="{:.0}" fill="#555">{} s from {}</text><text x="{:.0}" y="{:.0}" fill="#555">seed {}, {} tracks</text>"##,
        x + 10.0,
        y + 40.0,
        s.duration_s,
        escape(&s.start_time),
        x + 10.0,
        y + 56.0,
        s.seed,
        tracks
    );
    let rows = [
        ("#1f5fbf", "airliners and business jets"),
        ("#1a9c8c", "light aircraft, helicopters, drones"),
        ("#2b7a3e", "military"),
        ("#d62828", "unknown intruders (transponder off)"),
        ("#6a4c93", "radar and its instrumented range"),
        ("#e07a00", "ADS-B ground station"),
    ];
    for (i, (colour, text)) in rows.iter().enumerate() {
        let ry = y + 80.0 + 20.0 * i as f64;
        let _ = writeln!(
            svg,
            r##"<rect x="{:.0}" y="{:.0}" width="22" height="5" fill="{colour}"/><text x="{:.0}" y="{:.0}">{text}</text>"##,
            x + 10.0,
            ry - 6.0,
            x + 40.0,
            ry
        );
    }
    svg.push_str("</g>\n");
}

fn polygon(svg: &mut String, p: &Projection, ring: &[[f64; 2]], attrs: &str) {
    let mut d = String::with_capacity(ring.len() * 14);
    for (i, [lon, lat]) in ring.iter().enumerate() {
        let (x, y) = p.xy(*lon, *lat);
        let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { " L" });
    }
    let _ = writeln!(svg, r##"<path d="{d} Z" {attrs}/>"##);
}

/// The mean of the largest ring's vertices: a label position good enough for a map.
fn centroid(rings: &[Vec<[f64; 2]>]) -> Option<[f64; 2]> {
    let ring = rings.iter().max_by_key(|r| r.len())?;
    let n = ring.len() as f64;
    Some([
        ring.iter().map(|p| p[0]).sum::<f64>() / n,
        ring.iter().map(|p| p[1]).sum::<f64>() / n,
    ])
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

struct Projection {
    lat_min: f64,
    lat_max: f64,
    lon_min: f64,
    lon_max: f64,
    scale: f64,
    cos_mid: f64,
    width: f64,
    height: f64,
}

impl Projection {
    fn new(lat_min: f64, lat_max: f64, lon_min: f64, lon_max: f64) -> Self {
        let cos_mid = (0.5 * (lat_min + lat_max)).to_radians().cos();
        let scale = WIDTH_PX / ((lon_max - lon_min) * cos_mid);
        Self {
            lat_min,
            lat_max,
            lon_min,
            lon_max,
            scale,
            cos_mid,
            width: WIDTH_PX,
            height: (lat_max - lat_min) * scale,
        }
    }

    fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            (lon - self.lon_min) * self.cos_mid * self.scale,
            (self.lat_max - lat) * self.scale,
        )
    }
}
