//! Hold Hunter gRPC control plane: API, hunt engine, Redis store.
//!
//! Entry points: [`run`] (serve until a shutdown future resolves) and [`start`] (returns a
//! [`RunningServer`] with the bound addresses and the [`engine::Engine`]). Configuration is one
//! [`ServerConfig`] (see `server/README.md`).
//!
//! Layout: `config` (typed config), `error` (domain error → `tonic::Status`), `auth`
//! (bearer tokens), `store` (Redis records and scripts), `engine` (pure leg state machine,
//! executor, workers, subscription keeper, media interface), `api` (gRPC edge), `destinations`
//! (presets, validation, business hours), `telemetry` (logs, metrics), `server` (wiring).

pub mod api;
pub mod auth;
pub mod config;
pub mod destinations;
pub mod engine;
pub mod error;
pub mod media;
pub mod server;
pub mod static_files;
pub mod store;
pub mod telemetry;

pub use config::ServerConfig;
pub use server::{RunningServer, ServerOptions, run, start};
