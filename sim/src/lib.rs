//! A faithful RingCentral platform simulator plus simulated destinations (IRS lines) with call audio
pub mod audio;
pub mod farend;
// --- platform half (sim-platform engineer) ---
pub mod account;
pub mod admin;
pub mod auth;
pub mod config;
pub mod directory;
pub mod errors;
pub mod faults;
pub mod ground_truth;
pub mod media_ws;
pub mod queue;
pub mod rate_limit;
pub mod server;
pub mod state;
pub mod subscriptions;
pub mod telephony;
pub mod webhook_delivery;
pub use config::SimConfig;
pub use server::{SimHandle, serve, spawn};
