//! Starts a private local Hold Hunter stack for the demo and for tests: a real `redis-server`
//! child process on a free port with its own data directory, plus (feature `stack`, see
//! `stack::Stack`) the simulator, the webhook bridge and the server in-process.

pub mod redis_server;
#[cfg(feature = "stack")]
pub mod stack;

/// The server's configuration, for [`StackOptions::server_tweak`].
#[cfg(feature = "stack")]
pub use hold_hunter_server::ServerConfig;
pub use redis_server::{RedisOptions, RedisServer};
#[cfg(feature = "stack")]
pub use stack::{Stack, StackOptions};
