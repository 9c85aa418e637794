//! The per-leg media interface: 20 ms G.711 mu-law frames (8 kHz, 160 bytes) with media
//! timestamps in, DTMF digits out. One implementation per transport: the simulator's
//! WebSocket ([`super::websocket`]) now, a SIP line agent (the hold line's own device,
//! registered with `GET .../device/{deviceId}/sip-info`, DESIGN §5) later.

use futures::future::BoxFuture;

use crate::engine::media::LegMedia;

/// Bytes in one 20 ms G.711 mu-law frame at 8 kHz.
pub const FRAME_BYTES: usize = 160;
/// Media ms in one frame.
pub const FRAME_MS: u64 = 20;

/// One frame of call audio from the far end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFrame {
    /// Transport sequence number (per call; counts every message of the stream, so a jump
    /// of more than one may also be a non-audio message).
    pub sequence: u64,
    /// Media time of the frame's first sample since the stream began, ms.
    pub timestamp_ms: u64,
    /// G.711 mu-law bytes, normally [`FRAME_BYTES`].
    pub payload: Vec<u8>,
}

/// What a media stream delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEvent {
    /// The transport is attached (audio may not have started yet).
    Connected,
    /// Audio begins (`start`); `stream_id` names this stream.
    Started {
        /// Transport's stream id.
        stream_id: String,
    },
    /// One audio frame.
    Frame(MediaFrame),
    /// A DTMF digit the far end received (echo).
    Dtmf {
        /// `0-9`, `*`, `#`, `A-D`.
        digit: char,
    },
    /// Our device left the call (hang-up or transfer): the stream is over for good.
    Stopped {
        /// Transport's reason text.
        reason: String,
    },
}

/// Media transport errors.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The call is unknown to the media server (the session is gone): do not reconnect.
    #[error("media stream not found (telephony session unknown or over)")]
    NotFound,
    /// Connecting failed (refused, timeout, bad handshake); reconnecting may help.
    #[error("media connect failed: {0}")]
    Connect(String),
    /// The stream broke or sent something unreadable; reconnecting may help.
    #[error("media stream error: {0}")]
    Stream(String),
}

/// Opens media streams for legs.
pub trait MediaSource: Send + Sync + 'static {
    /// Attach to `leg`'s call audio. [`MediaError::NotFound`] when the call is over.
    fn connect(
        &self,
        leg: &LegMedia,
    ) -> BoxFuture<'static, Result<Box<dyn MediaStream>, MediaError>>;
}

/// One attached media stream. Reading is cancel-safe (dropping a pending
/// [`MediaStream::next_event`] loses nothing).
pub trait MediaStream: Send {
    /// The next event; `Ok(None)` when the transport closed (without `Stopped`: reconnect).
    fn next_event(&mut self) -> BoxFuture<'_, Result<Option<MediaEvent>, MediaError>>;
    /// Sends one DTMF digit (`0-9`, `*`, `#`) into the call.
    fn send_dtmf(&mut self, digit: char) -> BoxFuture<'_, Result<(), MediaError>>;
    /// Closes the transport politely (best effort).
    fn close(&mut self) -> BoxFuture<'_, ()>;
}
