//! `sockscope export html`: one self-contained page. The default tests
//! read it as XML (it is well-formed on purpose) and check its structure:
//! nothing loaded from anywhere, every call focusable and explained,
//! hostile text escaped. The headless-Chromium test, which needs a browser
//! installed (`apt-get install -y chromium`), is ignored by default:
//! `cargo test --test export_html -- --ignored`.

mod export_util;

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use export_util::*;

fn lesson_seven() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| export("html", &scenario("07-eof-reset-epipe.scenario"), &[]))
}

fn class<'a>(n: &roxmltree::Node<'a, '_>) -> &'a str {
    n.attribute("class").unwrap_or("")
}

/// The text inside a node, all of it.
fn inner(n: roxmltree::Node) -> String {
    n.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect()
}

#[test]
fn the_page_stands_alone_and_explains_every_call() {
    let page = lesson_seven();
    assert!(page.starts_with("<!DOCTYPE html>"));
    let doc = roxmltree::Document::parse_with_options(
        page,
        roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
    )
    .expect("well-formed");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "html");
    let by_name = |name: &'static str| doc.descendants().filter(move |n| n.has_tag_name(name));
    assert_eq!(by_name("svg").count(), 1, "the picture, inline");
    assert_eq!(by_name("script").count(), 1);
    assert_eq!(by_name("style").count(), 1);
    for n in doc.descendants() {
        for a in ["src", "href", "xlink:href"] {
            assert!(n.attribute(a).is_none(), "{a} on <{}>", n.tag_name().name());
        }
        assert!(!n.has_tag_name("link") && !n.has_tag_name("img") && !n.has_tag_name("iframe"));
    }
    let csp = by_name("meta").find(|m| m.attribute("http-equiv") == Some("Content-Security-Policy"));
    assert!(csp.and_then(|m| m.attribute("content")).is_some_and(|c| c.starts_with("default-src 'none'")));
    for url in ["http:", "https:", "//fonts", "@import"] {
        let outside = page.matches(url).count()
            - page.matches("http://www.w3.org/").count() * usize::from(url == "http:");
        assert_eq!(outside, 0, "{url}");
    }

    let calls: Vec<_> = by_name("g").filter(|g| class(g).split(' ').any(|c| c == "call")).collect();
    assert!(calls.len() >= 12, "{} calls", calls.len());
    for g in &calls {
        assert_eq!(g.attribute("tabindex"), Some("0"), "focusable");
        assert!(g.attribute("aria-label").is_some_and(|l| !l.is_empty()));
        let id = g.attribute("id").expect("an id");
        let section = doc.descendants().find(|s| s.attribute("id") == Some(&*format!("x-{id}")));
        let section = section.unwrap_or_else(|| panic!("no explanation for {id}"));
        assert_eq!(section.attribute("hidden"), Some("hidden"), "shown only when pointed at");
    }
    let reset = calls.iter().find(|g| g.attribute("aria-label").is_some_and(|l| l.contains("ECONNRESET")));
    let id = reset.and_then(|g| g.attribute("id")).expect("the reset recv");
    let section =
        doc.descendants().find(|s| s.attribute("id") == Some(&*format!("x-{id}"))).expect("explained");
    let text = inner(section);
    assert!(text.contains("recvfrom(") && text.contains("ECONNRESET"), "the syscall: {text}");
    assert!(text.contains("sock.recv(") && text.contains("ConnectionResetError"), "the Python: {text}");
    assert!(by_name("h3").any(|h| inner(h) == "why"), "and why");
    assert!(inner(root).contains("Point at a call"), "the page says how to use it");
}

#[test]
fn hostile_text_stays_escaped_in_the_page() {
    let file = hostile_scenario("hostile-page.scenario");
    let page = export("html", &file, &["--dark"]);
    let _ = std::fs::remove_file(&file);
    assert_eq!(raw_unsafe(&page), None, "no raw control or invisible character");
    let opts = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(&page, opts).expect("still well-formed");
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("script")).count(), 1, "only our own script");
    assert!(doc.descendants().all(|n| !n.has_tag_name("b")), "payload markup stays text");
    let pre: Vec<String> = doc.descendants().filter(|n| n.has_tag_name("pre")).map(inner).collect();
    assert!(pre.iter().any(|p| p.contains(r"\x1b[2J<b>&amp;\x00\xff]]>")), "the payload, escaped: {pre:?}");
    assert!(page.contains("color-scheme: dark"));
}

/// The browser, if one is installed.
fn chromium() -> Option<String> {
    let names = [std::env::var("CHROMIUM").unwrap_or_default(), "chromium".into(), "chromium-browser".into()];
    names
        .into_iter()
        .filter(|n| !n.is_empty())
        .find(|n| Command::new(n).arg("--version").output().is_ok_and(|o| o.status.success()))
}

/// Runs headless Chromium on `url` with `args`; its stdout.
fn headless(browser: &str, dir: &Path, args: &[&str], url: &str) -> String {
    let profile = dir.join("profile");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "needs headless Chromium (apt-get install -y chromium); run with --ignored"]
fn in_chromium_a_named_call_is_shown_and_the_page_draws() {
    let browser = chromium().expect("chromium is installed (apt-get install -y chromium)");
    let dir = temp("chromium");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let page = dir.join("lesson.html");
    std::fs::write(&page, lesson_seven()).expect("write the page");
    let id = lesson_seven()
        .split("<g class=\"call\" id=\"")
        .skip(1)
        .find(|g| g.contains("data-outcome=\"error\""))
        .and_then(|g| g.split('"').next())
        .expect("an error call")
        .to_string();
    let url = format!("file://{}#{id}", page.display());

    // The script ran: the call named in the address is shown and marked,
    // the others stay hidden, and the hint gives way.
    let dom = headless(&browser, &dir, &["--dump-dom"], &url);
    let shown = format!("<section class=\"detail\" id=\"x-{id}\">");
    assert!(dom.contains(&shown), "x-{id} is shown:\n{}", &dom[..dom.len().min(2000)]);
    assert!(dom.contains(&format!("<g class=\"call on\" id=\"{id}\"")), "the call is marked");
    assert!(dom.matches("class=\"detail\"").count() > dom.matches(&shown).count());
    assert!(dom.contains("hidden=\"hidden\">"), "the rest stay hidden");
    assert!(dom.contains("<p id=\"hint\" hidden=\"\">"), "the hint gives way");

    // It draws: not blank, and the error's red is on screen.
    let png = dir.join("shot.png");
    headless(
        &browser,
        &dir,
        &["--hide-scrollbars", "--window-size=1220,900", &format!("--screenshot={}", png.display())],
        &url,
    );
    let shot = resvg::tiny_skia::Pixmap::load_png(&png).expect("a PNG");
    let px: Vec<[u8; 3]> = shot.pixels().iter().map(|p| [p.red(), p.green(), p.blue()]).collect();
    let white = px.iter().filter(|p| **p == [255, 255, 255]).count();
    assert!(white < px.len() * 97 / 100, "something is drawn");
    let red = [0xcf, 0x22, 0x2e];
    assert!(px.iter().any(|p| p.iter().zip(red).all(|(&a, b)| a.abs_diff(b) <= 3)), "the error badge's red");
    let _ = std::fs::remove_dir_all(&dir);
}
