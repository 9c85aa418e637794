//! The clip catalog (`sim/assets/catalog.tsv`): ids, kinds and texts of every clip, shared by
//! the asset build script and the Rust fallback synthesizer.

use super::clip::{ClipKind, Language};

/// The catalog text, compiled in.
pub const CATALOG_TSV: &str = include_str!("../../assets/catalog.tsv");

/// One catalog or manifest row.
#[derive(Debug, Clone)]
pub struct CatalogEntry {
    /// Clip id.
    pub id: String,
    /// Clip kind.
    pub kind: ClipKind,
    /// Language.
    pub language: Language,
    /// Voice id.
    pub voice: String,
    /// Announced wait in minutes (wait estimates).
    pub wait_minutes: Option<u32>,
    /// Fundamental frequency in Hz the synthesizer uses for this voice (0 = none).
    pub f0_hz: f64,
    /// Catalog: source recipe; manifest: file name relative to the cache dir.
    pub source: String,
    /// Text of the clip.
    pub text: String,
}

/// Parse catalog/manifest TSV (8 tab-separated columns, `#` comments, `-` = empty).
///
/// Errors: a row with fewer than 8 columns, an unknown kind, or a bad number.
pub fn parse_entries(tsv: &str) -> anyhow::Result<Vec<CatalogEntry>> {
    let mut out = Vec::new();
    for (n, line) in tsv.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.splitn(8, '\t').collect();
        if cols.len() < 8 {
            anyhow::bail!("line {}: expected 8 columns, got {}", n + 1, cols.len());
        }
        let kind = ClipKind::parse(cols[1])
            .ok_or_else(|| anyhow::anyhow!("line {}: unknown kind {}", n + 1, cols[1]))?;
        let wait_minutes = match cols[4] {
            "-" | "" => None,
            m => Some(m.parse()?),
        };
        out.push(CatalogEntry {
            id: cols[0].to_string(),
            kind,
            language: Language::parse(cols[2]),
            voice: if cols[3] == "-" {
                String::new()
            } else {
                cols[3].to_string()
            },
            wait_minutes,
            f0_hz: cols[5].parse()?,
            source: cols[6].to_string(),
            text: cols[7].to_string(),
        });
    }
    Ok(out)
}

/// The compiled-in catalog.
pub fn catalog() -> Vec<CatalogEntry> {
    parse_entries(CATALOG_TSV).expect("sim/assets/catalog.tsv is valid")
}

/// Music duration in seconds from a catalog `moh:`/`mohsing:` source (None otherwise).
pub fn music_duration_s(source: &str) -> Option<f64> {
    let rest = source
        .strip_prefix("moh:")
        .or_else(|| source.strip_prefix("mohsing:"))?;
    rest.split('/').nth(2)?.parse().ok()
}
