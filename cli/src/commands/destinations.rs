//! `hh destinations list|show`.

use holdhunter_proto::v1 as pb;
use serde_json::json;

use crate::args::{DestinationsCommand, OutputFormat};
use crate::client::Connection;
use crate::exit::CliError;
use crate::render::{emit, json, text};

/// Runs one `hh destinations` subcommand.
pub async fn run(
    conn: &Connection,
    command: &DestinationsCommand,
    format: OutputFormat,
) -> Result<(), CliError> {
    let mut client = conn.destinations();
    match command {
        DestinationsCommand::List => {
            let list = client
                .list_destinations(pb::ListDestinationsRequest {})
                .await
                .map_err(|s| conn.error(s))?
                .into_inner()
                .destinations;
            emit(
                format,
                || json!({"destinations": list.iter().map(json::destination).collect::<Vec<_>>()}),
                || {
                    let rows: Vec<Vec<String>> = list
                        .iter()
                        .map(|d| {
                            vec![
                                d.destination_id.clone(),
                                d.phone_number.clone(),
                                text::truncate(&d.name, 34),
                                if d.open_now { "open" } else { "closed" }.into(),
                                if d.preset { "preset" } else { "custom" }.into(),
                            ]
                        })
                        .collect();
                    text::table(&["ID", "NUMBER", "NAME", "NOW", "KIND"], &rows)
                },
            );
        }
        DestinationsCommand::Show(arg) => {
            let d = client
                .get_destination(pb::GetDestinationRequest {
                    destination_id: arg.destination_id.clone(),
                })
                .await
                .map_err(|s| conn.error(s))?
                .into_inner()
                .destination
                .unwrap_or_default();
            emit(format, || json::destination(&d), || destination_text(&d));
        }
    }
    Ok(())
}

fn destination_text(d: &pb::Destination) -> String {
    let mut out = format!(
        "{}  {}\nNumber {}  time zone {}  {}{}\n",
        d.destination_id,
        d.name,
        d.phone_number,
        d.time_zone,
        if d.open_now { "open now" } else { "closed now" },
        if d.preset { "  (preset)" } else { "" }
    );
    out.push_str("Business hours:\n");
    if d.business_hours.is_empty() {
        out.push_str("  always open\n");
    }
    for h in &d.business_hours {
        let days: Vec<&str> = h
            .weekdays
            .iter()
            .map(|w| match w {
                1 => "Mon",
                2 => "Tue",
                3 => "Wed",
                4 => "Thu",
                5 => "Fri",
                6 => "Sat",
                7 => "Sun",
                _ => "?",
            })
            .collect();
        out.push_str(&format!(
            "  {}  {:02}:{:02}-{:02}:{:02}\n",
            days.join(","),
            h.open_minute / 60,
            h.open_minute % 60,
            h.close_minute / 60,
            h.close_minute % 60
        ));
    }
    if d.closed_on_us_federal_holidays {
        out.push_str("  closed on US federal holidays\n");
    }
    let steps = d
        .ivr_plan
        .as_ref()
        .map(|p| p.steps.as_slice())
        .unwrap_or(&[]);
    if !steps.is_empty() {
        out.push_str("Phone menu:\n");
        let rows: Vec<Vec<String>> = steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                vec![
                    (i + 1).to_string(),
                    s.prompt.clone(),
                    if s.digits.is_empty() {
                        "(wait)".into()
                    } else {
                        s.digits.clone()
                    },
                    text::truncate(&s.expect, 40),
                ]
            })
            .collect();
        for line in text::table(&["#", "PROMPT", "DIGITS", "EXPECT"], &rows).lines() {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
    if !d.notes.is_empty() {
        out.push_str(&format!("Notes: {}\n", d.notes));
    }
    out
}
