//! Call audio for the simulated far end: G.711 mu-law, resampling, levels, noise, and the
//! [`AudioBank`] of clips (IVR prompts, hold music, announcements, agent greetings).

pub mod bank;

pub use bank::AudioBank;
