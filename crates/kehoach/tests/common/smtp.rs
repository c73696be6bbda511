//! A tiny SMTP server on loopback, for the reminder tests: it speaks enough of RFC 5321 (EHLO,
//! MAIL, RCPT, DATA, RSET, NOOP, QUIT) for lettre and keeps what it receives.
//!
//! Written here rather than taken from a crate: `mailin-embedded` (the embeddable server crate)
//! does not build without its TLS feature, and with it pulls aws-lc-sys, a C library built with
//! cmake — too heavy for a test that needs a hundred lines.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    /// A header's value, unfolded, with RFC 2047 encoded words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        let line = unfolded.lines().find(|l| {
            l.to_lowercase()
                .starts_with(&format!("{}:", name.to_lowercase()))
        })?;
        Some(decode_words(line[name.len() + 1..].trim()))
    }

    /// The body, decoded from its transfer encoding (base64, quoted-printable or 8bit).
    pub fn body(&self) -> String {
        use base64::Engine;
        let raw = self
            .data
            .split_once("\r\n\r\n")
            .map(|(_, b)| b)
            .unwrap_or_default();
        let text = match self
            .header("Content-Transfer-Encoding")
            .as_deref()
            .map(str::to_lowercase)
            .as_deref()
        {
            Some("base64") => {
                let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(compact)
                        .expect("base64 body"),
                )
                .expect("UTF-8 body")
            }
            Some("quoted-printable") => quoted_printable(raw),
            _ => raw.to_string(),
        };
        text.replace("\r\n", "\n")
    }
}

fn decode_words(s: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    let mut rest = s;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let decoded = rest[start + 2..].find("?=").and_then(|len| {
            let inner = &rest[start + 2..start + 2 + len];
            let mut parts = inner.splitn(3, '?');
            let (_charset, enc, text) = (parts.next()?, parts.next()?, parts.next()?);
            let text = match enc {
                "b" | "B" => base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())?,
                _ => quoted(text),
            };
            Some((text, start + 2 + len + 2))
        });
        let Some((text, end)) = decoded else {
            break;
        };
        let between = &rest[..start];
        // Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
        if !(after_word && between.trim().is_empty()) {
            out.push_str(between);
        }
        out.push_str(&text);
        rest = &rest[end..];
        after_word = true;
    }
    out.push_str(rest);
    out
}

/// Quoted-printable body text: "=XX" bytes and "=" soft line breaks.
fn quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let (b'=', Some(b)) = (bytes[i], hex) {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn quoted(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'_' => out.push(b' '),
            b'=' if i + 2 < bytes.len() => {
                if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                    out.push(b);
                    i += 2;
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The server: its port, and the mail it has received so far.
pub struct SmtpServer {
    pub port: u16,
    received: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let store = store.clone();
                std::thread::spawn(move || {
                    let _ = session(stream, &store);
                });
            }
        });
        SmtpServer { port, received }
    }

    pub fn mail(&self) -> Vec<Mail> {
        self.received.lock().unwrap().clone()
    }
}

fn session(stream: TcpStream, store: &Mutex<Vec<Mail>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 kehoach-test ESMTP\r\n")?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let upper = command.to_uppercase();
        if upper.starts_with("EHLO") {
            out.write_all(b"250-kehoach-test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?;
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            out.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&command);
            to.clear();
            out.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&command));
            out.write_all(b"250 OK\r\n")?;
        } else if upper == "DATA" {
            out.write_all(b"354 end with <CRLF>.<CRLF>\r\n")?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                // Dot-stuffing (RFC 5321 §4.5.2).
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            store.lock().unwrap().push(Mail {
                from: from.clone(),
                to: std::mem::take(&mut to),
                data,
            });
            out.write_all(b"250 OK queued\r\n")?;
        } else if upper == "RSET" {
            to.clear();
            out.write_all(b"250 OK\r\n")?;
        } else if upper == "QUIT" {
            out.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            out.write_all(b"502 not implemented\r\n")?;
        }
    }
}

fn address(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command[start..]
        .find('>')
        .map_or(command.len(), |i| start + i);
    command[start..end].to_string()
}
