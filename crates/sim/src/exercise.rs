//! What makes a scenario a training exercise (`[exercise]` in the scenario file): its
//! place in the library, its title and briefing in each language, the trainees' positions,
//! and the objectives they are scored on. Documented in docs/exercises.md.

use serde::{Deserialize, Serialize};

use crate::scenario::{FlightSpec, Problems};

/// Identities an objective may expect, as `vigie-ident` spells them.
pub const IDENTITIES: [&str; 7] = [
    "pending",
    "unknown",
    "assumed_friend",
    "friend",
    "neutral",
    "suspect",
    "hostile",
];

/// Kinds of aircraft an objective may name instead of a flight.
pub const CATEGORIES: [&str; 3] = ["civil", "intruder", "friendly"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseSpec {
    /// Its number in the library: `vigie demo --exercise 2`.
    pub number: u32,
    pub title: Text,
    /// What the crew is told before it starts.
    pub briefing: Text,
    #[serde(default)]
    pub position: Vec<PositionSpec>,
    #[serde(default)]
    pub objective: Vec<ObjectiveSpec>,
}

/// Text in each of the display's languages.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub fr: String,
}

/// A trainee's position: a sector of the picture (`box_deg`), or, without one, a role
/// over all of it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PositionSpec {
    pub id: String,
    pub name: Text,
    /// `[south, west, north, east]`: the aircraft first tracked inside are this
    /// position's to report and identify.
    #[serde(default)]
    pub box_deg: Option<[f64; 4]>,
}

/// What the trainees must do about some aircraft: a scripted flight by name, or every
/// aircraft of a category; identify it as one of `expect` within `within_s` of its first
/// system track.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveSpec {
    pub flight: Option<String>,
    pub category: Option<String>,
    /// The identities that are right (`suspect`, `hostile`...); the category's usual
    /// ones when absent.
    #[serde(default)]
    pub expect: Vec<String>,
    /// Seconds from its first system track to a right identity; none: no deadline.
    pub within_s: Option<f64>,
}

impl ObjectiveSpec {
    /// Whether this objective is about an aircraft.
    pub fn about(&self, flight: Option<&str>, category: &str) -> bool {
        match (&self.flight, &self.category) {
            (Some(f), _) => Some(f.as_str()) == flight,
            (None, Some(c)) => c == category,
            (None, None) => false,
        }
    }
}

pub fn validate(x: &ExerciseSpec, flights: &[FlightSpec], p: &mut Problems) {
    p.check(
        (1..=99).contains(&x.number),
        || "exercise.number".into(),
        || format!("must be 1–99, got {}", x.number),
    );
    for (f, t) in [("title", &x.title), ("briefing", &x.briefing)] {
        for (lang, s) in [("en", &t.en), ("fr", &t.fr)] {
            p.check(
                !s.trim().is_empty(),
                || format!("exercise.{f}.{lang}"),
                || "must not be empty".into(),
            );
        }
    }
    let mut ids = std::collections::HashSet::new();
    for (i, pos) in x.position.iter().enumerate() {
        let f = format!("exercise.position[{i}]");
        p.check(
            !pos.id.is_empty() && ids.insert(pos.id.as_str()),
            || format!("{f}.id"),
            || format!("{:?}: empty or used twice", pos.id),
        );
        if let Some([s, w, n, e]) = pos.box_deg {
            p.check(
                (-90.0..=90.0).contains(&s) && s < n && n <= 90.0 && w < e,
                || format!("{f}.box_deg"),
                || {
                    "must be [south, west, north, east] in degrees, south < north, west < east"
                        .into()
                },
            );
        }
    }
    for (i, o) in x.objective.iter().enumerate() {
        validate_objective(o, &format!("exercise.objective[{i}]"), flights, p);
    }
}

fn validate_objective(o: &ObjectiveSpec, f: &str, flights: &[FlightSpec], p: &mut Problems) {
    match (&o.flight, &o.category) {
        (Some(_), Some(_)) | (None, None) => p.push(f, "give one of flight, category"),
        (Some(name), None) => p.check(
            flights.iter().any(|fl| &fl.name == name),
            || format!("{f}.flight"),
            || format!("no [[flight]] named {name:?}"),
        ),
        (None, Some(c)) => p.check(
            CATEGORIES.contains(&c.as_str()),
            || format!("{f}.category"),
            || format!("must be one of {CATEGORIES:?}, got {c:?}"),
        ),
    }
    for (j, e) in o.expect.iter().enumerate() {
        p.check(
            IDENTITIES.contains(&e.as_str()),
            || format!("{f}.expect[{j}]"),
            || format!("must be one of {IDENTITIES:?}, got {e:?}"),
        );
    }
    if let Some(w) = o.within_s {
        p.check(
            w > 0.0 && w <= 86_400.0,
            || format!("{f}.within_s"),
            || format!("must be in (0, 86400], got {w}"),
        );
    }
}
