//! Real servers for the notification tests: an SMTP sink that speaks enough SMTP (EHLO, MAIL,
//! RCPT, DATA, RSET, NOOP, QUIT) and keeps every message, and an HTTP stub of an SMS provider
//! that keeps every request.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as the sink received it, headers and body decoded.
#[derive(Clone, Debug)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
}

#[derive(Clone, Default)]
pub struct SmtpSink {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = SmtpSink {
            port: listener.local_addr().unwrap().port(),
            mails: Default::default(),
        };
        let mails = sink.mails.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else { return };
                let mails = mails.clone();
                tokio::spawn(async move {
                    let (r, mut w) = sock.into_split();
                    let mut r = BufReader::new(r);
                    let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                    let (mut from, mut to) = (String::new(), vec![]);
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let cmd = line.trim_end().to_string();
                        let upper = cmd.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                            b"250-sink\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("AUTH") {
                            b"235 ok\r\n"
                        } else if upper.starts_with("MAIL FROM:") {
                            from = path_of(&cmd[10..]);
                            to.clear();
                            b"250 ok\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            to.push(path_of(&cmd[8..]));
                            b"250 ok\r\n"
                        } else if upper == "DATA" {
                            let _ = w.write_all(b"354 go on\r\n").await;
                            let mut data = String::new();
                            loop {
                                line.clear();
                                if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                                    return;
                                }
                                if line == ".\r\n" {
                                    break;
                                }
                                data.push_str(
                                    line.strip_prefix('.')
                                        .filter(|_| line.starts_with(".."))
                                        .unwrap_or(&line),
                                );
                            }
                            let (subject, body) = parse_message(&data);
                            mails.lock().unwrap().push(Mail {
                                from: from.clone(),
                                to: to.clone(),
                                subject,
                                body,
                            });
                            b"250 queued\r\n"
                        } else if upper == "QUIT" {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            return;
                        } else {
                            b"250 ok\r\n"
                        };
                        if w.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        sink
    }

    pub fn url(&self) -> String {
        format!("smtp://mailer:secret@127.0.0.1:{}", self.port)
    }

    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.mails
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .cloned()
            .collect()
    }

    /// How many messages went to addresses starting with `prefix`.
    pub fn to_prefix(&self, prefix: &str) -> usize {
        self.mails
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to.iter().any(|t| t.starts_with(prefix)))
            .count()
    }

    pub fn count(&self) -> usize {
        self.mails.lock().unwrap().len()
    }
}

/// The address of `<a@b> PARAM=…`.
fn path_of(s: &str) -> String {
    s.split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(['<', '>'])
        .to_string()
}

/// Waits up to `secs` seconds for `check` to hold.
pub async fn eventually(secs: u64, mut check: impl FnMut() -> bool) -> bool {
    for _ in 0..secs * 20 {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    check()
}

fn b64(s: &str) -> Vec<u8> {
    let mut out = vec![];
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn quoted_printable(s: &str) -> Vec<u8> {
    let s = s.replace("=\r\n", "").replace("=\n", "");
    let b = s.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Decodes RFC 2047 words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) in a header.
fn decode_header(v: &str) -> String {
    let mut out = String::new();
    for word in v.split_whitespace() {
        let parts: Vec<&str> = word.split('?').collect();
        if parts.len() == 5 && parts[0] == "=" && parts[4] == "=" {
            let bytes = if parts[2].eq_ignore_ascii_case("b") {
                b64(parts[3])
            } else {
                quoted_printable(&parts[3].replace('_', " "))
            };
            out.push_str(&String::from_utf8_lossy(&bytes));
        } else {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

fn parse_message(data: &str) -> (String, String) {
    let (head, body) = data.split_once("\r\n\r\n").unwrap_or((data, ""));
    // Unfold continued header lines.
    let head = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    let body = match header("Content-Transfer-Encoding").to_ascii_lowercase().as_str() {
        "base64" => String::from_utf8_lossy(&b64(body)).into_owned(),
        "quoted-printable" => String::from_utf8_lossy(&quoted_printable(body)).into_owned(),
        _ => body.to_string(),
    };
    (decode_header(&header("Subject")), body)
}

/// One request the SMS stub received.
#[derive(Clone, Debug)]
pub struct Sms {
    pub auth: String,
    pub body: serde_json::Value,
}

#[derive(Clone, Default)]
pub struct SmsStub {
    pub port: u16,
    pub got: Arc<Mutex<Vec<Sms>>>,
}

impl SmsStub {
    pub async fn start() -> SmsStub {
        use axum::extract::State;
        use axum::http::HeaderMap;
        use axum::routing::post;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stub = SmsStub {
            port: listener.local_addr().unwrap().port(),
            got: Default::default(),
        };
        let got = stub.got.clone();
        let app = axum::Router::new()
            .route(
                "/send",
                post(
                    |State(got): State<Arc<Mutex<Vec<Sms>>>>, headers: HeaderMap, body: String| async move {
                        let auth = headers
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string();
                        let body = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
                        got.lock().unwrap().push(Sms { auth, body });
                        "{\"ok\":true}"
                    },
                ),
            )
            .with_state(got);
        tokio::spawn(async move { axum::serve(listener, app).await });
        stub
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/send", self.port)
    }

    pub fn to(&self, phone: &str) -> Vec<Sms> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.body["phone"] == phone)
            .cloned()
            .collect()
    }
}
