//! Flight plans: ICAO FPL messages (fields 7, 8, 9, 13, 15, 16, and the Mode S address of
//! field 18's CODE/) and a simple CSV, and their correlation with tracks by Mode S address,
//! callsign, Mode 3/A code or closeness to the planned route.

/// A flight plan, as much of it as identification needs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlightPlan {
    /// Field 7: the aircraft identification.
    pub callsign: String,
    /// Field 7's SSR code (`/A2301`), as octal digits.
    pub mode3a: Option<String>,
    /// Field 18's `CODE/`: the 24-bit address, hex.
    pub mode_s: Option<String>,
    /// Field 8: flight rules (I, V, Y, Z) and type (S, N, G, M, X).
    pub rules: String,
    pub flight_type: String,
    /// Field 9: number, type and wake turbulence category.
    pub aircraft_count: u32,
    pub aircraft_type: String,
    pub wake: String,
    /// Field 13: departure aerodrome and off-block time (minutes after midnight UTC).
    pub departure: String,
    pub eobt_min: Option<u32>,
    /// Field 15: speed, level and route tokens.
    pub speed: String,
    pub level: String,
    pub route: Vec<String>,
    /// Field 16: destination, total estimated elapsed time (minutes), alternates.
    pub destination: String,
    pub eet_min: Option<u32>,
    pub alternates: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{source_name}:{line}: {field}: {message}")]
