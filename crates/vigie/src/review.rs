//! The after-action review: a recorded session (a journal) played back on the operator
//! display, the picture and every operator action on one timeline, with seek and speed;
//! and an exercise's score worked out again from its journal alone.
//!
//! The picture is re-created, not read back: the recorded reports go through a fresh
//! tracker (the same reports in the same order give the same tracks, which `vigie replay`
//! checks), and identification's recorded identities, alerts and threats are put back as
//! they were. Seeking back starts again from the beginning: an hour re-runs in about half a
//! second.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use vigie_journal::{Action, Entry, Reader, Start};
use vigie_server::api::{AppState, ASSIGNED, SCORED};
use vigie_server::auth::{random_hex, Role, Sessions, Users};
use vigie_server::picture::Picture;
use vigie_server::review::{Mark, ReviewControl};
use vigie_track::{Output, Tracker};
use vigie_train::{Point, Score, Scorer, Training};

/// Review a recorded session: replay it on the display, or write its score.
///
/// Serves the operator display with the recorded picture re-created second by second and
/// a timeline under the map: play, pause, speed (×0.25 to ×64), seek, and a mark for every
/// operator and instructor action. Log in with the logins it prints; the instructor drives
/// the timeline for the room.
///
/// With --report, writes the exercise's after-action report (HTML) worked out from the
/// journal alone, and exits; --json prints the score instead.
///
/// Examples:
///   vigie review session.vj                      # http://127.0.0.1:8080
///   vigie review session-2.vj --report aar.html  # the exercise's report, from the journal
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ReviewArgs {
    /// A journal (`vigie demo --journal`, or a deployment's `[record]`).
    journal: PathBuf,
    /// Address and port to serve the review on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Write the after-action report (HTML) here, and exit.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Print the score (JSON) on standard output, and exit.
    #[arg(long)]
    json: bool,
}

pub fn run(args: ReviewArgs) -> anyhow::Result<()> {
    let survey = survey(&args.journal)?;
    if let Some(torn) = &survey.torn {
        eprintln!(
            "{}: {torn}; everything before it is reviewed",
            args.journal.display()
        );
    }
    if args.report.is_some() || args.json {
        let score = score(&args.journal, &survey)?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&score)?);
        }
        if let Some(out) = &args.report {
            std::fs::write(out, report(&survey, &score))
                .with_context(|| format!("writing {}", out.display()))?;
            eprintln!("after-action report: {}", out.display());
        }
        return Ok(());
    }
    serve(&args, survey)
}

/// What a first pass over the journal finds: the session, its span, its actions.
pub struct Survey {
    start: Start,
    table: vigie_core::SensorTable,
    first_s: f64,
    last_s: f64,
    marks: Vec<Mark>,
    training: Option<Training>,
    torn: Option<String>,
}

fn time_of(e: &Entry) -> Option<f64> {
    match e {
        Entry::Start(_) => None,
        Entry::Input { time_s, .. }
        | Entry::Output { time_s, .. }
        | Entry::Judged { time_s, .. }
        | Entry::Truth { time_s, .. }
        | Entry::State { time_s, .. } => Some(*time_s),
        Entry::Action(a) => Some(a.time_s),
    }
}

fn survey(path: &Path) -> anyhow::Result<Survey> {
    let (mut reader, opened) = crate::journal::read(path)?;
    let training = match &opened.start.training {
        Some(v) => Some(
            serde_json::from_value(v.clone())
                .with_context(|| format!("{}: the recorded exercise", path.display()))?,
        ),
        None => None,
    };
    let (mut first_s, mut last_s) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut marks = Vec::new();
    for e in reader.by_ref() {
        if let Some(t) = time_of(&e).filter(|t| t.is_finite()) {
            first_s = first_s.min(t);
            last_s = last_s.max(t);
        }
        if let Entry::Action(a) = e {
            marks.extend(mark(a));
        }
    }
    if first_s > last_s {
        anyhow::bail!("{}: nothing was recorded after the start", path.display());
    }
    Ok(Survey {
        start: opened.start,
        table: opened.table,
        first_s,
        last_s,
        marks,
        training,
        torn: reader
            .torn
            .take()
            .map(|t| format!("stopped at byte {}: {}", t.offset, t.reason)),
    })
}

