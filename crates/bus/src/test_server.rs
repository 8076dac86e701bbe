//! For tests and benchmarks: a real `nats-server` (Debian's package) with JetStream on a
//! free loopback port, in a folder of its own, stopped when dropped.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    pub url: String,
    pub port: u16,
    child: Child,
    pub dir: std::path::PathBuf,
}

/// A free loopback port below the kernel's ephemeral range (32768 and up), so that a test
/// restarting its server on the same port never finds it taken by another test's `bind(0)`.
fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let base = (std::process::id() % 997) * 17;
    (0..2_000)
        .map(|i| 10_000 + ((base + NEXT.fetch_add(1, Ordering::Relaxed) * 7 + i) % 20_000) as u16)
        .find(|p| TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .expect("a free loopback port")
}

impl Server {
    pub fn start(name: &str) -> Server {
        let dir = std::env::temp_dir().join(format!("vigie-nats-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Server::start_in(dir, free_port())
    }

    /// With more configuration (`authorization { ... }`, say) in nats-server's own syntax.
    pub fn start_with(name: &str, extra: &str) -> Server {
        let dir = std::env::temp_dir().join(format!("vigie-nats-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let conf = dir.join("nats.conf");
        std::fs::write(
            &conf,
            format!(
                "listen: 127.0.0.1:{port}
jetstream {{ store_dir: \"{}\" }}
{extra}
",
                dir.display()
            ),
        )
        .unwrap();
        Server::spawn(&["-c", &conf.display().to_string()], dir, port)
    }

    /// On a given folder and port: a restart finds its streams again.
    pub fn start_in(dir: std::path::PathBuf, port: u16) -> Server {
        let store = dir.display().to_string();
        let args = [
            "-js",
            "-a",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-sd",
            &store,
        ];
        Server::spawn(&args, dir, port)
    }

    fn spawn(args: &[&str], dir: std::path::PathBuf, port: u16) -> Server {
        let child = Command::new("nats-server")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server must be installed (apt install nats-server; .ci/run does it)");
        let mut child = child;
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nats-server did not start on {port}"
            );
            assert!(
                matches!(child.try_wait(), Ok(None)),
                "nats-server exited: is port {port} taken?"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Server {
            url: format!("nats://127.0.0.1:{port}"),
            port,
            child,
            dir,
        }
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Three servers in one JetStream cluster on loopback ports, each in a folder of its own.
pub struct Cluster {
    /// Every server's URL, comma-separated: what a client is given.
    pub url: String,
    pub servers: Vec<Server>,
}

impl Cluster {
    pub fn start(name: &str) -> Cluster {
        let root = std::env::temp_dir().join(format!("vigie-nats-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let ports: Vec<(u16, u16)> = (0..3).map(|_| (free_port(), free_port())).collect();
        let routes: Vec<String> = ports
            .iter()
            .map(|(_, r)| format!("nats-route://127.0.0.1:{r}"))
            .collect();
        let servers: Vec<Server> = ports
            .iter()
            .enumerate()
            .map(|(i, (client, route))| {
                let dir = root.join(format!("n{i}"));
                std::fs::create_dir_all(&dir).unwrap();
                let conf = dir.join("nats.conf");
                std::fs::write(
                    &conf,
                    format!(
                        "server_name: n{i}\nlisten: 127.0.0.1:{client}\n\
                         jetstream {{ store_dir: \"{}\" }}\n\
                         cluster {{ name: vigie, listen: 127.0.0.1:{route}, routes: [{}] }}\n",
                        dir.display(),
                        routes.join(", ")
                    ),
                )
                .unwrap();
                Server::spawn(&["-c", &conf.display().to_string()], dir, *client)
            })
            .collect();
        Cluster {
            url: servers
                .iter()
                .map(|s| s.url.clone())
                .collect::<Vec<_>>()
                .join(","),
            servers,
        }
    }
}
