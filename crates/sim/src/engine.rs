//! The simulation loop: one-second frames of truth and sensor reports, in time order.
//!
//! Each frame flies every aircraft from `t` to `t + 1 s`, then lets each sensor look at the
//! pair of states (radars find their beam crossings inside the frame, ADS-B stations their
//! squitters), then sorts the frame's reports by time. Consumers therefore receive a stream
//! that is ordered across frames too. Every random draw comes from a per-sensor or traffic
//! stream derived from the scenario's seed, so the same scenario gives the same bytes.

use std::collections::HashMap;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use vigie_core::interop::TruthState;
use vigie_core::{
    Ecef, Geodetic, Mode3A, Report, SensorId, SensorKind, SensorSpec, SensorTable,
    DEFAULT_REFRACTION_K,
};

use crate::adsb::AdsbModel;
use crate::aircraft::Performance;
use crate::flight::{FlightPlan, Kinematics};
use crate::radar::RadarModel;
use crate::region::Region;
use std::sync::{Arc, OnceLock};

use vigie_terrain::Dem;

use crate::scenario::{EventSpec, Problems, Scenario};
use crate::snapshot::Snapshot;
use crate::traffic;

/// The simulation step. Sensors interpolate inside it, so it bounds nothing they measure.
pub const FRAME_S: f64 = 1.0;
/// The step of the warm-up, when nothing is observed and only positions at `t = 0` matter.
const WARMUP_STEP_S: f64 = 5.0;

/// What one frame produced.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    /// Start of the frame, seconds from the scenario start.
    pub time_s: f64,
    /// Ground truth at `time_s`, when a truth sample is due.
    pub truth: Vec<TruthState>,
    /// Reports stamped in `[time_s, time_s + FRAME_S)`, sorted by time.
    pub reports: Vec<Report>,
    /// Beside each report, the target it came from (`None`: clutter, noise or jamming): the
    /// true associations an oracle tracker is scored with. Never given to a tracker.
    pub origins: Vec<Option<u32>>,
}

/// Running counts, for the summary a user sees.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    pub flights: usize,
    pub reports: u64,
    pub truth_samples: u64,
    pub max_airborne: usize,
}

#[derive(Debug, Clone, Copy)]
enum Action {
    Squawk(usize, Mode3A),
    Transponder(usize, bool),
    Spoof(usize, Option<[f64; 2]>),
}

#[derive(Debug, Clone)]
struct Airborne {
    plan: usize,
    kin: Kinematics,
    perf: Performance,
    squawk: Option<Mode3A>,
    transponder: bool,
    spoof_ne_m: Option<[f64; 2]>,
    /// ECEF position and velocity at the end of the last observed frame: the start of the next.
    last_ecef: Option<(Ecef, [f64; 3])>,
}

pub struct Simulator {
    scenario: Scenario,
    plans: Vec<FlightPlan>,
    next_plan: usize,
    airborne: Vec<Airborne>,
    snapshots: Vec<Snapshot>,
    radars: Vec<RadarModel>,
    adsb: Vec<AdsbModel>,
    actions: Vec<(f64, Action)>,
    next_action: usize,
    time_s: f64,
    next_truth_s: f64,
    frame: Frame,
    sensor_table: SensorTable,
    region: Region,
    /// The terrain radars see over, when the scenario has one.
    terrain: Option<Arc<Dem>>,
    stats: Stats,
    /// Plans the instructor injected: airborne at once, never spawned by their turn.
    injected: std::collections::HashSet<usize>,
}

