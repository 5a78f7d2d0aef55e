//! SMTP: the configuration and the [`Mailer`] over lettre's synchronous
//! transport. The transport keeps a small pool of open connections, so a
//! batch reuses one connection instead of paying a TCP (and TLS) handshake
//! per message; keep one `Mailer` for the life of the process.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::PoolConfig;
use lettre::{Address, Message, SmtpTransport, Transport};

use crate::templates::{render, Rendered};
use crate::{Locale, NotifyError, NotifyResult};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text: only for a relay on the same host or a test sink.
    #[default]
    None,
    /// Plain connection upgraded with STARTTLS, which must succeed
    /// (usually port 587).
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

impl FromStr for TlsMode {
    type Err = NotifyError;
    fn from_str(s: &str) -> Result<TlsMode, NotifyError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "" => Ok(TlsMode::None),
            "starttls" => Ok(TlsMode::StartTls),
            "tls" => Ok(TlsMode::Tls),
            other => Err(NotifyError::Config(format!(
                "TLS mode {other:?}: use none, starttls or tls"
            ))),
        }
    }
}

impl fmt::Display for TlsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsMode::None => "none",
            TlsMode::StartTls => "starttls",
            TlsMode::Tls => "tls",
        })
    }
}

/// Where and how to send mail.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, as a mailbox: `motcua <noreply@motcua.local>`.
    pub from: String,
    /// Longest wait for the server at each step of a conversation. The
    /// worker's lease must cover ten of them (see
    /// [`Mailer::send_deadline`]).
    pub timeout: Duration,
}

impl Default for SmtpConfig {
    /// A local sink (MailHog, Mailpit, `tests/smtp_sink.py`) on port 1025.
    fn default() -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: 1025,
            tls: TlsMode::None,
            username: None,
            password: None,
            from: "motcua <noreply@motcua.local>".into(),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Never prints the password.
impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl SmtpConfig {
    /// A port number from configuration text.
    pub fn parse_port(s: &str) -> NotifyResult<u16> {
        s.trim()
            .parse()
            .map_err(|_| NotifyError::Config(format!("port {s:?} is not a number from 1 to 65535")))
    }

    /// A timeout in whole seconds from configuration text (at least one).
    pub fn parse_timeout(s: &str) -> NotifyResult<Duration> {
        match s.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(Duration::from_secs(n)),
            _ => Err(NotifyError::Config(format!(
                "timeout {s:?} is not a whole number of seconds above zero"
            ))),
        }
    }

    /// Checks the configuration without connecting.
    pub fn validate(&self) -> NotifyResult<()> {
        if self.host.trim().is_empty() {
            return Err(NotifyError::Config("the SMTP host is empty".into()));
        }
        if self.port == 0 {
            return Err(NotifyError::Config("the SMTP port is 0".into()));
        }
        if self.password.is_some() && self.username.is_none() {
            return Err(NotifyError::Config(
                "a password was given without a username".into(),
            ));
        }
        parse_mailbox(&self.from)?;
        Ok(())
    }
}

/// A mailbox (`Name <address>` or a bare address).
pub fn parse_mailbox(s: &str) -> NotifyResult<Mailbox> {
    s.trim()
        .parse::<Mailbox>()
        .map_err(|_| NotifyError::InvalidAddress(s.to_string()))
}

/// The recipient's mailbox from the address and the (possibly empty) name.
pub fn recipient_mailbox(address: &str, name: &str) -> NotifyResult<Mailbox> {
    let email = address
        .trim()
        .parse::<Address>()
        .map_err(|_| NotifyError::InvalidAddress(address.to_string()))?;
    let name = name.trim();
    Ok(Mailbox::new(
        (!name.is_empty()).then(|| name.to_string()),
        email,
    ))
}

/// `Auto-Submitted: auto-generated` (RFC 3834): tells the recipient's
/// server not to send vacation replies to a no-reply sender.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

/// The longest one send may take with this SMTP timeout: ten times it
/// (see [`Mailer::send_deadline`]).
pub fn send_deadline(timeout: Duration) -> Duration {
    timeout.saturating_mul(10)
}

