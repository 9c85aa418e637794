//! The real media pipeline: per-leg media client + live-agent detector + IVR navigation
//! (DESIGN §6), plugged into the engine as a [`MediaSupervisor`](crate::engine::media::MediaSupervisor).
//!
//! - [`source`]: the transport-neutral interface ([`MediaSource`] / [`MediaStream`]: 20 ms
//!   G.711 mu-law frames in, DTMF out), so a SIP line agent can plug in later;
//! - [`websocket`]: the simulator's media WebSocket (`media.url_template`);
//! - [`session`]: one leg's task (reconnects with backoff, gaps → `on_gap` + NOTE + metric,
//!   detector, IVR plan, verdicts);
//! - [`ivr`]: IVR navigation by prompt (pure, media time);
//! - [`verdicts`]: detector verdicts → engine verdicts, rate limit;
//! - [`loops`]: loop libraries per destination, persisted in Redis;
//! - [`supervisor`]: the supervisor ([`DetectorSupervisor`]);
//! - [`events`]: IVR-step and NOTE job events;
//! - [`metrics`]: metric names;
//! - [`config`]: the `media` configuration section.

pub mod config;
pub mod events;
pub mod ivr;
pub mod known;
pub mod loops;
pub mod metrics;
pub mod session;
pub mod source;
pub mod supervisor;
pub mod verdicts;
pub mod websocket;

pub use config::{DetectorOverrides, MediaConfig};
pub use loops::{LoopStore, loop_key};
pub use source::{MediaError, MediaEvent, MediaFrame, MediaSource, MediaStream};
pub use supervisor::DetectorSupervisor;
pub use websocket::WebSocketMediaSource;
