//! `vigie coverage`: what a radar network sees of a country at each altitude layer.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use vigie_terrain::{CountryMask, Dem, Network, RadarSite, Reference};

const FONT: &[u8] = include_bytes!("../../../data/fonts/DejaVuSans.ttf");

/// Radar coverage over terrain: what share of the country each layer is seen at, and where.
///
/// Radars come from a scenario (its [[radar]] sites, masts, ranges and refraction), or are
/// given one by one (--site, --airport). For every cell of the terrain model, vigie finds the
/// lowest height a radar sees, with Earth curvature and refraction, and reports per layer the
/// share of the country covered once and twice. With --out it writes a map (PNG), the minimum
/// visible height (GeoTIFF), a report (Markdown), and per layer the covered and the gap areas
/// of the country (GeoJSON).
///
/// Examples:
///   vigie coverage --airport DRZA                      # one radar at Agadez, 30 m mast, 400 km
///   vigie coverage --scenario scenarios/niger.toml --out out/coverage
///   vigie coverage --site 14.2,1.45 --site 13.5,7.1 --range-km 300 --layers 500,2000
///   vigie coverage --dem N13E002.hgt --site 13.5,2.1 --range-km 100
///   vigie coverage --dem srtm/ --airport DRRN --range-km 250   # a folder of .hgt tiles
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct CoverageArgs {
    /// Take the radars of this scenario.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// A radar at LAT,LON (degrees); repeat for more.
    #[arg(long, value_name = "LAT,LON")]
    site: Vec<String>,
    /// A radar at this airport (ICAO code, e.g. DRZA); repeat for more.
    #[arg(long)]
    airport: Vec<String>,
    /// Antenna height above ground for --site and --airport radars.
    #[arg(long, default_value_t = 30.0)]
    mast_m: f64,
    /// Instrumented range for --site and --airport radars.
    #[arg(long, default_value_t = 400.0)]
    range_km: f64,
    /// Effective-Earth factor for --site and --airport radars.
    #[arg(long, default_value_t = 4.0 / 3.0)]
    k: f64,
    /// Altitude layers, metres.
    #[arg(long, value_delimiter = ',', default_value = "300,1000,3000")]
    layers: Vec<f64>,
    /// Measure layers above mean sea level instead of above the ground.
    #[arg(long)]
    above_sea: bool,
    /// Terrain: a GeoTIFF (EPSG:4326), an SRTM .hgt tile, or a folder of .hgt tiles of one
    /// resolution, mosaicked (no tile: no data) [default: the built-in Niger GLOBE 30″].
    #[arg(long)]
    dem: Option<PathBuf>,
    /// Siting: the fewest radars (--mast-m, --range-km, --k) that see this percentage of
    /// the country at each layer, chosen among candidates on a grid.
    #[arg(long, value_name = "PERCENT")]
    fewest: Option<f64>,
    /// Siting: the best N sites for all layers together.
    #[arg(long, value_name = "N")]
    choose: Option<usize>,
    /// Siting: candidate sites from a CSV file (`name,lat_deg,lon_deg`, with that header)
    /// instead of a grid.
    #[arg(long)]
    candidates: Option<PathBuf>,
    /// Siting: no radar inside these areas (GeoJSON polygons: parks, cities, borders).
    #[arg(long)]
    exclude: Option<PathBuf>,
    /// Siting: the spacing of the candidate grid inside the country.
    #[arg(long, default_value_t = 50.0)]
    candidate_spacing_km: f64,
    /// Write coverage.png, visible_agl.tif, report.md and the GeoJSON layers here.
    #[arg(long)]
    out: Option<PathBuf>,
    #[arg(long, short)]
    quiet: bool,
}

struct Named {
    name: String,
    site: RadarSite,
}

