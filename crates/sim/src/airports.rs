//! The built-in airport table: Niger's aerodromes and the regional and long-haul hubs its
//! traffic flies to. Provenance: `data/SOURCES.md`.

use vigie_core::Geodetic;

#[derive(Debug, Clone, PartialEq)]
pub struct Airport {
    pub icao: String,
    pub name: String,
    pub position: Geodetic,
}

const NIGER: &str = include_str!("../../../data/niger/niger_airports.csv");
const HUBS: &str = include_str!("../../../data/airports/regional_hubs.csv");

/// Every built-in airport, Niger's first. The embedded tables are known good, so a row that
/// fails to parse is a build defect caught by the tests, and is skipped here.
pub fn builtin() -> Vec<Airport> {
    let mut out = parse(NIGER, |f| (f[0], f[2], f[4], f[5], f[7]));
    out.extend(parse(HUBS, |f| (f[0], f[2], f[5], f[6], f[8])));
    out
}

type Pick<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

fn parse<'a>(
    text: &'a str,
    pick: impl for<'b> Fn(&'b [&'a str]) -> Pick<'a> + Copy,
) -> Vec<Airport> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields = split_csv(line);
            let (icao, name, lat, lon, elevation_m) = pick(&fields);
            Some(Airport {
                icao: icao.to_string(),
                name: name.to_string(),
                position: Geodetic::new(
                    lat.parse().ok()?,
                    lon.parse().ok()?,
                    elevation_m.parse().ok()?,
                ),
            })
        })
        .collect()
}

/// Splits one CSV line with optional double-quoted fields (no escaped quotes in these tables).
fn split_csv(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        if let Some(stripped) = rest.strip_prefix('"') {
            let end = stripped.find('"').unwrap_or(stripped.len());
            out.push(&stripped[..end]);
            rest = stripped.get(end + 1..).unwrap_or("");
            rest = rest.strip_prefix(',').unwrap_or(rest);
            if rest.is_empty() && !line.ends_with(',') {
                return out;
            }
        } else {
            match rest.find(',') {
                Some(i) => {
                    out.push(&rest[..i]);
                    rest = &rest[i + 1..];
                }
                None => {
                    out.push(rest);
                    return out;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_row_parses() {
        let airports = builtin();
        let rows = NIGER.lines().count() - 1 + HUBS.lines().count() - 1;
        assert_eq!(airports.len(), rows);
        let niamey = airports.iter().find(|a| a.icao == "DRRN").unwrap();
        assert!((niamey.position.lat_deg - 13.4815).abs() < 1e-9);
        let ist = airports.iter().find(|a| a.icao == "LTFM").unwrap();
        assert!((ist.position.lon_deg - 28.752).abs() < 1e-9);
    }
}
