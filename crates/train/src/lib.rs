//! # vigie-train: scoring trainees against the exercise's truth
//!
//! This crate owns the scoring of an exercise: which simulated aircraft each system track
//! is (from the simulator's truth), what each trainee did about it (reported it, set its
//! identity) and about the alerts (acknowledged them), and how well and how fast: time to
//! report and to identify from the first system track, whether the identity was right,
//! alert reaction times, and what was missed.
//!
//! It owns no simulation, no tracking and no I/O: the pipeline gives it the truth and the
//! picture each second, the server gives it the trainees' actions, and it gives back a
//! [`Score`]. Times are the session's seconds.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use vigie_ident::identity::Identity;

/// A track is taken for the aircraft it first comes within this of.
pub const ASSOCIATION_M: f64 = 3_000.0;

/// One simulated aircraft to be found and identified.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Objective {
    pub target_id: u32,
    /// Its callsign, or what the scenario calls it.
    pub name: String,
    /// "civil", "intruder", "friendly".
    pub category: &'static str,
    /// The identities that are right for it.
    pub right: Vec<Identity>,
}

/// Where a simulated aircraft is (truth) or where a track is (picture), this second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    pub id: u32,
    pub lat_deg: f64,
    pub lon_deg: f64,
}

/// What a trainee did.
#[derive(Debug, Clone, PartialEq)]
pub enum Act {
    /// "New track": the trainee reports a track.
    Report {
        track: u32,
    },
    SetIdentity {
        track: u32,
        identity: Identity,
    },
    Acknowledge {
        alert: u64,
    },
}

#[derive(Debug, Clone, Default)]
struct Target {
    first_tracked_s: Option<f64>,
    /// By trainee: when they reported it, and their identity decisions.
    reported: BTreeMap<String, f64>,
    identified: BTreeMap<String, (f64, Identity)>,
}

#[derive(Debug, Clone)]
struct AlertSeen {
    time_s: f64,
    kind: String,
    target: Option<u32>,
    acknowledged: Option<(String, f64)>,
}

/// The scoring of one exercise, fed as it runs.
#[derive(Debug, Default)]
pub struct Scorer {
    objectives: BTreeMap<u32, Objective>,
    targets: HashMap<u32, Target>,
    /// System track → simulated aircraft.
    owner: HashMap<u32, u32>,
    alerts: BTreeMap<u64, AlertSeen>,
    trainees: BTreeSet<String>,
    end_s: f64,
}

fn distance_m(a: &Position, b: &Position) -> f64 {
    vigie_ident::airspace::distance_m(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg)
}

impl Scorer {
    pub fn new(objectives: Vec<Objective>) -> Scorer {
        Scorer {
            objectives: objectives.into_iter().map(|o| (o.target_id, o)).collect(),
            ..Scorer::default()
        }
    }

    /// One second: where the aircraft are, where the tracks are.
    pub fn tick(&mut self, time_s: f64, truth: &[Position], tracks: &[Position]) {
        self.end_s = self.end_s.max(time_s);
        for t in tracks {
            let owner = match self.owner.get(&t.id) {
                Some(o) => *o,
                None => {
                    let nearest = truth
                        .iter()
                        .map(|a| (distance_m(a, t), a.id))
                        .filter(|(d, _)| *d < ASSOCIATION_M)
                        .min_by(|a, b| a.0.total_cmp(&b.0));
                    let Some((_, id)) = nearest else {
                        continue;
                    };
                    self.owner.insert(t.id, id);
                    id
                }
            };
            let target = self.targets.entry(owner).or_default();
            target.first_tracked_s.get_or_insert(time_s);
        }
    }

    /// An alert raised on the picture.
    pub fn alert(&mut self, id: u64, time_s: f64, kind: &str, track: Option<u32>) {
        let target = track.and_then(|t| self.owner.get(&t).copied());
        self.alerts.entry(id).or_insert(AlertSeen {
            time_s,
            kind: kind.to_string(),
            target,
            acknowledged: None,
        });
    }

    /// A trainee's action.
    pub fn act(&mut self, time_s: f64, user: &str, act: &Act) {
        self.trainees.insert(user.to_string());
        match *act {
            Act::Report { track } => {
                if let Some(t) = self.target_of(track) {
                    t.reported.entry(user.to_string()).or_insert(time_s);
                }
            }
            Act::SetIdentity { track, identity } => {
                if let Some(t) = self.target_of(track) {
                    // The first decision is the one scored; a trainee who corrects
                    // themselves is still timed from it.
                    t.identified
                        .entry(user.to_string())
                        .or_insert((time_s, identity));
                }
            }
            Act::Acknowledge { alert } => {
                if let Some(a) = self.alerts.get_mut(&alert) {
                    a.acknowledged.get_or_insert((user.to_string(), time_s));
                }
            }
        }
    }

    fn target_of(&mut self, track: u32) -> Option<&mut Target> {
        let owner = *self.owner.get(&track)?;
        Some(self.targets.entry(owner).or_default())
    }

    /// The score so far.
    pub fn score(&self) -> Score {
        let objectives: Vec<ObjectiveScore> = self
            .objectives
            .values()
            .map(|o| self.objective(o))
            .collect();
        let trainees = self
            .trainees
            .iter()
            .map(|u| self.trainee(u, &objectives))
            .collect();
        let alerts = self
            .alerts
            .iter()
            .map(|(id, a)| AlertScore {
                id: *id,
                time_s: a.time_s,
                kind: a.kind.clone(),
                aircraft: a
                    .target
                    .and_then(|t| self.objectives.get(&t))
                    .map(|o| o.name.clone()),
                acknowledged_by: a.acknowledged.as_ref().map(|x| x.0.clone()),
                reaction_s: a.acknowledged.as_ref().map(|x| x.1 - a.time_s),
            })
            .collect();
        Score {
            end_s: self.end_s,
            trainees,
            objectives,
            alerts,
        }
    }