pub struct PlanError {
    pub source_name: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

fn hhmm(s: &str) -> Option<u32> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = (s[..2].parse::<u32>().ok()?, s[2..].parse::<u32>().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Parses one ICAO FPL message (with or without its parentheses). `line` is where it starts
/// in its file, for errors.
pub fn parse_fpl(text: &str, source_name: &str, line: usize) -> Result<FlightPlan, PlanError> {
    let err = |field: &str, message: String| PlanError {
        source_name: source_name.to_string(),
        line,
        field: field.to_string(),
        message,
    };
    let body = text.trim().trim_start_matches('(').trim_end_matches(')');
    let fields: Vec<String> = body
        .split('-')
        .map(|f| f.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    if fields.first().map(String::as_str) != Some("FPL") {
        return Err(err(
            "3",
            format!("not an FPL message: {:?}", fields.first()),
        ));
    }
    let field = |i: usize, name: &str| {
        fields
            .get(i)
            .cloned()
            .ok_or_else(|| err(name, "missing".into()))
    };
    let mut plan = FlightPlan::default();
    // Field 7: AFR520, or AFR520/A2301.
    let f7 = field(1, "7")?;
    let (callsign, ssr) = f7.split_once('/').unwrap_or((&f7, ""));
    if callsign.is_empty()
        || callsign.len() > 7
        || !callsign.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(err(
            "7",
            format!("{callsign:?} is not an aircraft identification"),
        ));
    }
    plan.callsign = callsign.to_string();
    if let Some(code) = ssr.strip_prefix('A') {
        if code.len() != 4 || !code.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return Err(err("7", format!("{code:?} is not a Mode 3/A code")));
        }
        plan.mode3a = Some(code.to_string());
    }
    // Field 8: IS.
    let f8 = field(2, "8")?;
    let mut f8c = f8.chars();
    plan.rules = f8c.next().map(String::from).unwrap_or_default();
    plan.flight_type = f8c.collect();
    if !matches!(plan.rules.as_str(), "I" | "V" | "Y" | "Z") {
        return Err(err("8", format!("{f8:?}: flight rules are I, V, Y or Z")));
    }
    // Field 9: A320/M or 2F16/M.
    let f9 = field(3, "9")?;
    let (ty, wake) = f9
        .split_once('/')
        .ok_or_else(|| err("9", format!("{f9:?}: type/wake, like A320/M")))?;
    let digits: String = ty.chars().take_while(|c| c.is_ascii_digit()).collect();
    plan.aircraft_count = if digits.is_empty() {
        1
    } else {
        digits.parse().map_err(|_| err("9", "bad count".into()))?
    };
    plan.aircraft_type = ty[digits.len()..].to_string();
    plan.wake = wake.to_string();
    // Field 10 (equipment) is field index 4; field 13: LFPG0930.
    let f13 = field(5, "13")?;
    if f13.len() != 8 {
        return Err(err(
            "13",
            format!("{f13:?}: departure and time, like DNMM0930"),
        ));
    }
    plan.departure = f13[..4].to_string();
    plan.eobt_min =
        Some(hhmm(&f13[4..]).ok_or_else(|| err("13", format!("{f13:?}: the time is HHMM")))?);
    // Field 15: N0450F350 DCT ...
    let f15 = field(6, "15")?;
    let mut tokens = f15.split_whitespace();
    let first = tokens.next().ok_or_else(|| err("15", "empty".into()))?;
    let split = first
        .find(['F', 'A', 'S', 'M', 'V'])
        .filter(|i| *i > 0)
        .unwrap_or(first.len());
    plan.speed = first[..split].to_string();
    plan.level = first[split..].to_string();
    plan.route = tokens.map(str::to_string).collect();
    // Field 16: DNMM0540 DNKN.
    let f16 = field(7, "16")?;
    let mut t16 = f16.split_whitespace();
    let dest = t16.next().unwrap_or("");
    if dest.len() != 8 {
        return Err(err(
            "16",
            format!("{dest:?}: destination and total time, like DNMM0540"),
        ));
    }
    plan.destination = dest[..4].to_string();
    plan.eet_min =
        Some(hhmm(&dest[4..]).ok_or_else(|| err("16", format!("{dest:?}: the time is HHMM")))?);
    plan.alternates = t16.map(str::to_string).collect();
    // Field 18: CODE/3944F1 among others.
    if let Some(f18) = fields.get(8) {
        plan.mode_s = f18
            .split_whitespace()
            .find_map(|t| t.strip_prefix("CODE/"))
            .filter(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_ascii_uppercase);
    }
    Ok(plan)
}

/// Every FPL message in a text (each in parentheses).
pub fn parse_fpl_file(text: &str, source_name: &str) -> Result<Vec<FlightPlan>, PlanError> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find('(') {
        let start = at + open;
        let close = text[start..]
            .find(')')
            .map(|c| start + c)
            .ok_or_else(|| PlanError {
                source_name: source_name.to_string(),
                line: text[..start].lines().count().max(1),
                field: "message".into(),
                message: "no closing parenthesis".into(),
            })?;
        let line = text[..start].matches('\n').count() + 1;
        out.push(parse_fpl(&text[start..=close], source_name, line)?);
        at = close + 1;
    }
    Ok(out)
}

/// The CSV form: `callsign,mode_s,mode3a,departure,destination,eobt,eet,aircraft_type,route`
/// with a header line; times HHMM, empty fields allowed.
pub fn parse_csv(text: &str, source_name: &str) -> Result<Vec<FlightPlan>, PlanError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let err = |field: &str, message: String| PlanError {
            source_name: source_name.to_string(),
            line: i + 1,
            field: field.to_string(),
            message,
        };
        if f.len() < 9 {
            return Err(err("line", format!("9 fields expected, got {}", f.len())));
        }
        let time = |k: usize, name: &str| -> Result<Option<u32>, PlanError> {
            if f[k].is_empty() {
                Ok(None)
            } else {
                hhmm(f[k])
                    .map(Some)
                    .ok_or_else(|| err(name, format!("{:?}: HHMM", f[k])))
            }
        };
        if f[0].is_empty() {
            return Err(err("callsign", "missing".into()));
        }
        out.push(FlightPlan {
            callsign: f[0].to_ascii_uppercase(),
            mode_s: (!f[1].is_empty()).then(|| f[1].to_ascii_uppercase()),
            mode3a: (!f[2].is_empty()).then(|| f[2].to_string()),
            departure: f[3].to_string(),
            destination: f[4].to_string(),
            eobt_min: time(5, "eobt")?,
            eet_min: time(6, "eet")?,
            aircraft_type: f[7].to_string(),
            aircraft_count: 1,
            route: f[8].split_whitespace().map(str::to_string).collect(),
            rules: "I".into(),
            ..FlightPlan::default()
        });
    }
    Ok(out)
}