/// An action as the timeline marks it; the scorer's own records are not marks (the
/// audited action they come with is).
fn mark(a: Action) -> Option<Mark> {
    if a.action == SCORED || a.action == ASSIGNED {
        return None;
    }
    let detail = match a.detail.get("detail") {
        Some(serde_json::Value::String(s)) => s.clone(),
        _ => a.detail.to_string(),
    };
    Some(Mark {
        time_s: a.time_s,
        user: a.user,
        action: a.action,
        detail,
    })
}

/// The exercise's score, from its journal alone: the truth and the tracks each second,
/// the alerts, the trainees' actions and positions, as the live score took them.
pub fn score(path: &Path, survey: &Survey) -> anyhow::Result<Score> {
    let Some(training) = &survey.training else {
        anyhow::bail!(
            "{}: not an exercise's journal (no objectives recorded)",
            path.display()
        );
    };
    let positions = training
        .briefing
        .as_ref()
        .map(|b| b.positions.clone())
        .unwrap_or_default();
    let mut scorer = Scorer::with_positions(training.objectives.clone(), positions);
    let (mut reader, _) = crate::journal::read(path)?;
    let mut tracks: BTreeMap<u32, Point> = BTreeMap::new();
    let mut alerts: Vec<vigie_server::picture::Alert> = Vec::new();
    for e in reader.by_ref() {
        match e {
            Entry::Output { updates, ended, .. } => {
                for r in updates {
                    // As the picture shows them, to the microdegree.
                    let p = Point {
                        id: r.track_id,
                        lat_deg: (r.lat_deg * 1e6).round() / 1e6,
                        lon_deg: (r.lon_deg * 1e6).round() / 1e6,
                    };
                    tracks.insert(r.track_id, p);
                }
                for id in ended {
                    tracks.remove(&id);
                }
            }
            Entry::Judged { picture, .. } => {
                if let Some(a) = picture.get("alerts") {
                    alerts = serde_json::from_value(a.clone()).unwrap_or_default();
                }
            }
            Entry::Truth { time_s, aircraft } => {
                let truth: Vec<Point> = aircraft
                    .iter()
                    .map(|a| Point {
                        id: a.id,
                        lat_deg: a.lat_deg,
                        lon_deg: a.lon_deg,
                    })
                    .collect();
                let now: Vec<Point> = tracks.values().copied().collect();
                scorer.tick(time_s, &truth, &now);
                for a in &alerts {
                    scorer.alert(a.id, a.time_s, &a.kind, a.track);
                }
            }
            Entry::Action(a) if a.action == SCORED => {
                if let Ok(act) = serde_json::from_value(a.detail) {
                    scorer.act(a.time_s, &a.user, &act);
                }
            }
            Entry::Action(a) if a.action == ASSIGNED => {
                let trainee = a.detail["trainee"].as_str().unwrap_or_default();
                let _ = scorer.assign(trainee, a.detail["position"].as_str());
            }
            _ => {}
        }
    }
    Ok(scorer.score())
}

/// The after-action report of a recorded exercise.
pub fn report(survey: &Survey, score: &Score) -> String {
    let title = format!("vigie — {}", survey.start.name);
    let clock = crate::exercise::utc_clock(survey.start.epoch_unix_s as i64);
    vigie_train::report_html(score, &title, &clock)
}

fn serve(args: &ReviewArgs, survey: Survey) -> anyhow::Result<()> {
    let epoch = survey.start.epoch_unix_s as i64;
    let mut picture = Picture::new(&survey.table.sensor, epoch);
    picture.set_exercise(survey.start.exercise);
    let picture = Arc::new(RwLock::new(picture));
    let control = Arc::new(ReviewControl::new(
        survey.start.name.clone(),
        survey.first_s,
        survey.last_s,
        survey.marks,
    ));
    let mut users = Users::in_memory();
    let password = random_hex(6)?;
    users.add("instructor", Role::Instructor, &password, false)?;
    let observer_password = random_hex(6)?;
    users.add("observer", Role::Observer, &observer_password, false)?;
    let map = crate::live::MapConfig::default().layers(Path::new("."))?;
    let state = AppState {
        ident: Arc::new(std::sync::Mutex::new(
            vigie_ident::identifier::Identifier::new(Default::default()),
        )),
        picture: Arc::clone(&picture),
        users: Arc::new(RwLock::new(users)),
        sessions: Arc::new(Sessions::default()),
        audit: Arc::new(vigie_server::audit::Audit::in_memory()),
        push: tokio::sync::broadcast::channel(vigie_server::PUSH_QUEUE).0,
        map: Arc::new(map),
        overlay: Arc::new(Default::default()),
        now_unix_s: Arc::new(|| crate::live::unix_now() as i64),
        journal: None,
        exercise: None,
        review: Some(Arc::clone(&control)),
        relay: None,
    };
    let banner = format!(
        "vigie review: {} ({:.0} s recorded)\n  display  http://{}\n  login    instructor / {password}  (drives the timeline)\n           observer / {observer_password}",
        survey.start.name,
        survey.last_s - survey.first_s,
        args.bind
    );
    let replay = Replay {
        path: args.journal.clone(),
        epoch,
        picture,
        control,
    };
    crate::live::serve_with(state, args.bind, &banner, move |stop| replay.run(stop))
}

