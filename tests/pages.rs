//! The public pages over HTTP on both databases, as a browser without
//! JavaScript uses them: the look-up the receipt's QR code opens, the
//! rating form once the result is returned, the catalogue searched
//! without accents and its online form, feedback sent, followed and its
//! published answer read. Bad input on every form is answered with a
//! message beside the field, in Vietnamese, and writes nothing. Every
//! page passes the accessibility check (tests/common/a11y.rs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{a11y, birth_registration, count, Backend, Response, TestServer};
use serde_json::json;

fn as_refs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn page(s: &TestServer, path: &str) -> Response {
    let r = s.get(path, None);
    assert!(
        r.content_type.starts_with("text/html"),
        "{path}: {} {}",
        r.status,
        r.text
    );
    a11y::check(path, &r.text);
    r
}

fn form(s: &TestServer, path: &str, fields: &[(&str, &str)]) -> Response {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let r = s.send(
        "POST",
        path,
        None,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(&body),
    );
    assert!(
        r.content_type.starts_with("text/html"),
        "{path}: {}",
        r.text
    );
    a11y::check(path, &r.text);
    r
}

/// The text of the element with this id (up to its first closing tag).
fn text_of(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let after = &html[start..];
    let open = after.find('>').unwrap() + 1;
    let close = after[open..].find("</").unwrap();
    after[open..open + close].trim().to_string()
}

fn the_receipts_link_shows_the_dossier_and_takes_its_rating(backend: Backend) {
    let s = TestServer::start(backend);
    let (clerk, officer) = (s.login("clerk"), s.login("officer"));
    let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    assert_eq!(r.status, 201, "{}", r.text);
    let code = r.json["code"].as_str().unwrap().to_string();
    let pin = r.json["pin"].as_str().unwrap().to_string();
    // The QR code's address is the page, with both filled in.
    let link = r.json["lookup_url"].as_str().unwrap();
    let path = link
        .strip_prefix(&s.base)
        .unwrap_or_else(|| panic!("{link}"));
    assert!(path.starts_with("/?code="), "{path}");
    let home = page(&s, "/");
    assert_eq!(home.status, 200);
    assert!(home.text.contains("Tra cứu tình trạng hồ sơ"));

    let shown = page(&s, path);
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert_eq!(text_of(&shown.text, "status"), "Được tiếp nhận");
    assert!(
        shown.text.contains("Bộ phận Một cửa tiếp nhận hồ sơ"),
        "history"
    );
    assert!(!shown.text.contains("Nguyễn Văn An"), "the name is masked");
    assert!(
        !shown.text.contains("id=\"rating\""),
        "no rating before the return"
    );
    let en = page(&s, &format!("{path}&lang=en"));
    assert!(en.text.contains("<html lang=\"en\">"));
    assert!(
        en.text.contains("The desk received the dossier"),
        "{}",
        en.text
    );

    // A wrong PIN: the look-up's 404, said on the page, in Vietnamese.
    let wrong = page(&s, &format!("/?code={code}&pin=AAAAAA"));
    assert_eq!(wrong.status, 404);
    assert!(
        wrong.text.contains("Không tìm thấy hồ sơ"),
        "{}",
        wrong.text
    );
    let empty = page(&s, &format!("/?code={code}&pin="));
    assert_eq!(empty.status, 422);
    assert!(text_of(&empty.text, "pin-error").contains("Không được để trống"));

    // Waiting for a supplement: what the desk waits for.
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/supplement-request"),
        Some(&officer),
        &json!({"reason": "Thiếu bản sao", "items": [{"name": "Bản sao Giấy chứng nhận kết hôn"}]}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let waiting = page(&s, path);
    assert!(waiting.text.contains("id=\"supplement\""));
    assert!(waiting.text.contains("Bản sao Giấy chứng nhận kết hôn"));
    for (what, who, body) in [
        ("supplement-received", &clerk, json!({"note": "Đã nhận"})),
        ("processed", &officer, json!({"result": "Giấy khai sinh"})),
        (
            "return",
            &clerk,
            json!({"collected_by": "Nguyễn Văn An", "method": "counter"}),
        ),
    ] {
        let r = s.post(&format!("/api/v1/dossiers/{code}/{what}"), Some(who), &body);
        assert!(r.status < 300, "{what}: {}", r.text);
    }

    // Returned: the rating form. Half filled: each missing score named
    // beside its criterion, nothing stored.
    let returned = page(&s, path);
    assert!(returned.text.contains("id=\"rating\""));
    let mut fields: Vec<(String, String)> = vec![
        ("code".into(), code.clone()),
        ("pin".into(), pin.clone()),
        ("s1".into(), "2".into()),
        ("s2".into(), "2".into()),
        ("overall".into(), "satisfied".into()),
    ];
    let r = form(&s, "/danh-gia", &as_refs(&fields));
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        text_of(&r.text, "s3-error"),
        "Mỗi tiêu chí chấm 0, 1 hoặc 2"
    );
    assert!(
        r.text
            .contains("id=\"s1-2\" name=\"s1\" value=\"2\"\n        checked"),
        "the choices are kept"
    );
    let mut conn = s.conn();
    assert_eq!(count(&mut conn, "ratings"), 0);
    let bad = form(
        &s,
        "/danh-gia",
        &[("code", &code), ("pin", &pin), ("comment", "a\u{0007}b")],
    );
    assert_eq!(bad.status, 422);
    assert_eq!(count(&mut conn, "ratings"), 0);
    for i in 3..=9 {
        fields.push((format!("s{i}"), "1".into()));
    }
    fields.push(("comment".into(), "Nhanh, chu đáo".into()));
    let r = form(&s, "/danh-gia", &as_refs(&fields));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("id=\"rated\""));
    assert_eq!(count(&mut conn, "ratings"), 1);
    // Once only.
    let again = page(&s, path);
    assert!(!again.text.contains("id=\"rating\""));
    let r = form(&s, "/danh-gia", &as_refs(&fields));
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(count(&mut conn, "ratings"), 1);
}

