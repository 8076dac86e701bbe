//! The exercise library: Niger's ready exercises, built into the binary so that
//! `vigie demo --exercise 2` and the instructor's "start" need no file. Each amends the
//! national scenario (`base = "../niger.toml"`), which is built in too.

use std::path::Path;

use vigie_core::tomlfile::{FileError, Layers, Problem};
use vigie_sim::{Overrides, Scenario, Simulator};
use vigie_train::{Briefing, Position, Text};

/// Each exercise's file, as the repository has it.
const EXERCISES: [(&str, &str); 3] = [
    (
        "scenarios/exercises/1-civil-picture.toml",
        include_str!("../../../scenarios/exercises/1-civil-picture.toml"),
    ),
    (
        "scenarios/exercises/2-western-intruder.toml",
        include_str!("../../../scenarios/exercises/2-western-intruder.toml"),
    ),
    (
        "scenarios/exercises/3-hijack-and-spoofing.toml",
        include_str!("../../../scenarios/exercises/3-hijack-and-spoofing.toml"),
    ),
];

/// A built-in file by name: the national scenario the exercises amend.
fn read(path: &Path) -> Result<String, FileError> {
    match path.file_name().and_then(|n| n.to_str()) {
        Some("niger.toml") => Ok(crate::live::NIGER_SCENARIO.to_string()),
        _ => Err(FileError {
            file: path.to_path_buf(),
            problems: vec![Problem {
                file: None,
                line: None,
                field: String::new(),
                message: "not a built-in scenario".into(),
            }],
        }),
    }
}

fn layers(number: u32) -> anyhow::Result<Layers> {
    let index = usize::try_from(number)
        .ok()
        .and_then(|n| n.checked_sub(1))
        .filter(|&i| i < EXERCISES.len())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no exercise {number}: the library has 1 to {}",
                EXERCISES.len()
            )
        })?;
    let (file, text) = EXERCISES[index];
    Ok(Layers::resolve(text, Path::new(file), &read)?)
}

/// The simulator of exercise `number` (1-based); `seed` draws it again differently.
pub fn load(number: u32, seed: Option<u64>) -> anyhow::Result<Simulator> {
    let overrides = Overrides {
        seed,
        duration_s: None,
    };
    Ok(vigie_sim::from_layers(&layers(number)?, overrides)?)
}

/// Every exercise's briefing, for the instructor's choice.
pub fn briefings() -> anyhow::Result<Vec<Briefing>> {
    (1..=EXERCISES.len() as u32)
        .map(|n| {
            let scenario = vigie_sim::scenario::parse_layers(&layers(n)?)?;
            briefing(&scenario).ok_or_else(|| anyhow::anyhow!("exercise {n} has no [exercise]"))
        })
        .collect()
}

/// A scenario's briefing, when it is an exercise.
pub fn briefing(s: &Scenario) -> Option<Briefing> {
    let x = s.exercise.as_ref()?;
    let text = |t: &vigie_sim::exercise::Text| Text {
        en: paragraphs(&t.en),
        fr: paragraphs(&t.fr),
    };
    Some(Briefing {
        number: x.number,
        title: text(&x.title),
        briefing: text(&x.briefing),
        positions: x
            .position
            .iter()
            .map(|p| Position {
                id: p.id.clone(),
                name: text(&p.name),
                box_deg: p.box_deg,
            })
            .collect(),
    })
}

/// A TOML block's lines joined: a blank line between paragraphs, the display wraps the
/// rest.
fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exercise_loads_with_its_briefing_in_both_languages() {
        let all = briefings().unwrap();
        assert_eq!(all.iter().map(|b| b.number).collect::<Vec<_>>(), [1, 2, 3]);
        for b in &all {
            assert!(!b.briefing.en.is_empty() && !b.briefing.fr.is_empty());
            assert_eq!(b.positions.len(), 2);
        }
        let sim = load(2, None).unwrap();
        assert_eq!(sim.scenario().exercise.as_ref().unwrap().number, 2);
        let Err(e) = load(4, None) else {
            panic!("there is no exercise 4")
        };
        assert!(e.to_string().contains("1 to 3"), "{e}");
    }
}
