//! The simulator's media stream over WebSocket (sim README "Sim-only endpoints"):
//! `GET {sim}/sim/media/{telephonySessionId}`; server messages `connected`, `start`,
//! `media` `{sequenceNumber, media{timestamp (ms), payload (base64 of 160 mu-law bytes)}}`,
//! `dtmf`, `stop`; the client sends `{"event":"dtmf","dtmf":{"digit":"1"}}`. HTTP 404 on the
//! upgrade means the session is unknown.

use std::time::Duration;

use base64::Engine as _;
use futures::future::BoxFuture;
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::config::SESSION_PLACEHOLDER;
use super::source::{MediaError, MediaEvent, MediaFrame, MediaSource, MediaStream};
use crate::engine::media::LegMedia;

/// [`MediaSource`] over WebSocket, URL from a template (see
/// [`super::MediaConfig::url_template`]).
#[derive(Debug, Clone)]
pub struct WebSocketMediaSource {
    url_template: String,
    connect_timeout: Duration,
}

impl WebSocketMediaSource {
    /// A source for `url_template` (must contain `{telephonySessionId}`).
    pub fn new(url_template: impl Into<String>, connect_timeout: Duration) -> Self {
        WebSocketMediaSource {
            url_template: url_template.into(),
            connect_timeout,
        }
    }

    /// The URL for `leg` (`{telephonySessionId}`, `{partyId}`, `{lineId}` substituted).
    pub fn url_for(&self, leg: &LegMedia) -> String {
        self.url_template
            .replace(SESSION_PLACEHOLDER, &leg.telephony_session_id)
            .replace("{partyId}", &leg.party_id)
            .replace("{lineId}", &leg.line_id)
    }
}

impl MediaSource for WebSocketMediaSource {
    fn connect(
        &self,
        leg: &LegMedia,
    ) -> BoxFuture<'static, Result<Box<dyn MediaStream>, MediaError>> {
        let url = self.url_for(leg);
        let timeout = self.connect_timeout;
        Box::pin(async move {
            let attempt = tokio_tungstenite::connect_async(url.as_str());
            match tokio::time::timeout(timeout, attempt).await {
                Err(_) => Err(MediaError::Connect(format!(
                    "timed out after {} ms",
                    timeout.as_millis()
                ))),
                Ok(Err(tungstenite::Error::Http(resp)))
                    if resp.status() == http::StatusCode::NOT_FOUND =>
                {
                    Err(MediaError::NotFound)
                }
                Ok(Err(e)) => Err(MediaError::Connect(e.to_string())),
                Ok(Ok((ws, _))) => {
                    Ok(Box::new(WebSocketMediaStream { ws }) as Box<dyn MediaStream>)
                }
            }
        })
    }
}

/// One WebSocket media stream.
pub struct WebSocketMediaStream {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

#[derive(Deserialize)]
struct Wire {
    event: String,
    #[serde(rename = "sequenceNumber")]
    sequence_number: Option<String>,
    #[serde(rename = "streamSid")]
    stream_sid: Option<String>,
    media: Option<WireMedia>,
    dtmf: Option<WireDtmf>,
    stop: Option<WireStop>,
}

#[derive(Deserialize)]
struct WireMedia {
    timestamp: String,
    payload: String,
}

#[derive(Deserialize)]
struct WireDtmf {
    digit: String,
}

#[derive(Deserialize)]
struct WireStop {
    reason: Option<String>,
}

/// Parses one server text message; `Ok(None)` for messages we ignore.
pub fn parse_message(text: &str) -> Result<Option<MediaEvent>, MediaError> {
    let bad = |what: &str| MediaError::Stream(format!("bad {what} message"));
    let w: Wire = serde_json::from_str(text)
        .map_err(|e| MediaError::Stream(format!("unreadable message: {e}")))?;
    Ok(match w.event.as_str() {
        "connected" => Some(MediaEvent::Connected),
        "start" => Some(MediaEvent::Started {
            stream_id: w.stream_sid.unwrap_or_default(),
        }),
        "media" => {
            let m = w.media.ok_or_else(|| bad("media"))?;
            let sequence = w
                .sequence_number
                .as_deref()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| bad("media"))?;
            let timestamp_ms = m.timestamp.parse().map_err(|_| bad("media"))?;
            let payload = base64::engine::general_purpose::STANDARD
                .decode(m.payload)
                .map_err(|_| bad("media"))?;
            Some(MediaEvent::Frame(MediaFrame {
                sequence,
                timestamp_ms,
                payload,
            }))
        }
        "dtmf" => {
            let d = w.dtmf.ok_or_else(|| bad("dtmf"))?;
            d.digit
                .chars()
                .next()
                .map(|digit| MediaEvent::Dtmf { digit })
        }
        "stop" => Some(MediaEvent::Stopped {
            reason: w.stop.and_then(|s| s.reason).unwrap_or_default(),
        }),
        _ => None,
    })
}

impl MediaStream for WebSocketMediaStream {
    fn next_event(&mut self) -> BoxFuture<'_, Result<Option<MediaEvent>, MediaError>> {
        Box::pin(async move {
            loop {
                match self.ws.next().await {
                    None | Some(Ok(Message::Close(_))) => return Ok(None),
                    Some(Err(e)) => return Err(MediaError::Stream(e.to_string())),
                    Some(Ok(Message::Text(t))) => {
                        if let Some(ev) = parse_message(t.as_str())? {
                            return Ok(Some(ev));
                        }
                    }
                    Some(Ok(_)) => {}
                }
            }
        })
    }

    fn send_dtmf(&mut self, digit: char) -> BoxFuture<'_, Result<(), MediaError>> {
        Box::pin(async move {
            let msg = serde_json::json!({"event": "dtmf", "dtmf": {"digit": digit.to_string()}})
                .to_string();
            self.ws
                .send(Message::Text(msg.into()))
                .await
                .map_err(|e| MediaError::Stream(e.to_string()))
        })
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let _ = self.ws.close(None).await;
        })
    }
}