/// What an instructor injects into a running exercise.
#[derive(Debug, Clone, PartialEq)]
pub enum Injection {
    SensorOutage {
        sensor: String,
        duration_s: f64,
    },
    Jamming {
        sensor: String,
        azimuth_deg: f64,
        width_deg: f64,
        plots_per_scan: f64,
        duration_s: f64,
    },
    Squawk {
        target_id: u32,
        code: Mode3A,
    },
    Transponder {
        target_id: u32,
        on: bool,
    },
    AdsbSpoof {
        target_id: u32,
        offset_m: f64,
        bearing_deg: f64,
        duration_s: f64,
    },
    /// A target flying a route from now on (its `start_s` is ignored); heights above
    /// ground follow the terrain.
    Flight(Box<crate::scenario::FlightSpec>),
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InjectError {
    #[error("the flight is wrong: {0}")]
    Flight(String),
    #[error("no sensor {0:?} in this exercise")]
    NoSensor(String),
    #[error("no simulated aircraft {0}")]
    NoTarget(u32),
}

/// A random stream of its own for each consumer, so adding a sensor does not change what
/// the others draw.
pub fn rng_stream(seed: u64, label: &str, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    rng.set_stream(h ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    rng
}

impl Simulator {
    /// Builds the models of a validated scenario. `region` and `terrain` (the DEM radars
    /// see over; `None`: a smooth Earth) are already loaded.
    pub fn build(
        scenario: Scenario,
        region: Region,
        terrain: Option<Arc<Dem>>,
    ) -> Result<Simulator, Problems> {
        let mut problems = Problems::default();
        let airports = crate::airports::builtin();
        let mut traffic_rng = rng_stream(scenario.seed, "traffic", 0);
        let traffic = traffic::build(
            &scenario,
            &region,
            &airports,
            terrain.as_deref(),
            &mut traffic_rng,
            &mut problems,
        );
        if !problems.0.is_empty() {
            return Err(problems);
        }
        let mut radars: Vec<RadarModel> = scenario
            .radar
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                let mut rng = rng_stream(scenario.seed, "radar", i as u64);
                let phase = rand::Rng::random::<f64>(&mut rng) * spec.rotation_period_s;
                let ground_m = ground_at(&scenario, terrain.as_deref(), spec.lat_deg, spec.lon_deg);
                RadarModel::new(SensorId(i as u16), spec.clone(), ground_m, phase, rng)
                    .with_terrain(terrain.clone())
            })
            .collect();
        let n_radar = radars.len();
        let mut adsb: Vec<AdsbModel> = scenario
            .adsb
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                let rng = rng_stream(scenario.seed, "adsb", i as u64);
                AdsbModel::new(
                    SensorId((n_radar + i) as u16),
                    spec.clone(),
                    ground_at(&scenario, terrain.as_deref(), spec.lat_deg, spec.lon_deg),
                    rng,
                    scenario.seed,
                )
            })
            .collect();
        let by_name: HashMap<&str, usize> = traffic
            .plans
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.as_str(), i))
            .collect();
        let mut actions = Vec::new();
        for e in &scenario.event {
            schedule(e, &by_name, &mut radars, &mut adsb, &mut actions);
        }
        actions.sort_by(|a, b| a.0.total_cmp(&b.0));
        let sensor_table = sensor_table(&scenario, terrain.as_deref());
        let start_s = -(traffic.warmup_s / WARMUP_STEP_S).ceil() * WARMUP_STEP_S;
        Ok(Simulator {
            stats: Stats {
                flights: traffic.plans.len(),
                ..Stats::default()
            },
            plans: traffic.plans,
            next_plan: 0,
            airborne: Vec::new(),
            snapshots: Vec::new(),
            radars,
            adsb,
            actions,
            next_action: 0,
            time_s: start_s,
            next_truth_s: 0.0,
            frame: Frame::default(),
            sensor_table,
            region,
            terrain,
            scenario,
            injected: std::collections::HashSet::new(),
        })
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn region(&self) -> &Region {
        &self.region
    }

    /// The sensors, in [`SensorId`] order, as `sensors.toml` describes them.
    /// The terrain the radars see over (`None`: a smooth Earth).
    pub fn terrain(&self) -> Option<&Dem> {
        self.terrain.as_deref()
    }

    /// The same terrain, shared.
    pub fn terrain_shared(&self) -> Option<Arc<Dem>> {
        self.terrain.clone()
    }

    pub fn sensor_table(&self) -> &SensorTable {
        &self.sensor_table
    }

    pub fn plans(&self) -> &[FlightPlan] {
        &self.plans
    }

    /// Applies an instructor's injection from the next frame on; what it did, in words.
    pub fn inject(&mut self, i: &Injection) -> Result<String, InjectError> {
        let now = self.time_s.max(0.0);
        let plan_of = |sim: &Simulator, id: u32| {
            sim.plans
                .iter()
                .position(|p| p.target_id == id)
                .ok_or(InjectError::NoTarget(id))
        };
        let name_of = |sim: &Simulator, p: usize| {
            let plan = &sim.plans[p];
            plan.identity
                .callsign
                .map_or(plan.name.clone(), |c| c.to_string())
        };
        match *i {
            Injection::SensorOutage {
                ref sensor,
                duration_s,
            } => {
                let mut found = false;
                for r in self.radars.iter_mut().filter(|r| &r.spec.id == sensor) {
                    r.add_outage(now, now + duration_s);
                    found = true;
                }
                for a in self.adsb.iter_mut().filter(|a| &a.spec.id == sensor) {
                    a.add_outage(now, now + duration_s);
                    found = true;
                }
                if !found {
                    return Err(InjectError::NoSensor(sensor.clone()));
                }
                Ok(format!("{sensor} out for {duration_s:.0} s"))
            }
            Injection::Jamming {
                ref sensor,
                azimuth_deg,
                width_deg,
                plots_per_scan,
                duration_s,
            } => {
                let r = self
                    .radars
                    .iter_mut()
                    .find(|r| &r.spec.id == sensor)
                    .ok_or_else(|| InjectError::NoSensor(sensor.clone()))?;
                r.add_burst(crate::radar::Burst {
                    from_s: now,
                    until_s: now + duration_s,
                    azimuth_deg,
                    width_deg,
                    plots_per_scan,
                });
                Ok(format!(
                    "{sensor} jammed over {width_deg:.0}° at {azimuth_deg:.0}° for {duration_s:.0} s"
                ))
            }
            Injection::Squawk { target_id, code } => {
                let p = plan_of(self, target_id)?;
                self.schedule_now(now, Action::Squawk(p, code), None);
                Ok(format!("{} squawks {code}", name_of(self, p)))
            }
            Injection::Transponder { target_id, on } => {
                let p = plan_of(self, target_id)?;
                self.schedule_now(now, Action::Transponder(p, on), None);
                let state = if on { "on" } else { "off" };
                Ok(format!("{}'s transponder {state}", name_of(self, p)))
            }
            Injection::Flight(ref f) => self.inject_flight(f, now),
            Injection::AdsbSpoof {
                target_id,
                offset_m,
                bearing_deg,
                duration_s,
            } => {
                let p = plan_of(self, target_id)?;
                let (s, c) = bearing_deg.to_radians().sin_cos();
                let end = (now + duration_s, Action::Spoof(p, None));
                self.schedule_now(
                    now,
                    Action::Spoof(p, Some([offset_m * c, offset_m * s])),
                    Some(end),
                );
                Ok(format!(
                    "{}'s ADS-B spoofed {:.1} km towards {bearing_deg:.0}° for {duration_s:.0} s",
                    name_of(self, p),
                    offset_m / 1000.0
                ))
            }
        }
    }

    /// A target the instructor adds: airborne at once, its identity drawn from its own
    /// random stream so that the rest of the exercise draws the same.
    fn inject_flight(
        &mut self,
        f: &crate::scenario::FlightSpec,
        now: f64,
    ) -> Result<String, InjectError> {
        let mut problems = Problems::default();
        crate::scenario::validate_flight(f, "flight", &mut problems);
        if !problems.0.is_empty() {
            let said: Vec<String> = problems
                .0
                .iter()
                .map(|(k, m)| format!("{k}: {m}"))
                .collect();
            return Err(InjectError::Flight(said.join("; ")));
        }
        let id = self.plans.iter().map(|p| p.target_id).max().unwrap_or(0) + 1;
        let mut rng = rng_stream(self.scenario.seed, "inject", u64::from(id));
        let mut registry = traffic::Registry::default();
        let mut plan = traffic::scripted(f, id, 0.0, &mut registry, &mut rng);
        for (w, spec) in plan.waypoints.iter_mut().zip(&f.waypoint) {
            if let Some(h) = spec.height_agl_m {
                w.alt_m = ground_at(
                    &self.scenario,
                    self.terrain.as_deref(),
                    w.lat_deg,
                    w.lon_deg,
                ) + h;
            }
        }
        plan.start_s = now;
        let index = self.plans.len();
        self.airborne.push(Airborne {
            plan: index,
            kin: Kinematics::start(&plan),
            perf: plan.performance(),
            squawk: plan.identity.squawk,
            transponder: plan.identity.transponder,
            spoof_ne_m: None,
            last_ecef: None,
        });
        self.plans.push(plan);
        self.injected.insert(index);
        self.stats.flights += 1;
        Ok(format!(
            "{} ({:?}) flying {} waypoints, transponder {}",
            f.callsign.as_deref().unwrap_or(&f.name),
            f.aircraft,
            f.waypoint.len(),
            if f.transponder { "on" } else { "off" }
        ))
    }

    /// An action applied at the next frame, and, if given, its end later.
    fn schedule_now(&mut self, now: f64, action: Action, end: Option<(f64, Action)>) {
        self.actions.insert(self.next_action, (now, action));
        if let Some((until, undo)) = end {
            let at = self.actions[self.next_action..]
                .iter()
                .position(|(t, _)| *t > until)
                .map_or(self.actions.len(), |k| self.next_action + k);
            self.actions.insert(at, (until, undo));
        }
    }

    /// The aircraft nearest (lat, lon) in the last frame, within `within_m`: what an
    /// instructor points at on the display.
    pub fn nearest_target(&self, lat_deg: f64, lon_deg: f64, within_m: f64) -> Option<u32> {
        let here = Geodetic::new(lat_deg, lon_deg, 0.0);
        self.frame
            .truth
            .iter()
            .map(|t| {
                let d = here
                    .geodesic_to(Geodetic::new(t.lat_deg, t.lon_deg, 0.0))
                    .distance_m;
                (d, t.target_id)
            })
            .filter(|(d, _)| *d <= within_m)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id)
    }

    /// The civil flights' plans as ICAO FPL messages (see [`crate::fpl`]).
    pub fn fpl_messages(&self) -> String {
        let start = crate::parse_start_time(&self.scenario.start_time)
            .map(|t| t.unix_timestamp() as f64)
            .unwrap_or(0.0);
        crate::fpl::messages(&self.plans, &crate::airports::builtin(), start)
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The next frame, or `None` when the scenario is over. The first call also flies the
    /// warm-up, which produces no frames.
    pub fn next_frame(&mut self) -> Option<&Frame> {
        while self.time_s < 0.0 {
            self.warm_up_step();
        }
        if self.time_s >= self.scenario.duration_s {
            return None;
        }
        self.advance();
        Some(&self.frame)
    }

    /// Flies traffic before the clock starts, in coarse steps, observing nothing.
    fn warm_up_step(&mut self) {
        let t0 = self.time_s;
        let dt = WARMUP_STEP_S.min(-t0);
        self.spawn(t0, dt);
        self.apply_actions(t0, dt);
        for a in &mut self.airborne {
            a.kin.step(&self.plans[a.plan], &a.perf, dt);
        }
        self.airborne.retain(|a| !a.kin.arrived);
        self.time_s = t0 + dt;
    }

    fn advance(&mut self) {
        let t0 = self.time_s;
        self.frame.time_s = t0;
        self.frame.truth.clear();
        self.frame.reports.clear();
        self.frame.origins.clear();
        self.spawn(t0, FRAME_S);
        self.apply_actions(t0, FRAME_S);
        if t0 + 1e-9 >= self.next_truth_s {
            self.record_truth(t0);
            self.next_truth_s += self.scenario.truth_period_s;
        }
        self.fly();
        let f = &mut self.frame;
        for r in &mut self.radars {
            r.sweep(t0, FRAME_S, &self.snapshots, &mut f.reports, &mut f.origins);
        }
        for a in &mut self.adsb {
            a.receive(t0, FRAME_S, &self.snapshots, &mut f.reports, &mut f.origins);
        }
        sort_by_time(&mut f.reports, &mut f.origins);
        self.stats.reports += self.frame.reports.len() as u64;
        self.stats.truth_samples += self.frame.truth.len() as u64;
        self.stats.max_airborne = self.stats.max_airborne.max(self.airborne.len());
        self.airborne.retain(|a| !a.kin.arrived);
        self.time_s = t0 + FRAME_S;
    }

    fn spawn(&mut self, t0: f64, dt: f64) {
        while let Some(plan) = self.plans.get(self.next_plan) {
            if self.injected.contains(&self.next_plan) {
                self.next_plan += 1;
                continue;
            }
            if plan.start_s >= t0 + dt {
                break;
            }
            self.airborne.push(Airborne {
                plan: self.next_plan,
                kin: Kinematics::start(plan),
                perf: plan.performance(),
                squawk: plan.identity.squawk,
                transponder: plan.identity.transponder,
                spoof_ne_m: None,
                last_ecef: None,
            });
            self.next_plan += 1;
        }
    }

    fn apply_actions(&mut self, t0: f64, dt: f64) {
        while let Some(&(at_s, action)) = self.actions.get(self.next_action) {
            if at_s >= t0 + dt {
                break;
            }
            let plan = match action {
                Action::Squawk(p, _) | Action::Transponder(p, _) | Action::Spoof(p, _) => p,
            };
            if let Some(a) = self.airborne.iter_mut().find(|a| a.plan == plan) {
                match action {
                    Action::Squawk(_, code) => a.squawk = Some(code),
                    Action::Transponder(_, on) => a.transponder = on,
                    Action::Spoof(_, ne) => a.spoof_ne_m = ne,
                }
            } else if plan >= self.next_plan {
                // Not airborne yet: it takes off with the change.
                let id = &mut self.plans[plan].identity;
                match action {
                    Action::Squawk(_, code) => id.squawk = Some(code),
                    Action::Transponder(_, on) => id.transponder = on,
                    Action::Spoof(..) => {}
                }
            }
            self.next_action += 1;
        }
    }

    fn record_truth(&mut self, t0: f64) {
        for a in &self.airborne {
            let [vn, ve, vu] = a.kin.velocity_neu();
            let plan = &self.plans[a.plan];
            self.frame.truth.push(TruthState {
                time_s: t0,
                target_id: plan.target_id,
                lat_deg: a.kin.lat_deg,
                lon_deg: a.kin.lon_deg,
                alt_m: a.kin.alt_m,
                vn_mps: vn,
                ve_mps: ve,
                vu_mps: vu,
                type_name: plan.aircraft.name(),
            });
        }
    }

    fn fly(&mut self) {
        self.snapshots.clear();
        for a in &mut self.airborne {
            let plan = &self.plans[a.plan];
            let (p0, v0) = a.last_ecef.unwrap_or_else(|| a.kin.ecef_state());
            let alt0_m = a.kin.alt_m;
            a.kin.step(plan, &a.perf, FRAME_S);
            if a.kin.arrived {
                continue;
            }
            let (p1, v1) = a.kin.ecef_state();
            a.last_ecef = Some((p1, v1));
            let perf = &a.perf;
            self.snapshots.push(Snapshot {
                target_id: plan.target_id,
                p0: p0.as_array(),
                v0,
                p1: p1.as_array(),
                v1,
                alt0_m,
                alt1_m: a.kin.alt_m,
                rcs_m2: perf.rcs_m2,
                transponder: a.transponder,
                squawk: a.squawk,
                mode_s: plan.identity.mode_s,
                callsign: plan.identity.callsign,
                adsb: plan.identity.adsb,
                adsb_sigma_m: perf.adsb_sigma_m,
                adsb_phase_s: plan.adsb_phase_s,
                spoof_ne_m: a.spoof_ne_m,
            });
        }
    }
}

