//! Standard identities (STANAG 1241 / APP-6) and how vigie proposes one from evidence.
//! vigie proposes; an operator confirms or overrides, and an operator's decision stands
//! until an operator changes it. Hostile is never proposed: only a person declares it.

use std::collections::VecDeque;

/// The standard identities. In an exercise each has its exercise variant (see [`Standard`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    Pending,
    Unknown,
    AssumedFriend,
    Friend,
    Neutral,
    Suspect,
    Hostile,
}

impl Identity {
    pub fn as_str(self) -> &'static str {
        match self {
            Identity::Pending => "pending",
            Identity::Unknown => "unknown",
            Identity::AssumedFriend => "assumed friend",
            Identity::Friend => "friend",
            Identity::Neutral => "neutral",
            Identity::Suspect => "suspect",
            Identity::Hostile => "hostile",
        }
    }

    pub fn parse(s: &str) -> Option<Identity> {
        Some(
            match s.trim().to_ascii_lowercase().replace('_', " ").as_str() {
                "pending" => Identity::Pending,
                "unknown" => Identity::Unknown,
                "assumed friend" => Identity::AssumedFriend,
                "friend" => Identity::Friend,
                "neutral" => Identity::Neutral,
                "suspect" => Identity::Suspect,
                "hostile" => Identity::Hostile,
                _ => return None,
            },
        )
    }
}

/// An identity as shown: in an exercise, STANAG 1241's exercise variants (exercise pending
/// to exercise neutral; suspect is "joker" and hostile "faker").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standard {
    pub identity: Identity,
    pub exercise: bool,
}

impl Standard {
    pub fn label(&self) -> String {
        match (self.exercise, self.identity) {
            (false, i) => i.as_str().to_string(),
            (true, Identity::Suspect) => "joker".into(),
            (true, Identity::Hostile) => "faker".into(),
            (true, i) => format!("exercise {}", i.as_str()),
        }
    }
}

/// One piece of evidence behind a proposal, in words an operator reads.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// A filed flight plan matches the track.
    FlightPlan {
        callsign: String,
        matched_by: String,
    },
    /// The aircraft answers as a civil Mode S / ADS-B transponder.
    CivilTransponder { mode_s: String },
    /// Its Mode 3/A code is in the friendly code list.
    FriendlyCode { code: String },
    /// No transponder reply at all: only primary radar sees it.
    NoTransponder,
    /// It entered a zone where an unidentified aircraft is suspect.
    EnteredZone { zone: String },
    /// Low and fast: under `agl_m` above the ground at `speed_mps`.
    LowAndFast { agl_m: f64, speed_mps: f64 },
    /// Heading for a defended asset, there in `eta_s`.
    TowardsAsset { asset: String, eta_s: f64 },
    /// Too new to judge.
    New { age_s: f64 },
}

impl Evidence {
    /// The plain-language line the display shows.
    pub fn explain(&self) -> String {
        match self {
            Evidence::FlightPlan {
                callsign,
                matched_by,
            } => {
                format!("flight plan {callsign} matches (by {matched_by})")
            }
            Evidence::CivilTransponder { mode_s } => format!("civil transponder, Mode S {mode_s}"),
            Evidence::FriendlyCode { code } => {
                format!("Mode 3/A {code} is in the friendly code list")
            }
            Evidence::NoTransponder => "no transponder reply: primary radar only".into(),
            Evidence::EnteredZone { zone } => format!("entered {zone}"),
            Evidence::LowAndFast { agl_m, speed_mps } => format!(
                "low and fast: {:.0} ft above the ground at {:.0} kt",
                agl_m / 0.3048,
                speed_mps * 3600.0 / 1852.0
            ),
            Evidence::TowardsAsset { asset, eta_s } => {
                format!("heading for {asset}, there in {:.0} min", eta_s / 60.0)
            }
            Evidence::New { age_s } => format!("tracked for {age_s:.0} s only"),
        }
    }
}

/// What is known of a track, as the rules read it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub age_s: f64,
    /// Any transponder reply (Mode 3/A, Mode C, Mode S or ADS-B).
    pub transponder: bool,
    pub mode_s: Option<String>,
    pub mode3a: Option<String>,
    /// A correlated flight plan: its callsign and what matched.
    pub flight_plan: Option<(String, String)>,
    pub friendly_code: bool,
    /// A zone entered where unidentified traffic is suspect (ADIZ, restricted area).
    pub zone: Option<String>,
    pub agl_m: Option<f64>,
    pub speed_mps: f64,
    /// The nearest defended asset it heads for, and when it gets there.
    pub towards: Option<(String, f64)>,
}

