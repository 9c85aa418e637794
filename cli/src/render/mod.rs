//! Output of `hh`: JSON for scripts ([`json`]) and text for people ([`text`]).

pub mod json;
pub mod text;

use crate::args::OutputFormat;

/// Prints `value` as pretty JSON (for `-o json`) or `table` text.
pub fn emit(
    format: OutputFormat,
    value: impl FnOnce() -> serde_json::Value,
    table: impl FnOnce() -> String,
) {
    match format {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&value()).unwrap_or_else(|_| "null".into())
        ),
        OutputFormat::Table => print!("{}", table()),
    }
}
