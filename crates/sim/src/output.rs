//! Writes a run's interop files (`plots.csv`, `truth.csv`, `sensors.toml`) and its map
//! (`map.svg`).

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::Path;

use vigie_core::interop::{PlotsWriter, TruthWriter};

use crate::engine::Simulator;
use crate::map::MapRecorder;

/// Seconds between the points of a track on the map.
const MAP_TRAIL_PERIOD_S: f64 = 20.0;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("sensors.toml: {0}")]
    Sensors(#[from] vigie_core::sensor::SensorTableError),
}

/// Runs the simulator to its end, writing the four files into `dir`. `progress` is called
/// after each frame with the frame's time.
pub fn run_to_files(
    sim: &mut Simulator,
    dir: &Path,
    mut progress: impl FnMut(f64),
) -> Result<(), OutputError> {
    let io_err = |name: &str| {
        let path = dir.join(name).display().to_string();
        move |source| OutputError::Io {
            path: path.clone(),
            source,
        }
    };
    std::fs::create_dir_all(dir).map_err(io_err(""))?;
    let sensors = sim.sensor_table().to_toml()?;
    std::fs::write(dir.join("sensors.toml"), sensors).map_err(io_err("sensors.toml"))?;
    let names = sim
        .sensor_table()
        .sensor
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let create =
        |name: &str| File::create(dir.join(name)).map(|f| BufWriter::with_capacity(1 << 20, f));
    let mut plots = PlotsWriter::new(create("plots.csv").map_err(io_err("plots.csv"))?, names)
        .map_err(io_err("plots.csv"))?;
    let mut truth = TruthWriter::new(create("truth.csv").map_err(io_err("truth.csv"))?)
        .map_err(io_err("truth.csv"))?;
    let mut map = MapRecorder::new(MAP_TRAIL_PERIOD_S);
    while let Some(frame) = sim.next_frame() {
        map.record(&frame.truth);
        for t in &frame.truth {
            truth.write(t).map_err(io_err("truth.csv"))?;
        }
        for r in &frame.reports {
            plots.write(r).map_err(io_err("plots.csv"))?;
        }
        progress(frame.time_s);
    }
    plots.finish().map_err(io_err("plots.csv"))?;
    truth.finish().map_err(io_err("truth.csv"))?;
    std::fs::write(dir.join("map.svg"), map.to_svg(sim)).map_err(io_err("map.svg"))?;
    Ok(())
}
