//! The instructor's hold on a running exercise: pause, resume, speed, and injections
//! (faults, emergencies, spoofing) waiting for the pipeline to apply them. The server only
//! queues what the instructor asks; the pipeline, which owns the simulator, applies it and
//! says what it did.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
pub use vigie_train::{Briefing, Position, Text};

/// Injections waiting for the pipeline; more are refused (a bounded queue).
pub const PENDING_MAX: usize = 64;
/// Injections remembered for the instructor's list.
const DONE_MAX: usize = 200;
/// The speeds an instructor may choose.
pub const SPEED_MAX: f64 = 16.0;

/// What an instructor injects. Aircraft are named by their track on the display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Inject {
    RadarOutage {
        sensor: String,
        duration_s: f64,
    },
    Jamming {
        sensor: String,
        azimuth_deg: f64,
        width_deg: f64,
        #[serde(default = "fifty")]
        plots_per_scan: f64,
        duration_s: f64,
    },
    Emergency {
        track: u32,
        /// 7500, 7600 or 7700.
        code: String,
    },
    TransponderOff {
        track: u32,
    },
    Spoofing {
        track: u32,
        offset_m: f64,
        #[serde(default)]
        bearing_deg: f64,
        duration_s: f64,
    },
    /// A target from a template, flying a route drawn on the map from now on.
    Target {
        /// One of [`TEMPLATES`].
        template: String,
        /// `[lat_deg, lon_deg]` points, two at least.
        route: Vec<[f64; 2]>,
        /// Height above the ground (low flyers), or altitude: at most one; the
        /// template's cruise level when neither.
        #[serde(default)]
        height_agl_m: Option<f64>,
        #[serde(default)]
        alt_ft: Option<f64>,
        #[serde(default)]
        speed_kt: Option<f64>,
        #[serde(default)]
        transponder: bool,
        #[serde(default)]
        squawk: Option<String>,
        #[serde(default)]
        callsign: Option<String>,
        /// What the trainees should call it; suspect when its transponder is off,
        /// neutral otherwise.
        #[serde(default)]
        identity: Option<String>,
    },
}

/// The aircraft an instructor can add.
pub const TEMPLATES: [&str; 6] = [
    "light_aircraft",
    "small_uav",
    "helicopter",
    "business_jet",
    "airliner",
    "fighter",
];

/// Route points a drawn target may have.
pub const ROUTE_MAX: usize = 50;

fn fifty() -> f64 {
    50.0
}

impl Inject {
    /// What is wrong with it, if anything.
    pub fn check(&self) -> Result<(), String> {
        let duration = |d: f64| {
            if d > 0.0 && d <= 86_400.0 {
                Ok(())
            } else {
                Err(format!("duration_s must be in (0, 86400], got {d}"))
            }
        };
        match self {
            Inject::RadarOutage { duration_s, .. } => duration(*duration_s),
            Inject::Jamming {
                width_deg,
                plots_per_scan,
                duration_s,
                ..
            } => {
                duration(*duration_s)?;
                if !(*width_deg > 0.0 && *width_deg <= 360.0) {
                    return Err(format!("width_deg must be in (0, 360], got {width_deg}"));
                }
                if !(0.0..=1_000.0).contains(plots_per_scan) {
                    return Err(format!(
                        "plots_per_scan must be 0–1000, got {plots_per_scan}"
                    ));
                }
                Ok(())
            }
            Inject::Emergency { code, .. } => match code.as_str() {
                "7500" | "7600" | "7700" => Ok(()),
                _ => Err(format!("code must be 7500, 7600 or 7700, got {code:?}")),
            },
            Inject::TransponderOff { .. } => Ok(()),
            Inject::Target { .. } => self.check_target(),
            Inject::Spoofing {
                offset_m,
                duration_s,
                ..
            } => {
                duration(*duration_s)?;
                if !(*offset_m > 0.0 && *offset_m <= 500_000.0) {
                    return Err(format!("offset_m must be in (0, 500 km], got {offset_m}"));
                }
                Ok(())
            }
        }
    }
}

impl Inject {
    fn check_target(&self) -> Result<(), String> {
        let Inject::Target {
            template,
            route,
            height_agl_m,
            alt_ft,
            speed_kt,
            identity,
            ..
        } = self
        else {
            return Ok(());
        };
        if !TEMPLATES.contains(&template.as_str()) {
            return Err(format!(
                "template must be one of {TEMPLATES:?}, got {template:?}"
            ));
        }
        if !(2..=ROUTE_MAX).contains(&route.len()) {
            return Err(format!(
                "route needs 2 to {ROUTE_MAX} points, got {}",
                route.len()
            ));
        }
        if let Some([lat, lon]) = route
            .iter()
            .find(|[lat, lon]| !((-90.0..=90.0).contains(lat) && (-180.0..=180.0).contains(lon)))
        {
            return Err(format!(
                "route point [{lat}, {lon}] is not [lat_deg, lon_deg]"
            ));
        }
        if height_agl_m.is_some() && alt_ft.is_some() {
            return Err("give height_agl_m or alt_ft, not both".into());
        }
        if height_agl_m.is_some_and(|h| !(10.0..=5_000.0).contains(&h)) {
            return Err("height_agl_m must be 10–5000".into());
        }
        if alt_ft.is_some_and(|a| !(100.0..=60_000.0).contains(&a)) {
            return Err("alt_ft must be 100–60000".into());
        }
        if speed_kt.is_some_and(|s| !(20.0..=1_200.0).contains(&s)) {
            return Err("speed_kt must be 20–1200".into());
        }
        if let Some(i) = identity {
            vigie_ident::identity::Identity::parse(i)
                .ok_or_else(|| format!("{i:?} is not an identity"))?;
        }
        Ok(())
    }
}

