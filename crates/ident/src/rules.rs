//! Alert rules: a TOML file of rules, each of a kind with its own settings, and their
//! evaluation on what is known of a track now and a moment ago. Each alert says in plain
//! words why it was raised.
//!
//! ```toml
//! [[rule]]
//! kind = "airspace"           # inside a volume of these types, or predicted to be soon
//! types = ["prohibited", "restricted", "adiz"]
//! predict_min = 5
//!
//! [[rule]]
//! kind = "emergency"          # 7500, 7600, 7700, and the ADS-B emergency status
//!
//! [[rule]]
//! kind = "transponder_off"    # a primary-only track where transponders are required
//! zones = ["ADIZ"]
//! ```

use std::path::Path;

use serde::Deserialize;
use vigie_core::tomlfile::{self, FileError, Problems};

/// How urgent an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Alarm,
}

/// One rule of the file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// Inside a volume of one of `types` (all types when empty), or heading into one
    /// within `predict_min` minutes on the present course.
    Airspace {
        #[serde(default)]
        types: Vec<String>,
        #[serde(default)]
        predict_min: f64,
        /// The identities it watches: by default those nobody vouches for. (A neutral
        /// airliner on its approach through a restricted area is cleared traffic; a new
        /// track is judged once it is no longer pending.)
        #[serde(default = "not_vouched")]
        identities: Vec<String>,
        #[serde(default = "warning")]
        severity: Severity,
    },
    /// Squawk 7500, 7600 or 7700, or an ADS-B emergency status.
    Emergency {
        #[serde(default = "alarm")]
        severity: Severity,
    },
    /// No transponder reply inside one of `zones` (volume names or types).
    TransponderOff {
        zones: Vec<String>,
        #[serde(default = "warning")]
        severity: Severity,
    },
    /// The Mode 3/A code changed.
    CodeChange {
        #[serde(default = "info")]
        severity: Severity,
    },
    /// ADS-B's position and radar's disagree by more than `max_distance_m`.
    Spoofing {
        max_distance_m: f64,
        #[serde(default = "alarm")]
        severity: Severity,
    },
    /// A track of one of `identities` crossed the border inward.
    BorderCrossing {
        #[serde(default = "unidentified")]
        identities: Vec<String>,
        #[serde(default = "warning")]
        severity: Severity,
    },
    /// A track ended inside radar coverage.
    TrackLost {
        #[serde(default = "warning")]
        severity: Severity,
    },
    /// A sensor of one of `kinds` ("radar", "adsb") silent for `silent_s`. Radars only by
    /// default: a radar always reports (its clutter if nothing else), while an ADS-B
    /// station with no aircraft in range is silent and well; give ADS-B a rule of its own
    /// with a longer silence.
    SensorLost {
        silent_s: f64,
        #[serde(default = "radars")]
        kinds: Vec<String>,
        #[serde(default = "alarm")]
        severity: Severity,
    },
}

fn radars() -> Vec<String> {
    vec!["radar".into()]
}

/// How long a sensor has been silent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Silence<'a> {
    pub sensor: &'a str,
    /// "radar" or "adsb".
    pub kind: &'a str,
    pub silent_s: f64,
}

fn info() -> Severity {
    Severity::Info
}
fn warning() -> Severity {
    Severity::Warning
}
fn alarm() -> Severity {
    Severity::Alarm
}
fn not_vouched() -> Vec<String> {
    vec!["unknown".into(), "suspect".into(), "hostile".into()]
}
fn unidentified() -> Vec<String> {
    vec!["pending".into(), "unknown".into(), "suspect".into()]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    rule: Vec<Rule>,
}