/// The replay's side of the review: the picture moved along the timeline.
struct Replay {
    path: PathBuf,
    epoch: i64,
    picture: Arc<RwLock<Picture>>,
    control: Arc<ReviewControl>,
}

/// A journal being played: the reader, a fresh tracker, where it is.
struct Player {
    reader: Reader<std::io::BufReader<std::fs::File>>,
    tracker: Tracker,
    /// What the tracker was built with: a recorded state restores under them.
    opened: crate::journal::Opened,
    out: Output,
    /// An entry read past the time asked for, kept for the next step.
    next: Option<Entry>,
    time_s: f64,
}

impl Replay {
    fn run(self, stop: &AtomicBool) {
        let mut player = match self.player() {
            Ok(p) => p,
            Err(e) => {
                tracing::error!("{e:#}");
                return;
            }
        };
        let state = self.control.state();
        player.play_until(state.start_s, &self.picture);
        let mut last = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
            let elapsed_s = last.elapsed().as_secs_f64();
            last = Instant::now();
            if let Some(t) = self.control.take_seek() {
                if t < player.time_s {
                    match self.player() {
                        Ok(p) => player = p,
                        Err(e) => tracing::error!("{e:#}"),
                    }
                    self.reset();
                }
                player.play_until(t, &self.picture);
            } else if !self.control.pace.paused() {
                let to = (player.time_s + elapsed_s * self.control.pace.speed()).min(state.end_s);
                player.play_until(to, &self.picture);
            }
            self.control.set_time(player.time_s);
        }
    }

    fn player(&self) -> anyhow::Result<Player> {
        let (reader, opened) = crate::journal::read(&self.path)?;
        Ok(Player {
            reader,
            tracker: Tracker::new(opened.config, &opened.table),
            opened,
            out: Output::default(),
            next: None,
            time_s: f64::NEG_INFINITY,
        })
    }

    fn reset(&self) {
        self.picture
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .reset(self.epoch);
    }
}

impl Player {
    /// Plays every entry up to `time_s`.
    fn play_until(&mut self, time_s: f64, picture: &RwLock<Picture>) {
        while let Some(e) = self.next.take().or_else(|| self.reader.next()) {
            if time_of(&e).is_some_and(|t| t > time_s) {
                self.next = Some(e);
                break;
            }
            self.apply(e, picture);
        }
        self.time_s = time_s;
    }

    fn apply(&mut self, e: Entry, picture: &RwLock<Picture>) {
        match e {
            Entry::Input { time_s, reports } => {
                self.out.updates.clear();
                self.out.ended.clear();
                for r in &reports {
                    self.tracker.push(*r, &mut self.out);
                }
                self.tracker.advance(time_s, &mut self.out);
                let mut p = picture.write().unwrap_or_else(|e| e.into_inner());
                for r in &reports {
                    p.heard(usize::from(r.sensor.0), r.time_s);
                }
                p.apply(&self.out);
                p.advance(time_s);
            }
            Entry::State { tracker, .. } => {
                match Tracker::restore(self.opened.config, &self.opened.table, &tracker) {
                    Ok(t) => self.tracker = t,
                    Err(e) => tracing::error!("the recorded tracker state: {e}"),
                }
            }
            Entry::Judged {
                picture: judged, ..
            } => picture
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .replay_judged(&judged),
            _ => {}
        }
    }
}
