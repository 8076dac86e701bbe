//! An exercise as the pipeline runs it: the simulator paced to the instructor's speed and
//! pauses, the instructor's injections applied, the trainees scored each second, another
//! exercise of the library started on request, and each exercise's after-action report
//! saved beside its journal when it ends.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use vigie_core::SensorTable;
use vigie_server::exercise::{Control, Current, Done, Inject};
use vigie_server::picture::Picture;
use vigie_sim::{Injection, Simulator};
use vigie_track::{Config, Tracker};

use crate::pipeline::{nap_until, Chain, Starter};

/// The simulated feed, one exercise after another.
pub struct Session<'a> {
    pub sim: Box<Simulator>,
    /// Exercises started so far, this one included: numbers the journals.
    pub started: u32,
    pub starter: Option<Starter>,
    pub journal_path: Option<(PathBuf, f64)>,
    pub config: Config,
    pub table: &'a SensorTable,
    pub picture: &'a RwLock<Picture>,
    pub control: Arc<Control>,
}

impl Session<'_> {
    /// Runs until `stop`; an exercise that ends leaves its picture until another starts.
    pub fn run(&mut self, chain: &mut Chain, stop: &AtomicBool) {
        // Pacing restarts from here at each pause, change of speed and new exercise.
        let mut anchor = (Instant::now(), None::<f64>, self.control.speed());
        let mut over = false;
        while !stop.load(Ordering::Relaxed) {
            if let Some((by, number)) = self.control.take_start() {
                self.restart(chain, &by, number);
                anchor = (Instant::now(), None, self.control.speed());
                over = false;
                continue;
            }
            if over || self.control.paused() {
                std::thread::sleep(Duration::from_millis(100));
                anchor = (Instant::now(), None, self.control.speed());
                continue;
            }
            if self.control.speed() != anchor.2 {
                anchor = (Instant::now(), None, self.control.speed());
            }
            inject(&mut self.sim, &self.control, self.picture);
            let Some(frame) = self.sim.next_frame() else {
                tracing::info!("the exercise is over; the picture stays as it ended");
                self.save_report();
                over = true;
                continue;
            };
            let t0 = *anchor.1.get_or_insert(frame.time_s);
            chain.step(&frame.reports, frame.time_s + 1.0, self.picture);
            score(&self.control, frame, self.picture, &mut chain.journal);
            let due = Duration::from_secs_f64(((frame.time_s + 1.0 - t0) / anchor.2).max(0.0));
            if !nap_until(anchor.0, due, stop) {
                break;
            }
        }
        self.save_report();
    }

    /// Ends the exercise running and starts exercise `number` of the library on the same
    /// sensors: a fresh tracker, identification, picture, score and journal.
    fn restart(&mut self, chain: &mut Chain, by: &str, number: u32) {
        let Some(starter) = self.starter.as_mut() else {
            tracing::warn!("{by} asked for exercise {number}: this session has no library");
            return;
        };
        let started = match starter(number) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!("exercise {number} cannot start: {e:#}");
                return;
            }
        };
        if started.sim.sensor_table() != self.table {
            tracing::error!(
                "exercise {number} has other sensors than the session's: restart vigie with it"
            );
            return;
        }
        self.save_report();
        let sim = started.sim;
        let epoch = epoch_unix_s(&sim);
        chain.tracker = Tracker::new(self.config, self.table);
        chain.judge = chain.judge.fresh(self.table, epoch);
        *chain
            .judge
            .identifier
            .lock()
            .unwrap_or_else(|e| e.into_inner()) =
            vigie_ident::identifier::Identifier::new(started.context);
        if let Some(sink) = chain.sink.as_mut() {
            sink.forget();
        }
        self.started += 1;
        self.rotate_journal(chain, &sim, epoch);
        self.picture
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .reset(epoch as i64);
        self.control.restarted(current(&sim), objectives(&sim));
        tracing::info!("{by} started exercise {number}: {}", sim.scenario().name);
        self.sim = sim;
    }

    /// Each exercise's own journal: the first file's name, numbered.
    fn rotate_journal(&self, chain: &mut Chain, sim: &Simulator, epoch: f64) {
        let (Some(journal), Some((first, sync_every_s))) = (&chain.journal, &self.journal_path)
        else {
            return;
        };
        let path = numbered(first, self.started);
        let opened = crate::journal::start(
            &sim.scenario().name,
            epoch,
            self.table,
            &self.config,
            Some(&training(sim)),
        )
        .and_then(|start| crate::journal::open(&path, *sync_every_s, start));
        match opened {
            Ok(w) => *journal.lock().unwrap_or_else(|e| e.into_inner()) = w,
            Err(e) => {
                tracing::error!("{}: {e:#}; this exercise is not recorded", path.display());
                chain.journal = None;
            }
        }
    }

    /// The after-action report beside the exercise's journal.
    fn save_report(&self) {
        let Some((first, _)) = &self.journal_path else {
            return;
        };
        let path = numbered(first, self.started).with_extension("report.html");
        let epoch = self
            .picture
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .epoch_unix_s();
        let title = format!("vigie — {}", self.control.name());
        let html = vigie_train::report_html(&self.control.score(), &title, &utc_clock(epoch));
        match std::fs::write(&path, html) {
            Ok(()) => tracing::info!("after-action report: {}", path.display()),
            Err(e) => tracing::error!("{}: {e}", path.display()),
        }
    }
}

