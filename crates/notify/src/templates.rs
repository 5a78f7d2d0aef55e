//! The message templates, embedded in the binary so that a deployment is
//! one file: `templates/<kind>/{vi,en}.{subject.txt,txt,html}` on the
//! layouts of `templates/_layout/`. HTML is escaped by the engine; text and
//! subjects are not (they are not markup).
//!
//! Rendering is strict about missing values: printing a variable the data
//! does not have is an error rather than a blank in a letter to a citizen.
//! Each kind declares the values it prints unguarded ([`Kind::needs`]) and
//! [`crate::outbox::enqueue`] checks them, so such a mistake fails the
//! caller's transaction (and its tests) instead of a message days later;
//! the tests below hold the declarations and the templates together.

use std::sync::OnceLock;

use minijinja::{AutoEscape, Environment, ErrorKind, Output, State, UndefinedBehavior};
use serde::Serialize;
use serde_json::Value;

use crate::message::{Kind, Locale};
use crate::{NotifyError, NotifyResult};

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    /// One line.
    pub subject: String,
    pub text: String,
    pub html: String,
}

macro_rules! file {
    ($path:expr) => {
        ($path, include_str!(concat!("../templates/", $path)))
    };
}

macro_rules! kind_files {
    ($($kind:literal),* $(,)?) => {
        &[
            file!("_layout/vi.txt"),
            file!("_layout/en.txt"),
            file!("_layout/vi.html"),
            file!("_layout/en.html"),
            $(
                file!(concat!($kind, "/vi.subject.txt")),
                file!(concat!($kind, "/vi.txt")),
                file!(concat!($kind, "/vi.html")),
                file!(concat!($kind, "/en.subject.txt")),
                file!(concat!($kind, "/en.txt")),
                file!(concat!($kind, "/en.html")),
            )*
        ]
    };
}

/// Every template file, by name. A kind missing here fails the test that
/// renders every [`Kind`].
const FILES: &[(&str, &str)] = kind_files!(
    "dossier_received",
    "feedback_update",
    "supplement_requested",
    "extended",
    "appointment_moved",
    "refused",
    "stopped",
    "result_ready",
    "returned",
    "handover_arrived",
    "due_soon",
    "overdue",
    "breach_digest",
    "test",
);

fn build() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    // Printing, iterating or filtering a missing value fails; `{% if x %}`
    // on a missing optional value is simply false.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_formatter(format_value);
    for (name, source) in FILES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

/// Prints a value. In HTML it escapes `& < > " '` but, unlike the
/// engine's default, leaves `/` alone: links and dates stay readable in
/// the source of the mail, which some clients and filters look at.
fn format_value(
    out: &mut Output,
    state: &State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    if state.auto_escape() != AutoEscape::Html || value.is_safe() {
        return minijinja::escape_formatter(out, state, value);
    }
    let text = value.to_string();
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    out.write_str(&escaped).map_err(minijinja::Error::from)
}

fn environment() -> NotifyResult<&'static Environment<'static>> {
    // The engine's error is not `Clone`: keep its text and kind.
    static ENV: OnceLock<Result<Environment<'static>, (String, ErrorKind, String)>> =
        OnceLock::new();
    ENV.get_or_init(|| {
        build().map_err(|e| {
            let name = e.name().unwrap_or("?").to_string();
            (name, e.kind(), e.to_string())
        })
    })
    .as_ref()
    .map_err(|(name, kind, text)| NotifyError::Template {
        name: name.clone(),
        source: minijinja::Error::new(*kind, text.clone()),
    })
}

/// Renders a message of `kind` (its name, as stored in the outbox) in
/// `locale` with the template variables `data` (a JSON object). The
/// subject is rendered first and given to the bodies as `subject`.
pub fn render(kind: &str, locale: Locale, data: &Value) -> NotifyResult<Rendered> {
    let kind: Kind = kind.parse()?;
    let env = environment()?;
    let one = |part: &str, ctx: &minijinja::Value| -> NotifyResult<String> {
        let name = format!("{}/{}.{part}", kind.as_str(), locale.as_str());
        env.get_template(&name)
            .and_then(|t| t.render(ctx))
            .map_err(|source| NotifyError::Template { name, source })
    };
    let ctx = minijinja::Value::from_serialize(data);
    let subject = one_line(&one("subject.txt", &ctx)?);
    let ctx = minijinja::context! { subject => &subject, ..ctx };
    let text = one("txt", &ctx)?;
    let html = one("html", &ctx)?;
    Ok(Rendered {
        subject,
        text: format!("{}\n", text.trim_end()),
        html,
    })
}

