//! The channels that carry messages out of the outbox: e-mail over SMTP (lettre, pooled
//! connections, STARTTLS or TLS with rustls), SMS through a generic HTTP provider, and the log
//! for development.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::db::notifications::Outgoing;
use crate::domain::notification::Channel;
use crate::state::NotifyConfig;

/// SMTP connections kept open at most (and e-mails in flight at once). lettre writes a message
/// and its closing dot in two writes, so on a connection with Nagle's algorithm each message
/// waits for the server's delayed acknowledgement (about 40 ms on Linux): throughput comes from
/// connections in parallel, 32 giving some 800 messages/s where 10 gave about 300.
pub const SMTP_CONNECTIONS: usize = 32;

/// Why a send failed: `permanent` errors (a malformed address, a refused recipient) are not
/// tried again.
#[derive(Debug)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

impl SendError {
    fn temporary(m: impl ToString) -> SendError {
        SendError {
            permanent: false,
            message: m.to_string(),
        }
    }
    fn permanent(m: impl ToString) -> SendError {
        SendError {
            permanent: true,
            message: m.to_string(),
        }
    }
}

struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::message::Mailbox,
}

struct Sms {
    client: reqwest::Client,
    url: String,
    method: reqwest::Method,
    body: String,
    auth: Option<(String, String)>,
}

/// The configured channels of this instance.
pub struct Channels {
    email: Option<Email>,
    sms: Option<Sms>,
    log_fallback: bool,
}

