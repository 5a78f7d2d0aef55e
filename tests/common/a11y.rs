//! The accessibility check every page passes (tests/pages.rs, and the
//! browser tests on the pages they open): the page says its language and
//! has a title and one main heading; every form control has a label tied
//! to it (`<label for>`), or is hidden or a button; images have a text
//! alternative; nothing takes the keyboard out of the document's order
//! (no positive `tabindex`); a field marked invalid points to its message.
//! The colours are checked apart, from the stylesheet
//! ([`stylesheet_contrast`]).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

/// The tags named `name` in `html`, each as its text between `<` and `>`.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let boundary = after
            .chars()
            .next()
            .is_some_and(|c| c.is_whitespace() || c == '>' || c == '/');
        let Some(end) = after.find('>') else { break };
        if boundary {
            out.push(&after[..end]);
        }
        rest = &after[end..];
    }
    out
}

/// The value of an attribute in a tag's text.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key).or_else(|| {
        // The first attribute may follow a newline.
        tag.find(&format!("\n{name}=\""))
            .or_else(|| tag.find(&format!("\t{name}=\"")))
    })?;
    let v = &tag[i + key.len()..];
    Some(&v[..v.find('"')?])
}

fn has_attr(tag: &str, name: &str) -> bool {
    tag.split_whitespace()
        .any(|w| w == name || w.starts_with(&format!("{name}=")))
}

/// Panics with every problem found on the page at `url`.
pub fn check(url: &str, html: &str) {
    let mut problems = Vec::new();
    let html_tag = tags(html, "html");
    if html_tag
        .first()
        .and_then(|t| attr(t, "lang"))
        .is_none_or(str::is_empty)
    {
        problems.push("<html> has no lang".to_string());
    }
    let title = html
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next());
    if title.is_none_or(|t| t.trim().is_empty()) {
        problems.push("no title".into());
    }
    if tags(html, "h1").len() != 1 {
        problems.push(format!("{} <h1> (one wanted)", tags(html, "h1").len()));
    }
    let labels: Vec<&str> = tags(html, "label")
        .into_iter()
        .filter_map(|t| attr(t, "for"))
        .collect();
    for kind in ["input", "select", "textarea"] {
        for t in tags(html, kind) {
            let ty = attr(t, "type").unwrap_or("text");
            if kind == "input" && matches!(ty, "hidden" | "submit" | "button") {
                continue;
            }
            match attr(t, "id") {
                Some(id) if labels.contains(&id) => {}
                Some(id) if attr(t, "aria-label").is_some() => {
                    let _ = id;
                }
                Some(id) => problems.push(format!("<{kind} id={id}> has no <label for>")),
                None => problems.push(format!("<{kind} {t}> has no id to label")),
            }
            if attr(t, "aria-invalid") == Some("true") {
                match attr(t, "aria-describedby") {
                    Some(msg) if html.contains(&format!("id=\"{msg}\"")) => {}
                    _ => problems.push(format!("invalid <{kind}> without its message: {t}")),
                }
            }
        }
    }
    for t in tags(html, "img") {
        if attr(t, "alt").is_none() {
            problems.push(format!("<img> without alt: {t}"));
        }
    }
    for t in html.split("tabindex=\"").skip(1) {
        let v: String = t.chars().take_while(|c| *c != '"').collect();
        if v.parse::<i32>().is_ok_and(|n| n > 0) {
            problems.push(format!("positive tabindex {v}"));
        }
    }
    for t in tags(html, "button") {
        if has_attr(t, "disabled") {
            problems.push("a disabled button".into());
        }
    }
    assert!(problems.is_empty(), "{url}: {problems:#?}");
}

/// The relative luminance of `#rrggbb` (WCAG 2.2).
fn luminance(hex: &str) -> f64 {
    let hex = hex.trim_start_matches('#');
    let channel = |i: usize| {
        let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

/// The contrast ratio of two colours.
pub fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// Every pair of the stylesheet's colours that text is drawn in on a
/// background reaches 4.5:1 (WCAG AA for text), and the field borders 3:1.
pub fn stylesheet_contrast(css: &str) {
    let var = |name: &str| -> String {
        let key = format!("--{name}:");
        let v = css
            .split(&key)
            .nth(1)
            .unwrap_or_else(|| panic!("no --{name}"));
        v.split(';').next().unwrap().trim().to_string()
    };
    let mut problems = Vec::new();
    for (fg, bg, least) in [
        ("text", "back", 4.5),
        ("text", "panel", 4.5),
        ("muted", "back", 4.5),
        ("muted", "panel", 4.5),
        ("accent", "back", 4.5),
        ("accent", "panel", 4.5),
        ("accent-text", "accent", 4.5),
        ("error", "back", 4.5),
        ("error", "panel", 4.5),
        ("ok", "back", 4.5),
        ("line", "back", 3.0),
        ("line", "panel", 3.0),
    ] {
        let ratio = contrast(&var(fg), &var(bg));
        if ratio < least {
            problems.push(format!("{fg} on {bg}: {ratio:.2} < {least}"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
