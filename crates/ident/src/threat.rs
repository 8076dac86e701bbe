//! Threat evaluation: for each track and each defended asset, the closest point of approach
//! on the present course, when it comes, when the track would enter the asset's area, and
//! the cues of intent (heading for it, descending, accelerating); then one ranked,
//! explained list. Decision support only: it says what deserves attention, and nothing
//! here aims or guides anything.

/// A defended asset: a point, or an area of `radius_m` around it, with a priority
/// (1 is the highest).
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct Asset {
    pub name: String,
    pub lat_deg: f64,
    pub lon_deg: f64,
    #[serde(default)]
    pub radius_m: f64,
    pub priority: u8,
}

/// A track's kinematics, as the tracker gives them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Motion {
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
    pub vn_mps: f64,
    pub ve_mps: f64,
    pub vu_mps: f64,
    /// Ground speed a little earlier (for the acceleration cue), if known.
    pub earlier_speed_mps: Option<f64>,
}

/// One track against one asset.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Threat {
    pub track_id: u32,
    pub asset: String,
    pub priority: u8,
    /// Closest point of approach on the present course, and in how long (0 if now).
    pub cpa_m: f64,
    pub time_to_cpa_s: f64,
    /// When it would enter the asset's area on this course, if it would.
    pub time_to_arrival_s: Option<f64>,
    pub heading_for: bool,
    pub descending: bool,
    pub accelerating: bool,
    /// Higher is more urgent.
    pub score: f64,
    /// The reasons, in words (filled by [`explain`]).
    pub explanation: Vec<String>,
    #[serde(skip)]
    vu_mps: f64,
}

/// How many of the ranked threats are put into words each second: more than a display shows.
pub const EXPLAINED: usize = 200;

const R_M: f64 = 6_371_008.8;
const COS_10_DEG: f64 = 0.984_807_753_012_208;

/// (east, north) metres of `(lat, lon)` from the origin, on the origin's tangent plane.
fn offset_m(origin: (f64, f64), p: (f64, f64)) -> (f64, f64) {
    let k = origin.0.to_radians().cos();
    (
        (p.1 - origin.1).to_radians() * R_M * k,
        (p.0 - origin.0).to_radians() * R_M,
    )
}

/// Tracks further than this from every asset are not evaluated (nothing arrives within an
/// hour from there).
pub const HORIZON_M: f64 = 1_000_000.0;

/// One track against one asset, without the words (see [`explain`]).
pub fn assess(track_id: u32, m: &Motion, a: &Asset) -> Option<Threat> {
    let (px, py) = offset_m((a.lat_deg, a.lon_deg), (m.lat_deg, m.lon_deg));
    let range_m = px.hypot(py);
    if range_m > HORIZON_M {
        return None;
    }
    let (vx, vy) = (m.ve_mps, m.vn_mps);
    let v2 = vx * vx + vy * vy;
    let t_cpa = if v2 > 1e-6 {
        (-(px * vx + py * vy) / v2).max(0.0)
    } else {
        0.0
    };
    let cpa_m = (px + vx * t_cpa).hypot(py + vy * t_cpa);
    // Entering the area: the first t ≥ 0 with |p + v t| = radius.
    let radius = a.radius_m.max(1.0);
    let arrival = if range_m <= radius {
        Some(0.0)
    } else if cpa_m <= radius && v2 > 1e-6 {
        let b = px * vx + py * vy;
        let c = range_m * range_m - radius * radius;
        let disc = b * b - v2 * c;
        (disc >= 0.0)
            .then(|| (-b - disc.sqrt()) / v2)
            .filter(|t| *t >= 0.0)
    } else {
        None
    };
    let speed = v2.sqrt();
    // Heading for it: the velocity points within 10° of the asset (or within its area's
    // angle), compared as cosines.
    let heading_for = speed > 1.0 && range_m > 1.0 && {
        let cos_off = -(px * vx + py * vy) / (range_m * speed);
        let area = if range_m > radius {
            (1.0 - (radius / range_m).powi(2)).sqrt()
        } else {
            1.0
        };
        cos_off >= COS_10_DEG.min(area)
    };
    let descending = m.vu_mps < -5.0;
    let accelerating = m.earlier_speed_mps.is_some_and(|s| speed > s + 10.0);
    // Urgency: sooner and closer is worse; a higher priority weighs more; intent cues add.
    let time_s = arrival.unwrap_or(t_cpa + cpa_m / speed.max(50.0));
    let closeness = (-(cpa_m - radius).max(0.0) / 20_000.0).exp();
    let cues = 1.0
        + 0.5 * f64::from(u8::from(heading_for) + u8::from(descending) + u8::from(accelerating));
    let weight = 1.0 / f64::from(a.priority.max(1));
    let score = weight * closeness * cues / (1.0 + time_s / 60.0);
    Some(Threat {
        track_id,
        asset: a.name.clone(),
        priority: a.priority,
        cpa_m,
        time_to_cpa_s: t_cpa,
        time_to_arrival_s: arrival,
        heading_for,
        descending,
        accelerating,
        score,
        explanation: Vec::new(),
        vu_mps: m.vu_mps,
    })
}

