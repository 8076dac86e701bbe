//! The evaluation as a picture: tracks over truth on a map, and GOSPA over time.

use std::collections::BTreeMap;
use std::fmt::Write;

use vigie_core::interop::{TrackRow, TruthRow};

use crate::Report;

const MAP_W: f64 = 760.0;
const CHART_W: f64 = 620.0;
const H: f64 = 700.0;
const PAD: f64 = 40.0;

/// An SVG: the map on the left, GOSPA and its parts over time on the right.
pub fn svg(truth: &[TruthRow], tracks: &[TrackRow], report: &Report, title: &str) -> String {
    let mut s = String::with_capacity(1 << 20);
    let width = MAP_W + CHART_W + 3.0 * PAD;
    let _ = writeln!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{h:.0}" viewBox="0 0 {width:.0} {h:.0}" font-family="DejaVu Sans, Arial, sans-serif" font-size="13"><rect width="100%" height="100%" fill="white"/>"##,
        h = H + 2.0 * PAD
    );
    let _ = writeln!(
        s,
        r##"<text x="{PAD}" y="26" font-size="17" font-weight="bold">{}</text>"##,
        escape(title)
    );
    map(&mut s, truth, tracks);
    chart(&mut s, report);
    s.push_str("</svg>\n");
    s
}

fn map(s: &mut String, truth: &[TruthRow], tracks: &[TrackRow]) {
    let (mut lat0, mut lat1, mut lon0, mut lon1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (lat, lon) in truth
        .iter()
        .map(|t| (t.lat_deg, t.lon_deg))
        .chain(tracks.iter().map(|t| (t.lat_deg, t.lon_deg)))
    {
        lat0 = lat0.min(lat);
        lat1 = lat1.max(lat);
        lon0 = lon0.min(lon);
        lon1 = lon1.max(lon);
    }
    if lat0 > lat1 {
        return;
    }
    let cos = (0.5 * (lat0 + lat1)).to_radians().cos();
    let scale = (MAP_W / ((lon1 - lon0).max(1e-6) * cos)).min(H / (lat1 - lat0).max(1e-6));
    let xy = |lat: f64, lon: f64| (PAD + (lon - lon0) * cos * scale, PAD + (lat1 - lat) * scale);
    let _ = writeln!(
        s,
        r##"<rect x="{PAD}" y="{PAD}" width="{MAP_W}" height="{H}" fill="#f6f4ee" stroke="#999"/>"##
    );
    let mut by_truth: BTreeMap<u32, Vec<(f64, f64)>> = BTreeMap::new();
    for t in truth {
        by_truth
            .entry(t.target_id)
            .or_default()
            .push(xy(t.lat_deg, t.lon_deg));
    }
    for pts in by_truth.values() {
        path(s, pts, "#9a9a9a", 3.0);
    }
    let mut by_track: BTreeMap<u32, Vec<(f64, f64)>> = BTreeMap::new();
    for t in tracks {
        by_track
            .entry(t.track_id)
            .or_default()
            .push(xy(t.lat_deg, t.lon_deg));
    }
    const PALETTE: [&str; 8] = [
        "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
    ];
    for (id, pts) in &by_track {
        path(s, pts, PALETTE[*id as usize % PALETTE.len()], 1.2);
    }
    let _ = writeln!(
        s,
        r##"<text x="{PAD}" y="{:.0}" fill="#555">truth in grey (wide), tracks in colour, one colour per track number</text>"##,
        H + PAD + 22.0
    );
}

fn path(s: &mut String, pts: &[(f64, f64)], colour: &str, width: f64) {
    let mut d = String::with_capacity(pts.len() * 14);
    for (i, (x, y)) in pts.iter().enumerate() {
        let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { " L" });
    }
    let _ = writeln!(
        s,
        r##"<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width}" stroke-linejoin="round"/>"##
    );
}

fn chart(s: &mut String, r: &Report) {
    let x0 = 2.0 * PAD + MAP_W;
    let (y0, h) = (PAD, 320.0);
    let steps = &r.per_step;
    let (Some(first), Some(last)) = (steps.first(), steps.last()) else {
        return;
    };
    let t_span = (last.time_s - first.time_s).max(1.0);
    let top = steps.iter().map(|st| st.gospa).fold(1.0, f64::max) * 1.1;
    let x = |t: f64| x0 + (t - first.time_s) / t_span * CHART_W;
    let y = |v: f64| y0 + h - v / top * h;
    let _ = writeln!(
        s,
        r##"<rect x="{x0}" y="{y0}" width="{CHART_W}" height="{h}" fill="none" stroke="#999"/>"##
    );
    let root = 1.0 / r.params.p;
    let series = [
        ("GOSPA", "#111"),
        ("missed part", "#d62728"),
        ("false part", "#ff7f0e"),
    ];
    for (i, (name, colour)) in series.iter().enumerate() {
        let value = |st: &crate::Step| match i {
            0 => st.gospa,
            1 => st.gospa_missed.powf(root),
            _ => st.gospa_false.powf(root),
        };
        let pts: Vec<(f64, f64)> = steps
            .iter()
            .map(|st| (x(st.time_s), y(value(st))))
            .collect();
        path(s, &pts, colour, if i == 0 { 1.8 } else { 1.0 });
        let _ = writeln!(
            s,
            r##"<rect x="{:.0}" y="{:.0}" width="18" height="4" fill="{colour}"/><text x="{:.0}" y="{:.0}">{name}</text>"##,
            x0 + 10.0 + 150.0 * i as f64,
            y0 + h + 22.0,
            x0 + 32.0 + 150.0 * i as f64,
            y0 + h + 27.0
        );
    }
    for k in 0..=4 {
        let v = top * f64::from(k) / 4.0;
        let _ = writeln!(
            s,
            r##"<text x="{:.0}" y="{:.0}" fill="#555" text-anchor="end" font-size="11">{v:.0}</text>"##,
            x0 - 4.0,
            y(v) + 4.0
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{x0}" y="{:.0}" fill="#555" font-size="11">{:.0} s</text><text x="{:.0}" y="{:.0}" fill="#555" font-size="11" text-anchor="end">{:.0} s</text>"##,
        y0 + h + 12.0,
        first.time_s,
        x0 + CHART_W,
        y0 + h + 12.0,
        last.time_s
    );
    let rows = [
        format!(
            "GOSPA mean (c = {:.0} m, p = {}): {:.0}",
            r.params.c_m, r.params.p, r.gospa_mean
        ),
        format!("normalised GOSPA mean: {:.0}", r.gospa_normalised_mean),
        format!("OSPA mean: {:.0}", r.ospa_mean),
        format!(
            "position RMSE: {:.0} m, velocity RMSE: {:.1} m/s",
            r.position_rmse_m, r.velocity_rmse_mps
        ),
        format!(
            "completeness: {:.1} %, false tracks per step: {:.2}",
            100.0 * r.completeness,
            r.false_tracks_per_step
        ),
        format!("{} targets, {} track numbers", r.truth_targets, r.track_ids),
        format!("id switches: {}, breaks: {}", r.id_switches, r.breaks),
    ];
    for (i, row) in rows.iter().enumerate() {
        let _ = writeln!(
            s,
            r##"<text x="{x0}" y="{:.0}">{}</text>"##,
            y0 + h + 60.0 + 22.0 * i as f64,
            escape(row)
        );
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