fn schedule(
    e: &EventSpec,
    by_name: &HashMap<&str, usize>,
    radars: &mut [RadarModel],
    adsb: &mut [AdsbModel],
    actions: &mut Vec<(f64, Action)>,
) {
    // References were validated: a missing name cannot happen here.
    let plan = |name: &str| by_name.get(name).copied();
    match e {
        EventSpec::Squawk { at_s, flight, code } => {
            if let (Some(p), Some(c)) = (plan(flight), Mode3A::parse(code)) {
                actions.push((*at_s, Action::Squawk(p, c)));
            }
        }
        EventSpec::TransponderOff { at_s, flight } | EventSpec::TransponderOn { at_s, flight } => {
            let on = matches!(e, EventSpec::TransponderOn { .. });
            if let Some(p) = plan(flight) {
                actions.push((*at_s, Action::Transponder(p, on)));
            }
        }
        EventSpec::AdsbSpoof {
            at_s,
            until_s,
            flight,
            offset_m,
            bearing_deg,
        } => {
            if let Some(p) = plan(flight) {
                let (s, c) = bearing_deg.to_radians().sin_cos();
                actions.push((*at_s, Action::Spoof(p, Some([offset_m * c, offset_m * s]))));
                actions.push((*until_s, Action::Spoof(p, None)));
            }
        }
        EventSpec::SensorOutage {
            at_s,
            until_s,
            sensor,
        } => {
            if let Some(r) = radars.iter_mut().find(|r| &r.spec.id == sensor) {
                r.add_outage(*at_s, *until_s);
            }
            if let Some(a) = adsb.iter_mut().find(|a| &a.spec.id == sensor) {
                a.add_outage(*at_s, *until_s);
            }
        }
        EventSpec::Jamming {
            at_s,
            until_s,
            sensor,
            azimuth_deg,
            width_deg,
            plots_per_scan,
        } => {
            if let Some(r) = radars.iter_mut().find(|r| &r.spec.id == sensor) {
                r.add_burst(crate::radar::Burst {
                    from_s: *at_s,
                    until_s: *until_s,
                    azimuth_deg: *azimuth_deg,
                    width_deg: *width_deg,
                    plots_per_scan: *plots_per_scan,
                });
            }
        }
    }
}