/// Reads a rules file; a mistake names its line and field.
pub fn load(text: &str, path: &Path) -> Result<Vec<Rule>, FileError> {
    let file: RulesFile = tomlfile::parse(text, path)?;
    let mut p = Problems::default();
    for (i, r) in file.rule.iter().enumerate() {
        match r {
            Rule::Airspace { predict_min, .. } if !(0.0..=60.0).contains(predict_min) => p.push(
                format!("rule[{i}].predict_min"),
                format!("must be 0–60 minutes, got {predict_min}"),
            ),
            Rule::Spoofing { max_distance_m, .. } => p.check(
                *max_distance_m > 0.0,
                || format!("rule[{i}].max_distance_m"),
                || format!("must be above 0, got {max_distance_m}"),
            ),
            Rule::SensorLost { silent_s, .. } => p.check(
                *silent_s > 0.0,
                || format!("rule[{i}].silent_s"),
                || format!("must be above 0, got {silent_s}"),
            ),
            Rule::TransponderOff { zones, .. } => p.check(
                !zones.is_empty(),
                || format!("rule[{i}].zones"),
                || "name at least one zone where transponders are required".into(),
            ),
            Rule::BorderCrossing { identities, .. } | Rule::Airspace { identities, .. } => {
                for (k, id) in identities.iter().enumerate() {
                    p.check(
                        crate::identity::Identity::parse(id).is_some(),
                        || format!("rule[{i}].identities[{k}]"),
                        || format!("{id:?} is not an identity"),
                    );
                }
            }
            _ => {}
        }
    }
    if p.0.is_empty() {
        Ok(file.rule)
    } else {
        Err(tomlfile::located(text, path, p))
    }
}

/// What the rules read of a track at one instant.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
pub struct Observed {
    pub track_id: u32,
    /// Unix seconds.
    pub unix_s: f64,
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Above mean sea level, and the ground under it.
    pub alt_m: f64,
    pub ground_m: f64,
    pub vn_mps: f64,
    pub ve_mps: f64,
    pub mode3a: Option<vigie_core::Mode3A>,
    /// The ADS-B emergency status (or a Mode S emergency) is set.
    pub emergency_status: bool,
    /// Any transponder reply.
    pub transponder: bool,
    pub identity: crate::identity::Identity,
    pub inside_country: bool,
    /// How far its ADS-B position is from where radar sees it, when both do.
    pub adsb_radar_gap_m: Option<f64>,
}

/// Every kind of alert the rules raise.
pub const KINDS: [&str; 8] = [
    "emergency",
    "airspace",
    "transponder_off",
    "border_crossing",
    "code_change",
    "spoofing",
    "track_lost",
    "sensor_lost",
];

/// An alert's kind read back (a saved state): one of [`KINDS`].
pub fn kind_of(name: &str) -> Option<&'static str> {
    KINDS.iter().find(|k| **k == name).copied()
}

/// An alert: which rule, about what, how urgent, and why in words.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Alert {
    /// The rule's index in the file.
    pub rule: usize,
    pub kind: &'static str,
    pub track_id: Option<u32>,
    pub sensor: Option<String>,
    pub severity: Severity,
    pub explanation: String,
}

pub(crate) fn volume_kind_name(k: &crate::airspace::Kind) -> String {
    use crate::airspace::Kind;
    match k {
        Kind::Prohibited => "prohibited".into(),
        Kind::Restricted => "restricted".into(),
        Kind::Danger => "danger".into(),
        Kind::Adiz => "adiz".into(),
        Kind::Controlled(c) | Kind::Other(c) => c.to_ascii_lowercase(),
    }
}

/// Where the track would be `t_s` from now on its present course.
pub(crate) fn ahead(o: &Observed, t_s: f64) -> (f64, f64) {
    let r = 6_371_008.8;
    (
        o.lat_deg + (o.vn_mps * t_s / r).to_degrees(),
        o.lon_deg + (o.ve_mps * t_s / (r * o.lat_deg.to_radians().cos().max(0.01))).to_degrees(),
    )
}

/// Whether `identity` is among the file's names ("assumed_friend" or "assumed friend", any
/// case), without allocating: this runs for every track and rule each second.
fn listed(identities: &[String], identity: crate::identity::Identity) -> bool {
    let name = identity.as_str().as_bytes();
    identities.iter().any(|i| {
        let i = i.trim().as_bytes();
        i.len() == name.len()
            && i.iter()
                .zip(name)
                .all(|(a, b)| a.eq_ignore_ascii_case(b) || (*a == b'_' && *b == b' '))
    })
}

