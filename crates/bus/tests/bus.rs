//! The bus against a real nats-server: batches come back whole and in the stream's order,
//! a batch sent twice is kept once, and the tracker's leadership passes by compare-and-set.

use std::time::Duration;

use futures::StreamExt;
use vigie_bus::{Bus, BusConfig, From};
use vigie_core::{Measurement, PlotKind, Report, SensorId};

fn report(sensor: u16, time_s: f64) -> Report {
    Report {
        time_s,
        sensor: SensorId(sensor),
        kind: PlotKind::Psr,
        measurement: Measurement::Polar {
            range_m: 50_000.0 + time_s,
            azimuth_rad: 1.0,
            elevation_rad: None,
        },
        alt_m: None,
        mode3a: None,
        mode_s: None,
        callsign: None,
    }
}

fn config(url: &str) -> BusConfig {
    BusConfig {
        retention_s: 3_600.0,
        ..BusConfig::new(url)
    }
}

#[tokio::test]
async fn batches_come_back_whole_in_order_and_once() {
    let server = vigie_bus::test_server::Server::start("order");
    let bus = Bus::connect(&config(&server.url)).await.unwrap();
    for i in 0..20u32 {
        let site = if i % 2 == 0 { "niamey" } else { "agadez" };
        let t = f64::from(i);
        let batch = [report(i as u16 % 3, t), report(1, t + 0.5)];
        bus.publish_reports(site, &format!("{site}-1-{i}"), t, &batch)
            .await
            .unwrap();
    }
    // Sent again after a lost acknowledgement: the stream keeps it once.
    bus.publish_reports("niamey", "niamey-1-0", 0.0, &[report(0, 0.0)])
        .await
        .unwrap();
    assert!(bus
        .publish_reports("bad site", "x", 0.0, &[])
        .await
        .is_err());
    let batches: Vec<_> = bus
        .reports(From::Start)
        .await
        .unwrap()
        .take(20)
        .map(|b| b.unwrap())
        .collect()
        .await;
    for (i, b) in batches.iter().enumerate() {
        assert_eq!(b.sequence, i as u64 + 1);
        assert_eq!(b.time_s, i as f64);
        assert_eq!(b.reports[1], report(1, i as f64 + 0.5));
    }
    assert_eq!(
        bus.last_sequence(vigie_bus::REPORTS_STREAM).await.unwrap(),
        20
    );
}

#[tokio::test]
async fn leadership_passes_only_when_the_lease_is_stale() {
    let server = vigie_bus::test_server::Server::start("leader");
    let bus = Bus::connect(&config(&server.url)).await.unwrap();
    let lead = bus.leadership(Duration::from_millis(500)).await.unwrap();
    assert_eq!(lead.current().await.unwrap(), None);
    let a = lead
        .take("a", None)
        .await
        .unwrap()
        .expect("a takes an empty key");
    assert!(
        lead.take("b", None).await.unwrap().is_none(),
        "b cannot create it"
    );
    let seen = lead.current().await.unwrap().unwrap();
    let a = lead.renew(&a).await.unwrap().expect("a renews");
    // b saw an older revision: the leader renewed since, so b's take-over fails.
    assert!(lead.take("b", Some(&seen)).await.unwrap().is_none());
    // a stops renewing; b takes over from the revision it now sees.
    let seen = lead.current().await.unwrap().unwrap();
    assert_eq!(seen.holder, "a");
    let b = lead
        .take("b", Some(&seen))
        .await
        .unwrap()
        .expect("b takes over");
    assert_eq!(lead.current().await.unwrap().unwrap().holder, "b");
    // a comes back: its renewal is refused, it stands down.
    assert!(lead.renew(&a).await.unwrap().is_none());
    lead.release(&b).await.unwrap();
    let free = lead.current().await.unwrap().unwrap();
    assert_eq!(free.holder, "", "given up");
    assert!(
        lead.take("a", Some(&free)).await.unwrap().is_some(),
        "and taken at once"
    );
}

