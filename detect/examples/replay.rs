//! Replay raw 8 kHz G.711 mu-law captures through one shared loop library, one `LegDetector`
//! per file in order, printing verdicts and segment events (media time in ms).
//!
//! `cargo run -p holdhunter-detect --release --example replay -- a.ul b.ul`
//! Env `HH_OFFSET=n` drops the first n bytes of each file (to test frame alignment).
use std::sync::Arc;

use holdhunter_detect::{DetectorConfig, LegDetector, LoopLibrary};

fn main() {
    let library = Arc::new(LoopLibrary::new());
    let offset: usize = std::env::var("HH_OFFSET")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let quiet = std::env::var("HH_QUIET").is_ok();
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("readable capture file");
        let mut leg = LegDetector::new(DetectorConfig::default(), Arc::clone(&library));
        println!(
            "== {path} ({} s, library {} hashes)",
            bytes.len() / 8000,
            library.len()
        );
        for frame in bytes[offset.min(bytes.len())..].chunks(160) {
            if let Some(v) = leg.push_ulaw(frame) {
                println!(
                    "{:>8} ms  {:<11} conf {:.2}  onset {:>8}  {}",
                    v.at_samples / 8,
                    v.phase.as_str(),
                    v.confidence,
                    v.onset_samples
                        .map_or("-".into(), |o| format!("{} ms", o / 8)),
                    v.cause
                );
                if std::env::var("HH_TRACE").is_ok() && v.phase == holdhunter_detect::Phase::Live {
                    for r in leg.recent_frames().iter().rev().take(60).rev() {
                        println!(
                            "      {:>7} ms {:<7} {:>6.1} dB v={:.2} p={:>5.0} held={:.2} flux={:.2} lib={}/{}",
                            r.start_samples / 8,
                            r.class.as_str(),
                            r.energy_dbfs,
                            r.voicing,
                            r.pitch_hz,
                            r.held_partial_ratio,
                            r.spectral_flux,
                            r.library_hits,
                            r.library_hashes
                        );
                    }
                }
            }
            for e in leg.take_segment_events() {
                if !quiet {
                    println!(
                        "{:>8} ms    segment {:?} at {} ms, {} ms",
                        leg.media_samples() / 8,
                        e.kind,
                        e.at_samples / 8,
                        e.duration_samples / 8
                    );
                }
            }
        }
    }
}