/// What an SMTP URL says.
#[derive(Debug, PartialEq)]
pub struct SmtpUrl {
    pub implicit_tls: bool,
    pub user: Option<String>,
    pub password: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads `smtp://user:pass@host:port` (or `smtps://…`); user and password may be %-encoded.
pub fn parse_smtp_url(url: &str) -> Result<SmtpUrl, String> {
    let url = url.trim();
    let (implicit_tls, rest) = if let Some(r) = url.strip_prefix("smtps://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("smtp://") {
        (false, r)
    } else {
        return Err("the SMTP URL must start with smtp:// or smtps://".into());
    };
    let rest = rest.trim_end_matches('/');
    let (auth, hostport) = match rest.rsplit_once('@') {
        Some((a, h)) => (Some(a), h),
        None => (None, rest),
    };
    let (user, password) = match auth {
        Some(a) => match a.split_once(':') {
            Some((u, p)) => (Some(percent_decode(u)), Some(percent_decode(p))),
            None => (Some(percent_decode(a)), None),
        },
        None => (None, None),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (
            h.to_string(),
            Some(p.parse::<u16>().map_err(|_| format!("bad SMTP port {p:?}"))?),
        ),
        None => (hostport.to_string(), None),
    };
    if host.is_empty() {
        return Err("the SMTP URL names no host".into());
    }
    Ok(SmtpUrl {
        implicit_tls,
        user,
        password,
        host,
        port,
    })
}

fn json_escape(s: &str) -> String {
    let q = serde_json::to_string(s).unwrap_or_default();
    q[1..q.len() - 1].to_string()
}

fn form_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The SMS request body (or URL) with `{phone}` and `{text}` filled.
pub fn fill_sms_template(template: &str, phone: &str, text: &str, json: bool) -> String {
    let esc = |s: &str| if json { json_escape(s) } else { form_escape(s) };
    template.replace("{phone}", &esc(phone)).replace("{text}", &esc(text))
}

impl Channels {
    /// The channels `cfg` configures; a malformed setting is an error (at start-up).
    pub fn from_config(cfg: &NotifyConfig) -> anyhow::Result<Channels> {
        let email = match cfg.smtp_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            None => None,
            Some(url) => {
                let u = parse_smtp_url(url).map_err(|e| anyhow::anyhow!("--smtp-url: {e}"))?;
                let mode = cfg
                    .smtp_tls
                    .clone()
                    .unwrap_or_else(|| if u.implicit_tls { "tls" } else { "starttls" }.into());
                let params = || TlsParameters::new(u.host.clone());
                let tls = match mode.as_str() {
                    "none" => Tls::None,
                    "starttls" => Tls::Required(params()?),
                    "tls" => Tls::Wrapper(params()?),
                    other => anyhow::bail!("--smtp-tls {other}: use none, starttls or tls"),
                };
                let port = u.port.unwrap_or(if mode == "tls" { 465 } else { 587 });
                let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&u.host)
                    .port(port)
                    .tls(tls)
                    .timeout(Some(Duration::from_secs(20)))
                    .pool_config(PoolConfig::new().max_size(SMTP_CONNECTIONS as u32));
                if let Some(user) = u.user {
                    b = b.credentials(Credentials::new(user, u.password.unwrap_or_default()));
                }
                let from = cfg
                    .smtp_from
                    .parse()
                    .map_err(|e| anyhow::anyhow!("--smtp-from {:?}: {e}", cfg.smtp_from))?;
                Some(Email {
                    transport: b.build(),
                    from,
                })
            }
        };
        let sms = match cfg.sms_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            None => None,
            Some(url) => {
                let method = match cfg.sms_method.to_ascii_uppercase().as_str() {
                    "GET" => reqwest::Method::GET,
                    "POST" => reqwest::Method::POST,
                    "PUT" => reqwest::Method::PUT,
                    other => anyhow::bail!("--sms-method {other}: use GET, POST or PUT"),
                };
                let auth = cfg
                    .sms_auth
                    .as_deref()
                    .filter(|a| !a.trim().is_empty())
                    .map(|a| match a.split_once(": ") {
                        Some((name, value)) if !name.contains(' ') => (name.to_string(), value.to_string()),
                        _ => ("authorization".to_string(), a.to_string()),
                    });
                Some(Sms {
                    client: reqwest::Client::builder().timeout(Duration::from_secs(15)).build()?,
                    url: url.to_string(),
                    method,
                    body: cfg.sms_body.clone(),
                    auth,
                })
            }
        };
        Ok(Channels {
            email,
            sms,
            log_fallback: cfg.log_fallback,
        })
    }

    pub fn configured(&self, channel: Channel) -> bool {
        match channel {
            Channel::Inbox => true,
            Channel::Email => self.email.is_some(),
            Channel::Sms => self.sms.is_some(),
        }
    }

    pub fn log_fallback(&self) -> bool {
        self.log_fallback
    }

    /// Sends one message on its channel (which must be configured).
    pub async fn send(&self, m: &Outgoing) -> Result<(), SendError> {
        match m.channel {
            Channel::Inbox => Ok(()),
            Channel::Email => {
                let e = self
                    .email
                    .as_ref()
                    .ok_or_else(|| SendError::permanent("e-mail is not configured"))?;
                let to = m
                    .recipient
                    .parse()
                    .map_err(|err| SendError::permanent(format!("bad address: {err}")))?;
                let mut text = m.body.clone();
                if !m.link.is_empty() {
                    text.push_str("\n\n");
                    text.push_str(&m.link);
                }
                let msg = Message::builder()
                    .from(e.from.clone())
                    .to(to)
                    .subject(m.subject.clone())
                    .header(ContentType::TEXT_PLAIN)
                    .body(text)
                    .map_err(SendError::permanent)?;
                e.transport.send(msg).await.map(|_| ()).map_err(|err| {
                    if err.is_permanent() {
                        SendError::permanent(err)
                    } else {
                        SendError::temporary(err)
                    }
                })
            }
            Channel::Sms => {
                let s = self
                    .sms
                    .as_ref()
                    .ok_or_else(|| SendError::permanent("SMS is not configured"))?;
                let text = format!("{} {}", m.subject, m.body);
                let req = if s.method == reqwest::Method::GET {
                    s.client.get(fill_sms_template(&s.url, &m.recipient, &text, false))
                } else {
                    let json = s.body.trim_start().starts_with('{');
                    let body = fill_sms_template(&s.body, &m.recipient, &text, json);
                    let ct = if json {
                        "application/json"
                    } else {
                        "application/x-www-form-urlencoded"
                    };
                    s.client
                        .request(s.method.clone(), fill_sms_template(&s.url, &m.recipient, &text, false))
                        .header("content-type", ct)
                        .body(body)
                };
                let req = match &s.auth {
                    Some((k, v)) => req.header(k.as_str(), v.as_str()),
                    None => req,
                };
                let res = req.send().await.map_err(SendError::temporary)?;
                let status = res.status();
                if status.is_success() {
                    Ok(())
                } else if status.is_client_error() && status.as_u16() != 429 {
                    Err(SendError::permanent(format!("the SMS provider answered {status}")))
                } else {
                    Err(SendError::temporary(format!("the SMS provider answered {status}")))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_are_read() {
        let u = parse_smtp_url("smtp://mailer:p%40ss@mail.example.org:2525").unwrap();
        assert_eq!(u.user.as_deref(), Some("mailer"));
        assert_eq!(u.password.as_deref(), Some("p@ss"));
        assert_eq!(
            (u.host.as_str(), u.port, u.implicit_tls),
            ("mail.example.org", Some(2525), false)
        );
        assert!(parse_smtp_url("smtps://h").unwrap().implicit_tls);
        assert!(parse_smtp_url("http://h").is_err());
        assert!(parse_smtp_url("smtp://h:notaport").is_err());
    }

    #[test]
    fn sms_templates_escape_their_values() {
        let t = r#"{"to":"{phone}","msg":"{text}"}"#;
        assert_eq!(
            fill_sms_template(t, "138", "say \"hi\"", true),
            r#"{"to":"138","msg":"say \"hi\""}"#
        );
        assert_eq!(
            fill_sms_template("p={phone}&t={text}", "1", "a b&c", false),
            "p=1&t=a%20b%26c"
        );
    }
}
