//! `vigie track` on hostile input files (issue 17): a bad line is a counted skip with its
//! line number, never the end of the run; a file with nothing to track is an error; one
//! enormous line costs no memory.

use std::path::Path;
use std::process::Command;

const HEADER: &str = "time_s,sensor_id,kind,range_m,azimuth_deg,elevation_deg,lat_deg,lon_deg,alt_m,mode3a,mode_s,callsign";
const SENSORS: &str = r#"
[[sensor]]
id = "radar"
kind = "radar"
lat_deg = 13.5
lon_deg = 2.1
height_m = 250.0
scan_period_s = 6.0
sigma_range_m = 50.0
sigma_azimuth_deg = 0.2
range_max_m = 250000.0

[[sensor]]
id = "adsb"
kind = "adsb"
lat_deg = 13.5
lon_deg = 2.1
height_m = 250.0
scan_period_s = 1.0
"#;

/// A folder of its own for each test, removed after it.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new() -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("vigie-track-input-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn vigie(dir: &Path, plots: &[u8]) -> (bool, String) {
    std::fs::write(dir.join("plots.csv"), plots).unwrap();
    std::fs::write(dir.join("sensors.toml"), SENSORS).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["track", "--quiet", "--plots"])
        .arg(dir.join("plots.csv"))
        .arg("--sensors")
        .arg(dir.join("sensors.toml"))
        .arg("--out")
        .arg(dir.join("tracks.csv"))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A radar plot every 6 s of one aircraft flying east at 200 m/s, 50 km north.
fn good_lines(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let t = 6.0 * i as f64;
            let (e, north) = (-30_000.0 + 200.0 * t, 50_000.0f64);
            let az = e.atan2(north).to_degrees().rem_euclid(360.0);
            format!("{t},radar,psr,{:.1},{az:.4},,,,3000,,,", e.hypot(north))
        })
        .collect()
}

#[test]
fn a_non_utf8_line_is_a_counted_skip_with_its_line_number() {
    let dir = Scratch::new();
    let mut text = format!("{HEADER}\n").into_bytes();
    let lines = good_lines(20);
    for (i, l) in lines.iter().enumerate() {
        if i == 5 {
            text.extend_from_slice(b"12.0,radar,psr,\xff\xfe,10,,,,,,,\n");
        }
        text.extend_from_slice(l.as_bytes());
        text.push(b'\n');
    }
    let (ok, log) = vigie(dir.0.as_path(), &text);
    assert!(ok, "{log}");
    assert!(log.contains("line 7: not UTF-8"), "{log}");
    let tracks = std::fs::read_to_string(dir.0.as_path().join("tracks.csv")).unwrap();
    assert!(
        tracks.lines().count() > 10,
        "the lines after it are tracked"
    );
}

#[test]
fn an_empty_file_or_one_with_no_good_line_is_an_error_and_leaves_no_tracks_file() {
    let dir = Scratch::new();
    let (ok, log) = vigie(dir.0.as_path(), b"");
    assert!(!ok && log.contains("empty"), "{log}");
    let (ok, log) = vigie(dir.0.as_path(), format!("{HEADER}\n").as_bytes());
    assert!(!ok && log.contains("no reports"), "{log}");
    let (ok, log) = vigie(
        dir.0.as_path(),
        format!("{HEADER}\nnonsense\n1,2,3\n").as_bytes(),
    );
    assert!(!ok && log.contains("none of its 2 lines"), "{log}");
    assert!(!dir.0.as_path().join("tracks.csv").exists());
    assert!(!dir.0.as_path().join("tracks.csv.partial").exists());
}

#[test]
fn an_enormous_line_is_skipped_without_being_held_or_logged_whole() {
    let dir = Scratch::new();
    let mut text = format!("{HEADER}\n").into_bytes();
    text.extend(std::iter::repeat_n(b'9', 64 << 20));
    text.push(b'\n');
    for l in good_lines(20) {
        text.extend_from_slice(l.as_bytes());
        text.push(b'\n');
    }
    let (ok, log) = vigie(dir.0.as_path(), &text);
    assert!(ok, "{}", &log[..log.len().min(2000)]);
    assert!(
        log.contains("line 2: longer than"),
        "{}",
        &log[..log.len().min(2000)]
    );
    assert!(
        log.len() < 10_000,
        "the log holds no copy of the line: {} bytes",
        log.len()
    );
}

#[test]
fn an_adsb_row_under_a_radars_id_and_an_azimuth_out_of_range_are_refused() {
    let dir = Scratch::new();
    let mut text = format!("{HEADER}\n");
    text.push_str("1.0,radar,psr,50000,360.5,,,,3000,,,\n");
    text.push_str("2.0,radar,psr,50000,-1,,,,3000,,,\n");
    for l in good_lines(20) {
        text.push_str(&l);
        text.push('\n');
    }
    // The same aircraft's ADS-B, but labelled with the radar's id: refused, not tracked.
    for i in 0..30 {
        text.push_str(&format!(
            "{}.5,radar,adsb,,,,13.95,2.1,3000,,4CA123,\n",
            100 + i
        ));
    }
    let (ok, log) = vigie(dir.0.as_path(), text.as_bytes());
    assert!(ok, "{log}");
    assert!(
        log.contains("line 2: azimuth_deg: 360.5 is outside [0, 360)"),
        "{log}"
    );
    assert!(log.contains("line 3: azimuth_deg: -1 is outside"), "{log}");
    assert!(log.contains("report kind the sensor cannot make"), "{log}");
    let tracks = std::fs::read_to_string(dir.0.as_path().join("tracks.csv")).unwrap();
    assert!(
        !tracks.contains("4CA123"),
        "the mislabelled ADS-B made no track"
    );
}
