//! One module per command family.

pub mod destinations;
pub mod jobs;
pub mod lines;
pub mod queues;
pub mod ringcentral;