pub fn run(args: CoverageArgs) -> anyhow::Result<()> {
    if args.layers.is_empty() || args.layers.iter().any(|h| !(h.is_finite() && *h >= 0.0)) {
        bail!("--layers must be heights in metres, at least 0, e.g. 300,1000,3000");
    }
    if args.fewest.is_some() || args.choose.is_some() {
        return siting(&args);
    }
    let radars = radars(&args)?;
    if radars.is_empty() {
        bail!("no radar: give --scenario, --site or --airport");
    }
    let dem = match &args.dem {
        Some(p) => Dem::load(p)?,
        None => Dem::builtin_niger(),
    };
    let rings = niger_rings();
    let mask = CountryMask::new(&dem, &rings);
    let bar = progress(args.quiet, radars.len(), "radars");
    let start = std::time::Instant::now();
    let sites: Vec<RadarSite> = radars.iter().map(|r| r.site).collect();
    let network = Network::new(&dem, &sites, |n| bar.set_position(n as u64))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let los_s = start.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let reference = if args.above_sea {
        Reference::Sea
    } else {
        Reference::Ground
    };
    let rows: Vec<(f64, f64, f64)> = args
        .layers
        .iter()
        .map(|&h| {
            let (once, twice) = network.shares(&mask, h, reference);
            (h, once, twice)
        })
        .collect();
    let report = report(
        &radars,
        &rows,
        &mask,
        reference,
        (los_s, start.elapsed().as_secs_f64()),
    );
    print!("{report}");
    if let Some(out) = &args.out {
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        std::fs::write(out.join("report.md"), &report)?;
        write_geotiff(&out.join("visible_agl.tif"), &dem, &network)?;
        for &h in &args.layers {
            let seen = |r: usize, c: usize| mask.contains(r, c) && network.sees(r, c, h, reference);
            let gap = |r: usize, c: usize| mask.contains(r, c) && !network.sees(r, c, h, reference);
            std::fs::write(
                out.join(format!("coverage_{h:.0}m.geojson")),
                vigie_terrain::cells_geojson(&dem, 0..dem.rows, 0..dem.cols, seen),
            )?;
            std::fs::write(
                out.join(format!("gaps_{h:.0}m.geojson")),
                vigie_terrain::cells_geojson(&dem, 0..dem.rows, 0..dem.cols, gap),
            )?;
        }
        draw_png(
            &out.join("coverage.png"),
            &dem,
            &network,
            &rings,
            &radars,
            &args.layers,
            reference,
        )?;
        eprintln!(
            "wrote {0}/coverage.png, {0}/visible_agl.tif, {0}/report.md, and per layer {0}/coverage_*m.geojson and {0}/gaps_*m.geojson",
            out.display()
        );
    }
    Ok(())
}

/// A bar over the radars whose line of sight is being computed.
fn progress(quiet: bool, n: usize, what: &str) -> ProgressBar {
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(n as u64)
    };
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{msg}} [{{bar:30}}] {{pos}}/{{len}} {what} ({{elapsed}})"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("line of sight");
    bar
}

/// `name,lat_deg,lon_deg` lines after a header; each names its line when it is wrong.
fn read_candidates(path: &Path, template: RadarSite) -> anyhow::Result<Vec<RadarSite>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let (Some(lat), Some(lon)) = (
            f.get(1).and_then(|v| v.parse::<f64>().ok()),
            f.get(2).and_then(|v| v.parse::<f64>().ok()),
        ) else {
            bail!(
                "{}:{}: expected name,lat_deg,lon_deg, got {line:?}",
                path.display(),
                i + 1
            );
        };
        out.push(RadarSite {
            lat_deg: lat,
            lon_deg: lon,
            ..template
        });
    }
    Ok(out)
}

