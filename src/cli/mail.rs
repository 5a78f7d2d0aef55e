//! `motcua mail`: the SMTP settings every command that sends mail shares
//! ([`SmtpArgs`], flattened into `serve` too), and `motcua mail test
//! ADDRESS`, which sends the test message at once, not through the outbox,
//! so that whoever sets up a server sees the mail server's answer.

use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use motcua_notify::smtp::send_deadline;
use motcua_notify::{DeliverySettings, Kind, Locale, Mailer, SmtpConfig, TlsMode};
use serde_json::json;

#[derive(Subcommand)]
pub enum MailCommand {
    /// Send the test message to ADDRESS now and report the server's answer.
    Test(TestArgs),
}

#[derive(Args)]
pub struct TestArgs {
    /// The address to send the test message to.
    pub address: String,
    /// Language of the message: `vi` or `en`.
    #[arg(long, default_value = "vi")]
    pub locale: String,
    #[command(flatten)]
    pub smtp: SmtpArgs,
}

/// Where and how to send mail. No `Debug`: it holds the password.
#[derive(Args, Clone)]
pub struct SmtpArgs {
    /// SMTP server.
    #[arg(long, env = "MOTCUA_SMTP_HOST", default_value = "127.0.0.1")]
    pub smtp_host: String,
    /// SMTP port (1025: a local mail catcher; 587 with starttls; 465 with tls).
    #[arg(long, env = "MOTCUA_SMTP_PORT", default_value_t = 1025)]
    pub smtp_port: u16,
    /// Connection security: `none`, `starttls` or `tls`.
    #[arg(long, env = "MOTCUA_SMTP_TLS", default_value = "none")]
    pub smtp_tls: TlsMode,
    /// SMTP user name (no authentication when absent).
    #[arg(long, env = "MOTCUA_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    /// SMTP password; prefer the environment variable to the flag, which
    /// other users can see in the process list.
    #[arg(long, env = "MOTCUA_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// Sender mailbox.
    #[arg(
        long,
        env = "MOTCUA_SMTP_FROM",
        default_value = "motcua <noreply@motcua.local>"
    )]
    pub smtp_from: String,
    /// Seconds to wait for the server at each step.
    #[arg(long, env = "MOTCUA_SMTP_TIMEOUT", default_value_t = 10)]
    pub smtp_timeout: u64,
    /// Messages the outbox worker sends at once, each on its own
    /// connection; lower it for servers that limit connections.
    #[arg(long, env = "MOTCUA_SMTP_CONCURRENCY", default_value_t = 16)]
    pub smtp_concurrency: usize,
}

impl SmtpArgs {
    /// The checked configuration.
    pub fn config(&self) -> Result<SmtpConfig> {
        let config = SmtpConfig {
            host: self.smtp_host.clone(),
            port: self.smtp_port,
            tls: self.smtp_tls,
            username: self.smtp_username.clone().filter(|u| !u.is_empty()),
            password: self.smtp_password.clone().filter(|p| !p.is_empty()),
            from: self.smtp_from.clone(),
            timeout: SmtpConfig::parse_timeout(&self.smtp_timeout.to_string())?,
        };
        config.validate().context("SMTP settings")?;
        Ok(config)
    }

    /// The outbox worker's settings for `serve`: the defaults, with these
    /// messages in flight and a lease long enough for this timeout.
    pub fn delivery_settings(&self) -> DeliverySettings {
        let longest_send = send_deadline(Duration::from_secs(self.smtp_timeout.max(1)));
        let defaults = DeliverySettings::default();
        DeliverySettings {
            concurrency: self.smtp_concurrency.max(1),
            lease: defaults.lease.max(longest_send.saturating_mul(2)),
            ..defaults
        }
    }
}

pub fn run(command: MailCommand) -> Result<()> {
    match command {
        MailCommand::Test(args) => {
            let config = args.smtp.config()?;
            let locale: Locale = args.locale.parse()?;
            let mailer = Mailer::new(&config).context("SMTP settings")?;
            let sent_at = motcua_store::time::now()
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string();
            mailer
                .send_now(
                    Kind::Test.as_str(),
                    locale,
                    &args.address,
                    "",
                    &json!({ "sent_at": sent_at }),
                )
                .with_context(|| {
                    format!(
                        "sending the test message through {}:{} ({})",
                        config.host, config.port, config.tls
                    )
                })?;
            println!(
                "sent the test message to {} through {}:{} ({})",
                args.address, config.host, config.port, config.tls
            );
            Ok(())
        }
    }
}
