use super::*;

fn at(id: u32, lat_deg: f64) -> Point {
    Point {
        id,
        lat_deg,
        lon_deg: 2.0,
    }
}

fn objectives() -> Vec<Objective> {
    vec![
        Objective {
            target_id: 1,
            name: "intruder-1".into(),
            category: "intruder".into(),
            right: vec![Identity::Suspect, Identity::Hostile],
            within_s: Some(120.0),
        },
        Objective {
            target_id: 2,
            name: "AFR520".into(),
            category: "civil".into(),
            right: vec![Identity::Neutral],
            within_s: None,
        },
    ]
}

#[test]
fn a_trainee_is_timed_from_the_first_system_track_and_judged_right_or_wrong() {
    let mut s = Scorer::new(objectives());
    // The intruder is tracked from 100 s (track 7), the airliner from 10 s (track 3).
    for t in 0..300 {
        let time = f64::from(t);
        let truth = [at(1, 13.0), at(2, 14.0)];
        let mut tracks = vec![];
        if t >= 10 {
            tracks.push(at(3, 14.001));
        }
        if t >= 100 {
            tracks.push(at(7, 13.01));
        }
        s.tick(time, &truth, &tracks);
        if t == 130 {
            s.act(time, "ana", &Act::Report { track: 7 });
        }
        if t == 160 {
            s.act(
                time,
                "ana",
                &Act::SetIdentity {
                    track: 7,
                    identity: Identity::Suspect,
                },
            );
            s.act(
                time,
                "kader",
                &Act::SetIdentity {
                    track: 3,
                    identity: Identity::Hostile,
                },
            );
        }
        if t == 170 {
            s.alert(1, time, "border_crossing", Some(7));
            s.alert(2, time, "sensor_lost", None);
        }
        if t == 182 {
            s.act(time, "ana", &Act::Acknowledge { alert: 1 });
        }
    }
    let score = s.score();
    let intruder = &score.objectives[0];
    assert_eq!(intruder.first_tracked_s, Some(100.0));
    assert_eq!(intruder.time_to_report_s, Some(30.0));
    assert_eq!(intruder.time_to_identify_s, Some(60.0));
    assert_eq!(intruder.correct, Some(true));
    let airliner = &score.objectives[1];
    assert_eq!(
        airliner.correct,
        Some(false),
        "a civil flight called hostile"
    );
    assert_eq!(airliner.identified_by.as_deref(), Some("kader"));
    let ana = score.trainees.iter().find(|t| t.user == "ana").unwrap();
    assert_eq!(
        (ana.reported, ana.identified, ana.identified_correctly),
        (1, 1, 1)
    );
    assert_eq!(
        (ana.alerts_acknowledged, ana.mean_reaction_s),
        (1, Some(12.0))
    );
    assert_eq!(score.alerts[0].aircraft.as_deref(), Some("intruder-1"));
    assert_eq!(score.alerts[1].acknowledged_by, None, "missed");
    assert!(!intruder.missed());
}

#[test]
fn an_aircraft_never_tracked_is_not_held_against_anyone_but_one_ignored_is_missed() {
    let mut s = Scorer::new(objectives());
    s.tick(0.0, &[at(1, 13.0), at(2, 14.0)], &[at(3, 14.0)]);
    let score = s.score();
    assert!(!score.objectives[0].missed(), "never tracked");
    assert!(score.objectives[1].missed(), "tracked, never identified");
}

fn positions() -> Vec<Position> {
    let text = |s: &str| Text {
        en: s.into(),
        fr: s.into(),
    };
    vec![
        Position {
            id: "south".into(),
            name: text("South"),
            box_deg: Some([10.0, -1.0, 13.5, 6.0]),
        },
        Position {
            id: "north".into(),
            name: text("North"),
            box_deg: Some([13.5, -1.0, 24.0, 6.0]),
        },
        Position {
            id: "supervisor".into(),
            name: text("Supervisor"),
            box_deg: None,
        },
    ]
}

#[test]
fn each_position_answers_for_the_aircraft_first_tracked_in_its_sector() {
    let mut s = Scorer::with_positions(objectives(), positions());
    s.assign("ana", Some("south")).unwrap();
    s.assign("kader", Some("north")).unwrap();
    let err = s.assign("kader", Some("east")).unwrap_err();
    assert!(
        err.contains("\"east\"") && err.contains("supervisor"),
        "{err}"
    );
    for t in 0..400 {
        let time = f64::from(t);
        // The intruder (south) is tracked from 10 s, the airliner (north) from 20 s.
        let truth = [at(1, 13.0), at(2, 14.0)];
        s.tick(
            time,
            &truth,
            &[at(7, 13.0), at(3, 14.0)][..usize::from(t >= 20) + 1],
        );
        if t == 200 {
            // Too late: the intruder had to be identified within 120 s.
            let suspect = Act::SetIdentity {
                track: 7,
                identity: Identity::Suspect,
            };
            s.act(time, "ana", &suspect);
        }
    }
    let score = s.score();
    let intruder = &score.objectives[0];
    assert_eq!(intruder.positions, ["south", "supervisor"]);
    assert_eq!(
        (intruder.correct, intruder.in_time),
        (Some(true), Some(false))
    );
    let south = &score.positions[0];
    assert_eq!(south.trainees, ["ana"]);
    assert_eq!(
        (
            south.aircraft,
            south.identified_correctly,
            south.late,
            south.missed
        ),
        (1, 1, 1, 0)
    );
    let north = &score.positions[1];
    assert_eq!(
        (north.aircraft, north.missed),
        (1, 1),
        "the airliner, ignored"
    );
    assert_eq!(
        score.positions[2].aircraft, 2,
        "the supervisor sees everything"
    );
    let ana = score.trainees.iter().find(|t| t.user == "ana").unwrap();
    assert_eq!(ana.position.as_deref(), Some("south"));
    s.assign("ana", None).unwrap();
    assert!(!s.assignments().contains_key("ana"));
}