/// Session seconds as a UTC time of day.
pub fn utc_clock(epoch_unix_s: i64) -> impl Fn(f64) -> String {
    move |s: f64| {
        let t = (epoch_unix_s as f64 + s).rem_euclid(86_400.0) as u64;
        format!("{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
    }
}

/// `a/b.vj` for the first exercise, `a/b-2.vj` for the second...
pub fn numbered(first: &Path, n: u32) -> PathBuf {
    if n <= 1 {
        return first.to_path_buf();
    }
    let stem = first
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("journal");
    let name = match first.extension().and_then(|e| e.to_str()) {
        Some(ext) => format!("{stem}-{n}.{ext}"),
        None => format!("{stem}-{n}"),
    };
    first.with_file_name(name)
}

/// The scenario's time 0 in Unix seconds.
pub fn epoch_unix_s(sim: &Simulator) -> f64 {
    vigie_sim::parse_start_time(&sim.scenario().start_time)
        .map(|t| t.unix_timestamp() as f64)
        .unwrap_or(0.0)
}

/// What the journal keeps of an exercise for its score.
pub fn training(sim: &Simulator) -> vigie_train::Training {
    vigie_train::Training {
        briefing: crate::library::briefing(sim.scenario()),
        objectives: objectives(sim),
    }
}

/// The exercise's name and briefing.
pub fn current(sim: &Simulator) -> Current {
    Current {
        name: sim.scenario().name.clone(),
        briefing: crate::library::briefing(sim.scenario()),
    }
}
/// The exercise's aircraft to find and identify, with the identities that are right for
/// them. A scenario's `[[exercise.objective]]`s say which aircraft matter, what they are and
/// by when; without any, every aircraft does, with the usual identities: intruders suspect
/// or hostile, civil flights neutral, fighters friends.
pub fn objectives(sim: &Simulator) -> Vec<vigie_train::Objective> {
    use vigie_ident::identity::Identity;
    use vigie_sim::aircraft::AircraftType;
    use vigie_sim::flight::Origin;
    let specs = sim
        .scenario()
        .exercise
        .as_ref()
        .map_or(&[][..], |x| x.objective.as_slice());
    sim.plans()
        .iter()
        .filter_map(|p| {
            let (category, usual) = match (p.origin, p.aircraft) {
                (Origin::Intruder, _) => ("intruder", vec![Identity::Suspect, Identity::Hostile]),
                (Origin::Scripted, AircraftType::Fighter) => {
                    ("friendly", vec![Identity::AssumedFriend, Identity::Friend])
                }
                _ => ("civil", vec![Identity::Neutral]),
            };
            let scripted = (p.origin == Origin::Scripted).then_some(p.name.as_str());
            let (right, within_s) = if specs.is_empty() {
                (usual, None)
            } else {
                let o = specs.iter().find(|o| o.about(scripted, category))?;
                let right: Vec<Identity> =
                    o.expect.iter().filter_map(|e| Identity::parse(e)).collect();
                (if right.is_empty() { usual } else { right }, o.within_s)
            };
            Some(vigie_train::Objective {
                target_id: p.target_id,
                name: p
                    .identity
                    .callsign
                    .map_or(p.name.clone(), |c| c.to_string()),
                category: category.into(),
                right,
                within_s,
            })
        })
        .collect()
}

/// One second of the exercise for the scoring: where the aircraft are, where the tracks
/// are, the alerts raised.
/// The truth goes into the journal while the score is held, in the order the score takes
/// seconds and actions, so that the score can be worked out again from the journal.
fn score(
    control: &Control,
    frame: &vigie_sim::Frame,
    picture: &RwLock<Picture>,
    journal: &mut Option<crate::journal::Shared>,
) {
    use vigie_train::Point;
    let truth: Vec<Point> = frame
        .truth
        .iter()
        .map(|t| Point {
            id: t.target_id,
            lat_deg: t.lat_deg,
            lon_deg: t.lon_deg,
        })
        .collect();
    let p = picture.read().unwrap_or_else(|e| e.into_inner());
    let tracks: Vec<Point> = p
        .tracks()
        .iter()
        .map(|t| Point {
            id: t.id,
            lat_deg: t.lat_deg,
            lon_deg: t.lon_deg,
        })
        .collect();
    let mut scorer = control.scorer.lock().unwrap_or_else(|e| e.into_inner());
    scorer.tick(p.time_s(), &truth, &tracks);
    for a in p.open_alerts() {
        scorer.alert(a.id, a.time_s, &a.kind, a.track);
    }
    crate::journal::truth(journal, p.time_s(), &frame.truth);
}

/// Applies the instructor's injections waiting, each aimed at the aircraft its track shows.
fn inject(sim: &mut Simulator, control: &Control, picture: &RwLock<Picture>) {
    for (by, request) in control.take_pending() {
        let (time_s, outcome) = {
            let p = picture.read().unwrap_or_else(|e| e.into_inner());
            (p.time_s(), injection(sim, &request, &p))
        };
        let outcome = outcome.and_then(|i| sim.inject(&i).map_err(|e| e.to_string()));
        if let (Ok(_), Inject::Target { .. }) = (&outcome, &request) {
            if let Some(o) = target_objective(sim, &request) {
                control
                    .scorer
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .add_objective(o);
            }
        }
        match &outcome {
            Ok(said) => tracing::info!("{by} injected: {said}"),
            Err(why) => tracing::warn!("{by}'s injection refused: {why}"),
        }
        control.done(Done {
            time_s,
            by,
            inject: request,
            ok: outcome.is_ok(),
            outcome: outcome.unwrap_or_else(|e| e),
        });
    }
}

/// The simulator's injection for an instructor's request: a track becomes the aircraft
/// nearest it (within 10 km).
fn injection(sim: &Simulator, r: &Inject, p: &Picture) -> Result<Injection, String> {
    let target = |track: u32| {
        let (lat, lon) = p
            .track_position(track)
            .ok_or_else(|| format!("no track {track} on the picture"))?;
        sim.nearest_target(lat, lon, 10_000.0)
            .ok_or_else(|| format!("no simulated aircraft near track {track}"))
    };
    Ok(match r {
        Inject::RadarOutage { sensor, duration_s } => Injection::SensorOutage {
            sensor: sensor.clone(),
            duration_s: *duration_s,
        },
        Inject::Jamming {
            sensor,
            azimuth_deg,
            width_deg,
            plots_per_scan,
            duration_s,
        } => Injection::Jamming {
            sensor: sensor.clone(),
            azimuth_deg: *azimuth_deg,
            width_deg: *width_deg,
            plots_per_scan: *plots_per_scan,
            duration_s: *duration_s,
        },
        Inject::Emergency { track, code } => Injection::Squawk {
            target_id: target(*track)?,
            code: vigie_core::Mode3A::parse(code).ok_or_else(|| format!("{code:?}"))?,
        },
        Inject::TransponderOff { track } => Injection::Transponder {
            target_id: target(*track)?,
            on: false,
        },
        Inject::Spoofing {
            track,
            offset_m,
            bearing_deg,
            duration_s,
        } => Injection::AdsbSpoof {
            target_id: target(*track)?,
            offset_m: *offset_m,
            bearing_deg: *bearing_deg,
            duration_s: *duration_s,
        },
        Inject::Target { .. } => Injection::Flight(Box::new(target_flight(sim, r)?)),
    })
}

/// The scenario flight of an instructor's target.
fn target_flight(sim: &Simulator, r: &Inject) -> Result<vigie_sim::scenario::FlightSpec, String> {
    let Inject::Target {
        template,
        route,
        height_agl_m,
        alt_ft,
        speed_kt,
        transponder,
        squawk,
        callsign,
        ..
    } = r
    else {
        return Err("not a target".into());
    };
    let aircraft = serde_json::from_value(serde_json::Value::String(template.clone()))
        .map_err(|e| format!("template {template:?}: {e}"))?;
    let waypoint = route
        .iter()
        .enumerate()
        .map(
            |(i, &[lat_deg, lon_deg])| vigie_sim::scenario::WaypointSpec {
                lat_deg,
                lon_deg,
                alt_m: None,
                alt_ft: *alt_ft,
                height_agl_m: *height_agl_m,
                speed_mps: None,
                speed_kt: if i == 0 { *speed_kt } else { None },
            },
        )
        .collect();
    Ok(vigie_sim::scenario::FlightSpec {
        name: format!("target-{}", sim.plans().len() + 1),
        aircraft,
        start_s: 0.0,
        callsign: callsign.clone(),
        mode_s: None,
        squawk: squawk.clone(),
        adsb: false,
        transponder: *transponder,
        turn_rate_max_deg_s: None,
        waypoint,
    })
}

/// What the trainees are scored on for the target just added (the simulator's last plan).
fn target_objective(sim: &Simulator, r: &Inject) -> Option<vigie_train::Objective> {
    use vigie_ident::identity::Identity;
    let Inject::Target {
        transponder,
        identity,
        ..
    } = r
    else {
        return None;
    };
    let plan = sim.plans().last()?;
    let usual = if *transponder {
        Identity::Neutral
    } else {
        Identity::Suspect
    };
    let right = identity
        .as_deref()
        .and_then(Identity::parse)
        .unwrap_or(usual);
    Some(vigie_train::Objective {
        target_id: plan.target_id,
        name: plan
            .identity
            .callsign
            .map_or(plan.name.clone(), |c| c.to_string()),
        category: if *transponder { "civil" } else { "intruder" }.into(),
        right: vec![right],
        within_s: None,
    })
}
