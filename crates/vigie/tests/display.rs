//! The operator display end to end: `vigie demo` (this build's binary) driven in Debian's
//! Chromium by playwright-core (web/e2e/). Screenshots land in web/e2e/artifacts/.
//!
//! Needs Node.js 20.19+ and /usr/bin/chromium (or CHROMIUM=path); `.ci/run` installs it.
//! VIGIE_SKIP_BROWSER=1 skips it, loudly, on a machine without a browser.

use std::path::Path;
use std::process::Command;

#[test]
fn the_display_in_a_real_browser() {
    if std::env::var_os("VIGIE_SKIP_BROWSER").is_some() {
        eprintln!("SKIPPED: VIGIE_SKIP_BROWSER is set; the display was not tested in a browser");
        return;
    }
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web");
    let status = Command::new("npm")
        .args(["run", "--silent", "e2e"])
        .current_dir(&web)
        .env("VIGIE_BIN", env!("CARGO_BIN_EXE_vigie"))
        .status()
        .expect("npm runs the browser tests (Node.js 20.19+ and npm are needed)");
    assert!(
        status.success(),
        "the browser tests failed (their output is above; screenshots in web/e2e/artifacts/)"
    );
}
