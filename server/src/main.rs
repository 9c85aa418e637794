//! `hold-hunter-server`: the Hold Hunter gRPC server.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "hold-hunter-server",
    version,
    about = "Hold Hunter gRPC server: hunt engine, Redis store, RingCentral call control",
    after_help = "Examples:\n  \
      # against the simulator, auth off for local development\n  \
      HH_AUTH__DISABLED=true HH_RINGCENTRAL__SERVER_URL=http://127.0.0.1:18080 \\\n    \
      HH_RINGCENTRAL__CLIENT_ID=sim-client-id HH_RINGCENTRAL__CLIENT_SECRET=sim-client-secret \\\n    \
      HH_RINGCENTRAL__JWT=sim-jwt-assertion hold-hunter-server --listen 127.0.0.1:50051\n\n  \
      # with a config file\n  hold-hunter-server --config /etc/hold-hunter/server.toml\n\n  \
      # store an API token's digest (never the token) in auth.api_token_sha256\n  \
      printf %s \"$TOKEN\" | hold-hunter-server hash-token\n\n  \
      grpcurl -plaintext 127.0.0.1:50051 list"
)]
struct Cli {
    /// TOML configuration file (keys as in server/README.md); HH_* env vars override it.
    #[arg(long, env = "HH_CONFIG")]
    config: Option<PathBuf>,
    /// gRPC listen address (overrides `listen`).
    #[arg(long)]
    listen: Option<SocketAddr>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve (default).
    Serve,
    /// Read a token from stdin and print its SHA-256 hex (for auth.api_token_sha256 /
    /// ingest.token_sha256). Surrounding whitespace is trimmed.
    HashToken,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Some(Command::HashToken) = cli.command {
        let mut token = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut token) {
            eprintln!("error: reading stdin: {e}");
            return std::process::ExitCode::from(2);
        }
        let token = token.trim();
        if token.is_empty() {
            eprintln!("error: empty token on stdin");
            return std::process::ExitCode::from(2);
        }
        println!("{}", hold_hunter_server::auth::sha256_hex(token));
        return std::process::ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: tokio runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(cli: Cli) -> anyhow::Result<()> {
    let mut config = hold_hunter_server::ServerConfig::load(cli.config.as_deref())?;
    if let Some(listen) = cli.listen {
        config.listen = listen;
    }
    hold_hunter_server::telemetry::init_tracing(&config.log);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot bind {}: {e}", config.listen))?;
    hold_hunter_server::run(config, listener, shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