/// `1330N00210E` or `13N002E` route points as (lat, lon).
pub fn route_point(token: &str) -> Option<(f64, f64)> {
    let t = token.trim();
    let ns = t.find(['N', 'S'])?;
    let (lat, rest) = t.split_at(ns);
    let (hemi, lon_part) = rest.split_at(1);
    let ew = lon_part.strip_suffix(['E', 'W'])?;
    let deg_min = |s: &str, deg_digits: usize| -> Option<f64> {
        match s.len() {
            n if n == deg_digits => s.parse().ok(),
            n if n == deg_digits + 2 => Some(
                s[..deg_digits].parse::<f64>().ok()? + s[deg_digits..].parse::<f64>().ok()? / 60.0,
            ),
            _ => None,
        }
    };
    let mut la = deg_min(lat, 2)?;
    let mut lo = deg_min(ew, 3)?;
    if hemi == "S" {
        la = -la;
    }
    if lon_part.ends_with('W') {
        lo = -lo;
    }
    (la.abs() <= 90.0 && lo.abs() <= 180.0).then_some((la, lo))
}

/// What a track shows of itself, for correlation.
#[derive(Debug, Clone, Default)]
pub struct Seen<'a> {
    pub mode_s: Option<&'a str>,
    pub callsign: Option<&'a str>,
    pub mode3a: Option<&'a str>,
    /// Any transponder answers: a primary-only track is never matched by its route alone.
    pub transponder: bool,
    pub lat_deg: f64,
    pub lon_deg: f64,
}

fn cross_track_m(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    // Flat enough over one leg: an equirectangular plane at the leg's latitude.
    let k = (a.0.to_radians()).cos();
    let (ax, ay, bx, by, px, py) = (a.1 * k, a.0, b.1 * k, b.0, p.1 * k, p.0);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (ax + t * dx, ay + t * dy);
    ((px - qx).powi(2) + (py - qy).powi(2)).sqrt() * 111_195.0
}

/// Plans indexed for correlation: by Mode S address, callsign and Mode 3/A code, and each
/// plan's route as points with its bounding box (parsed once, not per track).
#[derive(Debug, Clone, Default)]
pub struct PlanIndex {
    by_mode_s: std::collections::HashMap<String, usize>,
    by_callsign: std::collections::HashMap<String, usize>,
    by_mode3a: std::collections::HashMap<String, usize>,
    routes: Vec<Route>,
}

/// A plan's route: its (south, west, north, east) box and its points (lat, lon).
type Route = ((f64, f64, f64, f64), Vec<(f64, f64)>);

impl PlanIndex {
    /// `place` turns aerodrome and waypoint names into positions; `1330N00210E` points need
    /// no lookup.
    pub fn new(plans: &[FlightPlan], place: impl Fn(&str) -> Option<(f64, f64)>) -> PlanIndex {
        let mut index = PlanIndex::default();
        for (i, p) in plans.iter().enumerate() {
            if let Some(m) = &p.mode_s {
                index.by_mode_s.entry(m.clone()).or_insert(i);
            }
            index.by_callsign.entry(p.callsign.clone()).or_insert(i);
            if let Some(c) = &p.mode3a {
                index.by_mode3a.entry(c.clone()).or_insert(i);
            }
            let points: Vec<(f64, f64)> = std::iter::once(p.departure.as_str())
                .chain(p.route.iter().map(String::as_str))
                .chain(std::iter::once(p.destination.as_str()))
                .filter_map(|t| route_point(t).or_else(|| place(t)))
                .collect();
            let bbox = points.iter().fold(
                (
                    f64::INFINITY,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    f64::NEG_INFINITY,
                ),
                |b, &(la, lo)| (b.0.min(la), b.1.min(lo), b.2.max(la), b.3.max(lo)),
            );
            index.routes.push((bbox, points));
        }
        index
    }

