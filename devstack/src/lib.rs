//! Starts a private local Hold Hunter stack for the demo and for tests: a real `redis-server`
//! child process on a free port with its own data directory, plus (feature `stack`, see
//! `stack::Stack`) the simulator, the webhook bridge and the server in-process.

pub mod redis_server;
#[cfg(feature = "stack")]
pub mod stack;

pub use redis_server::{RedisOptions, RedisServer};
#[cfg(feature = "stack")]
pub use stack::{Stack, StackOptions};
