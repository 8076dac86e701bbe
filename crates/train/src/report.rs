//! The after-action report: a printable HTML page with the scores and their plots.

use crate::{ObjectiveScore, Score};

/// The after-action report: a printable HTML page (no script, nothing fetched) with the
/// scores per trainee, per aircraft and per alert, and a timeline drawn in SVG.
pub fn report_html(score: &Score, title: &str, clock: &dyn Fn(f64) -> String) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let secs = |x: Option<f64>| x.map_or("—".to_string(), |v| format!("{v:.0} s"));
    let mut h = String::new();
    h += &format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title><style>\
         body{{font:13px system-ui,sans-serif;margin:24px;color:#111}}h1{{font-size:20px}}\
         table{{border-collapse:collapse;margin:8px 0 20px}}th,td{{border:1px solid #bbb;padding:3px 8px;text-align:left}}\
         th{{background:#eee}}.bad{{color:#b00}}.good{{color:#070}}@media print{{body{{margin:8mm}}}}</style></head><body>\
         <h1>{t}</h1><p>After-action report · from {start} to {end} (exercise time, UTC)</p>",
        t = esc(title),
        start = clock(0.0),
        end = clock(score.end_s)
    );
    h += "<h2>Trainees</h2><table><tr><th>trainee</th><th>reported</th><th>identified</th><th>right</th><th>mean time to identify</th><th>alerts acknowledged</th><th>mean reaction</th></tr>";
    for t in &score.trainees {
        h += &format!(
            "<tr class=\"trainee\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&t.user),
            t.reported,
            t.identified,
            t.identified_correctly,
            secs(t.mean_time_to_identify_s),
            t.alerts_acknowledged,
            secs(t.mean_reaction_s)
        );
    }
    h += "</table>";
    if !score.positions.is_empty() {
        h += "<h2>Positions</h2><table><tr><th>position</th><th>trainees</th><th>aircraft</th><th>reported</th><th>right</th><th>wrong</th><th>late</th><th>missed</th><th>mean time to identify</th></tr>";
        for p in &score.positions {
            h += &format!(
                "<tr class=\"position\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&p.name.en),
                esc(&p.trainees.join(", ")),
                p.aircraft,
                p.reported,
                p.identified_correctly,
                p.identified_wrongly,
                p.late,
                p.missed,
                secs(p.mean_time_to_identify_s)
            );
        }
        h += "</table>";
    }
    h += "<h2>Aircraft</h2><table><tr><th>aircraft</th><th>category</th><th>first tracked</th><th>reported (after)</th><th>identified (after)</th><th>deadline</th><th>identity</th><th>by</th></tr>";
    for o in score
        .objectives
        .iter()
        .filter(|o| o.first_tracked_s.is_some())
    {
        let verdict = match (o.correct, o.in_time) {
            (Some(true), Some(false)) => "<span class=\"bad\">right, late</span>",
            (Some(true), _) => "<span class=\"good\">right</span>",
            (Some(false), _) => "<span class=\"bad\">wrong</span>",
            (None, _) => "<span class=\"bad\">missed</span>",
        };
        h += &format!(
            "<tr class=\"aircraft {cat}\"><td>{n}</td><td>{cat}</td><td>{first}</td><td>{rep}</td><td>{idt}</td><td>{due}</td><td>{id} {verdict}</td><td>{by}</td></tr>",
            n = esc(&o.name),
            cat = esc(&o.category),
            first = o.first_tracked_s.map(clock).unwrap_or_default(),
            rep = secs(o.time_to_report_s),
            idt = secs(o.time_to_identify_s),
            due = secs(o.within_s),
            id = o.identity.map_or("", |i| i.as_str()),
            by = esc(o.identified_by.as_deref().unwrap_or("")),
        );
    }
    h += "</table><h2>Alerts</h2><table><tr><th>raised</th><th>alert</th><th>aircraft</th><th>acknowledged by</th><th>reaction</th></tr>";
    for a in &score.alerts {
        let by = a
            .acknowledged_by
            .as_deref()
            .map_or("<span class=\"bad\">not acknowledged</span>".into(), esc);
        h += &format!(
            "<tr class=\"alert\"><td>{}</td><td>{}</td><td>{}</td><td>{by}</td><td>{}</td></tr>",
            clock(a.time_s),
            esc(&a.kind),
            esc(a.aircraft.as_deref().unwrap_or("")),
            secs(a.reaction_s)
        );
    }
    h += "</table><h2>Timeline</h2><p>Each tracked aircraft from its first track: \
          ● reported, ■ identified (green right, red wrong); vertical lines are alerts \
          (red: never acknowledged).</p>";
    h += &timeline_svg(score);
    h += "<h2>Time to identify</h2><p>Seconds from the first system track to the first \
          identity, per aircraft (green right, red wrong; the tick is the deadline).</p>";
    h += &bars_svg(&identify_bars(score));
    h += "<h2>Alert reaction</h2><p>Seconds from an alert to its acknowledgement (red: \
          never acknowledged, drawn to the end of the exercise).</p>";
    h += &bars_svg(&reaction_bars(score));
    h += "</body></html>\n";
    h
}

/// Each tracked aircraft a row: from its first track, a mark when reported (blue) and when
/// identified (green if right, red if wrong); alerts as ticks on the axis.
fn timeline_svg(score: &Score) -> String {
    let rows: Vec<&ObjectiveScore> = score
        .objectives
        .iter()
        .filter(|o| o.first_tracked_s.is_some())
        .collect();
    let (w, left, row_h) = (900.0, 160.0, 16.0);
    let end = score.end_s.max(1.0);
    let x = |t: f64| left + (t / end).clamp(0.0, 1.0) * (w - left - 10.0);
    let height = 30.0 + row_h * rows.len() as f64;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" font-size=\"10\">"
    );
    for a in &score.alerts {
        let colour = if a.acknowledged_by.is_some() {
            "#888"
        } else {
            "#b00"
        };
        s += &format!(
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"0\" y2=\"{height}\" stroke=\"{colour}\" stroke-opacity=\"0.3\"/>",
            x(a.time_s)
        );
    }
    for (i, o) in rows.iter().enumerate() {
        let y = 20.0 + row_h * i as f64;
        let first = o.first_tracked_s.unwrap_or(0.0);
        s += &format!(
            "<text x=\"4\" y=\"{:.1}\">{}</text><line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#999\"/>",
            y + 3.0,
            o.name.replace('&', "&amp;").replace('<', "&lt;"),
            x(first),
            x(end)
        );
        if let Some(r) = o.time_to_report_s {
            s += &format!(
                "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#1f6fd1\"/>",
                x(first + r)
            );
        }
        if let Some(r) = o.time_to_identify_s {
            let colour = if o.correct == Some(true) {
                "#070"
            } else {
                "#b00"
            };
            s += &format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"7\" fill=\"{colour}\"/>",
                x(first + r) - 3.5,
                y - 3.5
            );
        }
    }
    s += "</svg>";
    s
}

/// One bar of a plot: its label, its length in seconds, its colour, an optional tick.
struct Bar {
    label: String,
    value_s: f64,
    colour: &'static str,
    tick_s: Option<f64>,
}

fn identify_bars(score: &Score) -> Vec<Bar> {
    score
        .objectives
        .iter()
        .filter_map(|o| {
            Some(Bar {
                label: o.name.clone(),
                value_s: o.time_to_identify_s?,
                colour: if o.correct == Some(true) {
                    "#070"
                } else {
                    "#b00"
                },
                tick_s: o.within_s,
            })
        })
        .collect()
}

fn reaction_bars(score: &Score) -> Vec<Bar> {
    score
        .alerts
        .iter()
        .map(|a| Bar {
            label: match &a.aircraft {
                Some(x) => format!("{} · {x}", a.kind),
                None => a.kind.clone(),
            },
            value_s: a.reaction_s.unwrap_or(score.end_s - a.time_s),
            colour: if a.reaction_s.is_some() {
                "#1f6fd1"
            } else {
                "#b00"
            },
            tick_s: None,
        })
        .collect()
}

/// A horizontal bar chart in SVG, the scale from zero to the longest bar or tick.
fn bars_svg(bars: &[Bar]) -> String {
    if bars.is_empty() {
        return "<p>—</p>".into();
    }
    let (w, left, row_h) = (900.0, 220.0, 16.0);
    let top = bars
        .iter()
        .map(|b| b.value_s.max(b.tick_s.unwrap_or(0.0)))
        .fold(1.0_f64, f64::max);
    let x = |v: f64| left + (v / top).clamp(0.0, 1.0) * (w - left - 60.0);
    let height = 10.0 + row_h * bars.len() as f64;
    let mut s = format!(
        "<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" font-size=\"10\">"
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        s += &format!(
            "<text x=\"4\" y=\"{:.1}\">{}</text><rect x=\"{left}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"11\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\">{:.0} s</text>",
            y + 9.0,
            b.label.replace('&', "&amp;").replace('<', "&lt;"),
            x(b.value_s) - left,
            b.colour,
            x(b.value_s) + 4.0,
            y + 9.0,
            b.value_s
        );
        if let Some(t) = b.tick_s {
            s += &format!(
                "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{2:.1}\" stroke=\"#111\" stroke-width=\"2\"/>",
                x(t),
                y - 1.0,
                y + 12.0
            );
        }
    }
    s += "</svg>";
    s
}