fn the_catalogue_is_searched_without_accents_and_files_online(backend: Backend) {
    let s = TestServer::start(backend);
    let list = page(&s, "/thu-tuc?q=dang%20ky%20khai%20sinh");
    assert_eq!(list.status, 200);
    assert!(
        list.text.contains("href=\"/thu-tuc/1.001193\""),
        "{}",
        list.text
    );
    assert!(!list.text.contains("1.000894\""), "only what matches");
    let all = page(&s, "/thu-tuc?lang=en");
    assert!(all.text.contains("working days"));
    let detail = page(&s, "/thu-tuc/1.001193");
    assert!(detail.text.contains("Giấy chứng sinh"));
    assert!(detail.text.contains("id=\"online\""));
    assert_eq!(page(&s, "/thu-tuc/9.999999").status, 404);

    // Bad input: each problem beside its field, in Vietnamese; nothing
    // submitted.
    let mut conn = s.conn();
    let r = form(
        &s,
        "/thu-tuc/1.001193",
        &[
            ("name", ""),
            ("id_number", "12"),
            ("email", "khong-phai-thu"),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(text_of(&r.text, "name-error"), "Không được để trống");
    assert!(text_of(&r.text, "id_number-error").starts_with("Số định danh"));
    assert_eq!(
        text_of(&r.text, "email-error"),
        "Địa chỉ thư điện tử không hợp lệ"
    );
    assert_eq!(count(&mut conn, "submissions"), 0);
    // Filed: its reference and PIN, which follow it on the API.
    let r = form(
        &s,
        "/thu-tuc/1.001193",
        &[
            ("name", "Trần Thị Bình"),
            ("id_number", "001190012345"),
            ("doc_TK", "1"),
            ("doc_GCS", "1"),
        ],
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let reference = text_of(&r.text, "reference");
    let pin = text_of(&r.text, "submission-pin");
    assert_eq!(count(&mut conn, "submissions"), 1);
    let followed = s.get(
        &format!("/api/v1/public/submissions/{reference}?pin={pin}"),
        None,
    );
    assert_eq!(followed.status, 200, "{}", followed.text);
}

fn feedback_is_sent_followed_and_its_answer_read(backend: Backend) {
    let s = TestServer::start(backend);
    let start = page(&s, "/phan-anh");
    assert!(start
        .text
        .contains("Chưa có kết quả trả lời nào được công khai."));
    let mut conn = s.conn();
    let r = form(
        &s,
        "/phan-anh",
        &[("name", ""), ("subject", ""), ("content", "")],
    );
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(text_of(&r.text, "fb-name-error"), "Không được để trống");
    assert_eq!(text_of(&r.text, "fb-subject-error"), "Không được để trống");
    assert_eq!(
        text_of(&r.text, "fb-email-error"),
        "Cần thư điện tử hoặc số điện thoại để nhận trả lời"
    );
    assert_eq!(count(&mut conn, "feedback"), 0);
    let fields = [
        ("name", "Lê Văn Cường"),
        ("phone", "0987654321"),
        ("subject", "Biểu mẫu khó tìm"),
        ("content", "Không tìm thấy tờ khai trên trang."),
        ("agency", "H53.50.05.13"),
    ];
    let r = form(&s, "/phan-anh", &fields);
    assert_eq!(r.status, 201, "{}", r.text);
    let reference = text_of(&r.text, "reference");
    let pin = text_of(&r.text, "feedback-pin");
    assert_eq!(count(&mut conn, "feedback"), 1);

    let wrong = page(
        &s,
        &format!("/phan-anh/theo-doi?reference={reference}&pin=000000"),
    );
    assert_eq!(wrong.status, 404);
    let follow = format!("/phan-anh/theo-doi?reference={reference}&pin={pin}");
    let r = page(&s, &follow);
    assert_eq!(text_of(&r.text, "status"), "Đã tiếp nhận, chờ xem xét");

    // The agency asks for more; the citizen replies on the page.
    let officer = s.login("officer");
    for (what, body) in [
        ("accept", json!({})),
        ("request-information", json!({"question": "Trang nào?"})),
    ] {
        let r = s.post(
            &format!("/api/v1/feedback/{reference}/{what}"),
            Some(&officer),
            &body,
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = page(&s, &follow);
    assert!(r.text.contains("id=\"reply\""));
    let r = form(
        &s,
        "/phan-anh/bo-sung",
        &[("reference", &reference), ("pin", &pin), ("reply", " ")],
    );
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(text_of(&r.text, "reply-error"), "Không được để trống");
    let r = form(
        &s,
        "/phan-anh/bo-sung",
        &[
            ("reference", &reference),
            ("pin", &pin),
            ("reply", "Trang thủ tục khai sinh"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(text_of(&r.text, "status"), "Đang xử lý");
    for (what, body) in [
        (
            "answer",
            json!({"answer": "Đã đưa tờ khai lên trang thủ tục"}),
        ),
        ("publish", json!({"summary": "Tờ khai khó tìm trên trang"})),
    ] {
        let r = s.post(
            &format!("/api/v1/feedback/{reference}/{what}"),
            Some(&officer),
            &body,
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = page(&s, &follow);
    assert_eq!(
        text_of(&r.text, "answer"),
        "Đã đưa tờ khai lên trang thủ tục"
    );
    let published = page(&s, "/phan-anh");
    assert!(published
        .text
        .contains(&format!("id=\"published-{reference}\"")));
    assert!(published.text.contains("Tờ khai khó tìm trên trang"));
    assert!(!published.text.contains("Lê Văn Cường") && !published.text.contains("0987654321"));
}

#[test]
fn the_stylesheet_keeps_text_readable() {
    let s = TestServer::start(Backend::Sqlite);
    let r = s.get("/site.css", None);
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("text/css"));
    a11y::stylesheet_contrast(&r.text);
}

on_both_backends!(
    the_receipts_link_shows_the_dossier_and_takes_its_rating,
    the_catalogue_is_searched_without_accents_and_files_online,
    feedback_is_sent_followed_and_its_answer_read,
);