    fn objective(&self, o: &Objective) -> ObjectiveScore {
        let t = self.targets.get(&o.target_id);
        let first = t.and_then(|t| t.first_tracked_s);
        let by = |m: Option<&BTreeMap<String, f64>>| {
            m.and_then(|m| m.iter().min_by(|a, b| a.1.total_cmp(b.1)))
                .map(|(u, s)| (u.clone(), *s))
        };
        let reported = by(t.map(|t| &t.reported));
        let identified = t.and_then(|t| {
            t.identified
                .iter()
                .min_by(|a, b| a.1 .0.total_cmp(&b.1 .0))
                .map(|(u, (s, i))| (u.clone(), *s, *i))
        });
        ObjectiveScore {
            name: o.name.clone(),
            category: o.category,
            first_tracked_s: first,
            reported_by: reported.as_ref().map(|r| r.0.clone()),
            time_to_report_s: reported.zip(first).map(|(r, f)| r.1 - f),
            identified_by: identified.as_ref().map(|i| i.0.clone()),
            identity: identified.as_ref().map(|i| i.2),
            correct: identified.as_ref().map(|i| o.right.contains(&i.2)),
            time_to_identify_s: identified.as_ref().zip(first).map(|(i, f)| i.1 - f),
        }
    }

    fn trainee(&self, user: &str, objectives: &[ObjectiveScore]) -> TraineeScore {
        let mine = |who: &Option<String>| who.as_deref() == Some(user);
        let identified: Vec<&ObjectiveScore> = objectives
            .iter()
            .filter(|o| mine(&o.identified_by))
            .collect();
        let reactions: Vec<f64> = self
            .alerts
            .values()
            .filter_map(|a| match &a.acknowledged {
                Some((u, at)) if u == user => Some(at - a.time_s),
                _ => None,
            })
            .collect();
        TraineeScore {
            user: user.to_string(),
            reported: objectives.iter().filter(|o| mine(&o.reported_by)).count(),
            identified: identified.len(),
            identified_correctly: identified
                .iter()
                .filter(|o| o.correct == Some(true))
                .count(),
            mean_time_to_identify_s: mean(identified.iter().filter_map(|o| o.time_to_identify_s)),
            alerts_acknowledged: reactions.len(),
            mean_reaction_s: mean(reactions.iter().copied()),
        }
    }
}

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let (n, sum) = xs.fold((0usize, 0.0), |(n, s), x| (n + 1, s + x));
    (n > 0).then(|| sum / n as f64)
}

/// An exercise's score: per trainee, per aircraft, per alert.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Score {
    pub end_s: f64,
    pub trainees: Vec<TraineeScore>,
    pub objectives: Vec<ObjectiveScore>,
    pub alerts: Vec<AlertScore>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TraineeScore {
    pub user: String,
    /// Aircraft this trainee reported first.
    pub reported: usize,
    /// Aircraft this trainee identified first, and how many of them rightly.
    pub identified: usize,
    pub identified_correctly: usize,
    pub mean_time_to_identify_s: Option<f64>,
    pub alerts_acknowledged: usize,
    pub mean_reaction_s: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ObjectiveScore {
    pub name: String,
    pub category: &'static str,
    /// When the system first tracked it (none: never).
    pub first_tracked_s: Option<f64>,
    pub reported_by: Option<String>,
    /// From the first system track.
    pub time_to_report_s: Option<f64>,
    pub identified_by: Option<String>,
    pub identity: Option<Identity>,
    pub correct: Option<bool>,
    pub time_to_identify_s: Option<f64>,
}

impl ObjectiveScore {
    /// Tracked, but nobody identified it.
    pub fn missed(&self) -> bool {
        self.first_tracked_s.is_some() && self.identified_by.is_none()
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AlertScore {
    pub id: u64,
    pub time_s: f64,
    pub kind: String,
    /// The aircraft it was about, if any.
    pub aircraft: Option<String>,
    pub acknowledged_by: Option<String>,
    pub reaction_s: Option<f64>,
}

#[cfg(test)]
mod tests;

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
    h += "</table><h2>Aircraft</h2><table><tr><th>aircraft</th><th>category</th><th>first tracked</th><th>reported (after)</th><th>identified (after)</th><th>identity</th><th>by</th></tr>";
    for o in score
        .objectives
        .iter()
        .filter(|o| o.first_tracked_s.is_some())
    {
        let verdict = match o.correct {
            Some(true) => "<span class=\"good\">right</span>",
            Some(false) => "<span class=\"bad\">wrong</span>",
            None => "<span class=\"bad\">missed</span>",
        };
        h += &format!(
            "<tr class=\"aircraft {cat}\"><td>{n}</td><td>{cat}</td><td>{first}</td><td>{rep}</td><td>{idt}</td><td>{id} {verdict}</td><td>{by}</td></tr>",
            n = esc(&o.name),
            cat = o.category,
            first = o.first_tracked_s.map(clock).unwrap_or_default(),
            rep = secs(o.time_to_report_s),
            idt = secs(o.time_to_identify_s),
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