/// Sends rendered messages. Cheap to clone (the connection pool is
/// shared); blocking, so call it from a worker thread, never on the HTTP
/// runtime.
#[derive(Clone)]
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
    timeout: Duration,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Builds the transport; connects only when the first message goes.
    pub fn new(config: &SmtpConfig) -> NotifyResult<Mailer> {
        config.validate()?;
        let from = parse_mailbox(&config.from)?;
        let tls = match config.tls {
            TlsMode::None => Tls::None,
            TlsMode::StartTls => Tls::Required(TlsParameters::new(config.host.clone())?),
            TlsMode::Tls => Tls::Wrapper(TlsParameters::new(config.host.clone())?),
        };
        let mut builder = SmtpTransport::builder_dangerous(config.host.trim())
            .port(config.port)
            .tls(tls)
            .timeout(Some(config.timeout))
            // Idle connections kept for the next batch: as many as the
            // worker's senders (lettre opens more when all are busy).
            .pool_config(
                PoolConfig::new()
                    .max_size(16)
                    .idle_timeout(Duration::from_secs(60)),
            );
        if let Some(user) = &config.username {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                config.password.clone().unwrap_or_default(),
            ));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
            timeout: config.timeout,
        })
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The longest one send may take. The timeout bounds each read and
    /// write of the conversation, not the whole of it, and a message takes
    /// about ten of them (connect, greeting, EHLO, STARTTLS, AUTH, MAIL,
    /// RCPT, DATA, the body, the final dot).
    pub fn send_deadline(&self) -> Duration {
        send_deadline(self.timeout)
    }

    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// The e-mail for a rendered message. `key` (the outbox row's
    /// [`crate::OutboxRow::message_key`]) becomes the Message-ID, so a
    /// copy sent twice after a crash can be recognised.
    pub fn build(&self, key: &str, to: Mailbox, rendered: &Rendered) -> NotifyResult<Message> {
        let domain = self.from.email.domain().to_string();
        Ok(Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject.clone())
            .message_id(Some(format!("<{key}@{domain}>")))
            .header(AutoSubmitted)
            .multipart(MultiPart::alternative_plain_html(
                rendered.text.clone(),
                rendered.html.clone(),
            ))?)
    }

    /// Hands the message to the server.
    pub fn send(&self, message: &Message) -> Result<(), lettre::transport::smtp::Error> {
        self.transport.send(message).map(|_| ())
    }

    /// Renders and sends a message at once, without the outbox: for
    /// `motcua mail test`, where the point is to see the error.
    pub fn send_now(
        &self,
        kind: &str,
        locale: Locale,
        to: &str,
        to_name: &str,
        data: &serde_json::Value,
    ) -> NotifyResult<()> {
        let rendered = render(kind, locale, data)?;
        let id = uuid::Uuid::now_v7().to_string();
        let message = self.build(&id, recipient_mailbox(to, to_name)?, &rendered)?;
        self.send(&message)?;
        Ok(())
    }

    /// Connects and greets the server, to check the configuration.
    pub fn test_connection(&self) -> NotifyResult<bool> {
        Ok(self.transport.test_connection()?)
    }
}

/// True when the error says nothing about the message: the server could
/// not be reached or the conversation broke (refused connection, timeout,
/// TLS, a garbled reply). Such an error ends the batch and never makes a
/// message `failed`; a refusal with an SMTP code (4xx, 5xx) does count.
pub fn is_outage(e: &lettre::transport::smtp::Error) -> bool {
    !(e.is_transient() || e.is_permanent())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tls_modes_and_numbers() {
        assert_eq!("none".parse::<TlsMode>().unwrap(), TlsMode::None);
        assert_eq!("STARTTLS".parse::<TlsMode>().unwrap(), TlsMode::StartTls);
        assert_eq!("tls".parse::<TlsMode>().unwrap(), TlsMode::Tls);
        assert!("ssl3".parse::<TlsMode>().is_err());
        assert_eq!(SmtpConfig::parse_port("587").unwrap(), 587);
        assert!(SmtpConfig::parse_port("70000").is_err());
        assert_eq!(
            SmtpConfig::parse_timeout("5").unwrap(),
            Duration::from_secs(5)
        );
        assert!(SmtpConfig::parse_timeout("0").is_err());
    }

    #[test]
    fn validates_and_hides_the_password() {
        let mut c = SmtpConfig {
            password: Some("hunter2".into()),
            username: Some("u".into()),
            ..SmtpConfig::default()
        };
        c.validate().unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
        c.from = "not a mailbox".into();
        assert!(matches!(c.validate(), Err(NotifyError::InvalidAddress(_))));
        c.from = "Một cửa <noreply@motcua.local>".into();
        c.username = None;
        assert!(c.validate().is_err());
    }

    #[test]
    fn builds_a_message_with_our_message_id() {
        let mailer = Mailer::new(&SmtpConfig::default()).unwrap();
        let rendered = Rendered {
            subject: "Đã tiếp nhận hồ sơ X".into(),
            text: "chào\n".into(),
            html: "<p>chào</p>".into(),
        };
        let to = recipient_mailbox("an@example.vn", "Nguyễn Văn An").unwrap();
        let m = mailer.build("0193-abc", to, &rendered).unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        assert!(raw.contains("Message-ID: <0193-abc@motcua.local>"), "{raw}");
        assert!(raw.contains("Auto-Submitted: auto-generated"));
        assert!(raw.contains("multipart/alternative"));
        assert!(recipient_mailbox("nope", "").is_err());
        assert_eq!(
            recipient_mailbox(" a@b.vn ", "").unwrap().to_string(),
            "a@b.vn"
        );
    }
}