/// The outer rings of every polygon in a GeoJSON file, as (lon, lat).
fn geojson_rings(path: &Path) -> anyhow::Result<Vec<Vec<(f64, f64)>>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    let mut rings = Vec::new();
    let mut geometries = Vec::new();
    match json["type"].as_str() {
        Some("FeatureCollection") => geometries.extend(
            json["features"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| &f["geometry"]),
        ),
        Some("Feature") => geometries.push(&json["geometry"]),
        _ => geometries.push(&json),
    }
    let ring = |r: &serde_json::Value| -> Vec<(f64, f64)> {
        r.as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
            .collect()
    };
    for g in geometries {
        match g["type"].as_str() {
            Some("Polygon") => rings.extend(g["coordinates"].get(0).map(ring)),
            Some("MultiPolygon") => rings.extend(
                g["coordinates"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p.get(0))
                    .map(ring),
            ),
            _ => {}
        }
    }
    if rings.is_empty() {
        bail!("{}: no Polygon or MultiPolygon in it", path.display());
    }
    Ok(rings)
}

fn niger_rings() -> Vec<Vec<(f64, f64)>> {
    vigie_sim::region::Region::builtin_ner()
        .country
        .rings
        .iter()
        .map(|r| r.iter().map(|p| (p[0], p[1])).collect())
        .collect()
}