    /// The plan a track flies, and what matched: the Mode S address first, then the
    /// callsign, then the Mode 3/A code, then (for a track whose transponder shows none of
    /// them: Mode A/C with another code) being within `route_m` of the planned route.
    pub fn correlate<'p>(
        &self,
        seen: &Seen<'_>,
        plans: &'p [FlightPlan],
        route_m: f64,
    ) -> Option<(&'p FlightPlan, &'static str)> {
        let hit = |i: Option<&usize>, how| i.and_then(|&i| plans.get(i)).map(|p| (p, how));
        if let Some(h) = seen
            .mode_s
            .and_then(|m| hit(self.by_mode_s.get(m), "Mode S address"))
        {
            return Some(h);
        }
        if let Some(h) = seen
            .callsign
            .and_then(|c| hit(self.by_callsign.get(c), "callsign"))
        {
            return Some(h);
        }
        if let Some(h) = seen
            .mode3a
            .and_then(|c| hit(self.by_mode3a.get(c), "Mode 3/A code"))
        {
            return Some(h);
        }
        if seen.mode_s.is_some() || seen.callsign.is_some() || !seen.transponder {
            return None;
        }
        let margin = route_m / 111_195.0 / seen.lat_deg.to_radians().cos().max(0.1);
        let p = (seen.lat_deg, seen.lon_deg);
        self.routes.iter().enumerate().find_map(|(i, (b, points))| {
            let in_box = p.0 >= b.0 - margin
                && p.0 <= b.2 + margin
                && p.1 >= b.1 - margin
                && p.1 <= b.3 + margin;
            let near = in_box
                && points
                    .windows(2)
                    .any(|w| cross_track_m(p, w[0], w[1]) < route_m);
            near.then(|| (&plans[i], "route"))
        })
    }
}