/// The built-in region's terrain (GLOBE 30″ for NER), decoded once per process.
pub(crate) fn builtin_terrain() -> Arc<Dem> {
    static NIGER: OnceLock<Arc<Dem>> = OnceLock::new();
    Arc::clone(NIGER.get_or_init(|| Arc::new(Dem::builtin_niger())))
}

/// The ground under a site: the DEM's, or the scenario's flat ground where there is none.
fn ground_at(s: &Scenario, terrain: Option<&Dem>, lat_deg: f64, lon_deg: f64) -> f64 {
    terrain
        .and_then(|d| d.height(lat_deg, lon_deg))
        .unwrap_or(s.region.ground_elevation_m)
}

fn sensor_table(s: &Scenario, terrain: Option<&Dem>) -> SensorTable {
    let ground = |lat: f64, lon: f64| ground_at(s, terrain, lat, lon);
    let radars = s.radar.iter().map(|r| SensorSpec {
        id: r.id.clone(),
        kind: SensorKind::Radar,
        lat_deg: r.lat_deg,
        lon_deg: r.lon_deg,
        height_m: r.antenna_alt_m(ground(r.lat_deg, r.lon_deg)),
        scan_period_s: r.rotation_period_s,
        sigma_range_m: r.sigma_range_m,
        sigma_azimuth_deg: r.sigma_azimuth_deg,
        sigma_elevation_deg: if r.three_d {
            r.sigma_elevation_deg
        } else {
            0.0
        },
        refraction_k: r.refraction_k,
        range_max_m: Some(r.range_m.max(r.ssr.and_then(|x| x.range_m).unwrap_or(0.0))),
        sigma_position_m: None,
        sac: None,
        sic: None,
        pd: Some(r.pd_fixed.unwrap_or(r.pd_reference.pd)),
        elevation_min_deg: Some(r.elevation_min_deg),
        elevation_max_deg: Some(r.elevation_max_deg),
    });
    let stations = s.adsb.iter().map(|a| SensorSpec {
        id: a.id.clone(),
        kind: SensorKind::Adsb,
        lat_deg: a.lat_deg,
        lon_deg: a.lon_deg,
        height_m: a.antenna_alt_m(ground(a.lat_deg, a.lon_deg)),
        scan_period_s: a.update_period_s,
        sigma_range_m: 0.0,
        sigma_azimuth_deg: 0.0,
        sigma_elevation_deg: 0.0,
        refraction_k: DEFAULT_REFRACTION_K,
        range_max_m: Some(a.range_m),
        // Typical of NACp 8, the most common airborne category.
        sigma_position_m: Some(38.0),
        sac: None,
        sic: None,
        pd: None,
        elevation_min_deg: None,
        elevation_max_deg: None,
    });
    // On the wire (`vigie sim --udp`) each sensor is told apart by its data source
    // identifier: the exercise's area code, and its place in the table.
    let sensor = radars
        .chain(stations)
        .enumerate()
        .map(|(i, spec)| SensorSpec {
            sac: Some(EXERCISE_SAC),
            sic: u8::try_from(i + 1).ok(),
            ..spec
        })
        .collect();
    SensorTable { sensor }
}

/// The System Area Code of simulated sensors.
pub const EXERCISE_SAC: u8 = 100;

/// Sorts a frame's reports by time (then sensor), keeping each origin beside its report.
fn sort_by_time(reports: &mut Vec<Report>, origins: &mut Vec<Option<u32>>) {
    debug_assert_eq!(reports.len(), origins.len());
    let mut both: Vec<(Report, Option<u32>)> = reports.drain(..).zip(origins.drain(..)).collect();
    both.sort_by(|(a, _), (b, _)| a.time_s.total_cmp(&b.time_s).then(a.sensor.cmp(&b.sensor)));
    for (r, o) in both {
        reports.push(r);
        origins.push(o);
    }
}