/// The alert one rule raises for a track now (and a moment ago), if any.
pub fn evaluate(
    index: usize,
    rule: &Rule,
    now: &Observed,
    before: Option<&Observed>,
    volumes: &[crate::airspace::Volume],
) -> Option<Alert> {
    let alert = |kind, severity, explanation: String| Alert {
        rule: index,
        kind,
        track_id: Some(now.track_id),
        sensor: None,
        severity,
        explanation,
    };
    match rule {
        Rule::Airspace {
            types,
            predict_min,
            identities,
            severity,
        } => {
            if !listed(identities, now.identity) {
                return None;
            }
            let wanted = |v: &&crate::airspace::Volume| {
                types.is_empty()
                    || types
                        .iter()
                        .any(|t| t.eq_ignore_ascii_case(&volume_kind_name(&v.kind)))
            };
            for v in volumes.iter().filter(wanted) {
                if v.contains(
                    now.lat_deg,
                    now.lon_deg,
                    now.alt_m,
                    now.ground_m,
                    now.unix_s,
                ) {
                    return Some(alert(
                        "airspace",
                        *severity,
                        format!("inside {} ({})", v.name, volume_kind_name(&v.kind)),
                    ));
                }
            }
            // On the present course, every 30 s up to the horizon, against the volumes it
            // can reach by then.
            let steps = (predict_min * 2.0).floor() as usize;
            let reach_m = now.vn_mps.hypot(now.ve_mps) * steps as f64 * 30.0 + 1_000.0;
            let reachable: Vec<&crate::airspace::Volume> = volumes
                .iter()
                .filter(wanted)
                .filter(|v| steps > 0 && v.near(now.lat_deg, now.lon_deg, reach_m))
                .collect();
            for k in 1..=steps {
                let t = k as f64 * 30.0;
                let (la, lo) = ahead(now, t);
                for v in &reachable {
                    if v.contains(la, lo, now.alt_m, now.ground_m, now.unix_s + t) {
                        return Some(alert(
                            "airspace",
                            *severity,
                            format!(
                                "predicted to enter {} ({}) in {:.0} min on this course",
                                v.name,
                                volume_kind_name(&v.kind),
                                t / 60.0
                            ),
                        ));
                    }
                }
            }
            None
        }
        Rule::Emergency { severity } => {
            let what = match now.mode3a.map(|c| c.value()) {
                Some(0o7500) => Some("squawk 7500: unlawful interference (hijack)"),
                Some(0o7600) => Some("squawk 7600: radio failure"),
                Some(0o7700) => Some("squawk 7700: emergency"),
                _ if now.emergency_status => Some("ADS-B emergency status"),
                _ => None,
            }?;
            Some(alert("emergency", *severity, what.to_string()))
        }
        Rule::TransponderOff { zones, severity } => {
            if now.transponder {
                return None;
            }
            let v = volumes.iter().find(|v| {
                zones.iter().any(|z| {
                    z.eq_ignore_ascii_case(&v.name)
                        || z.eq_ignore_ascii_case(&volume_kind_name(&v.kind))
                }) && v.contains(
                    now.lat_deg,
                    now.lon_deg,
                    now.alt_m,
                    now.ground_m,
                    now.unix_s,
                )
            })?;
            Some(alert(
                "transponder_off",
                *severity,
                format!("no transponder reply inside {}", v.name),
            ))
        }
        Rule::CodeChange { severity } => {
            let (was, is) = (before?.mode3a?, now.mode3a?);
            (was != is).then(|| {
                alert(
                    "code_change",
                    *severity,
                    format!("Mode 3/A changed from {was} to {is}"),
                )
            })
        }
        Rule::Spoofing {
            max_distance_m,
            severity,
        } => {
            let gap = now.adsb_radar_gap_m.filter(|g| g > max_distance_m)?;
            Some(alert(
                "spoofing",
                *severity,
                format!(
                    "its ADS-B position is {:.1} km from where radar sees it",
                    gap / 1000.0
                ),
            ))
        }
        Rule::BorderCrossing {
            identities,
            severity,
        } => {
            let crossed = before.is_some_and(|b| !b.inside_country) && now.inside_country;
            (crossed && listed(identities, now.identity)).then(|| {
                alert(
                    "border_crossing",
                    *severity,
                    format!(
                        "crossed the border inward, identity {}",
                        now.identity.as_str()
                    ),
                )
            })
        }
        // These two are about a track that ended and a sensor: see `track_lost`, `sensor_lost`.
        Rule::TrackLost { .. } | Rule::SensorLost { .. } => None,
    }
}

