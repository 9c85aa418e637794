//! A faithful RingCentral platform simulator plus simulated destinations (IRS lines) with call audio
pub mod audio;
pub mod farend;
