//! Starts a private local Hold Hunter stack for the demo and for tests: a real `redis-server`
//! child process on a free port with its own data directory, plus (see [`stack`]) the simulator,
//! the webhook bridge and the server.

pub mod redis_server;

pub use redis_server::{RedisOptions, RedisServer};
