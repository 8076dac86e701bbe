//! Builds the operator display (`web/`, TypeScript and Vite) into `$OUT_DIR/web`, where
//! `assets.rs` embeds it: a fresh clone needs no manual step, only Node.js and npm.
//!
//! `VIGIE_WEB_DIST=dir` embeds an already built display instead (an air-gapped build
//! machine without npm, say).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let web = manifest.join("../../web");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("web");
    for part in [
        "src",
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "tsconfig.json",
    ] {
        println!("cargo:rerun-if-changed={}", web.join(part).display());
    }
    println!("cargo:rerun-if-env-changed=VIGIE_WEB_DIST");
    if let Ok(dist) = std::env::var("VIGIE_WEB_DIST") {
        copy_dir(Path::new(&dist), &out);
        return;
    }
    let installed = web.join("node_modules/.package-lock.json");
    let stale = match (
        modified(&installed),
        modified(&web.join("package-lock.json")),
    ) {
        (Some(i), Some(l)) => l > i,
        _ => true,
    };
    if stale {
        npm(&web, &["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
    }
    let out_arg = out.display().to_string();
    npm(
        &web,
        &["run", "build", "--", "--outDir", &out_arg, "--emptyOutDir"],
    );
}

fn modified(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

fn npm(dir: &Path, args: &[&str]) {
    let status = Command::new("npm").args(args).current_dir(dir).status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!(
            "building the operator display failed: `npm {}` in {} exited with {s}",
            args.join(" "),
            dir.display()
        ),
        Err(e) => panic!(
            "building the operator display needs Node.js 20.19+ and npm ({e}); install them, \
             or set VIGIE_WEB_DIST to a display built elsewhere"
        ),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("creating the display's output directory");
    let entries = std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("VIGIE_WEB_DIST={}: {e}", from.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target)
                .unwrap_or_else(|e| panic!("copying {}: {e}", path.display()));
        }
    }
}
