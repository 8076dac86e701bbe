//! What the binary's integration tests share: child processes stopped when dropped, free
//! ports, users added the way an administrator adds them, a scenario's sensor table.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A child process, killed and reaped when dropped.
pub struct Killed(pub std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_vigie")
}

pub fn niger() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/niger.toml")
}

pub fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `vigie user add`, the password on standard input.
pub fn add_user(users: &Path, name: &str, role: &str, password: &str) {
    let mut add = Command::new(bin())
        .args(["user", "add", name, "--role", role, "--users"])
        .arg(users)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let line = format!("{password}\n");
    add.stdin
        .take()
        .unwrap()
        .write_all(line.as_bytes())
        .unwrap();
    assert!(add.wait().unwrap().success());
}

/// The Niger exercise's sensor table, as `vigie sim --out` writes it, in `out/sensors.toml`.
pub fn sim_sensors(out: &Path) {
    let status = Command::new(bin())
        .args(["sim", "-q", "--duration-s", "1", "--out"])
        .arg(out)
        .arg(niger())
        .status()
        .unwrap();
    assert!(status.success());
}
