//! CPU cost of `LegDetector::push_ulaw` per 20 ms frame per leg.
//!
//! `cargo run -p holdhunter-detect --release --example bench_frame [frames]`
//!
//! Feeds a synthetic call (IVR prompt, hold loop of music and a repeated announcement, then
//! an agent) through one leg, timing every frame; prints p50/p99/max µs per frame and frames
//! per second per core. The loop library is shared and already populated, as in production.
#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Instant;

use holdhunter_detect::{DetectorConfig, LegDetector, LoopLibrary};
use support::*;

fn main() {
    let frames: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let mut call: Vec<i16> = speech(3000, VOICE_RECORDED, -20.0, 1);
    for seed in 0..6 {
        call.extend(chord_music(20_000, -22.0, 10 + seed));
        call.extend(silence(300));
        call.extend(speech(6000, VOICE_RECORDED, -20.0, 2));
        call.extend(silence(300));
    }
    call.extend(speech(5000, VOICE_AGENT, -18.0, 3));
    let ulaw = to_ulaw(&call);
    let call_frames: Vec<&[u8]> = ulaw.chunks_exact(160).collect();

    let library = Arc::new(LoopLibrary::new());
    // Warm the library with one pass, as other legs of the destination would have.
    let mut warm = LegDetector::new(DetectorConfig::default(), Arc::clone(&library));
    for f in &call_frames {
        warm.push_ulaw(f);
    }

    let mut times_ns = Vec::with_capacity(frames);
    let mut leg = LegDetector::new(DetectorConfig::default(), Arc::clone(&library));
    let mut verdicts = 0usize;
    let total = Instant::now();
    for i in 0..frames {
        let frame = call_frames[i % call_frames.len()];
        if i > 0 && i % call_frames.len() == 0 {
            leg = LegDetector::new(DetectorConfig::default(), Arc::clone(&library));
        }
        let start = Instant::now();
        if leg.push_ulaw(frame).is_some() {
            verdicts += 1;
        }
        times_ns.push(start.elapsed().as_nanos() as u64);
    }
    let wall = total.elapsed();
    times_ns.sort_unstable();
    let pct = |p: f64| times_ns[((times_ns.len() - 1) as f64 * p) as usize] as f64 / 1000.0;
    let mean_us = times_ns.iter().sum::<u64>() as f64 / times_ns.len() as f64 / 1000.0;
    println!(
        "frames: {frames} (20 ms each = {:.0} s of media), verdicts: {verdicts}",
        frames as f64 * 0.02
    );
    println!("library: {} hashes", library.len());
    println!(
        "µs per frame per leg: mean {mean_us:.1}  p50 {:.1}  p99 {:.1}  max {:.1}",
        pct(0.50),
        pct(0.99),
        *times_ns.last().unwrap() as f64 / 1000.0
    );
    println!(
        "frames/s per core: {:.0}  (= {:.0} concurrent real-time legs per core at the mean)",
        frames as f64 / wall.as_secs_f64(),
        20_000.0 / mean_us
    );
}