/// One injection as the instructor's list shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Done {
    /// Session seconds when it was applied.
    pub time_s: f64,
    pub by: String,
    pub inject: Inject,
    /// What the simulator did, or why it could not.
    pub outcome: String,
    pub ok: bool,
}

/// The exercise's state as the instructor's console reads it.
#[derive(Debug, Clone, Serialize)]
pub struct State {
    pub paused: bool,
    pub speed: f64,
    pub injections: Vec<Done>,
    /// The exercise running (none: a scenario outside the library).
    pub exercise: Option<Briefing>,
    pub name: String,
    /// The exercises the instructor may start.
    pub library: Vec<Briefing>,
    /// Trainee → position.
    pub assignments: std::collections::BTreeMap<String, String>,
    /// The aircraft an instructor can add.
    pub templates: Vec<&'static str>,
    /// An exercise asked for and not started yet.
    pub starting: Option<u32>,
}

/// What a trainee reads: the briefing, and where the instructor put them.
#[derive(Debug, Clone, Serialize)]
pub struct TraineeView {
    pub name: String,
    pub exercise: Option<Briefing>,
    pub position: Option<Position>,
}

/// The exercise being played: its name for the report, its briefing.
#[derive(Debug, Clone, Default)]
pub struct Current {
    pub name: String,
    pub briefing: Option<Briefing>,
}

impl Current {
    /// The positions the exercise is played from (none outside the library).
    fn positions(&self) -> Vec<Position> {
        self.briefing
            .as_ref()
            .map(|b| b.positions.clone())
            .unwrap_or_default()
    }
}

/// Shared between the API (the instructor, the trainees) and the pipeline (the simulator).
pub struct Control {
    pace: Pace,
    pending: Mutex<VecDeque<(String, Inject)>>,
    done: Mutex<VecDeque<Done>>,
    /// The trainees' work against the exercise's truth.
    pub scorer: Mutex<vigie_train::Scorer>,
    current: Mutex<Current>,
    library: Vec<Briefing>,
    /// An exercise of the library to start, and who asked.
    start: Mutex<Option<(String, u32)>>,
}

impl Control {
    pub fn new(speed: f64) -> Control {
        Control::with_objectives(speed, Current::default(), Vec::new())
    }

    /// An exercise whose aircraft are scored.
    pub fn with_objectives(
        speed: f64,
        current: Current,
        objectives: Vec<vigie_train::Objective>,
    ) -> Control {
        let positions = current.positions();
        Control {
            pace: Pace::new(speed, 1.0, SPEED_MAX),
            pending: Mutex::new(VecDeque::new()),
            done: Mutex::new(VecDeque::new()),
            scorer: Mutex::new(vigie_train::Scorer::with_positions(objectives, positions)),
            current: Mutex::new(current),
            library: Vec::new(),
            start: Mutex::new(None),
        }
    }

    /// The exercises an instructor may start.
    pub fn with_library(mut self, library: Vec<Briefing>) -> Control {
        self.library = library;
        self
    }

    /// The exercise's name, for its report.
    pub fn name(&self) -> String {
        lock(&self.current).name.clone()
    }

    /// An instructor asks for an exercise of the library: the pipeline starts it within a
    /// second, and everything of the one running ends.
    pub fn request_start(&self, by: &str, number: u32) -> Result<(), String> {
        if !self.library.iter().any(|b| b.number == number) {
            let known: Vec<u32> = self.library.iter().map(|b| b.number).collect();
            return Err(format!("no exercise {number} in the library ({known:?})"));
        }
        *lock(&self.start) = Some((by.to_string(), number));
        Ok(())
    }

    /// The exercise asked for, for the pipeline to start.
    pub fn take_start(&self) -> Option<(String, u32)> {
        lock(&self.start).take()
    }

    /// The pipeline has started another exercise: a new score, no injections waiting,
    /// trainees kept at their positions when the new one has them.
    pub fn restarted(&self, current: Current, objectives: Vec<vigie_train::Objective>) {
        let positions = current.positions();
        let mut scorer = vigie_train::Scorer::with_positions(objectives, positions);
        for (trainee, at) in lock(&self.scorer).assignments() {
            let _ = scorer.assign(trainee, Some(at));
        }
        *lock(&self.scorer) = scorer;
        lock(&self.pending).clear();
        lock(&self.done).clear();
        *lock(&self.current) = current;
        self.set_paused(false);
    }