/// Thresholds of the rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// Pending until a track is this old.
    pub pending_s: f64,
    pub low_agl_m: f64,
    pub fast_mps: f64,
    /// Heading for an asset counts when it would arrive within this.
    pub asset_horizon_s: f64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            pending_s: 20.0,
            low_agl_m: 500.0,
            fast_mps: 80.0,
            asset_horizon_s: 900.0,
        }
    }
}

/// vigie's proposal for a track: an identity and the evidence for it.
pub fn propose(f: &Facts, rules: &Rules) -> (Identity, Vec<Evidence>) {
    if let Some((callsign, by)) = &f.flight_plan {
        let mut ev = vec![Evidence::FlightPlan {
            callsign: callsign.clone(),
            matched_by: by.clone(),
        }];
        if let Some(m) = &f.mode_s {
            ev.push(Evidence::CivilTransponder { mode_s: m.clone() });
        }
        return (Identity::Neutral, ev);
    }
    if f.friendly_code {
        let code = f.mode3a.clone().unwrap_or_default();
        return (
            Identity::AssumedFriend,
            vec![Evidence::FriendlyCode { code }],
        );
    }
    if !f.transponder {
        let mut ev = Vec::new();
        if let Some(zone) = &f.zone {
            ev.push(Evidence::EnteredZone { zone: zone.clone() });
        }
        if let Some(agl) = f
            .agl_m
            .filter(|a| *a < rules.low_agl_m && f.speed_mps > rules.fast_mps)
        {
            ev.push(Evidence::LowAndFast {
                agl_m: agl,
                speed_mps: f.speed_mps,
            });
        }
        if let Some((asset, eta)) = f
            .towards
            .as_ref()
            .filter(|(_, eta)| *eta < rules.asset_horizon_s)
        {
            ev.push(Evidence::TowardsAsset {
                asset: asset.clone(),
                eta_s: *eta,
            });
        }
        if !ev.is_empty() && f.age_s >= rules.pending_s {
            ev.insert(0, Evidence::NoTransponder);
            return (Identity::Suspect, ev);
        }
    }
    if f.age_s < rules.pending_s {
        return (Identity::Pending, vec![Evidence::New { age_s: f.age_s }]);
    }
    let ev = match (&f.mode_s, f.transponder) {
        (Some(m), _) => vec![Evidence::CivilTransponder { mode_s: m.clone() }],
        (None, false) => vec![Evidence::NoTransponder],
        (None, true) => vec![],
    };
    (Identity::Unknown, ev)
}

/// Who set an identity.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Decider {
    /// vigie's rules.
    Vigie,
    Operator {
        user: String,
    },
}

/// One change of a track's identity: when, to what, by whom, why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    pub time_s: f64,
    pub identity: Identity,
    pub decider: Decider,
    pub evidence: Vec<Evidence>,
    pub note: Option<String>,
}

/// The most changes a track keeps.
pub const HISTORY: usize = 32;

/// A track's identity: the current one, vigie's latest proposal, and the history of changes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrackIdentity {
    pub identity: Identity,
    /// vigie's latest proposal and its evidence (which an operator's decision may differ from).
    pub proposal: (Identity, Vec<Evidence>),
    /// The last operator's decision, if any: it stands until an operator changes it.
    pub operator: Option<String>,
    pub history: VecDeque<Change>,
}

impl Default for TrackIdentity {
    fn default() -> Self {
        TrackIdentity {
            identity: Identity::Pending,
            proposal: (Identity::Pending, Vec::new()),
            operator: None,
            history: VecDeque::new(),
        }
    }
}

impl TrackIdentity {
    fn record(&mut self, change: Change) {
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.identity = change.identity;
        self.history.push_back(change);
    }

    /// Applies vigie's rules to the latest facts; the change, if the identity changed.
    pub fn update(&mut self, facts: &Facts, rules: &Rules, time_s: f64) -> Option<&Change> {
        self.proposal = propose(facts, rules);
        if self.operator.is_some() || self.proposal.0 == self.identity {
            return None;
        }
        self.record(Change {
            time_s,
            identity: self.proposal.0,
            decider: Decider::Vigie,
            evidence: self.proposal.1.clone(),
            note: None,
        });
        self.history.back()
    }

