use super::*;

fn at(id: u32, lat_deg: f64) -> Position {
    Position {
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
            category: "intruder",
            right: vec![Identity::Suspect, Identity::Hostile],
        },
        Objective {
            target_id: 2,
            name: "AFR520".into(),
            category: "civil",
            right: vec![Identity::Neutral],
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
