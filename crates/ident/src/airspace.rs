//! Airspace volumes: a lateral shape (polygon or circle), a floor and a ceiling each above
//! mean sea level, above ground or as a flight level, and the times they are active. Read
//! from OpenAir files (the format gliding and drone tools share) and from GeoJSON.

use geo::{Contains, Coord, Line, LineString, Point, Polygon};

/// How a vertical limit is measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// Metres above mean sea level.
    Amsl(f64),
    /// Metres above the ground under the target (SFC / GND is `Agl(0.0)`).
    Agl(f64),
    /// A flight level: hundreds of feet of pressure altitude (taken as the standard
    /// atmosphere's, so FL100 is 3,048 m).
    FlightLevel(f64),
    Unlimited,
}

impl Limit {
    /// The limit in metres above sea level over ground at `ground_m`.
    pub fn amsl_m(&self, ground_m: f64) -> f64 {
        match *self {
            Limit::Amsl(m) => m,
            Limit::Agl(m) => ground_m + m,
            Limit::FlightLevel(fl) => fl * 100.0 * FT_M,
            Limit::Unlimited => f64::INFINITY,
        }
    }

    /// Parses `SFC`, `GND`, `UNL`, `FL95`, `1500ft`, `1500 ft AMSL`, `1000 ft AGL`,
    /// `300 m MSL`, `4500`: feet above sea level when nothing says otherwise, as OpenAir.
    pub fn parse(text: &str) -> Result<Limit, String> {
        let t = text.trim().to_ascii_uppercase();
        let t = t.as_str();
        if matches!(t, "SFC" | "GND" | "0" | "SURFACE") {
            return Ok(Limit::Agl(0.0));
        }
        if matches!(t, "UNL" | "UNLIM" | "UNLIMITED") {
            return Ok(Limit::Unlimited);
        }
        if let Some(fl) = t.strip_prefix("FL") {
            let v: f64 = fl
                .trim()
                .parse()
                .map_err(|_| format!("{text:?}: not a flight level"))?;
            return Ok(Limit::FlightLevel(v));
        }
        let digits: String = t
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let value: f64 = digits.parse().map_err(|_| {
            format!("{text:?}: a limit is SFC, UNL, FL95, or a height like 1500 ft AMSL")
        })?;
        let rest = t[digits.len()..].replace(' ', "");
        let (metres, rest) = match rest.strip_prefix("FT").or(rest.strip_prefix('F')) {
            Some(r) => (value * FT_M, r.to_string()),
            None => match rest.strip_prefix('M') {
                Some(r) if !r.starts_with("SL") => (value, r.to_string()),
                _ => (value * FT_M, rest.clone()),
            },
        };
        match rest.as_str() {
            "" | "MSL" | "AMSL" | "ALT" => Ok(Limit::Amsl(metres)),
            "AGL" | "GND" | "SFC" | "AAL" => Ok(Limit::Agl(metres)),
            other => Err(format!("{text:?}: unknown reference {other:?} (AMSL, AGL)")),
        }
    }
}

pub const FT_M: f64 = 0.3048;
const NM_M: f64 = 1852.0;
const R_M: f64 = 6_371_008.8;
/// Metres in a degree of the mean sphere's great circle.
const M_PER_DEG: f64 = R_M * std::f64::consts::PI / 180.0;

/// What a volume is, for the rules and the display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Prohibited,
    Restricted,
    Danger,
    /// An air defence identification zone.
    Adiz,
    /// Controlled airspace: CTR, TMA, class A–G.
    Controlled(String),
    Other(String),
}

impl Kind {
    fn from_openair(class: &str) -> Kind {
        match class.trim().to_ascii_uppercase().as_str() {
            "P" => Kind::Prohibited,
            "R" => Kind::Restricted,
            "Q" => Kind::Danger,
            "ADIZ" => Kind::Adiz,
            c @ ("A" | "B" | "C" | "D" | "E" | "F" | "G" | "CTR" | "TMA" | "TMZ" | "RMZ") => {
                Kind::Controlled(c.to_string())
            }
            c => Kind::Other(c.to_string()),
        }
    }

    fn from_name(kind: &str) -> Kind {
        match kind.trim().to_ascii_lowercase().as_str() {
            "prohibited" | "p" => Kind::Prohibited,
            "restricted" | "r" => Kind::Restricted,
            "danger" | "q" | "d" => Kind::Danger,
            "adiz" => Kind::Adiz,
            other => Kind::from_openair(other),
        }
    }
}

/// The lateral extent, on longitude-latitude coordinates.
#[derive(Debug, Clone, PartialEq)]
pub enum Lateral {
    /// Exterior (and holes) in (lon°, lat°).
    Polygon(Polygon<f64>),
    Circle {
        lat_deg: f64,
        lon_deg: f64,
        radius_m: f64,
    },
    /// Inside a polygon and within `depth_m` of its edge: an ADIZ along a border.
    Band {
        depth_m: f64,
        /// Cells known wholly in or out of the band, so that most queries skip the exact
        /// test (a closest point over every vertex of the border).
        index: BandIndex,
    },
}

/// A half-open window of activity, Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub from_unix_s: f64,
    pub until_unix_s: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    pub name: String,
    pub kind: Kind,
    pub lateral: Lateral,
    pub floor: Limit,
    pub ceiling: Limit,
    /// When it is active; always when empty.
    pub active: Vec<Window>,
}

/// Whether two points are within `d_m`: most points asked are far in latitude alone, which
/// needs no trigonometry.
fn within_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64, d_m: f64) -> bool {
    // A degree of latitude is at least 110.5 km on the sphere of `distance_m`.
    (lat1 - lat2).abs() * 110_500.0 <= d_m && distance_m(lat1, lon1, lat2, lon2) <= d_m
}