/// Puts a threat's reasons into words (done for the threats an operator will read, not
/// for every track and asset every second).
pub fn explain(t: &mut Threat) {
    let mut e = Vec::new();
    match t.time_to_arrival_s {
        Some(s) if s <= 0.0 => e.push(format!("inside {}", t.asset)),
        Some(s) => e.push(format!(
            "enters {} in {:.0} min on this course",
            t.asset,
            s / 60.0
        )),
        None => e.push(format!(
            "passes {:.0} km from {} in {:.0} min",
            t.cpa_m / 1000.0,
            t.asset,
            t.time_to_cpa_s / 60.0
        )),
    }
    if t.heading_for {
        e.push(format!("heading for {}", t.asset));
    }
    if t.descending {
        e.push(format!(
            "descending at {:.0} ft/min",
            -t.vu_mps / 0.3048 * 60.0
        ));
    }
    if t.accelerating {
        e.push("accelerating".into());
    }
    t.explanation = e;
}

/// Evaluates and explains one track against one asset.
pub fn evaluate(track_id: u32, m: &Motion, a: &Asset) -> Option<Threat> {
    let mut t = assess(track_id, m, a)?;
    explain(&mut t);
    Some(t)
}

/// Every track against every asset: each track's worst threat, most urgent first.
pub fn rank<'a>(
    tracks: impl IntoIterator<Item = (u32, &'a Motion)>,
    assets: &[Asset],
) -> Vec<Threat> {
    let worst = tracks.into_iter().filter_map(|(id, m)| {
        assets
            .iter()
            .filter_map(|a| assess(id, m, a))
            .max_by(|x, y| x.score.total_cmp(&y.score))
    });
    ranked(worst.collect())
}

/// Threats already assessed, most urgent first, the first [`EXPLAINED`] put into words.
pub fn ranked(mut out: Vec<Threat>) -> Vec<Threat> {
    out.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.track_id.cmp(&y.track_id))
    });
    out.iter_mut().take(EXPLAINED).for_each(explain);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn niamey() -> Asset {
        Asset {
            name: "Niamey".into(),
            lat_deg: 13.5,
            lon_deg: 2.1,
            radius_m: 10_000.0,
            priority: 1,
        }
    }

    /// A track `dist_m` west of the asset flying `heading_deg` at `speed_mps`.
    fn west_of(dist_m: f64, heading_deg: f64, speed_mps: f64) -> Motion {
        let (s, c) = heading_deg.to_radians().sin_cos();
        Motion {
            lat_deg: 13.5,
            lon_deg: 2.1 - (dist_m / R_M).to_degrees() / 13.5f64.to_radians().cos(),
            alt_m: 300.0,
            vn_mps: speed_mps * c,
            ve_mps: speed_mps * s,
            vu_mps: 0.0,
            earlier_speed_mps: None,
        }
    }

    #[test]
    fn a_track_flying_straight_at_the_asset_arrives_on_time() {
        // 100 km west, eastbound at 200 m/s: enters the 10 km area in 450 s.
        let t = evaluate(7, &west_of(100_000.0, 90.0, 200.0), &niamey()).unwrap();
        assert!(t.cpa_m < 50.0, "{}", t.cpa_m);
        assert!((t.time_to_cpa_s - 500.0).abs() < 2.0, "{}", t.time_to_cpa_s);
        assert!((t.time_to_arrival_s.unwrap() - 450.0).abs() < 2.0);
        assert!(t.heading_for);
        assert_eq!(t.explanation[0], "enters Niamey in 8 min on this course");
    }

    #[test]
    fn a_crossing_track_passes_at_its_cpa() {
        // 100 km west, flying north: the CPA is now, 100 km away; it never enters.
        let t = evaluate(8, &west_of(100_000.0, 0.0, 200.0), &niamey()).unwrap();
        assert!((t.cpa_m - 100_000.0).abs() < 500.0 && t.time_to_cpa_s < 1.0);
        assert_eq!(t.time_to_arrival_s, None);
        assert!(!t.heading_for);
    }

    #[test]
    fn the_list_ranks_the_inbound_and_the_fast_first() {
        let inbound = west_of(100_000.0, 90.0, 200.0);
        let crossing = west_of(100_000.0, 0.0, 200.0);
        let slow = Motion {
            vu_mps: -10.0,
            earlier_speed_mps: Some(30.0),
            ..west_of(100_000.0, 90.0, 60.0)
        };
        let list = rank([(1, &crossing), (2, &slow), (3, &inbound)], &[niamey()]);
        assert_eq!(
            list.iter().map(|t| t.track_id).collect::<Vec<_>>(),
            [3, 2, 1]
        );
        assert!(list[1].descending && list[1].accelerating);
        // A second asset of lower priority never outranks the same geometry at the first.
        let mut b = niamey();
        b.name = "Maradi".into();
        b.priority = 3;
        let same = evaluate(3, &inbound, &b).unwrap();
        assert!(same.score < list[0].score);
    }
}