/// The streams are the recording: a bus restarted on its folder has every batch it had.
#[tokio::test]
async fn a_restarted_bus_keeps_its_streams() {
    let mut server = vigie_bus::test_server::Server::start("restart");
    let bus = Bus::connect(&config(&server.url)).await.unwrap();
    for i in 0..5u32 {
        let t = f64::from(i);
        bus.publish_reports("tera", &format!("tera-1-{i}"), t, &[report(2, t)])
            .await
            .unwrap();
    }
    server.stop();
    let server = vigie_bus::test_server::Server::start_in(server.dir.clone(), server.port);
    let bus = Bus::connect(&config(&server.url)).await.unwrap();
    let back: Vec<_> = bus
        .reports(From::Sequence(3))
        .await
        .unwrap()
        .take(3)
        .map(|b| b.unwrap().time_s)
        .collect()
        .await;
    assert_eq!(back, [2.0, 3.0, 4.0]);
}

/// States come back whole from their parts: the latest, or the latest before a time; a
/// state published again (a tracker taking over) is kept once.
#[tokio::test]
async fn saved_states_come_back_whole() {
    use vigie_bus::SavedState;
    let server = vigie_bus::test_server::Server::start("state");
    let bus = Bus::connect(&config(&server.url)).await.unwrap();
    assert_eq!(bus.state_before(None).await.unwrap(), None);
    let state = |tick: i64, len: usize| SavedState {
        tick,
        time_s: tick as f64 + 0.8,
        resume_sequence: tick as u64 * 5,
        reports: tick as u64 * 100,
        bytes: (0..len).map(|i| (i * 7 + tick as usize) as u8).collect(),
    };
    // 1.2 MB: three parts.
    for tick in [100, 700, 1300] {
        bus.publish_state(&state(tick, 1_200_000)).await.unwrap();
    }
    bus.publish_state(&state(700, 1_200_000)).await.unwrap();
    assert_eq!(bus.last_sequence(vigie_bus::STATE_STREAM).await.unwrap(), 9);
    assert_eq!(
        bus.state_before(None).await.unwrap(),
        Some(state(1300, 1_200_000))
    );
    assert_eq!(
        bus.state_before(Some(1000.0)).await.unwrap(),
        Some(state(700, 1_200_000))
    );
    assert_eq!(bus.state_before(Some(50.0)).await.unwrap(), None);
}

