//! The WebSocket push: a snapshot on connect, then each second what changed. Each client
//! reads from a bounded broadcast queue; one that falls behind skips to a fresh snapshot,
//! and one that stops reading is dropped, so no client ever holds up the pipeline.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use tokio::sync::broadcast::error::RecvError;

use crate::api::{ApiError, AppState, Caller};

/// A client that takes longer than this to accept one message is gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);

pub async fn upgrade(
    State(state): State<AppState>,
    caller: Caller,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    match ws {
        Ok(ws) => ws
            .max_message_size(64 * 1024)
            .on_upgrade(move |socket| serve(socket, state, caller.token)),
        Err(e) => ApiError(e.status(), e.body_text()).into_response(),
    }
}

fn snapshot(state: &AppState) -> String {
    let picture = state.picture.read().unwrap_or_else(|e| e.into_inner());
    serde_json::to_string(&picture.snapshot()).unwrap_or_default()
}

async fn send(socket: &mut WebSocket, text: String) -> bool {
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Text(text.into()))).await,
        Ok(Ok(()))
    )
}

async fn serve(mut socket: WebSocket, state: AppState, token: String) {
    let mut rx = state.push.subscribe();
    if !send(&mut socket, snapshot(&state)).await {
        return;
    }
    loop {
        tokio::select! {
            pushed = rx.recv() => {
                if state.sessions.get(&token, state.now()).is_none() {
                    break;
                }
                let text = match pushed {
                    Ok(text) => text.to_string(),
                    Err(RecvError::Lagged(skipped)) => {
                        tracing::debug!(skipped, "slow display client: sending a snapshot");
                        snapshot(&state)
                    }
                    Err(RecvError::Closed) => break,
                };
                if !send(&mut socket, text).await {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                // The display only listens; anything it says is ignored.
                Some(Ok(_)) => {}
            },
        }
    }
}
