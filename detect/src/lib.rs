//! Live-agent detection on G.711 mu-law call audio, in media time
pub mod classify;
pub mod features;
pub mod ulaw;