/// Three servers in a JetStream cluster, the streams on all three (`replicas = 3`): the
/// server holding a tracker's reader is killed; the bus goes on, that reader goes on from
/// where it was, and every batch is kept once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_three_replicas_the_bus_survives_the_loss_of_a_server() {
    let mut cluster = vigie_bus::test_server::Cluster::start("cluster");
    let config = BusConfig {
        replicas: 3,
        ..config(&cluster.url)
    };
    // The cluster elects its leaders in its first seconds.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let bus = loop {
        match Bus::connect(&config).await {
            Ok(b) => break b,
            Err(e) if std::time::Instant::now() < deadline => {
                eprintln!("cluster not ready: {e}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => panic!("the cluster never came up: {e}"),
        }
    };
    let publish = |i: u32| {
        let bus = bus.clone();
        async move {
            let t = f64::from(i);
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            // Sent again until the bus has it: while a server's loss is noticed, a publish
            // may go unanswered; the message id keeps the retries from doubling it.
            while let Err(e) = bus
                .publish_reports("niamey", &format!("niamey-1-{i}"), t, &[report(0, t)])
                .await
            {
                assert!(std::time::Instant::now() < deadline, "batch {i}: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    for i in 0..30 {
        publish(i).await;
    }
    assert_eq!(bus.replicas(vigie_bus::REPORTS_STREAM).await.unwrap(), 3);
    // A long-lived reader, as a tracker's: half read before the loss, half after.
    let mut reader = Box::pin(bus.reports(From::Start).await.unwrap());
    let mut times = Vec::new();
    for _ in 0..30 {
        times.push(reader.next().await.unwrap().unwrap().time_s);
    }
    let holder = consumer_server(&cluster.servers[0].url).await;
    let killed = std::time::Instant::now();
    cluster.servers[holder].stop();
    for i in 30..60 {
        publish(i).await;
    }
    let rest = tokio::time::timeout(Duration::from_secs(90), async {
        for _ in 30..60 {
            match reader.next().await {
                Some(Ok(b)) => times.push(b.time_s),
                other => panic!("the reader after the loss of its server: {other:?}"),
            }
        }
    });
    rest.await
        .expect("the reader never went on after the loss of its server");
    eprintln!(
        "the reader's server n{holder} killed: all read {:.1} s later",
        killed.elapsed().as_secs_f64()
    );
    assert_eq!(times, (0..60).map(f64::from).collect::<Vec<_>>());
    // A consumer's creation may time out while the cluster moves its leaders: asked again.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let reports = loop {
        match bus.reports(From::Start).await {
            Ok(r) => break r,
            Err(e) => {
                assert!(std::time::Instant::now() < deadline, "{e}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    };
    let batches: Vec<_> = reports.take(60).map(|b| b.unwrap()).collect().await;
    let times: Vec<f64> = batches.iter().map(|b| b.time_s).collect();
    assert_eq!(times, (0..60).map(f64::from).collect::<Vec<_>>());
}

/// Which of the cluster's servers (`n0`, `n1`, `n2`) holds the reports stream's only
/// consumer.
async fn consumer_server(url: &str) -> usize {
    let client = async_nats::connect(url).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let stream = js.get_stream(vigie_bus::REPORTS_STREAM).await.unwrap();
    let mut consumers = stream.consumers();
    let info = consumers.next().await.unwrap().unwrap();
    let leader = info.cluster.and_then(|c| c.leader).unwrap();
    leader.trim_start_matches('n').parse().unwrap()
}

/// A bus that asks who connects: refused without credentials, or with a wrong password;
/// taken with the user and the password from its file.
#[tokio::test]
async fn a_bus_with_users_takes_only_the_right_password() {
    let server = vigie_bus::test_server::Server::start_with(
        "users",
        "authorization { user: vigie, password: \"s3cret-bus-pass\" }",
    );
    assert!(Bus::try_connect(&config(&server.url)).await.is_err());
    let file = server.dir.join("password");
    let with = |password: &str| {
        std::fs::write(&file, format!("{password}\n")).unwrap();
        BusConfig {
            user: Some("vigie".into()),
            password_file: Some(file.clone()),
            ..config(&server.url)
        }
    };
    assert!(Bus::try_connect(&with("wrong")).await.is_err());
    let bus = Bus::try_connect(&with("s3cret-bus-pass")).await.unwrap();
    bus.publish_reports("niamey", "niamey-1-0", 0.0, &[report(0, 0.0)])
        .await
        .unwrap();
    let missing = BusConfig {
        password_file: Some(server.dir.join("nowhere")),
        ..with("s3cret-bus-pass")
    };
    let e = Bus::try_connect(&missing).await.err().unwrap().to_string();
    assert!(e.contains("nowhere"), "{e}");
}

/// A bus behind TLS (a certificate authority made for the test by the `openssl` command):
/// refused when the client does not know the authority, taken with `tls_ca`.
#[tokio::test]
async fn a_bus_behind_tls_takes_a_client_that_knows_its_authority() {
    let dir = std::env::temp_dir().join(format!("vigie-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let openssl = |args: &[&str]| {
        let ok = std::process::Command::new("openssl")
            .args(args)
            .current_dir(&dir)
            .stderr(std::process::Stdio::null())
            .status()
            .expect("the openssl command (apt install openssl; .ci/run does it)")
            .success();
        assert!(ok, "openssl {args:?}");
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=vigie test authority",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ]);
    let server = vigie_bus::test_server::Server::start_with(
        "tls",
        &format!(
            "tls {{ cert_file: \"{0}/server.pem\", key_file: \"{0}/server.key\" }}",
            dir.display()
        ),
    );
    let url = server.url.replace("nats://", "tls://");
    assert!(Bus::try_connect(&config(&url)).await.is_err());
    let with_ca = BusConfig {
        tls_ca: Some(dir.join("ca.pem")),
        ..config(&url)
    };
    let bus = Bus::try_connect(&with_ca).await.unwrap();
    bus.publish_reports("niamey", "niamey-1-0", 0.0, &[report(0, 0.0)])
        .await
        .unwrap();
    assert_eq!(
        bus.last_sequence(vigie_bus::REPORTS_STREAM).await.unwrap(),
        1
    );
}