/// A track ended: an alert when it ended inside coverage (where it should still be seen).
pub fn track_lost(
    index: usize,
    rule: &Rule,
    last: &Observed,
    inside_coverage: bool,
) -> Option<Alert> {
    let Rule::TrackLost { severity } = rule else {
        return None;
    };
    inside_coverage.then(|| Alert {
        rule: index,
        kind: "track_lost",
        track_id: Some(last.track_id),
        sensor: None,
        severity: *severity,
        explanation: format!(
            "lost inside radar coverage at {:.3}° N {:.3}° E",
            last.lat_deg, last.lon_deg
        ),
    })
}

/// A sensor's silence: an alert once it passes the rule's limit.
pub fn sensor_lost(index: usize, rule: &Rule, s: &Silence<'_>) -> Option<Alert> {
    let Rule::SensorLost {
        silent_s: limit,
        kinds,
        severity,
    } = rule
    else {
        return None;
    };
    let (sensor, silent_s) = (s.sensor, s.silent_s);
    let watched = kinds.iter().any(|k| k.eq_ignore_ascii_case(s.kind));
    (watched && silent_s >= *limit).then(|| Alert {
        rule: index,
        kind: "sensor_lost",
        track_id: None,
        sensor: Some(sensor.to_string()),
        severity: *severity,
        explanation: format!("{sensor} silent for {silent_s:.0} s"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::airspace;
    use crate::identity::Identity;

    fn observed() -> Observed {
        Observed {
            track_id: 9,
            unix_s: 1_772_355_600.0,
            lat_deg: 13.5,
            lon_deg: 1.5,
            alt_m: 300.0,
            ground_m: 200.0,
            vn_mps: 0.0,
            ve_mps: 100.0,
            mode3a: None,
            emergency_status: false,
            transponder: false,
            identity: Identity::Unknown,
            inside_country: true,
            adsb_radar_gap_m: None,
        }
    }

    fn volumes() -> Vec<airspace::Volume> {
        airspace::openair(
            "AC R\nAN NIAMEY R1\nAL SFC\nAH FL95\nV X=13:30:00 N 002:06:00 E\nDC 10\n\nAC ADIZ\nAN ADIZ WEST\nAL SFC\nAH UNL\nDP 14:00:00 N 001:00:00 E\nDP 14:00:00 N 001:45:00 E\nDP 13:00:00 N 001:45:00 E\nDP 13:00:00 N 001:00:00 E\n",
            "zones.txt",
        )
        .unwrap()
    }

    #[test]
    fn each_rule_raises_its_alert_and_says_why() {
        let rules = load(RULES, Path::new("rules.toml")).unwrap();
        let v = volumes();
        let o = observed();
        // Inside the ADIZ now; silent there.
        let a = evaluate(0, &rules[0], &o, None, &v).unwrap();
        assert_eq!(a.explanation, "inside ADIZ WEST (adiz)");
        let t = evaluate(2, &rules[2], &o, None, &v).unwrap();
        assert_eq!(t.explanation, "no transponder reply inside ADIZ WEST");
        // Heading east at 100 m/s from 1.9° E: predicted into Niamey's restricted area.
        let east = Observed {
            lon_deg: 1.85,
            ..observed()
        };
        let p = evaluate(0, &rules[0], &east, None, &v).unwrap();
        assert!(
            p.explanation
                .starts_with("predicted to enter NIAMEY R1 (restricted) in"),
            "{}",
            p.explanation
        );
        // Emergency.
        let sq = Observed {
            mode3a: vigie_core::Mode3A::parse("7700"),
            transponder: true,
            ..observed()
        };
        assert_eq!(
            evaluate(1, &rules[1], &sq, None, &v).unwrap().severity,
            Severity::Alarm
        );
        // Spoofing.
        let sp = Observed {
            adsb_radar_gap_m: Some(3_200.0),
            ..observed()
        };
        assert_eq!(
            evaluate(3, &rules[3], &sp, None, &v).unwrap().explanation,
            "its ADS-B position is 3.2 km from where radar sees it"
        );
        // Border crossing: outside a moment ago, inside now, unknown.
        let before = Observed {
            inside_country: false,
            ..observed()
        };
        assert!(evaluate(4, &rules[4], &o, Some(&before), &v).is_some());
        let friend = Observed {
            identity: Identity::Friend,
            ..observed()
        };
        assert!(evaluate(4, &rules[4], &friend, Some(&before), &v).is_none());
        // A sensor silent past the limit.
        let silence = |kind, silent_s| Silence {
            sensor: "niamey-lr",
            kind,
            silent_s,
        };
        assert!(sensor_lost(5, &rules[5], &silence("radar", 45.0)).is_some());
        assert!(sensor_lost(5, &rules[5], &silence("radar", 10.0)).is_none());
        assert!(
            sensor_lost(5, &rules[5], &silence("adsb", 45.0)).is_none(),
            "radars only"
        );
    }

    #[test]
    fn quiet_traffic_raises_nothing() {
        let rules = load(RULES, Path::new("rules.toml")).unwrap();
        let v = volumes();
        // A civil flight with a transponder, far from every zone, flying away from them.
        let civil = Observed {
            lat_deg: 17.0,
            lon_deg: 8.0,
            alt_m: 11_000.0,
            ve_mps: 230.0,
            transponder: true,
            mode3a: vigie_core::Mode3A::parse("2301"),
            identity: Identity::Neutral,
            ..observed()
        };
        for (i, r) in rules.iter().enumerate() {
            assert_eq!(evaluate(i, r, &civil, Some(&civil), &v), None, "rule {i}");
        }
    }

    const RULES: &str = r#"
[[rule]]
kind = "airspace"
types = ["prohibited", "restricted", "adiz"]
predict_min = 5

[[rule]]
kind = "emergency"

[[rule]]
kind = "transponder_off"
zones = ["ADIZ"]

[[rule]]
kind = "spoofing"
max_distance_m = 2000

[[rule]]
kind = "border_crossing"

[[rule]]
kind = "sensor_lost"
silent_s = 30
severity = "warning"
"#;

    #[test]
    fn a_rules_file_reads() {
        let rules = load(RULES, Path::new("rules.toml")).unwrap();
        assert_eq!(rules.len(), 6);
        assert_eq!(
            rules[4],
            Rule::BorderCrossing {
                identities: unidentified(),
                severity: Severity::Warning
            }
        );
        assert_eq!(
            rules[5],
            Rule::SensorLost {
                silent_s: 30.0,
                kinds: vec!["radar".into()],
                severity: Severity::Warning
            }
        );
    }

    #[test]
    fn a_mistake_names_the_line_and_the_field() {
        let bad = RULES.replace("max_distance_m = 2000", "max_distance_m = -5");
        let e = load(&bad, Path::new("rules.toml")).unwrap_err().to_string();
        assert_eq!(
            e,
            "rules.toml:16: rule[3].max_distance_m: must be above 0, got -5"
        );
        let bad = RULES.replace("kind = \"emergency\"", "kind = \"emergencies\"");
        let e = load(&bad, Path::new("rules.toml")).unwrap_err().to_string();
        assert!(e.starts_with("rules.toml:8"), "{e}");
        let bad = RULES.replace(
            "[[rule]]\nkind = \"border_crossing\"",
            "[[rule]]\nkind = \"border_crossing\"\nidentities = [\"foe\"]",
        );
        let e = load(&bad, Path::new("rules.toml")).unwrap_err().to_string();
        assert!(
            e.contains("rule[4].identities[0]: \"foe\" is not an identity"),
            "{e}"
        );
    }
}
