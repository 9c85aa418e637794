//! `hh rc check|extensions|subscriptions` (RingCentralService; read-only).

use holdhunter_proto::v1 as pb;
use serde_json::json;

use crate::args::{OutputFormat, RingCentralCommand};
use crate::client::Connection;
use crate::exit::CliError;
use crate::render::{emit, json, text};

/// Runs one `hh rc` subcommand.
pub async fn run(
    conn: &Connection,
    command: &RingCentralCommand,
    format: OutputFormat,
) -> Result<(), CliError> {
    let mut client = conn.ringcentral();
    match command {
        RingCentralCommand::Check => {
            let c = client
                .check_ring_central(pb::CheckRingCentralRequest {})
                .await
                .map_err(|s| conn.error(s))?
                .into_inner();
            emit(format, || json::rc_check(&c), || check_text(&c));
            if !c.authenticated {
                return Err(CliError::Other(anyhow::anyhow!(
                    "the server cannot authenticate with RingCentral: {}",
                    if c.auth_error.is_empty() {
                        "no detail"
                    } else {
                        &c.auth_error
                    }
                )));
            }
        }
        RingCentralCommand::Extensions => {
            let list = client
                .list_extensions(pb::ListExtensionsRequest {})
                .await
                .map_err(|s| conn.error(s))?
                .into_inner()
                .extensions;
            emit(
                format,
                || json!({"extensions": list.iter().map(json::extension).collect::<Vec<_>>()}),
                || {
                    let rows: Vec<Vec<String>> = list
                        .iter()
                        .map(|e| {
                            vec![
                                e.extension_id.clone(),
                                e.extension_number.clone(),
                                text::truncate(&e.name, 30),
                                e.r#type.clone(),
                                e.status.clone(),
                            ]
                        })
                        .collect();
                    text::table(&["ID", "EXT", "NAME", "TYPE", "STATUS"], &rows)
                },
            );
        }
        RingCentralCommand::Subscriptions => {
            let list = client
                .list_subscriptions(pb::ListSubscriptionsRequest {})
                .await
                .map_err(|s| conn.error(s))?
                .into_inner()
                .subscriptions;
            emit(
                format,
                || json!({"subscriptions": list.iter().map(json::subscription).collect::<Vec<_>>()}),
                || {
                    if list.is_empty() {
                        return "No webhook subscriptions.\n".into();
                    }
                    let rows: Vec<Vec<String>> = list
                        .iter()
                        .map(|s| {
                            vec![
                                s.subscription_id.clone(),
                                s.status.clone(),
                                text::when(s.expires_at.as_ref()),
                                text::truncate(&s.address, 40),
                            ]
                        })
                        .collect();
                    text::table(&["ID", "STATUS", "EXPIRES", "ADDRESS"], &rows)
                },
            );
        }
    }
    Ok(())
}

fn check_text(c: &pb::CheckRingCentralResponse) -> String {
    let mut out = format!("RingCentral  {}\n", c.server_url);
    if c.authenticated {
        out.push_str("Credentials  OK (token grant works)\n");
    } else {
        out.push_str(&format!("Credentials  FAILED: {}\n", c.auth_error));
    }
    match &c.subscription {
        Some(s) => {
            out.push_str(&format!(
                "Webhook      {} {} -> {} (expires {})\n",
                s.subscription_id,
                s.status,
                s.address,
                text::when(s.expires_at.as_ref())
            ));
            if !s.blacklisted_reason.is_empty() {
                out.push_str(&format!(
                    "             blacklisted: {}\n",
                    s.blacklisted_reason
                ));
            }
        }
        None => out.push_str("Webhook      no subscription\n"),
    }
    if !c.rate_limits.is_empty() {
        out.push_str("Rate limits:\n");
        let rows: Vec<Vec<String>> = c
            .rate_limits
            .iter()
            .map(|g| {
                vec![
                    g.group.clone(),
                    format!("{}/{}", g.remaining, g.limit),
                    format!("{} s", g.window_s),
                ]
            })
            .collect();
        for line in text::table(&["GROUP", "REMAINING", "WINDOW"], &rows).lines() {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
