//! The destination catalog: lookup of destination models by E.164 number.

use std::sync::Arc;

use super::model::DestinationModel;
use super::presets;
use super::spec::DestinationSpec;

/// Destinations by number: IRS presets (individual +18008291040, business +18008294933,
/// PPS +18668604259) plus anything added.
#[derive(Debug, Default, Clone)]
pub struct DestinationCatalog {
    models: Vec<Arc<DestinationModel>>,
}

impl DestinationCatalog {
    /// The three IRS lines.
    pub fn irs_presets() -> DestinationCatalog {
        let mut c = DestinationCatalog::default();
        for spec in [
            presets::irs_individual(),
            presets::irs_business(),
            presets::irs_pps(),
        ] {
            c.add(spec).expect("IRS presets are valid");
        }
        c
    }

    /// IRS presets plus the simulator test lines (`presets::sim_test_lines`).
    pub fn with_test_lines() -> DestinationCatalog {
        let mut c = DestinationCatalog::irs_presets();
        for spec in presets::sim_test_lines() {
            c.add(spec).expect("test lines are valid");
        }
        c
    }

    /// Add (or replace, by number) a destination. Errors: invalid spec (see
    /// `DestinationModel::from_spec`).
    pub fn add(&mut self, spec: DestinationSpec) -> anyhow::Result<Arc<DestinationModel>> {
        let model = Arc::new(DestinationModel::from_spec(spec)?);
        self.models.retain(|m| m.number != model.number);
        self.models.push(model.clone());
        Ok(model)
    }

    /// The destination dialled as `e164` (exact E.164 match, e.g. `+18008291040`).
    pub fn lookup(&self, e164: &str) -> Option<Arc<DestinationModel>> {
        self.models.iter().find(|m| m.number == e164).cloned()
    }

    /// All destinations, in insertion order.
    pub fn all(&self) -> Vec<Arc<DestinationModel>> {
        self.models.clone()
    }
}