    /// An operator confirms or overrides; the decision stands from now on.
    pub fn decide(
        &mut self,
        user: &str,
        identity: Identity,
        note: Option<String>,
        time_s: f64,
    ) -> &Change {
        self.operator = Some(user.to_string());
        self.record(Change {
            time_s,
            identity,
            decider: Decider::Operator {
                user: user.to_string(),
            },
            evidence: self.proposal.1.clone(),
            note,
        });
        self.history.back().expect("just recorded")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(f: Facts) -> Facts {
        Facts { age_s: 120.0, ..f }
    }

    #[test]
    fn a_flight_plan_makes_a_civil_flight_neutral() {
        let f = old(Facts {
            transponder: true,
            mode_s: Some("3944F1".into()),
            flight_plan: Some(("AFR520".into(), "callsign".into())),
            ..Facts::default()
        });
        let (id, ev) = propose(&f, &Rules::default());
        assert_eq!(id, Identity::Neutral);
        assert_eq!(ev[0].explain(), "flight plan AFR520 matches (by callsign)");
    }

    #[test]
    fn a_friendly_code_makes_an_assumed_friend() {
        let f = old(Facts {
            transponder: true,
            mode3a: Some("4301".into()),
            friendly_code: true,
            ..Facts::default()
        });
        assert_eq!(propose(&f, &Rules::default()).0, Identity::AssumedFriend);
    }

    #[test]
    fn no_transponder_and_a_zone_or_a_low_fast_profile_is_suspect() {
        let r = Rules::default();
        let silent = old(Facts {
            speed_mps: 60.0,
            agl_m: Some(2_000.0),
            ..Facts::default()
        });
        assert_eq!(
            propose(&silent, &r).0,
            Identity::Unknown,
            "silent alone is unknown"
        );
        let in_adiz = Facts {
            zone: Some("ADIZ".into()),
            ..silent.clone()
        };
        let (id, ev) = propose(&in_adiz, &r);
        assert_eq!(id, Identity::Suspect);
        assert_eq!(ev[0], Evidence::NoTransponder);
        let low_fast = Facts {
            agl_m: Some(150.0),
            speed_mps: 120.0,
            ..silent.clone()
        };
        assert_eq!(propose(&low_fast, &r).0, Identity::Suspect);
        let towards = Facts {
            towards: Some(("Niamey".into(), 600.0)),
            ..silent
        };
        assert_eq!(propose(&towards, &r).0, Identity::Suspect);
        // A transponder, even unknown, is not suspect for those reasons.
        let answering = Facts {
            transponder: true,
            zone: Some("ADIZ".into()),
            ..old(Facts::default())
        };
        assert_eq!(propose(&answering, &r).0, Identity::Unknown);
    }

    #[test]
    fn a_new_track_is_pending_and_hostile_is_never_proposed() {
        let (id, _) = propose(&Facts::default(), &Rules::default());
        assert_eq!(id, Identity::Pending);
        let mut t = TrackIdentity::default();
        let worst = old(Facts {
            zone: Some("P1".into()),
            agl_m: Some(50.0),
            speed_mps: 250.0,
            towards: Some(("palace".into(), 60.0)),
            ..Facts::default()
        });
        t.update(&worst, &Rules::default(), 10.0);
        assert_eq!(t.identity, Identity::Suspect);
    }

    #[test]
    fn an_operator_decision_stands_and_is_kept_with_its_evidence() {
        let r = Rules::default();
        let mut t = TrackIdentity::default();
        let suspect = old(Facts {
            zone: Some("ADIZ".into()),
            ..Facts::default()
        });
        assert!(t.update(&suspect, &r, 100.0).is_some());
        let c = t.decide(
            "kader",
            Identity::Hostile,
            Some("visual: armed".into()),
            130.0,
        );
        assert_eq!(
            c.decider,
            Decider::Operator {
                user: "kader".into()
            }
        );
        assert_eq!(c.evidence[0], Evidence::NoTransponder);
        // vigie keeps proposing, but the operator's decision stands.
        let quiet = old(Facts {
            transponder: true,
            ..Facts::default()
        });
        assert!(t.update(&quiet, &r, 140.0).is_none());
        assert_eq!(t.identity, Identity::Hostile);
        assert_eq!(t.proposal.0, Identity::Unknown);
        assert_eq!(t.history.len(), 2);
        let label = Standard {
            identity: t.identity,
            exercise: true,
        }
        .label();
        assert_eq!(label, "faker");
    }

    #[test]
    fn the_history_is_bounded() {
        let r = Rules::default();
        let mut t = TrackIdentity::default();
        for i in 0..100 {
            let id = if i % 2 == 0 {
                Identity::Friend
            } else {
                Identity::Neutral
            };
            t.decide("ana", id, None, f64::from(i));
        }
        assert_eq!(t.history.len(), HISTORY);
        assert!(t.update(&Facts::default(), &r, 200.0).is_none());
    }
}
