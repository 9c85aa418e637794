//! `hh queues list|sync|default`.

use holdhunter_proto::v1 as pb;
use serde_json::json;

use crate::args::{OutputFormat, QueuesCommand};
use crate::client::Connection;
use crate::exit::CliError;
use crate::render::{emit, json, text};

/// Runs one `hh queues` subcommand.
pub async fn run(
    conn: &Connection,
    command: &QueuesCommand,
    format: OutputFormat,
) -> Result<(), CliError> {
    let mut client = conn.queues();
    let queues = match command {
        QueuesCommand::List => {
            client
                .list_queues(pb::ListQueuesRequest {})
                .await
                .map_err(|s| conn.error(s))?
                .into_inner()
                .queues
        }
        QueuesCommand::Sync => {
            client
                .sync_queues(pb::SyncQueuesRequest {})
                .await
                .map_err(|s| conn.error(s))?
                .into_inner()
                .queues
        }
        QueuesCommand::Default(arg) => {
            let queue = client
                .set_default_queue(pb::SetDefaultQueueRequest {
                    queue_id: arg.queue_id.clone(),
                })
                .await
                .map_err(|s| conn.error(s))?
                .into_inner()
                .queue
                .unwrap_or_default();
            emit(
                format,
                || json::queue(&queue),
                || {
                    format!(
                        "Default queue is now {} ({} {}).\n",
                        queue.queue_id, queue.extension_number, queue.name
                    )
                },
            );
            return Ok(());
        }
    };
    emit(
        format,
        || json!({"queues": queues.iter().map(json::queue).collect::<Vec<_>>()}),
        || {
            if queues.is_empty() {
                return "No call queues. Read them from RingCentral: hh queues sync\n".into();
            }
            let rows: Vec<Vec<String>> = queues
                .iter()
                .map(|q| {
                    vec![
                        q.queue_id.clone(),
                        q.extension_number.clone(),
                        text::truncate(&q.name, 30),
                        q.status.clone(),
                        if q.is_default { "*" } else { "" }.into(),
                    ]
                })
                .collect();
            text::table(&["QUEUE", "EXT", "NAME", "STATUS", "DEFAULT"], &rows)
        },
    );
    Ok(())
}
