//! `hh lines list|sync|enable|disable|pool`.

use holdhunter_proto::v1 as pb;
use serde_json::json;

use crate::args::{LinesCommand, OutputFormat};
use crate::client::Connection;
use crate::exit::CliError;
use crate::render::{emit, json, text};

/// Runs one `hh lines` subcommand.
pub async fn run(
    conn: &Connection,
    command: &LinesCommand,
    format: OutputFormat,
) -> Result<(), CliError> {
    let mut client = conn.lines();
    match command {
        LinesCommand::List(args) => {
            let mut lines = Vec::new();
            let mut page_token = String::new();
            loop {
                let response = client
                    .list_lines(pb::ListLinesRequest {
                        pool: args.pool.clone().unwrap_or_default(),
                        free_only: args.free,
                        page_size: 1000,
                        page_token: page_token.clone(),
                    })
                    .await
                    .map_err(|s| conn.error(s))?
                    .into_inner();
                lines.extend(response.lines);
                if response.next_page_token.is_empty() {
                    break;
                }
                page_token = response.next_page_token;
            }
            emit(
                format,
                || json!({"lines": lines.iter().map(json::line).collect::<Vec<_>>()}),
                || {
                    if lines.is_empty() {
                        "No lines. Read them from RingCentral: hh lines sync\n".into()
                    } else {
                        lines_table(&lines)
                    }
                },
            );
        }
        LinesCommand::Sync => {
            let r = client
                .sync_lines(pb::SyncLinesRequest {})
                .await
                .map_err(|s| conn.error(s))?
                .into_inner();
            emit(
                format,
                || {
                    json!({
                        "lines": r.lines.iter().map(json::line).collect::<Vec<_>>(),
                        "added": r.added, "updated": r.updated, "missing": r.missing,
                    })
                },
                || {
                    format!(
                        "{}\nSynced {} lines: {} added, {} updated, {} missing.\n",
                        lines_table(&r.lines).trim_end(),
                        r.lines.len(),
                        r.added,
                        r.updated,
                        r.missing
                    )
                },
            );
        }
        LinesCommand::Enable(ids) | LinesCommand::Disable(ids) => {
            let enabled = matches!(command, LinesCommand::Enable(_));
            let r = client
                .set_lines_enabled(pb::SetLinesEnabledRequest {
                    line_ids: ids.line_ids.clone(),
                    enabled,
                })
                .await
                .map_err(|s| conn.error(s))?
                .into_inner();
            emit(
                format,
                || json!({"lines": r.lines.iter().map(json::line).collect::<Vec<_>>()}),
                || lines_table(&r.lines),
            );
        }
        LinesCommand::Pool(args) => {
            let (pool, line_ids) = if args.clear {
                (String::new(), args.words.clone())
            } else {
                match args.words.split_first() {
                    Some((pool, ids)) if !ids.is_empty() => (pool.clone(), ids.to_vec()),
                    _ => {
                        return Err(CliError::Usage(
                            "give a pool name and at least one line id: \
                             hh lines pool POOL LINE_ID... (or --clear LINE_ID...)"
                                .into(),
                        ));
                    }
                }
            };
            let r = client
                .set_lines_pool(pb::SetLinesPoolRequest { line_ids, pool })
                .await
                .map_err(|s| conn.error(s))?
                .into_inner();
            emit(
                format,
                || json!({"lines": r.lines.iter().map(json::line).collect::<Vec<_>>()}),
                || lines_table(&r.lines),
            );
        }
    }
    Ok(())
}

fn lines_table(lines: &[pb::Line]) -> String {
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            vec![
                l.line_id.clone(),
                l.extension_number.clone(),
                text::truncate(&l.name, 20),
                text::device_status(l.device_status),
                if l.enabled { "yes" } else { "no" }.into(),
                l.pool.clone(),
                l.in_use_by_job_id.clone(),
            ]
        })
        .collect();
    text::table(
        &[
            "LINE",
            "EXT",
            "NAME",
            "DEVICE",
            "ENABLED",
            "POOL",
            "IN USE BY",
        ],
        &rows,
    )
}