/// A subject is one header line: runs of whitespace (newlines from the
/// template or the data) become one space.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CODE: &str = "H53.50.05.13-261129-0001";
    const LINK: &str = "https://motcua.example.vn/api/v1/public/dossiers/H53.50.05.13-261129-0001";

    /// Sample data carrying every variable any template prints.
    fn sample(kind: Kind) -> Value {
        let mut v = json!({
            "code": CODE,
            "lookup_url": LINK,
            "recipient_name": "Nguyễn Văn An",
            "procedure_name": "Đăng ký khai sinh",
            "agency_name": "UBND xã Tân Lập",
            "received_at": "08 giờ 30 phút, ngày 30/11/2026",
            "appointment_at": "17 giờ 00 phút, ngày 02/12/2026",
            "collect_at": "Bộ phận Một cửa UBND xã Tân Lập",
            "items": ["Bản sao Giấy chứng nhận kết hôn"],
            "reason": "Thiếu giấy tờ chứng minh quan hệ",
            "new_appointment_at": "17 giờ 00 phút, ngày 09/12/2026",
            "previous_appointment_at": "17 giờ 00 phút, ngày 02/12/2026",
            "returned_at": "09 giờ 15 phút, ngày 03/12/2026",
            "from_agency": "UBND huyện Đông Anh",
            "due_at": "17 giờ 00 phút, ngày 02/12/2026",
            "dossier_url": "https://motcua.example.vn/dossiers/H53.50.05.13-261129-0001",
            "date": "30/11/2026",
            "sent_at": "30/11/2026 08:00",
        });
        if kind == Kind::FeedbackUpdate {
            v["reference"] = json!(CODE);
            v["matter"] = json!("Thời gian chờ tại quầy");
            v["step"] = json!("answered");
            v["text"] = json!("Đã bố trí thêm quầy tiếp nhận");
            v["follow_url"] = json!(LINK);
        }
        if kind == Kind::BreachDigest {
            v["items"] = json!([
                {"code": CODE, "kind": "overdue", "due_at": "01/12/2026 17:00", "procedure_name": "Đăng ký khai sinh", "agency": "UBND xã Tân Lập"},
                {"code": "H53.50.05.13-261129-0002", "kind": "due_soon", "due_at": "02/12/2026 17:00"},
            ]);
        }
        v
    }

    /// Kinds whose recipient is the applicant: they carry the public link.
    fn to_applicant(kind: Kind) -> bool {
        !matches!(
            kind,
            Kind::HandoverArrived | Kind::DueSoon | Kind::Overdue | Kind::BreachDigest | Kind::Test
        )
    }

    #[test]
    fn every_kind_renders_in_both_locales_with_code_and_link() {
        for &kind in Kind::ALL {
            for locale in Locale::ALL {
                let r = render(kind.as_str(), locale, &sample(kind))
                    .unwrap_or_else(|e| panic!("{kind}/{locale}: {e}"));
                assert!(!r.subject.is_empty() && !r.subject.contains('\n'));
                if kind != Kind::Test {
                    for (part, body) in [
                        ("subject", &r.subject),
                        ("text", &r.text),
                        ("html", &r.html),
                    ] {
                        if kind == Kind::BreachDigest && part == "subject" {
                            continue;
                        }
                        assert!(
                            body.contains(CODE),
                            "{kind}/{locale} {part} lacks the code:\n{body}"
                        );
                    }
                }
                if to_applicant(kind) {
                    assert!(r.text.contains(LINK), "{kind}/{locale} text lacks the link");
                    let anchor = format!("<a href=\"{LINK}\">{LINK}</a>");
                    assert!(
                        r.html.contains(&anchor),
                        "{kind}/{locale} html lacks the link"
                    );
                }
                assert!(
                    r.text.contains("Nguyễn Văn An"),
                    "{kind}/{locale}: no greeting"
                );
                assert!(r.html.starts_with("<!DOCTYPE html>"));
                assert!(r
                    .html
                    .contains(&format!("<title>{}</title>", html_escape(&r.subject))));
                assert!(!r.text.contains("{{") && !r.html.contains("{%"));
            }
        }
    }

    fn html_escape(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    }

    #[test]
    fn vietnamese_and_english_differ() {
        let vi = render(
            "dossier_received",
            Locale::Vi,
            &sample(Kind::DossierReceived),
        )
        .unwrap();
        let en = render(
            "dossier_received",
            Locale::En,
            &sample(Kind::DossierReceived),
        )
        .unwrap();
        assert_eq!(vi.subject, format!("Đã tiếp nhận hồ sơ {CODE}"));
        assert_eq!(en.subject, format!("Dossier {CODE} received"));
        assert!(
            vi.text
                .starts_with("Kính gửi Nguyễn Văn An,\n\nBộ phận Một cửa"),
            "{}",
            vi.text
        );
    }

    #[test]
    fn optional_values_may_be_missing() {
        let data = json!({"code": CODE, "lookup_url": LINK, "reason": "x", "items": []});
        let r = render("supplement_requested", Locale::Vi, &data).unwrap();
        assert!(r.text.starts_with("Kính gửi Quý ông/bà,"));
        assert!(r.text.contains("cơ quan giải quyết đề nghị"));
        render("test", Locale::En, &json!({})).unwrap();
        let digest = render(
            "breach_digest",
            Locale::Vi,
            &json!({"date": "30/11/2026", "items": []}),
        )
        .unwrap();
        assert!(digest.text.contains("Không có hồ sơ"));
    }

    /// The sample data cut down to what the kind declares it needs.
    fn needs_only(kind: Kind) -> Value {
        let full = sample(kind);
        let map = kind
            .needs()
            .iter()
            .map(|n| (n.name().to_string(), full[n.name()].clone()))
            .collect();
        Value::Object(map)
    }

    #[test]
    fn what_a_kind_needs_is_enough_to_render_it() {
        for &kind in Kind::ALL {
            let data = needs_only(kind);
            crate::outbox::check_data(kind, &data).unwrap();
            for locale in Locale::ALL {
                render(kind.as_str(), locale, &data)
                    .unwrap_or_else(|e| panic!("{kind}/{locale} with only its needs: {e}"));
            }
        }
    }

    #[test]
    fn everything_a_kind_needs_is_needed() {
        for &kind in Kind::ALL {
            for need in kind.needs() {
                let mut data = needs_only(kind);
                data.as_object_mut().unwrap().remove(need.name());
                assert!(
                    matches!(
                        crate::outbox::check_data(kind, &data),
                        Err(NotifyError::MissingValue { name, .. }) if name == need.name()
                    ),
                    "{kind} without {need:?} passed the check"
                );
                let fails = Locale::ALL
                    .iter()
                    .any(|&l| render(kind.as_str(), l, &data).is_err());
                assert!(fails, "{kind} renders without {need:?}: it is not needed");
            }
        }
    }

    #[test]
    fn a_list_need_must_be_a_list() {
        let mut data = needs_only(Kind::SupplementRequested);
        data["items"] = json!("Bản sao Giấy chứng nhận kết hôn");
        assert!(matches!(
            crate::outbox::check_data(Kind::SupplementRequested, &data),
            Err(NotifyError::InvalidData(m)) if m.contains("items")
        ));
        // The engine itself would iterate the text letter by letter: one
        // bullet per character in a letter to a citizen.
        let r = render("supplement_requested", Locale::Vi, &data).unwrap();
        assert!(!r.text.contains("Bản sao Giấy"), "{}", r.text);
    }

    #[test]
    fn a_missing_required_value_is_an_error() {
        let err = render("dossier_received", Locale::Vi, &json!({"code": CODE})).unwrap_err();
        assert!(matches!(err, NotifyError::Template { .. }), "{err}");
    }

    #[test]
    fn unknown_kind_is_an_error() {
        assert!(matches!(
            render("birthday", Locale::Vi, &json!({})),
            Err(NotifyError::UnknownKind(k)) if k == "birthday"
        ));
    }

    #[test]
    fn html_is_escaped_and_subject_is_one_line() {
        let data = json!({"code": "A\nB <script>", "lookup_url": LINK, "reason": "<b>x</b> & y"});
        let r = render("refused", Locale::Vi, &data).unwrap();
        assert_eq!(r.subject, "Hồ sơ A B <script>: từ chối giải quyết");
        assert!(
            r.html.contains("&lt;b&gt;x&lt;/b&gt; &amp; y"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("<script>"));
        assert!(r.text.contains("<b>x</b> & y"));
    }
}