/// [`PlanIndex::correlate`] for one track, indexing the plans first.
pub fn correlate<'p>(
    seen: &Seen<'_>,
    plans: &'p [FlightPlan],
    place: impl Fn(&str) -> Option<(f64, f64)>,
    route_m: f64,
) -> Option<(&'p FlightPlan, &'static str)> {
    PlanIndex::new(plans, place).correlate(seen, plans, route_m)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FPL: &str = "(FPL-AFR520/A2301-IS
-A320/M-SDE2E3FGHIJ1RWY/LB1
-LFPG0930
-N0450F350 DCT 3000N00500E DCT 1330N00210E
-DNMM0540 DNKN
-PBN/A1B1 CODE/3944F1 RMK/TCAS)";

    #[test]
    fn an_icao_fpl_message_reads() {
        let p = parse_fpl(FPL, "plans.txt", 1).unwrap();
        assert_eq!(p.callsign, "AFR520");
        assert_eq!(p.mode3a.as_deref(), Some("2301"));
        assert_eq!((p.rules.as_str(), p.flight_type.as_str()), ("I", "S"));
        assert_eq!(
            (p.aircraft_count, p.aircraft_type.as_str(), p.wake.as_str()),
            (1, "A320", "M")
        );
        assert_eq!(
            (p.departure.as_str(), p.eobt_min),
            ("LFPG", Some(9 * 60 + 30))
        );
        assert_eq!((p.speed.as_str(), p.level.as_str()), ("N0450", "F350"));
        assert_eq!(p.route.len(), 4);
        assert_eq!(
            (p.destination.as_str(), p.eet_min),
            ("DNMM", Some(5 * 60 + 40))
        );
        assert_eq!(p.alternates, ["DNKN"]);
        assert_eq!(p.mode_s.as_deref(), Some("3944F1"));
    }

    #[test]
    fn a_bad_field_is_named_with_its_line() {
        let text = format!("{FPL}\n\n{}", FPL.replace("-IS", "-QS"));
        let e = parse_fpl_file(&text, "plans.txt").unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (8, "8"));
        assert!(e.to_string().starts_with("plans.txt:8: 8: "), "{e}");
    }

    #[test]
    fn csv_plans_read_and_errors_are_located() {
        let csv = "callsign,mode_s,mode3a,departure,destination,eobt,eet,aircraft_type,route\n\
                   ETH4903,04A3F1,5511,HAAB,DRRN,0700,0520,B738,DCT\n";
        let p = parse_csv(csv, "plans.csv").unwrap();
        assert_eq!(
            (p[0].callsign.as_str(), p[0].mode_s.as_deref()),
            ("ETH4903", Some("04A3F1"))
        );
        let bad = csv.replace("0700", "7am");
        assert_eq!(
            parse_csv(&bad, "plans.csv").unwrap_err().to_string(),
            "plans.csv:2: eobt: \"7am\": HHMM"
        );
    }

    #[test]
    fn correlation_by_address_callsign_code_and_route() {
        let plans = vec![parse_fpl(FPL, "p", 1).unwrap()];
        let none = |_: &str| None;
        let seen = Seen {
            mode_s: Some("3944F1"),
            ..Seen::default()
        };
        assert_eq!(
            correlate(&seen, &plans, none, 20_000.0).map(|x| x.1),
            Some("Mode S address")
        );
        let seen = Seen {
            callsign: Some("AFR520"),
            ..Seen::default()
        };
        assert_eq!(
            correlate(&seen, &plans, none, 20_000.0).map(|x| x.1),
            Some("callsign")
        );
        let seen = Seen {
            mode3a: Some("2301"),
            ..Seen::default()
        };
        assert_eq!(
            correlate(&seen, &plans, none, 20_000.0).map(|x| x.1),
            Some("Mode 3/A code")
        );
        // No identity at all, but on the route between 30N 5E and 13.5N 2.17E.
        let seen = Seen {
            lat_deg: 20.0,
            lon_deg: 3.28,
            transponder: true,
            ..Seen::default()
        };
        assert_eq!(
            correlate(&seen, &plans, none, 20_000.0).map(|x| x.1),
            Some("route")
        );
        // Regression: silent intruders flying along an airway were taken for its flight.
        let silent = Seen {
            transponder: false,
            ..seen.clone()
        };
        assert!(correlate(&silent, &plans, none, 20_000.0).is_none());
        let seen = Seen {
            lat_deg: 20.0,
            lon_deg: 6.0,
            ..Seen::default()
        };
        assert!(correlate(&seen, &plans, none, 20_000.0).is_none());
        // A different Mode S address is a different aircraft, whatever its position.
        let seen = Seen {
            mode_s: Some("ABCDEF"),
            lat_deg: 20.0,
            lon_deg: 3.28,
            ..Seen::default()
        };
        assert!(correlate(&seen, &plans, none, 20_000.0).is_none());
        assert_eq!(route_point("13N002E"), Some((13.0, 2.0)));
        assert_eq!(
            route_point("1330S00210W"),
            Some((-13.5, -(2.0 + 10.0 / 60.0)))
        );
    }
}

#[cfg(test)]
mod exercise_tests {
    /// The simulator's FPL messages for the Niger exercise parse, one per civil flight.
    #[test]
    fn the_exercise_flight_plans_parse() {
        let sim = vigie_sim::load(
            std::path::Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../scenarios/niger.toml"
            )),
            vigie_sim::Overrides::default(),
        )
        .unwrap();
        let text = sim.fpl_messages();
        let plans = super::parse_fpl_file(&text, "exercise.fpl").unwrap();
        assert!(plans.len() > 20, "{}", plans.len());
        let dah = plans.iter().find(|p| p.callsign == "DAH4062").unwrap();
        assert_eq!(dah.mode_s.as_deref(), Some("0A0056"));
        assert_eq!(dah.mode3a.as_deref(), Some("2301"));
        assert!(
            super::route_point(&dah.route[0]).is_some(),
            "{:?}",
            dah.route
        );
        assert!(
            plans.iter().all(|p| p.callsign != "NAF01"),
            "no plan for the fighter"
        );
    }
}
