//! Dev tool: print per-file feature statistics of raw 8 kHz mu-law files.
use holdhunter_detect::classify::{ClassifierConfig, FrameClass, FrameClassifier};
use holdhunter_detect::features::{ContextTracker, FeatureExtractor};
use holdhunter_detect::ulaw::decode_frame;

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("read");
        let mut fx = FeatureExtractor::new();
        let mut ctx = ContextTracker::new(0.5);
        let mut pcm = [0i16; 160];
        let mut rows = Vec::new();
        let mut cl = FrameClassifier::new(ClassifierConfig::default());
        let mut hist = std::collections::BTreeMap::<&str, usize>::new();
        for chunk in bytes.chunks_exact(160) {
            decode_frame(chunk, &mut pcm);
            let f = fx.push(&pcm);
            let c = ctx.push(&f);
            let k = cl.classify(&f, &c);
            *hist.entry(k.as_str()).or_default() += 1;
            let _ = FrameClass::Speech;
            if f.energy_dbfs > -45.0 {
                rows.push((f, c));
            }
        }
        println!("{:?}", hist);
        let n = rows.len().max(1) as f32;
        let mean = |g: &dyn Fn(
            &(
                holdhunter_detect::features::FrameFeatures,
                holdhunter_detect::features::ContextFeatures,
            ),
        ) -> f32| rows.iter().map(g).sum::<f32>() / n;
        println!(
            "{:40} n={:5} voiced={:.2} voicing={:.2} flat={:.3} flux={:.2} conc={:.2} held={:.2} pflat={:.2} mod={:.2} low={:.2} pauses={:.1} tilt={:.1} cent={:.0}",
            path.rsplit('/').next().unwrap(),
            rows.len(),
            mean(&|r| (r.0.voicing >= 0.5) as u8 as f32),
            mean(&|r| r.0.voicing),
            mean(&|r| r.0.spectral_flatness),
            mean(&|r| r.0.spectral_flux),
            mean(&|r| r.0.peak_concentration),
            mean(&|r| r.1.held_partial_ratio),
            mean(&|r| r.1.pitch_flat_ratio),
            mean(&|r| r.1.modulation_4hz),
            mean(&|r| r.1.low_energy_ratio),
            mean(&|r| r.1.pause_count as f32),
            mean(&|r| r.0.spectral_tilt_db),
            mean(&|r| r.0.spectral_centroid_hz),
        );
    }
}