/// Great-circle distance on the mean sphere.
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dl = (lon2 - lon1).to_radians();
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R_M * h.sqrt().min(1.0).asin()
}

/// A polygon with an index of the cells wholly inside or outside it: a country's outline,
/// asked of every track every second.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    index: BandIndex,
}

impl Region {
    pub fn new(polygon: &Polygon<f64>) -> Region {
        Region {
            index: BandIndex::new(polygon, f64::INFINITY),
        }
    }

    pub fn contains(&self, lat_deg: f64, lon_deg: f64) -> bool {
        self.index
            .lookup(lat_deg, lon_deg)
            .unwrap_or_else(|| self.index.inside(lat_deg, lon_deg))
    }
}

/// A grid over a band's polygon: per cell, wholly inside the band, wholly outside, or
/// straddling an edge; and per cell, the border's segments near enough to matter, so that
/// the exact test of a straddling cell looks at a few segments, not the whole border.
#[derive(Debug, Clone, PartialEq)]
pub struct BandIndex {
    west_deg: f64,
    south_deg: f64,
    cols: usize,
    rows: usize,
    /// 1: in, 0: out, 2: test exactly.
    cells: Vec<u8>,
    segments: Vec<Line<f64>>,
    /// Per row of cells, the segments whose latitudes cross it: a ray cast for the inside
    /// test looks at these only.
    strips: Vec<Vec<u32>>,
    /// Per cell, the segments within the band's depth (and a cell) of it.
    near: Vec<Vec<u32>>,
}

const BAND_CELL_DEG: f64 = 0.1;

impl BandIndex {
    /// The index of the band `depth_m` deep inside `outer`; with `depth_m` infinite, of
    /// the whole polygon (cells wholly inside or outside it).
    fn new(outer: &Polygon<f64>, depth_m: f64) -> BandIndex {
        use geo::BoundingRect;
        let empty = BandIndex {
            west_deg: 0.0,
            south_deg: 0.0,
            cols: 0,
            rows: 0,
            cells: vec![],
            segments: vec![],
            strips: vec![],
            near: vec![],
        };
        let Some(b) = outer.bounding_rect() else {
            return empty;
        };
        let (west, south) = (b.min().x, b.min().y);
        let cols = ((b.max().x - west) / BAND_CELL_DEG).ceil() as usize + 1;
        let rows = ((b.max().y - south) / BAND_CELL_DEG).ceil() as usize + 1;
        let segments: Vec<Line<f64>> = outer.exterior().lines().collect();
        let mut near = vec![Vec::new(); rows * cols];
        // Each segment, widened by the depth (in degrees, generously at the pole-ward
        // latitude), goes to every cell it may be within the depth of.
        let reach_lat = if depth_m.is_finite() {
            depth_m / 111_195.0
        } else {
            0.0
        } + BAND_CELL_DEG;
        for (i, l) in segments.iter().enumerate() {
            let lat_max = l.start.y.abs().max(l.end.y.abs()) + reach_lat;
            let reach_lon = reach_lat / lat_max.min(89.0).to_radians().cos();
            let (x0, x1) = (
                l.start.x.min(l.end.x) - reach_lon,
                l.start.x.max(l.end.x) + reach_lon,
            );
            let (y0, y1) = (
                l.start.y.min(l.end.y) - reach_lat,
                l.start.y.max(l.end.y) + reach_lat,
            );
            let col =
                |x: f64| (((x - west) / BAND_CELL_DEG).floor().max(0.0) as usize).min(cols - 1);
            let row =
                |y: f64| (((y - south) / BAND_CELL_DEG).floor().max(0.0) as usize).min(rows - 1);
            for r in row(y0)..=row(y1) {
                for c in col(x0)..=col(x1) {
                    near[r * cols + c].push(i as u32);
                }
            }
        }
        let mut strips = vec![Vec::new(); rows];
        for (i, l) in segments.iter().enumerate() {
            let row =
                |y: f64| (((y - south) / BAND_CELL_DEG).floor().max(0.0) as usize).min(rows - 1);
            for strip in &mut strips[row(l.start.y.min(l.end.y))..=row(l.start.y.max(l.end.y))] {
                strip.push(i as u32);
            }
        }
        let mut index = BandIndex {
            west_deg: west,
            south_deg: south,
            cols,
            rows,
            cells: Vec::new(),
            segments,
            strips,
            near,
        };
        let mut cells = Vec::with_capacity(rows * cols);
        for r in 0..rows {
            let lat = south + (r as f64 + 0.5) * BAND_CELL_DEG;
            // Half the cell's diagonal: any point of the cell is this close to its centre.
            let half_diag = distance_m(lat, 0.0, lat + BAND_CELL_DEG / 2.0, BAND_CELL_DEG / 2.0);
            for c in 0..cols {
                let lon = west + (c as f64 + 0.5) * BAND_CELL_DEG;
                let inside = index.inside(lat, lon);
                let d = index.border_distance_m(lat, lon);
                let class = if d > half_diag && !depth_m.is_finite() {
                    u8::from(inside)
                } else if d > half_diag && (!inside || d - half_diag > depth_m) {
                    0
                } else if inside && d > half_diag && d + half_diag <= depth_m {
                    1
                } else {
                    2
                };
                cells.push(class);
            }
        }
        index.cells = cells;
        index
    }

