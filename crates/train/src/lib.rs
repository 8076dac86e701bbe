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

use serde::{Deserialize, Serialize};
use vigie_ident::identity::Identity;

mod report;
pub use report::report_html;

/// A track is taken for the aircraft it first comes within this of.
pub const ASSOCIATION_M: f64 = 3_000.0;

/// One simulated aircraft to be found and identified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    pub target_id: u32,
    /// Its callsign, or what the scenario calls it.
    pub name: String,
    /// "civil", "intruder", "friendly".
    pub category: String,
    /// The identities that are right for it.
    pub right: Vec<Identity>,
    /// Seconds from its first system track to a right identity; none: no deadline.
    pub within_s: Option<f64>,
}

/// Where a simulated aircraft is (truth) or where a track is (picture), this second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub id: u32,
    pub lat_deg: f64,
    pub lon_deg: f64,
}

/// Text in each of the display's languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Text {
    pub en: String,
    pub fr: String,
}

/// A trainee's position: a sector of the picture, or, without `box_deg`, a role over all
/// of it. The aircraft first tracked in its sector are its to report and identify.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub id: String,
    pub name: Text,
    /// `[south, west, north, east]`.
    pub box_deg: Option<[f64; 4]>,
}

impl Position {
    pub fn covers(&self, lat_deg: f64, lon_deg: f64) -> bool {
        self.box_deg
            .is_none_or(|[s, w, n, e]| (s..=n).contains(&lat_deg) && (w..=e).contains(&lon_deg))
    }
}

/// What an exercise's journal keeps of it, so that its score can be worked out again from
/// the journal alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Training {
    pub briefing: Option<Briefing>,
    pub objectives: Vec<Objective>,
}

/// What the crew is told of an exercise, and the positions it is played from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Briefing {
    /// Its number in the library.
    pub number: u32,
    pub title: Text,
    pub briefing: Text,
    pub positions: Vec<Position>,
}

/// What a trainee did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "act", rename_all = "snake_case")]
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
    /// The positions whose sector it was in when first tracked.
    positions: Vec<String>,
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
    positions: Vec<Position>,
    /// Trainee → the position the instructor gave them.
    assigned: BTreeMap<String, String>,
    end_s: f64,
}

fn distance_m(a: &Point, b: &Point) -> f64 {
    vigie_ident::airspace::distance_m(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg)
}

impl Scorer {
    pub fn new(objectives: Vec<Objective>) -> Scorer {
        Scorer::with_positions(objectives, Vec::new())
    }

    /// An exercise played from positions the instructor assigns trainees to.
    pub fn with_positions(objectives: Vec<Objective>, positions: Vec<Position>) -> Scorer {
        Scorer {
            objectives: objectives.into_iter().map(|o| (o.target_id, o)).collect(),
            positions,
            ..Scorer::default()
        }
    }

    /// An aircraft added while the exercise runs (an instructor's target).
    pub fn add_objective(&mut self, o: Objective) {
        self.objectives.insert(o.target_id, o);
    }

    /// The instructor puts a trainee at a position (or, with `None`, takes them off it).
    pub fn assign(&mut self, trainee: &str, position: Option<&str>) -> Result<(), String> {
        match position {
            Some(p) if !self.positions.iter().any(|x| x.id == p) => {
                let known: Vec<&str> = self.positions.iter().map(|x| x.id.as_str()).collect();
                Err(format!("no position {p:?}; this exercise has {known:?}"))
            }
            Some(p) => {
                self.trainees.insert(trainee.to_string());
                self.assigned.insert(trainee.to_string(), p.to_string());
                Ok(())
            }
            None => {
                self.assigned.remove(trainee);
                Ok(())
            }
        }
    }

    /// Trainee → position.
    pub fn assignments(&self) -> &BTreeMap<String, String> {
        &self.assigned
    }

    /// One second: where the aircraft are, where the tracks are.
    pub fn tick(&mut self, time_s: f64, truth: &[Point], tracks: &[Point]) {
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
            if target.first_tracked_s.is_none() {
                target.first_tracked_s = Some(time_s);
                target.positions = self
                    .positions
                    .iter()
                    .filter(|p| p.covers(t.lat_deg, t.lon_deg))
                    .map(|p| p.id.clone())
                    .collect();
            }
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
        let positions = self
            .positions
            .iter()
            .map(|p| self.position(p, &objectives))
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
            positions,
            objectives,
            alerts,
        }
    }

    fn position(&self, p: &Position, objectives: &[ObjectiveScore]) -> PositionScore {
        let trainees: Vec<String> = self
            .assigned
            .iter()
            .filter(|(_, at)| **at == p.id)
            .map(|(u, _)| u.clone())
            .collect();
        let mine: Vec<&ObjectiveScore> = objectives
            .iter()
            .filter(|o| o.positions.contains(&p.id))
            .collect();
        let count = |f: &dyn Fn(&ObjectiveScore) -> bool| mine.iter().filter(|o| f(o)).count();
        PositionScore {
            id: p.id.clone(),
            name: p.name.clone(),
            trainees,
            aircraft: mine.len(),
            reported: count(&|o| o.reported_by.is_some()),
            identified_correctly: count(&|o| o.correct == Some(true)),
            identified_wrongly: count(&|o| o.correct == Some(false)),
            late: count(&|o| o.in_time == Some(false)),
            missed: count(&|o| o.missed()),
            mean_time_to_identify_s: mean(mine.iter().filter_map(|o| o.time_to_identify_s)),
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
        let time_to_identify_s = identified.as_ref().zip(first).map(|(i, f)| i.1 - f);
        let correct = identified.as_ref().map(|i| o.right.contains(&i.2));
        ObjectiveScore {
            name: o.name.clone(),
            category: o.category.clone(),
            positions: t.map(|t| t.positions.clone()).unwrap_or_default(),
            within_s: o.within_s,
            in_time: o.within_s.and(correct).map(|right| {
                right
                    && time_to_identify_s
                        .zip(o.within_s)
                        .is_some_and(|(t, w)| t <= w)
            }),
            first_tracked_s: first,
            reported_by: reported.as_ref().map(|r| r.0.clone()),
            time_to_report_s: reported.zip(first).map(|(r, f)| r.1 - f),
            identified_by: identified.as_ref().map(|i| i.0.clone()),
            identity: identified.as_ref().map(|i| i.2),
            correct,
            time_to_identify_s,
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
            position: self.assigned.get(user).cloned(),
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
    pub positions: Vec<PositionScore>,
    pub objectives: Vec<ObjectiveScore>,
    pub alerts: Vec<AlertScore>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TraineeScore {
    pub user: String,
    /// Where the instructor put them.
    pub position: Option<String>,
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
    pub category: String,
    /// The positions whose sector it was first tracked in.
    pub positions: Vec<String>,
    /// Its deadline to identify, from the first system track.
    pub within_s: Option<f64>,
    /// Identified rightly within the deadline (none: no deadline, or not identified).
    pub in_time: Option<bool>,
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

/// One position's aircraft (those first tracked in its sector) and what became of them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PositionScore {
    pub id: String,
    pub name: Text,
    pub trainees: Vec<String>,
    pub aircraft: usize,
    pub reported: usize,
    pub identified_correctly: usize,
    pub identified_wrongly: usize,
    /// Identified after their deadline.
    pub late: usize,
    pub missed: usize,
    pub mean_time_to_identify_s: Option<f64>,
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