    /// The instructor puts a trainee at a position, or takes them off with `None`.
    pub fn assign(&self, trainee: &str, position: Option<&str>) -> Result<(), String> {
        lock(&self.scorer).assign(trainee, position)
    }

    /// What `user` reads as a trainee.
    pub fn trainee_view(&self, user: &str) -> TraineeView {
        let current = lock(&self.current).clone();
        let at = lock(&self.scorer).assignments().get(user).cloned();
        let position = current.briefing.as_ref().and_then(|b| {
            b.positions
                .iter()
                .find(|p| Some(&p.id) == at.as_ref())
                .cloned()
        });
        TraineeView {
            name: current.name,
            exercise: current.briefing,
            position,
        }
    }

    /// A trainee's action, scored.
    /// A trainee's action, scored; `record` journals it while the score is held, so that
    /// the journal has actions and seconds in the order the score took them.
    pub fn act(&self, time_s: f64, user: &str, act: &vigie_train::Act, record: impl FnOnce()) {
        let mut scorer = lock(&self.scorer);
        scorer.act(time_s, user, act);
        record();
    }

    pub fn score(&self) -> vigie_train::Score {
        self.scorer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .score()
    }

    pub fn paused(&self) -> bool {
        self.pace.paused()
    }

    pub fn set_paused(&self, paused: bool) {
        self.pace.set_paused(paused);
    }

    /// Simulated seconds per second.
    pub fn speed(&self) -> f64 {
        self.pace.speed()
    }

    pub fn set_speed(&self, speed: f64) -> Result<(), String> {
        self.pace.set_speed(speed)
    }

    /// Queues an injection; refused when it is wrong or the queue is full.
    pub fn request(&self, by: &str, inject: Inject) -> Result<(), String> {
        inject.check()?;
        let mut q = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() >= PENDING_MAX {
            return Err("too many injections waiting: try again in a second".into());
        }
        q.push_back((by.to_string(), inject));
        Ok(())
    }

    /// The injections waiting, for the pipeline to apply.
    pub fn take_pending(&self) -> Vec<(String, Inject)> {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
            .collect()
    }

    /// The pipeline says what it did.
    pub fn done(&self, d: Done) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        if done.len() == DONE_MAX {
            done.pop_front();
        }
        done.push_back(d);
    }

    pub fn state(&self) -> State {
        let current = lock(&self.current).clone();
        State {
            paused: self.paused(),
            speed: self.speed(),
            injections: lock(&self.done).iter().cloned().collect(),
            exercise: current.briefing,
            name: current.name,
            library: self.library.clone(),
            assignments: lock(&self.scorer).assignments().clone(),
            starting: lock(&self.start).as_ref().map(|s| s.1),
            templates: TEMPLATES.to_vec(),
        }
    }
}

/// Paused or playing, and how fast: an exercise's or a review's, read and set from any
/// thread.
pub struct Pace {
    paused: AtomicBool,
    speed_bits: AtomicU64,
    min: f64,
    max: f64,
}

impl Pace {
    pub fn new(speed: f64, min: f64, max: f64) -> Pace {
        Pace {
            paused: AtomicBool::new(false),
            speed_bits: AtomicU64::new(speed.to_bits()),
            min,
            max,
        }
    }

    pub fn paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::Relaxed);
    }

    pub fn speed(&self) -> f64 {
        f64::from_bits(self.speed_bits.load(Ordering::Relaxed))
    }

    pub fn set_speed(&self, speed: f64) -> Result<(), String> {
        if !(self.min..=self.max).contains(&speed) {
            return Err(format!(
                "speed must be {} to {}, got {speed}",
                self.min, self.max
            ));
        }
        self.speed_bits.store(speed.to_bits(), Ordering::Relaxed);
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_injections_are_refused_with_a_reason() {
        let c = Control::new(1.0);
        let bad = Inject::Emergency {
            track: 3,
            code: "1234".into(),
        };
        assert!(c
            .request("ins", bad)
            .unwrap_err()
            .contains("7500, 7600 or 7700"));
        assert!(c.set_speed(32.0).is_err());
        for _ in 0..PENDING_MAX {
            c.request("ins", Inject::TransponderOff { track: 3 })
                .unwrap();
        }
        assert!(
            c.request("ins", Inject::TransponderOff { track: 3 })
                .is_err(),
            "bounded"
        );
        assert_eq!(c.take_pending().len(), PENDING_MAX);
        let json = r#"{"kind":"radar_outage","sensor":"tahoua-lr","duration_s":300}"#;
        let i: Inject = serde_json::from_str(json).unwrap();
        assert_eq!(
            i,
            Inject::RadarOutage {
                sensor: "tahoua-lr".into(),
                duration_s: 300.0
            }
        );
    }
}
