//! From accepted delivery to server: the bounded ordered [`queue`], the authenticated gRPC
//! [`ingest_client`], retry [`backoff`], and the [`forwarder`] task that drains the queue.

pub mod backoff;
pub mod forwarder;
pub mod ingest_client;
pub mod queue;
