//! Call audio for the simulated far end: G.711 mu-law, resampling to 8 kHz, levels, line
//! noise and clicks, synthesis, and the [`AudioBank`] of clips (IVR prompts, hold music,
//! announcements, agent greetings) shared by all calls.

pub mod bank;
pub mod catalog;
pub mod clip;
pub mod level;
pub mod noise;
pub mod resample;
pub mod synthesis;
pub mod ulaw;
pub mod wav;

pub use bank::{AudioBank, BankOrigin, default_asset_dir};
pub use clip::{Clip, ClipKind, ClipOrigin, Language};
pub use ulaw::{decode_ulaw, encode_ulaw};
