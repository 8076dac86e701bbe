//! # vigie-server: the operator display's server
//!
//! This crate owns what the display talks to: the air picture as the display sees it
//! ([`picture`]: track views with history, sensor status, alerts), the HTTP API and the
//! WebSocket push ([`api`], [`ws`]), who may log in and do what ([`auth`]: users with argon2
//! hashes, sessions, roles), the append-only [`audit`] log, the radar coverage laid over the map
//! ([`overlay`]), and the display's files, built from `web/` and embedded ([`assets`]).
//!
//! It owns no tracking and no simulation: whoever runs the pipeline (the `vigie` binary)
//! feeds tracker output into the [`picture::Picture`] and calls [`publish`] once a second.
//! It reads the wall clock only through the injected `AppState::now_unix_s`.

pub mod api;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod exercise;
pub mod overlay;
pub mod picture;
pub mod review;
pub mod ws;

use std::sync::Arc;

pub use api::{router, AppState, MapLayers};

/// How many pushes a display client may fall behind before it skips to a snapshot.
pub const PUSH_QUEUE: usize = 8;

/// Sends what changed in the picture since the last call to every connected display.
/// Never waits for a client.
pub fn publish(state: &AppState) {
    let delta = state
        .picture
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .take_delta();
    if state.push.receiver_count() == 0 {
        return;
    }
    match serde_json::to_string(&delta) {
        Ok(text) => {
            // An error only means nobody listens.
            let _ = state.push.send(Arc::from(text));
        }
        Err(e) => tracing::error!("serialising the picture: {e}"),
    }
}
