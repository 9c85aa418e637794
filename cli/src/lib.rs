//! `hh`: the Hold Hunter command-line client over the public gRPC API (`holdhunter.v1`).
//!
//! Automation-friendly: `-o json` on every command (NDJSON for `watch`), `--server`/`HH_SERVER`,
//! the API token from `HH_TOKEN` or `--token-file` (never echoed), and exit codes scripts can
//! branch on (see [`exit`]). `hh demo` runs the whole product locally against the simulator.

pub mod args;
pub mod client;
pub mod commands;
pub mod demo;
pub mod exit;
pub mod render;
pub mod watch;

use clap::{CommandFactory, Parser};

use args::{Cli, Command, OutputFormat};
use client::Connection;
use commands::jobs::LegAction;
use exit::CliError;

/// Parses the process arguments, runs the command and returns the exit code. Errors are
/// printed to stderr (as `{"error":…}` JSON with `-o json`).
pub fn main_exit_code() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = err.print();
            return code;
        }
    };
    let format = cli.global.output;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("hh: cannot start the async runtime: {err}");
            return exit::OTHER;
        }
    };
    let result = runtime.block_on(async {
        tokio::select! {
            result = run(cli) => result,
            _ = tokio::signal::ctrl_c() => Ok(exit::INTERRUPTED),
        }
    });
    // Do not wait for background tasks (e.g. a lazily connecting channel).
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(code) => code,
        Err(err) => {
            report(&err, format);
            err.exit_code()
        }
    }
}

fn report(err: &CliError, format: OutputFormat) {
    match format {
        OutputFormat::Json => eprintln!(
            "{}",
            serde_json::json!({
                "error": {
                    "message": err.to_string(),
                    "reason": err.reason(),
                    "exitCode": err.exit_code(),
                }
            })
        ),
        OutputFormat::Table => eprintln!("hh: {err}"),
    }
}

/// Runs one parsed command; `Ok` carries the exit code.
pub async fn run(cli: Cli) -> Result<i32, CliError> {
    let format = cli.global.output;
    let connect = || -> Result<Connection, CliError> {
        let token = client::load_token(cli.global.token_file.as_deref())?;
        Connection::new(&cli.global.server, token)
    };
    match &cli.command {
        Command::Completions(args) => {
            let mut command = Cli::command();
            clap_complete::generate(args.shell, &mut command, "hh", &mut std::io::stdout());
            Ok(exit::OK)
        }
        Command::Demo(args) => demo::run(args, format).await,
        Command::Start(args) => {
            let conn = connect()?;
            let job = commands::jobs::start(&conn, args, format).await?;
            if args.watch {
                watch_job(&conn, &job.job_id, format).await
            } else {
                Ok(exit::OK)
            }
        }
        Command::Watch(arg) => watch_job(&connect()?, &arg.job_id, format).await,
        Command::Get(arg) => {
            commands::jobs::get(&connect()?, &arg.job_id, format).await?;
            Ok(exit::OK)
        }
        Command::List(args) => {
            commands::jobs::list(&connect()?, args, format).await?;
            Ok(exit::OK)
        }
        Command::Stop(arg) => {
            commands::jobs::stop(&connect()?, &arg.job_id, format).await?;
            Ok(exit::OK)
        }
        Command::Confirm(args) => leg(&connect()?, LegAction::Confirm, args, format).await,
        Command::Transfer(args) => leg(&connect()?, LegAction::Transfer, args, format).await,
        Command::Hangup(args) => leg(&connect()?, LegAction::Hangup, args, format).await,
        Command::Lines(command) => {
            commands::lines::run(&connect()?, command, format).await?;
            Ok(exit::OK)
        }
        Command::Queues(command) => {
            commands::queues::run(&connect()?, command, format).await?;
            Ok(exit::OK)
        }
        Command::Destinations(command) => {
            commands::destinations::run(&connect()?, command, format).await?;
            Ok(exit::OK)
        }
        Command::RingCentral(command) => {
            commands::ringcentral::run(&connect()?, command, format).await?;
            Ok(exit::OK)
        }
    }
}

async fn leg(
    conn: &Connection,
    action: LegAction,
    args: &args::LegArgs,
    format: OutputFormat,
) -> Result<i32, CliError> {
    commands::jobs::leg_action(conn, action, args, format).await?;
    Ok(exit::OK)
}

/// `hh watch JOB` (also `hh start --watch`): exit code from the job's terminal state.
pub async fn watch_job(
    conn: &Connection,
    job_id: &str,
    format: OutputFormat,
) -> Result<i32, CliError> {
    let options = watch::WatchOptions::new(format);
    let outcome = watch::follow(conn, job_id, &options, None).await?;
    if format == OutputFormat::Table {
        println!("{}", watch::summary(&outcome.job));
    }
    Ok(outcome.exit_code)
}
