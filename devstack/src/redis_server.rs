//! A private `redis-server` child process: free loopback port, own temporary data directory,
//! AOF persistence (`appendonly yes`, `appendfsync everysec`) so data survives a restart.
//! Tests can [`RedisServer::kill`] it (SIGKILL) and [`RedisServer::restart`] it on the same
//! port and data directory.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Options for [`RedisServer::start_with`].
#[derive(Debug, Clone)]
pub struct RedisOptions {
    /// Path or name of the `redis-server` binary (default: `redis-server` on `PATH`, or the
    /// `HH_REDIS_SERVER` environment variable).
    pub binary: PathBuf,
    /// Enable AOF persistence (default true).
    pub appendonly: bool,
    /// How long to wait for the server to accept connections (default 10 s).
    pub start_timeout: Duration,
    /// Linux: ask the kernel to SIGKILL redis-server when the *thread* that started it exits
    /// (`PR_SET_PDEATHSIG`), so a `kill -9` of the parent leaves no orphan. Only safe when that
    /// thread lives as long as the server is wanted (e.g. the main thread of `hh demo`); never
    /// set it from `spawn_blocking` threads, which exit when idle. Default false.
    pub die_with_parent_thread: bool,
}

impl Default for RedisOptions {
    fn default() -> Self {
        Self {
            binary: std::env::var_os("HH_REDIS_SERVER")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("redis-server")),
            appendonly: true,
            start_timeout: Duration::from_secs(10),
            die_with_parent_thread: false,
        }
    }
}

/// A running private `redis-server`. Killed (and its data directory removed) on drop.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    options: RedisOptions,
}

impl RedisServer {
    /// Starts `redis-server` with default options on a free port.
    ///
    /// Errors: the binary is missing (the message names the Debian package `redis-server` to
    /// install), or the server did not accept connections within the start timeout.
    pub fn start() -> anyhow::Result<Self> {
        Self::start_with(RedisOptions::default())
    }

    /// Starts `redis-server` with `options` on a free port.
    pub fn start_with(options: RedisOptions) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("hh-redis-")
            .tempdir()
            .context("creating a data directory for redis-server")?;
        let port = free_port()?;
        let mut server = Self {
            child: None,
            port,
            dir,
            options,
        };
        server.spawn()?;
        Ok(server)
    }

    /// TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT/` for this server.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Data directory (AOF files live here).
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Kills the server with SIGKILL (no shutdown save), like a crash.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and data directory (after [`Self::kill`]).
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.kill();
        self.spawn()
    }

    /// True while the child process is running.
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    fn spawn(&mut self) -> anyhow::Result<()> {
        let appendonly = if self.options.appendonly { "yes" } else { "no" };
        let mut command = Command::new(&self.options.binary);
        #[cfg(target_os = "linux")]
        if self.options.die_with_parent_thread {
            use std::os::unix::process::CommandExt;
            // SAFETY: prctl is async-signal-safe; the closure allocates nothing.
            unsafe {
                command.pre_exec(|| {
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let child = command
            .arg("--port")
            .arg(self.port.to_string())
            .args([
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                appendonly,
            ])
            .args(["--appendfsync", "everysec", "--daemonize", "no"])
            .args(["--protected-mode", "yes", "--loglevel", "warning"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|err| {
                if err.kind() == std::io::ErrorKind::NotFound {
                    anyhow::anyhow!(
                        "`{}` was not found: install it with `apt-get install -y redis-server` \
                         (Debian/Ubuntu) or set HH_REDIS_SERVER to its path",
                        self.options.binary.display()
                    )
                } else {
                    anyhow::Error::new(err)
                        .context(format!("starting `{}`", self.options.binary.display()))
                }
            })?;
        self.child = Some(child);
        self.wait_ready()
    }

    fn wait_ready(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + self.options.start_timeout;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                bail!("redis-server on port {} exited early: {status}", self.port);
            }
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                use std::io::{Read, Write};
                stream
                    .set_read_timeout(Some(Duration::from_millis(500)))
                    .ok();
                if stream.write_all(b"PING\r\n").is_ok() {
                    let mut buf = [0u8; 64];
                    if let Ok(n) = stream.read(&mut buf)
                        && buf[..n].starts_with(b"+PONG")
                    {
                        return Ok(());
                    }
                }
            }
            if Instant::now() > deadline {
                bail!(
                    "redis-server on port {} did not accept connections within {:?}",
                    self.port,
                    self.options.start_timeout
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A free TCP port on 127.0.0.1 (bound then released; a small race is possible).
pub fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn data_survives_kill_and_restart() {
        let mut server = RedisServer::start().expect("redis-server starts");
        let client = redis::Client::open(server.url()).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let _: () = redis::cmd("SET")
            .arg("k")
            .arg("v")
            .query_async(&mut conn)
            .await
            .unwrap();
        // appendfsync everysec: give the fsync a moment before the crash.
        tokio::time::sleep(Duration::from_millis(1200)).await;
        server.kill();
        assert!(!server.is_running());
        server.restart().unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let value: Option<String> = redis::cmd("GET")
            .arg("k")
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(value.as_deref(), Some("v"));
    }

    #[test]
    fn missing_binary_names_the_package() {
        let err = RedisServer::start_with(RedisOptions {
            binary: PathBuf::from("/nonexistent/redis-server"),
            ..RedisOptions::default()
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("apt-get install -y redis-server"),
            "{err}"
        );
    }
}
