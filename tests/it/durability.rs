//! "Acknowledged means on disk": the real binary is killed (SIGKILL) right after it sent
//! the receipt, and the answer is still in the database.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use crate::helpers::*;

/// A running `trygg serve` on a free port.
pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Server {
    /// Starts `trygg serve` on a database (a SQLite path or a PostgreSQL URL).
    pub fn start(db: impl AsRef<std::ffi::OsStr>, extra: &[&str]) -> Server {
        Self::start_with(db, extra, None)
    }

    /// Starts `trygg serve`, optionally with its open-file limit lowered to `nofile`.
    pub fn start_with(
        db: impl AsRef<std::ffi::OsStr>,
        extra: &[&str],
        nofile: Option<u64>,
    ) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_trygg"));
        command
            .arg("--database")
            .arg(db)
            .arg("--surveys")
            .arg(surveys_dir())
            // Tests post many answers from 127.0.0.1; the limit per address has its own test.
            .args(["serve", "--addr", "127.0.0.1:0", "--open-link-limit", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(n) = nofile {
            use std::os::unix::process::CommandExt;
            // SAFETY: setrlimit is async-signal-safe and touches only this child.
            unsafe {
                command.pre_exec(move || {
                    let lim = libc::rlimit {
                        rlim_cur: n,
                        rlim_max: n,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut child = command.spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = lines.next().expect("server printed its address").unwrap();
            if let Some(rest) = line.strip_prefix("trygg listening on http://") {
                break rest.trim().to_string();
            }
        };
        Server { child, addr }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// The server's resident memory in kB (VmRSS).
    pub fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/<pid>/status")
    }

    /// One HTTP/1.1 request; returns the status code and body.
    pub fn request(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let status = out[9..12].parse().unwrap();
        let body = out
            .split_once("\r\n\r\n")
            .map(|x| x.1.to_string())
            .unwrap_or_default();
        (status, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn an_acknowledged_answer_survives_the_process_being_killed() {
    let db = TestDb::new().await;
    let year = db.publish_open("ryd").await;
    db.store.close().await;
    let mut server = Server::start(db.url(), &[]);
    let (status, body) = server.request(
        "POST",
        &format!("/s/ryd/{year}"),
        "lang=sv&T_OMRADET=mycket_trygg&P_BELYSNING=mycket",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Tack för dina svar!"));
    // SIGKILL: no shutdown, no checkpoint, no flush.
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    let store = db.reopen().await;
    let wave = store.wave("ryd", year).await.unwrap().unwrap();
    let stored = store.responses(wave.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].answers.contains("\"P_BELYSNING\":\"mycket\""));
}