    fn cell(&self, lat_deg: f64, lon_deg: f64) -> Option<usize> {
        let c = ((lon_deg - self.west_deg) / BAND_CELL_DEG).floor();
        let r = ((lat_deg - self.south_deg) / BAND_CELL_DEG).floor();
        (c >= 0.0 && r >= 0.0 && (c as usize) < self.cols && (r as usize) < self.rows)
            .then(|| r as usize * self.cols + c as usize)
    }

    /// Whether (lat, lon) is inside the polygon (even-odd rule, a ray eastward), from the
    /// segments of its row only.
    fn inside(&self, lat_deg: f64, lon_deg: f64) -> bool {
        let r = ((lat_deg - self.south_deg) / BAND_CELL_DEG).floor();
        if !(r >= 0.0 && (r as usize) < self.rows) {
            return false;
        }
        let mut crossings = 0;
        for &i in &self.strips[r as usize] {
            let l = &self.segments[i as usize];
            let (a, b) = (l.start, l.end);
            if (a.y > lat_deg) != (b.y > lat_deg) {
                let x = a.x + (lat_deg - a.y) * (b.x - a.x) / (b.y - a.y);
                if x > lon_deg {
                    crossings += 1;
                }
            }
        }
        crossings % 2 == 1
    }

    /// In (Some(true)), out (Some(false)), or to be tested (None).
    fn lookup(&self, lat_deg: f64, lon_deg: f64) -> Option<bool> {
        let Some(k) = self.cell(lat_deg, lon_deg) else {
            return Some(false);
        };
        match self.cells[k] {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    /// The distance to the border, when within the band's depth (else at least that). On
    /// the plane tangent at the point: within 0.2 % of the great-circle distance at a band's
    /// depth of tens of kilometres, at a fraction of the trigonometry (this runs for every
    /// track in a straddling cell, every second).
    fn border_distance_m(&self, lat_deg: f64, lon_deg: f64) -> f64 {
        let Some(k) = self.cell(lat_deg, lon_deg) else {
            return f64::INFINITY;
        };
        let kx = lat_deg.to_radians().cos() * M_PER_DEG;
        let plane = |lon: f64, lat: f64| ((lon - lon_deg) * kx, (lat - lat_deg) * M_PER_DEG);
        let closest = self.near[k].iter().map(|&i| {
            let s = &self.segments[i as usize];
            let (a, b) = (plane(s.start.x, s.start.y), plane(s.end.x, s.end.y));
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            let len2 = dx * dx + dy * dy;
            let t = if len2 > 0.0 {
                (-(a.0 * dx + a.1 * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (a.0 + t * dx).powi(2) + (a.1 + t * dy).powi(2)
        });
        closest.fold(f64::INFINITY, f64::min).sqrt()
    }
}

impl Volume {
    /// Whether the volume is active at `unix_s`.
    pub fn active_at(&self, unix_s: f64) -> bool {
        self.active.is_empty()
            || self
                .active
                .iter()
                .any(|w| unix_s >= w.from_unix_s && unix_s < w.until_unix_s)
    }

    /// Whether a point is inside laterally.
    pub fn covers(&self, lat_deg: f64, lon_deg: f64) -> bool {
        match &self.lateral {
            Lateral::Polygon(p) => p.contains(&Point::new(lon_deg, lat_deg)),
            Lateral::Circle {
                lat_deg: la,
                lon_deg: lo,
                radius_m,
            } => within_m(lat_deg, lon_deg, *la, *lo, *radius_m),
            Lateral::Band { depth_m, index } => {
                index.lookup(lat_deg, lon_deg).unwrap_or_else(|| {
                    index.inside(lat_deg, lon_deg)
                        && index.border_distance_m(lat_deg, lon_deg) <= *depth_m
                })
            }
        }
    }

    /// Whether any point of the volume may be within `reach_m` of (lat, lon): a cheap
    /// test that rules out volumes a track cannot get to soon.
    pub fn near(&self, lat_deg: f64, lon_deg: f64, reach_m: f64) -> bool {
        use geo::BoundingRect;
        let bbox_near = |b: Option<geo::Rect<f64>>| {
            b.is_none_or(|b| {
                let dlat = reach_m / 111_195.0;
                let dlon = dlat / lat_deg.to_radians().cos().max(0.05);
                lat_deg >= b.min().y - dlat
                    && lat_deg <= b.max().y + dlat
                    && lon_deg >= b.min().x - dlon
                    && lon_deg <= b.max().x + dlon
            })
        };
        match &self.lateral {
            Lateral::Circle {
                lat_deg: la,
                lon_deg: lo,
                radius_m,
            } => within_m(lat_deg, lon_deg, *la, *lo, radius_m + reach_m),
            Lateral::Polygon(p) => bbox_near(p.bounding_rect()),
            Lateral::Band { index, .. } => bbox_near(Some(geo::Rect::new(
                Coord {
                    x: index.west_deg,
                    y: index.south_deg,
                },
                Coord {
                    x: index.west_deg + index.cols as f64 * BAND_CELL_DEG,
                    y: index.south_deg + index.rows as f64 * BAND_CELL_DEG,
                },
            ))),
        }
    }

    /// An air defence identification zone: the band inside a country's border, `depth_m`
    /// deep, from the ground up.
    pub fn adiz(name: &str, country: &Polygon<f64>, depth_m: f64) -> Volume {
        Volume {
            name: name.to_string(),
            kind: Kind::Adiz,
            lateral: Lateral::Band {
                depth_m,
                index: BandIndex::new(country, depth_m),
            },
            floor: Limit::Agl(0.0),
            ceiling: Limit::Unlimited,
            active: Vec::new(),
        }
    }

    /// A restricted area around a defended point.
    pub fn around(name: &str, lat_deg: f64, lon_deg: f64, radius_m: f64, ceiling: Limit) -> Volume {
        Volume {
            name: name.to_string(),
            kind: Kind::Restricted,
            lateral: Lateral::Circle {
                lat_deg,
                lon_deg,
                radius_m,
            },
            floor: Limit::Agl(0.0),
            ceiling,
            active: Vec::new(),
        }
    }

    /// Whether a target at (lat, lon), `alt_m` above sea level over ground at `ground_m`,
    /// is inside the volume at `unix_s`.
    pub fn contains(
        &self,
        lat_deg: f64,
        lon_deg: f64,
        alt_m: f64,
        ground_m: f64,
        unix_s: f64,
    ) -> bool {
        // "SFC" means anything flying, whatever the noise of its height says.
        let surface = matches!(self.floor, Limit::Agl(m) if m <= 0.0);
        self.active_at(unix_s)
            && (surface || alt_m >= self.floor.amsl_m(ground_m))
            && alt_m <= self.ceiling.amsl_m(ground_m)
            && self.covers(lat_deg, lon_deg)
    }
}

/// A located problem in an airspace file.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{file}:{line}: {field}: {message}")]
pub struct AirspaceError {
    pub file: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

/// `48:51:12 N 002:20:55 E`, `48:51.2 N 2:20.9 E`, or `48.8533 N 2.3486 E`: (lat, lon).
fn parse_coord(text: &str) -> Result<(f64, f64), String> {
    let t = text.trim().to_ascii_uppercase();
    let split = t
        .find(['N', 'S'])
        .ok_or_else(|| format!("{text:?}: a coordinate is like 48:51:12 N 002:20:55 E"))?;
    let (lat_part, rest) = t.split_at(split + 1);
    let angle = |s: &str| -> Option<f64> {
        let s = s.trim();
        // The hemisphere is the last character, which may be any character in a bad file.
        let (num, hemi) = s.split_at(s.char_indices().last()?.0);
        let parts: Vec<f64> = num
            .trim()
            .split(':')
            .map(|p| p.trim().parse().ok())
            .collect::<Option<_>>()?;
        let v = parts
            .iter()
            .zip([1.0, 60.0, 3600.0])
            .map(|(p, d)| p / d)
            .sum::<f64>();
        Some(if matches!(hemi, "S" | "W") { -v } else { v })
    };
    let lat = angle(lat_part).ok_or_else(|| format!("{text:?}: bad latitude"))?;
    let lon = angle(rest).ok_or_else(|| format!("{text:?}: bad longitude"))?;
    if lat.abs() > 90.0 || lon.abs() > 180.0 {
        return Err(format!("{text:?}: off the Earth"));
    }
    Ok((lat, lon))
}

/// The point `distance_m` from (lat, lon) on `bearing_deg`.
fn destination(lat: f64, lon: f64, bearing_deg: f64, distance_m: f64) -> (f64, f64) {
    let (p1, l1) = (lat.to_radians(), lon.to_radians());
    let (b, d) = (bearing_deg.to_radians(), distance_m / R_M);
    let p2 = (p1.sin() * d.cos() + p1.cos() * d.sin() * b.cos()).asin();
    let l2 = l1 + (b.sin() * d.sin() * p1.cos()).atan2(d.cos() - p1.sin() * p2.sin());
    (p2.to_degrees(), l2.to_degrees())
}

fn bearing_deg(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dl = (lon2 - lon1).to_radians();
    let y = dl.sin() * p2.cos();
    let x = p1.cos() * p2.sin() - p1.sin() * p2.cos() * dl.cos();
    y.atan2(x).to_degrees().rem_euclid(360.0)
}

/// An arc's points every 5° from `from` to `to` (bearings from the centre), clockwise or not.
fn arc(centre: (f64, f64), radius_m: f64, from: f64, to: f64, clockwise: bool) -> Vec<(f64, f64)> {
    let sweep = if clockwise {
        (to - from).rem_euclid(360.0)
    } else {
        -(from - to).rem_euclid(360.0)
    };
    let steps = (sweep.abs() / 5.0).ceil().max(1.0) as usize;
    (0..=steps)
        .map(|i| {
            destination(
                centre.0,
                centre.1,
                from + sweep * i as f64 / steps as f64,
                radius_m,
            )
        })
        .collect()
}

/// One volume being read from an OpenAir file.
#[derive(Default)]
struct Pending {
    line: usize,
    name: Option<String>,
    kind: Option<Kind>,
    floor: Option<Limit>,
    ceiling: Option<Limit>,
    points: Vec<(f64, f64)>,
    circle: Option<(f64, f64, f64)>,
    centre: Option<(f64, f64)>,
    clockwise: bool,
}

impl Pending {
    fn finish(self, file: &str) -> Result<Option<Volume>, AirspaceError> {
        let err = |field: &str, message: &str| AirspaceError {
            file: file.to_string(),
            line: self.line,
            field: field.to_string(),
            message: message.to_string(),
        };
        let Some(kind) = self.kind.clone() else {
            return Ok(None);
        };
        let lateral = match (self.circle, self.points.len()) {
            (Some((lat, lon, r)), 0) => Lateral::Circle {
                lat_deg: lat,
                lon_deg: lon,
                radius_m: r,
            },
            (None, n) if n >= 3 => {
                let ring: Vec<Coord<f64>> = self
                    .points
                    .iter()
                    .map(|&(la, lo)| Coord { x: lo, y: la })
                    .collect();
                Lateral::Polygon(Polygon::new(LineString::new(ring), vec![]))
            }
            (Some(_), _) => return Err(err("DC", "a volume is a circle or a polygon, not both")),
            _ => {
                return Err(err(
                    "DP",
                    "a polygon needs at least 3 points (or a DC circle)",
                ))
            }
        };
        Ok(Some(Volume {
            name: self.name.clone().unwrap_or_default(),
            kind,
            lateral,
            floor: self.floor.ok_or_else(|| err("AL", "no floor"))?,
            ceiling: self.ceiling.ok_or_else(|| err("AH", "no ceiling"))?,
            active: Vec::new(),
        }))
    }
}

/// Reads an OpenAir file: `AC` class, `AN` name, `AL`/`AH` floor and ceiling, `DP`
/// points, `V X=` centre and `V D=` direction, `DC` circles (NM), `DA` and `DB` arcs.
pub fn openair(text: &str, file: &str) -> Result<Vec<Volume>, AirspaceError> {
    let mut out = Vec::new();
    let mut cur = Pending::default();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.split('*').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (key, value) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let value = value.trim();
        let err = |message: String| AirspaceError {
            file: file.to_string(),
            line: line_no,
            field: key.to_string(),
            message,
        };
        match key.to_ascii_uppercase().as_str() {
            "AC" => {
                if let Some(v) = std::mem::take(&mut cur).finish(file)? {
                    out.push(v);
                }
                cur = Pending {
                    line: line_no,
                    kind: Some(Kind::from_openair(value)),
                    clockwise: true,
                    ..Pending::default()
                };
            }
            "AN" => cur.name = Some(value.to_string()),
            "AL" => cur.floor = Some(Limit::parse(value).map_err(err)?),
            "AH" => cur.ceiling = Some(Limit::parse(value).map_err(err)?),
            "DP" => cur.points.push(parse_coord(value).map_err(err)?),
            "V" => {
                let (var, v) = value
                    .split_once('=')
                    .ok_or_else(|| err("V is X=centre or D=+/-".into()))?;
                match var.trim().to_ascii_uppercase().as_str() {
                    "X" => cur.centre = Some(parse_coord(v).map_err(err)?),
                    "D" => cur.clockwise = v.trim() != "-",
                    _ => {}
                }
            }
            "DC" => {
                let nm: f64 = value
                    .parse()
                    .map_err(|_| err(format!("{value:?}: a radius in NM")))?;
                let (la, lo) = cur
                    .centre
                    .ok_or_else(|| err("DC needs a centre (V X=) first".into()))?;
                cur.circle = Some((la, lo, nm * NM_M));
            }
            "DA" => {
                let nums: Vec<f64> = value
                    .split(',')
                    .map(|s| s.trim().parse().ok())
                    .collect::<Option<_>>()
                    .ok_or_else(|| err(format!("{value:?}: radius, start, end")))?;
                let ([r, a, b], Some(c)) =
                    (nums[..].try_into().unwrap_or([f64::NAN; 3]), cur.centre)
                else {
                    return Err(err("DA needs a centre (V X=) and radius, start, end".into()));
                };
                if r.is_nan() {
                    return Err(err(format!("{value:?}: radius, start, end")));
                }
                let pts = arc(c, r * NM_M, a, b, cur.clockwise);
                cur.points.extend(pts);
            }
            "DB" => {
                let (a, b) = value
                    .split_once(',')
                    .ok_or_else(|| err(format!("{value:?}: two coordinates")))?;
                let (p, q) = (parse_coord(a).map_err(err)?, parse_coord(b).map_err(err)?);
                let c = cur
                    .centre
                    .ok_or_else(|| err("DB needs a centre (V X=) first".into()))?;
                let r = distance_m(c.0, c.1, p.0, p.1);
                let pts = arc(
                    c,
                    r,
                    bearing_deg(c.0, c.1, p.0, p.1),
                    bearing_deg(c.0, c.1, q.0, q.1),
                    cur.clockwise,
                );
                cur.points.extend(pts);
            }
            // Labels, pens and brushes are for drawing: not needed to judge a track.
            "AT" | "SP" | "SB" | "AY" | "AF" | "AG" => {}
            other => return Err(err(format!("unknown record {other:?}"))),
        }
    }
    if let Some(v) = cur.finish(file)? {
        out.push(v);
    }
    Ok(out)
}

/// Reads GeoJSON volumes: Polygon or MultiPolygon features (each polygon a volume), or a
/// Point with `radius_nm`; properties `name`, `type` (prohibited, restricted, danger, adiz,
/// or an airspace class), `floor` and `ceiling` (as in OpenAir: "SFC", "FL95", "5000 ft
/// AMSL"), and optionally `active`: a list of [from, until] RFC 3339 times.
pub fn geojson(text: &str, file: &str) -> Result<Vec<Volume>, AirspaceError> {
    let err = |i: usize, field: &str, message: String| AirspaceError {
        file: file.to_string(),
        line: 0,
        field: format!("features[{i}].{field}"),
        message,
    };
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| AirspaceError {
        file: file.to_string(),
        line: e.line(),
        field: "(json)".into(),
        message: e.to_string(),
    })?;
    let features = v["features"]
        .as_array()
        .ok_or_else(|| err(0, "features", "not a FeatureCollection".into()))?;
    let mut out = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let props = &f["properties"];
        let text_of = |key: &str| props[key].as_str().map(str::to_string);
        let limit = |key: &str| -> Result<Limit, AirspaceError> {
            let t = text_of(key)
                .ok_or_else(|| err(i, &format!("properties.{key}"), "missing".into()))?;
            Limit::parse(&t).map_err(|m| err(i, &format!("properties.{key}"), m))
        };
        let active = match props["active"].as_array() {
            None => Vec::new(),
            Some(ws) => ws
                .iter()
                .map(|w| {
                    let t = |k: usize| -> Option<f64> {
                        let s = w.get(k)?.as_str()?;
                        time::OffsetDateTime::parse(
                            s,
                            &time::format_description::well_known::Rfc3339,
                        )
                        .ok()
                        .map(|t| t.unix_timestamp() as f64)
                    };
                    match (t(0), t(1)) {
                        (Some(a), Some(b)) if a < b => Ok(Window {
                            from_unix_s: a,
                            until_unix_s: b,
                        }),
                        _ => Err(err(
                            i,
                            "properties.active",
                            "windows are [from, until] RFC 3339 times, from before until".into(),
                        )),
                    }
                })
                .collect::<Result<_, _>>()?,
        };
        let base = |lateral| -> Result<Volume, AirspaceError> {
            Ok(Volume {
                name: text_of("name").unwrap_or_else(|| format!("volume {i}")),
                kind: Kind::from_name(&text_of("type").unwrap_or_else(|| "other".into())),
                lateral,
                floor: limit("floor")?,
                ceiling: limit("ceiling")?,
                active: active.clone(),
            })
        };
        let geometry: geojson_geometry::Geometry = serde_json::from_value(f["geometry"].clone())
            .map_err(|e| err(i, "geometry", e.to_string()))?;
        match geometry {
            geojson_geometry::Geometry::Polygon { coordinates } => {
                out.push(base(Lateral::Polygon(polygon(&coordinates)))?)
            }
            geojson_geometry::Geometry::MultiPolygon { coordinates } => {
                for p in &coordinates {
                    out.push(base(Lateral::Polygon(polygon(p)))?);
                }
            }
            geojson_geometry::Geometry::Point { coordinates } => {
                let nm = props["radius_nm"].as_f64().ok_or_else(|| {
                    err(
                        i,
                        "properties.radius_nm",
                        "a Point volume needs a radius".into(),
                    )
                })?;
                out.push(base(Lateral::Circle {
                    lat_deg: coordinates[1],
                    lon_deg: coordinates[0],
                    radius_m: nm * NM_M,
                })?);
            }
        }
    }
    Ok(out)
}

fn polygon(rings: &[Vec<[f64; 2]>]) -> Polygon<f64> {
    let ring =
        |r: &Vec<[f64; 2]>| LineString::new(r.iter().map(|p| Coord { x: p[0], y: p[1] }).collect());
    let exterior = rings
        .first()
        .map(ring)
        .unwrap_or_else(|| LineString::new(vec![]));
    Polygon::new(exterior, rings.iter().skip(1).map(ring).collect())
}

/// The GeoJSON geometries a volume can have.
mod geojson_geometry {
    #[derive(serde::Deserialize)]
    #[serde(tag = "type")]
    pub enum Geometry {
        Polygon {
            coordinates: Vec<Vec<[f64; 2]>>,
        },
        MultiPolygon {
            coordinates: Vec<Vec<Vec<[f64; 2]>>>,
        },
        Point {
            coordinates: [f64; 2],
        },
    }
}

/// The volumes as GeoJSON for a map: each a polygon (a circle as a 72-gon; the ADIZ as the
/// country's outline with the band's inner edge as its hole) with `name`, `type`,
/// `floor` and `ceiling` properties. `country` is the outline an ADIZ runs along.
pub fn map_geojson(volumes: &[Volume], country: Option<&Polygon<f64>>) -> String {
    let ring = |coords: Vec<[f64; 2]>| serde_json::json!(coords);
    let features: Vec<serde_json::Value> = volumes
        .iter()
        .filter_map(|v| {
            let rings: Vec<serde_json::Value> = match &v.lateral {
                Lateral::Polygon(p) => std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .map(|r| ring(r.coords().map(|c| [c.x, c.y]).collect()))
                    .collect(),
                Lateral::Circle {
                    lat_deg,
                    lon_deg,
                    radius_m,
                } => vec![ring(circle(*lat_deg, *lon_deg, *radius_m))],
                Lateral::Band { depth_m, .. } => {
                    let outer = country?;
                    std::iter::once(ring(
                        outer.exterior().coords().map(|c| [c.x, c.y]).collect(),
                    ))
                    .chain(inner_edge(outer, *depth_m).into_iter().map(ring))
                    .collect()
                }
            };
            Some(serde_json::json!({
                "type": "Feature",
                "properties": {
                    "name": v.name,
                    "type": crate::rules::volume_kind_name(&v.kind),
                    "floor": limit_text(&v.floor),
                    "ceiling": limit_text(&v.ceiling),
                },
                "geometry": {"type": "Polygon", "coordinates": rings},
            }))
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features}).to_string()
}

fn limit_text(l: &Limit) -> String {
    match *l {
        Limit::Agl(m) if m <= 0.0 => "SFC".into(),
        Limit::Agl(m) => format!("{:.0} ft AGL", m / FT_M),
        Limit::Amsl(m) => format!("{:.0} ft", m / FT_M),
        Limit::FlightLevel(fl) => format!("FL{fl:.0}"),
        Limit::Unlimited => "UNL".into(),
    }
}

/// A circle as a closed ring of 72 points (lon, lat).
fn circle(lat_deg: f64, lon_deg: f64, radius_m: f64) -> Vec<[f64; 2]> {
    let kx = lat_deg.to_radians().cos().max(0.01) * M_PER_DEG;
    (0..=72)
        .map(|k| {
            let a = f64::from(k % 72) * 5.0_f64.to_radians();
            [
                lon_deg + radius_m * a.sin() / kx,
                lat_deg + radius_m * a.cos() / M_PER_DEG,
            ]
        })
        .collect()
}

/// The rings `depth_m` inside a country's outline: its buffer inward, on the plane tangent
/// at the outline's centre (a display's accuracy: within 2 % across Niger's 12° of
/// latitude).
fn inner_edge(outer: &Polygon<f64>, depth_m: f64) -> Vec<Vec<[f64; 2]>> {
    use geo::{Buffer, Centroid};
    let Some(c) = outer.centroid() else {
        return Vec::new();
    };
    let kx = c.y().to_radians().cos().max(0.01) * M_PER_DEG;
    let to_plane = |x: f64, y: f64| Coord {
        x: (x - c.x()) * kx,
        y: (y - c.y()) * M_PER_DEG,
    };
    let plane = Polygon::new(
        LineString::new(
            outer
                .exterior()
                .coords()
                .map(|p| to_plane(p.x, p.y))
                .collect(),
        ),
        vec![],
    );
    plane
        .buffer(-depth_m)
        .0
        .iter()
        .map(|p| {
            p.exterior()
                .coords()
                .map(|q| [c.x() + q.x / kx, c.y() + q.y / M_PER_DEG])
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    /// Regression (fuzz `ident`): a coordinate ending in a multi-byte character was cut
    /// inside it, a panic; it is read as far as it goes, or refused.
    #[test]
    fn regression_a_coordinate_ending_in_a_multibyte_character_is_no_panic() {
        for text in ["0N 00\u{237}", "1\u{c8}N 2 \u{e9}", "\u{e9}"] {
            let _ = super::parse_coord(text);
        }
        assert!(super::parse_coord("\u{e9}").is_err());
    }

    use super::*;

    #[test]
    fn limits_read_as_pilots_write_them() {
        assert_eq!(Limit::parse("SFC"), Ok(Limit::Agl(0.0)));
        assert_eq!(Limit::parse("FL95"), Ok(Limit::FlightLevel(95.0)));
        assert_eq!(Limit::parse("UNL"), Ok(Limit::Unlimited));
        assert_eq!(Limit::parse("1500ft"), Ok(Limit::Amsl(1500.0 * FT_M)));
        assert_eq!(Limit::parse("1000 ft AGL"), Ok(Limit::Agl(1000.0 * FT_M)));
        assert_eq!(Limit::parse("300 m MSL"), Ok(Limit::Amsl(300.0)));
        assert_eq!(Limit::parse("4500"), Ok(Limit::Amsl(4500.0 * FT_M)));
        assert!(Limit::parse("high").is_err());
        assert!((Limit::FlightLevel(100.0).amsl_m(0.0) - 3048.0).abs() < 1e-9);
    }

    const NIAMEY: &str = "\
* Restricted area around the capital (an exercise's)
AC R
AN NIAMEY R1
AL SFC
AH FL95
V X=13:30:45 N 002:06:30 E
DC 10

AC Q
AN TILLABERI D2
AL 1000 ft AGL
AH 15000ft AMSL
DP 14:00:00 N 001:00:00 E
DP 14:00:00 N 001:30:00 E
DP 13:30:00 N 001:30:00 E
V D=+
V X=13:45:00 N 001:15:00 E
DB 13:30:00 N 001:00:00 E, 13:45:00 N 000:50:00 E
";

    #[test]
    fn an_openair_file_gives_its_volumes() {
        let v = openair(NIAMEY, "niger.txt").unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(
            (v[0].name.as_str(), &v[0].kind),
            ("NIAMEY R1", &Kind::Restricted)
        );
        // 5 NM from the centre, at 2,000 m over ground at 200 m: inside; at FL100: above.
        let (lat, lon) = destination(13.5125, 2.1083, 90.0, 5.0 * NM_M);
        assert!(v[0].contains(lat, lon, 2_000.0, 200.0, 0.0));
        assert!(!v[0].contains(lat, lon, 3_100.0, 200.0, 0.0));
        assert!(!v[0].covers(13.5125, 2.5));
        // The danger area: a polygon closed by an arc, floor above the ground.
        assert_eq!(v[1].kind, Kind::Danger);
        assert!(v[1].contains(13.8, 1.2, 1_000.0, 300.0, 0.0));
        assert!(
            !v[1].contains(13.8, 1.2, 500.0, 300.0, 0.0),
            "under its AGL floor"
        );
    }

    #[test]
    fn a_mistake_names_the_file_line_and_record() {
        let bad = NIAMEY.replace("AH FL95", "AH very high");
        let e = openair(&bad, "niger.txt").unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line, e.field.as_str()),
            ("niger.txt", 5, "AH")
        );
        assert!(e.to_string().starts_with("niger.txt:5: AH: "), "{e}");
        let e = openair("AC R\nAN X\nAL SFC\nAH FL50\nDX 1\n", "x.txt").unwrap_err();
        assert_eq!(e.line, 5);
    }

    #[test]
    fn the_map_draws_the_adiz_50_km_inside_the_border_and_circles_round() {
        use geo::{Closest, HaversineClosestPoint};
        let niger = crate::setup::outline(vigie_sim::region::NER).unwrap();
        let volumes = [
            Volume::adiz("ADIZ", &niger, 50_000.0),
            Volume::around("Niamey", 13.51, 2.11, 20_000.0, Limit::FlightLevel(150.0)),
        ];
        let map: serde_json::Value =
            serde_json::from_str(&map_geojson(&volumes, Some(&niger))).unwrap();
        let adiz = &map["features"][0];
        assert_eq!(adiz["properties"]["type"], "adiz");
        let rings = adiz["geometry"]["coordinates"].as_array().unwrap();
        assert!(rings.len() >= 2, "the outline and the inner edge");
        let inner: Vec<[f64; 2]> = serde_json::from_value(rings[1].clone()).unwrap();
        for p in inner.iter().step_by(7) {
            let q = match niger
                .exterior()
                .haversine_closest_point(&Point::new(p[0], p[1]))
            {
                Closest::SinglePoint(q) | Closest::Intersection(q) => q,
                Closest::Indeterminate => panic!("{p:?}"),
            };
            let d = distance_m(p[1], p[0], q.y(), q.x());
            // Drawn on one tangent plane: 2 % off at the country's northern tip, 8° from
            // its centre (the alerts use the exact band, not the drawing).
            assert!(
                (48_500.0..51_500.0).contains(&d),
                "{p:?}: {d} m from the border"
            );
        }
        let circle: Vec<[f64; 2]> =
            serde_json::from_value(map["features"][1]["geometry"]["coordinates"][0].clone())
                .unwrap();
        assert_eq!(circle.len(), 73);
        for p in &circle {
            let d = distance_m(p[1], p[0], 13.51, 2.11);
            assert!((d - 20_000.0).abs() < 50.0, "{d}");
        }
        assert_eq!(map["features"][1]["properties"]["ceiling"], "FL150");
    }

    #[test]
    fn an_adiz_is_the_band_inside_the_border() {
        // A 2° square country; the ADIZ is 50 km deep.
        let square = polygon(&[vec![
            [1.0, 13.0],
            [3.0, 13.0],
            [3.0, 15.0],
            [1.0, 15.0],
            [1.0, 13.0],
        ]]);
        let adiz = Volume::adiz("ADIZ", &square, 50_000.0);
        assert!(
            adiz.contains(14.0, 1.2, 500.0, 300.0, 0.0),
            "22 km inside the west border"
        );
        assert!(
            !adiz.contains(14.0, 2.0, 500.0, 300.0, 0.0),
            "the middle, 108 km from any edge"
        );
        assert!(
            !adiz.contains(14.0, 0.9, 500.0, 300.0, 0.0),
            "outside the country"
        );
        // The index answers as the exact test (great circles to every segment of the border)
        // does, everywhere but within 500 m of the band's inner edge: the plane's
        // approximation is within 0.2 %, and this square's 2° sides bulge 225 m north of
        // their parallels as great circles (a real border's short segments do not).
        use geo::{Closest, HaversineClosestPoint};
        let band_exact = |outer: &Polygon<f64>, depth: f64, la: f64, lo: f64| {
            let p = Point::new(lo, la);
            if !outer.contains(&p) {
                return Some(false);
            }
            match outer.exterior().haversine_closest_point(&p) {
                Closest::SinglePoint(q) | Closest::Intersection(q) => {
                    let d = distance_m(la, lo, q.y(), q.x());
                    ((d - depth).abs() > 500.0).then_some(d <= depth)
                }
                Closest::Indeterminate => Some(false),
            }
        };
        let mut compared = 0;
        for i in 0..4_000 {
            let (la, lo) = (
                12.8 + 2.4 * ((i * 37) % 997) as f64 / 997.0,
                0.8 + 2.4 * ((i * 61) % 991) as f64 / 991.0,
            );
            if let Some(exact) = band_exact(&square, 50_000.0, la, lo) {
                assert_eq!(adiz.covers(la, lo), exact, "{la} {lo}");
                compared += 1;
            }
        }
        assert!(compared > 3_800, "{compared}");
        let palace = Volume::around("Palace", 13.51, 2.11, 5_000.0, Limit::Amsl(3_000.0));
        assert!(palace.contains(13.52, 2.12, 1_000.0, 200.0, 0.0));
        assert_eq!(palace.kind, Kind::Restricted);
    }

    #[test]
    fn a_region_answers_as_its_polygon() {
        let tri = polygon(&[vec![[0.0, 10.0], [4.0, 10.5], [1.0, 14.0], [0.0, 10.0]]]);
        let region = Region::new(&tri);
        for i in 0..4_000 {
            let (la, lo) = (
                9.8 + 4.4 * ((i * 37) % 997) as f64 / 997.0,
                -0.2 + 4.4 * ((i * 61) % 991) as f64 / 991.0,
            );
            assert_eq!(
                region.contains(la, lo),
                tri.contains(&Point::new(lo, la)),
                "{la} {lo}"
            );
        }
    }

    #[test]
    fn geojson_volumes_with_activation_windows() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"name":"Firing range","type":"danger","floor":"SFC","ceiling":"FL200",
            "active":[["2026-03-01T08:00:00Z","2026-03-01T12:00:00Z"]]},
           "geometry":{"type":"Polygon","coordinates":[[[2,13],[3,13],[3,14],[2,14],[2,13]]]}},
          {"type":"Feature","properties":{"name":"Palace","type":"prohibited","floor":"SFC","ceiling":"5000 ft AMSL","radius_nm":3},
           "geometry":{"type":"Point","coordinates":[2.1,13.51]}}]}"#;
        let v = geojson(text, "areas.geojson").unwrap();
        assert_eq!(v.len(), 2);
        let nine = 1_772_355_600.0; // 2026-03-01T09:00:00Z
        assert!(v[0].contains(13.5, 2.5, 3_000.0, 200.0, nine));
        assert!(
            !v[0].contains(13.5, 2.5, 3_000.0, 200.0, nine + 4.0 * 3600.0),
            "inactive after noon"
        );
        assert!(v[1].contains(13.52, 2.11, 1_000.0, 200.0, nine));
        let e = geojson(&text.replace("\"FL200\"", "\"sky\""), "areas.geojson").unwrap_err();
        assert_eq!(e.field, "features[0].properties.ceiling");
    }
}