/// The planner's questions: the fewest radars for a share, or the best N.
fn siting(args: &CoverageArgs) -> anyhow::Result<()> {
    use vigie_terrain::siting::{best_sites, fewest_sites, grid_candidates, Layer, Sets};
    let start = std::time::Instant::now();
    let dem = match &args.dem {
        Some(p) => Dem::load(p)?,
        None => Dem::builtin_niger(),
    };
    let rings = niger_rings();
    let mask = CountryMask::new(&dem, &rings);
    let template = RadarSite {
        lat_deg: 0.0,
        lon_deg: 0.0,
        antenna_agl_m: args.mast_m,
        range_m: args.range_km * 1_000.0,
        elevation_min_deg: None,
        refraction_k: args.k,
    };
    let mut candidates = match &args.candidates {
        Some(path) => read_candidates(path, template)?,
        None => grid_candidates(&dem, &mask, args.candidate_spacing_km, template),
    };
    if let Some(path) = &args.exclude {
        let excluded = CountryMask::new(&dem, &geojson_rings(path)?);
        let row_col = |s: &RadarSite| {
            (
                ((dem.north_deg - s.lat_deg) / dem.cell_deg).floor() as usize,
                ((s.lon_deg - dem.west_deg) / dem.cell_deg).floor() as usize,
            )
        };
        candidates.retain(|s| {
            let (r, c) = row_col(s);
            !excluded.contains(r, c)
        });
    }
    if candidates.is_empty() {
        bail!("no candidate site is left to choose from");
    }
    let reference = if args.above_sea {
        Reference::Sea
    } else {
        Reference::Ground
    };
    let layers: Vec<Layer> = args
        .layers
        .iter()
        .map(|&height_m| Layer {
            height_m,
            reference,
        })
        .collect();
    let bar = progress(args.quiet, candidates.len(), "candidate sites");
    let sets = Sets::new(&dem, &mask, &candidates, &layers, |n| {
        bar.set_position(n as u64)
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish_and_clear();
    let name = |i: usize| {
        format!(
            "{:.2}°N {:.2}°E",
            candidates[i].lat_deg, candidates[i].lon_deg
        )
    };
    let source = match &args.candidates {
        Some(p) => format!("from {}", p.display()),
        None => format!("every {:.0} km", args.candidate_spacing_km),
    };
    let mut out = format!(
        "# Radar siting over Niger\n\n{} candidate sites {source}; {:.0} m masts, {:.0} km range, k = {:.3}\n\n",
        candidates.len(),
        args.mast_m,
        args.range_km,
        args.k
    );
    if let Some(n) = args.choose {
        let plan = best_sites(&sets, n);
        out += &format!(
            "## The best {n} sites

| layer | covered |
|---|---|
"
        );
        for (l, s) in layers.iter().zip(&plan.shares) {
            out += &format!(
                "| {:.0} m | {:.2} % |
",
                l.height_m,
                100.0 * s
            );
        }
        out += &format!(
            "
No plan of {n} sites can cover more than {:.2} % on average (upper bound).

Sites: {}

",
            100.0 * plan.upper_bound,
            plan.chosen
                .iter()
                .map(|&i| name(i))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    if let Some(pct) = args.fewest {
        for (l, layer) in layers.iter().enumerate() {
            let one = Sets::subset_layer(&sets, l);
            match fewest_sites(&one, pct / 100.0) {
                Some(plan) => {
                    out += &format!(
                        "## At least {pct} % at {:.0} m: {} radars ({:.2} %)

{}

",
                        layer.height_m,
                        plan.chosen.len(),
                        100.0 * plan.shares[0],
                        plan.chosen
                            .iter()
                            .map(|&i| format!("- {}", name(i)))
                            .collect::<Vec<_>>()
                            .join("\n")
                    );
                }
                None => {
                    out += &format!(
                        "## At least {pct} % at {:.0} m: not reachable from these candidates

",
                        layer.height_m
                    )
                }
            }
        }
    }
    out += &format!(
        "Computed in {:.1} s.
",
        start.elapsed().as_secs_f64()
    );
    print!("{out}");
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        std::fs::write(dir.join("siting.md"), &out)?;
    }
    Ok(())
}

fn radars(args: &CoverageArgs) -> anyhow::Result<Vec<Named>> {
    let custom = |lat_deg: f64, lon_deg: f64| RadarSite {
        lat_deg,
        lon_deg,
        antenna_agl_m: args.mast_m,
        range_m: args.range_km * 1_000.0,
        elevation_min_deg: None,
        refraction_k: args.k,
    };
    let mut out = Vec::new();
    if let Some(path) = &args.scenario {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let scenario = vigie_sim::scenario::parse(&text, path)?;
        for r in &scenario.radar {
            out.push(Named {
                name: r.id.clone(),
                site: r.coverage_site(),
            });
        }
    }
    for s in &args.site {
        let parts: Vec<f64> = s.split(',').filter_map(|p| p.trim().parse().ok()).collect();
        let [lat, lon] = parts[..] else {
            bail!("--site takes LAT,LON in degrees, e.g. 13.52,2.12; got {s:?}");
        };
        out.push(Named {
            name: format!("{lat:.3},{lon:.3}"),
            site: custom(lat, lon),
        });
    }
    let airports = vigie_sim::airports::builtin();
    for code in &args.airport {
        let a = airports
            .iter()
            .find(|a| a.icao.eq_ignore_ascii_case(code))
            .with_context(|| {
                format!("--airport {code}: not a known airport (Niger's and the regional hubs')")
            })?;
        out.push(Named {
            name: a.icao.clone(),
            site: custom(a.position.lat_deg, a.position.lon_deg),
        });
    }
    Ok(out)
}

fn report(
    radars: &[Named],
    rows: &[(f64, f64, f64)],
    mask: &CountryMask,
    reference: Reference,
    (los_s, seconds): (f64, f64),
) -> String {
    let above = match reference {
        Reference::Ground => "above ground",
        Reference::Sea => "above sea level",
    };
    let mut s = format!(
        "# Radar coverage of Niger ({:.0} km²)\n\n{} radar(s): {}\n\n| layer | covered | km² | by 2+ radars |\n|---|---|---|---|\n",
        mask.area_km2,
        radars.len(),
        radars.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ")
    );
    for (h, once, twice) in rows {
        s += &format!(
            "| {h:.0} m {above} | {:.2} % | {:.0} | {:.2} % |\n",
            100.0 * once,
            once * mask.area_km2,
            100.0 * twice
        );
    }
    s += &format!(
        "\nComputed in {seconds:.2} s, of which line of sight {los_s:.3} s ({:.0} ms per radar).\n",
        1e3 * los_s / radars.len().max(1) as f64
    );
    s
}

/// The minimum visible height above ground as a float GeoTIFF on the DEM's grid, over the
/// window the radars reach (NaN: not seen), readable by GDAL and QGIS.
fn write_geotiff(path: &Path, dem: &Dem, network: &Network) -> anyhow::Result<()> {
    use tiff::encoder::{colortype::Gray32Float, TiffEncoder};
    use tiff::tags::Tag;
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut enc = TiffEncoder::new(std::io::BufWriter::new(file))?;
    let mut image = enc.new_image::<Gray32Float>(network.cols as u32, network.rows as u32)?;
    // The raster is the window the radars reach: its NW corner is that cell's.
    let west = dem.west_deg + network.col0 as f64 * dem.cell_deg;
    let north = dem.north_deg - network.row0 as f64 * dem.cell_deg;
    let e = image.encoder();
    e.write_tag(
        Tag::ModelPixelScaleTag,
        &[dem.cell_deg, dem.cell_deg, 0.0][..],
    )?;
    e.write_tag(
        Tag::ModelTiepointTag,
        &[0.0, 0.0, 0.0, west, north, 0.0][..],
    )?;
    // GeoKeys: model type geographic, raster pixel-is-area, EPSG:4326.
    e.write_tag(
        Tag::GeoKeyDirectoryTag,
        &[
            1u16, 1, 0, 3, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4326,
        ][..],
    )?;
    e.write_tag(Tag::GdalNodata, "nan")?;
    image.write_data(network.agl_grid())?;
    Ok(())
}

fn draw_png(
    path: &Path,
    dem: &Dem,
    network: &Network,
    rings: &[Vec<(f64, f64)>],
    radars: &[Named],
    layers: &[f64],
    reference: Reference,
) -> anyhow::Result<()> {
    use plotters::prelude::*;
    plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| anyhow::anyhow!("the embedded font does not load"))?;
    let (west, east, south, north) = (-0.5, 16.5, 11.0, 24.2);
    let (w, h) = (1300u32, 1000u32);
    let root = BitMapBackend::new(path, (w, h)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut layers_sorted = layers.to_vec();
    layers_sorted.sort_by(f64::total_cmp);
    let palette = [
        RGBColor(0, 104, 55),
        RGBColor(49, 163, 84),
        RGBColor(120, 198, 121),
        RGBColor(194, 230, 153),
        RGBColor(255, 255, 204),
    ];
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "Radar coverage, minimum visible height {}",
                match reference {
                    Reference::Ground => "above ground",
                    Reference::Sea => "above sea level",
                }
            ),
            ("sans-serif", 24),
        )
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(west..east, south..north)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("longitude °E")
        .y_desc("latitude °N")
        .draw()?;
    // One rectangle per block of cells, coloured by the lowest layer that is seen there.
    // Blocks of cells, about 600 across whatever the DEM's resolution.
    let step = (dem.cols.max(dem.rows) / 600).max(1);
    for r in (0..dem.rows).step_by(step) {
        for c in (0..dem.cols).step_by(step) {
            let (lat, lon) = dem.cell_centre(r, c);
            if !(south..north).contains(&lat) || !(west..east).contains(&lon) {
                continue;
            }
            let class = layers_sorted
                .iter()
                .position(|&l| network.sees(r, c, l, reference));
            let Some(i) = class else { continue };
            let half = dem.cell_deg * step as f64 / 2.0;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(lon - half, lat - half), (lon + half, lat + half)],
                palette[i.min(palette.len() - 1)].filled(),
            )))?;
        }
    }
    for ring in rings {
        chart.draw_series(LineSeries::new(ring.iter().copied(), BLACK.stroke_width(2)))?;
    }
    for r in radars {
        let p = (r.site.lon_deg, r.site.lat_deg);
        chart.draw_series(std::iter::once(TriangleMarker::new(p, 8, RED.filled())))?;
        chart.draw_series(std::iter::once(Text::new(
            r.name.clone(),
            (p.0 + 0.15, p.1 + 0.1),
            ("sans-serif", 14),
        )))?;
    }
    for (i, l) in layers_sorted.iter().enumerate() {
        let label = format!("seen at {l:.0} m");
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, 0.0), (0.0, 0.0)],
                palette[i.min(palette.len() - 1)].filled(),
            )))?
            .label(label)
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 6), (x + 14, y + 6)], palette[i.min(4)].filled())
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()?;
    root.present()?;
    Ok(())
}
