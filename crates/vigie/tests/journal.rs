//! The recording survives a crash: `vigie demo --journal` is killed (SIGKILL, no chance to
//! tidy up) at random moments, again and again; each time `vigie replay` must recover every
//! tick committed before the kill and re-create exactly the tracks recorded.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};

const KILLS: usize = 8;

/// Starts the demo recording to `journal`; returns once it serves.
fn start(journal: &std::path::Path, port: u16) -> std::process::Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["demo", "--speed", "100", "--bind"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--journal")
        .arg(journal)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(120);
    for line in lines.by_ref() {
        if line.unwrap().contains("display") || Instant::now() > deadline {
            break;
        }
    }
    // Keep reading so the demo never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    child
}

#[test]
fn a_journal_killed_at_random_moments_replays_to_the_same_tracks() {
    let seed: u64 = std::env::var("VIGIE_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_122);
    eprintln!("seed {seed} (VIGIE_TEST_SEED to repeat)");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let dir = std::env::temp_dir().join(format!("vigie-journal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for k in 0..KILLS {
        let journal = dir.join(format!("crash-{k}.vj"));
        let mut demo = start(&journal, 19_000 + rng.random_range(0..900));
        let after = Duration::from_millis(rng.random_range(200..4_000));
        std::thread::sleep(after);
        demo.kill().unwrap(); // SIGKILL
        demo.wait().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .arg("replay")
            .arg(&journal)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(
            out.status.success(),
            "seed {seed}, kill {k} after {after:?}: {said}"
        );
        assert!(
            said.contains("identical to the recorded ones"),
            "seed {seed}, kill {k}: {said}"
        );
        let ticks: u64 = said
            .split(": ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        eprintln!("kill {k} after {after:?}: {ticks} ticks recovered");
        assert!(
            ticks > 0 || after < Duration::from_secs(1),
            "seed {seed}: {said}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
