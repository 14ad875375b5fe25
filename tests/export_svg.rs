//! `sockscope export svg`: shipped scenarios run on loopback and drawn; the
//! SVG parses, says what happened in real `<text>`, holds nothing raw from
//! outside, and renders to pixels in the outcomes' colours (resvg, shapes
//! only: text is checked by parsing).

mod export_util;

use std::sync::OnceLock;

use export_util::*;
use sockscope::export::picture::{self, Palette, Tone, palette::tone};
use sockscope::record::{Outcome, TimeoutBy};

/// Lesson 1 and lesson 7, each run once for all the tests here.
fn lesson(n: u8) -> &'static str {
    static ONE: OnceLock<String> = OnceLock::new();
    static SEVEN: OnceLock<String> = OnceLock::new();
    match n {
        1 => ONE.get_or_init(|| export("svg", &scenario("01-blocking-recv.scenario"), &[])),
        _ => SEVEN.get_or_init(|| export("svg", &scenario("07-eof-reset-epipe.scenario"), &[])),
    }
}

#[track_caller]
fn has_text(texts: &[String], want: &str) {
    assert!(texts.iter().any(|t| t == want), "no <text> {want:?} in {texts:?}");
}

#[test]
fn lesson_one_names_its_lanes_outcomes_axis_and_narration_in_text() {
    let svg = lesson(1);
    let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
    assert_eq!(root.attribute("width"), Some("1200"), "the default width");
    let texts = texts(&doc);
    for lane in ["#1", "peer", "say"] {
        has_text(&texts, lane);
    }
    for label in ["data 5", "data 4", "data 12", "sent 5"] {
        has_text(&texts, label);
    }
    // The axis unit follows the length of the run (ms or s), and starts at zero.
    assert!(texts.iter().any(|t| t == "0ms" || t == "0s"), "the axis starts at zero: {texts:?}");
    assert!(
        texts.iter().filter(|t| t.ends_with('s') && t.starts_with(char::is_numeric)).count() >= 4,
        "ticks"
    );
    assert!(
        texts.iter().any(|t| t.contains("Fresh sockets are blocking")),
        "the narration is a caption: {texts:?}"
    );
    assert!(texts.iter().any(|t| t.starts_with("t+0.0") && t.ends_with('s')), "narration times");
    assert!(texts.iter().any(|t| t.starts_with("sockscope · 01-blocking-recv.scenario")), "the title");
    let calls = doc.descendants().filter(|n| n.attribute("class") == Some("call")).count();
    assert!(calls >= 6, "every call is drawn: {calls}");
    assert!(!svg.contains("href") && !svg.contains("url("), "nothing outside the file is referenced");
}

#[test]
fn lesson_seven_shows_eof_reset_and_epipe() {
    let doc = roxmltree::Document::parse(lesson(7)).expect("well-formed XML");
    let texts = texts(&doc);
    for label in ["#1", "#2", "peer", "data 3", "eof", "sent 5", "error EPIPE", "error ECONNRESET"] {
        has_text(&texts, label);
    }
    let outcomes: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("data-outcome")).collect();
    for o in ["data", "eof", "sent", "error"] {
        assert!(outcomes.contains(&o), "{o} in {outcomes:?}");
    }
}

#[test]
fn it_renders_to_pixels_in_the_outcome_colours() {
    let light = Palette::default();
    let px = render(lesson(7));
    assert_eq!(px.pixel(2, 2), rgb(light.background()), "the light background");
    let inked = px.pixels.chunks(4).filter(|p| [p[0], p[1], p[2]] != rgb(light.background())).count();
    assert!(inked > px.pixels.len() / 4 / 100, "the picture is not blank: {inked} pixels drawn");
    for o in [Outcome::Data, Outcome::Eof, Outcome::Error, Outcome::Ok] {
        let want = rgb(light.colour(tone(o)));
        assert!(px.has(want), "{o:?}'s colour {want:?} is drawn");
    }
    assert!(!px.has(rgb(light.colour(tone(Outcome::Timeout(TimeoutBy::Poll))))), "no timeout here");
}

#[test]
fn dark_changes_the_background_and_width_the_size() {
    let file = scenario("02-nonblocking-wouldblock.scenario");
    let svg = export("svg", &file, &["--dark", "--width", "800"]);
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert_eq!(doc.root_element().attribute("width"), Some("800"));
    let dark = Palette { dark: true };
    let bg = doc.descendants().find(|n| n.attribute("class") == Some("background")).expect("a background");
    assert_eq!(bg.attribute("fill"), Some(dark.background()));
    let light_bg = roxmltree::Document::parse(lesson(1))
        .ok()
        .and_then(|d| {
            d.descendants()
                .find(|n| n.attribute("class") == Some("background"))?
                .attribute("fill")
                .map(String::from)
        })
        .expect("a light background");
    assert_ne!(light_bg, dark.background());
    let px = render(&svg);
    assert_eq!(px.width, 800);
    assert_eq!(px.pixel(2, 2), rgb(dark.background()));
    assert!(px.has(rgb(dark.colour(Tone::Yellow))), "wouldblock's colour on the dark page");
    has_text(&texts(&doc), "wouldblock");
}

#[test]
fn hostile_narration_and_payload_stay_escaped() {
    let file = hostile_scenario("hostile.scenario");
    let svg = export("svg", &file, &[]);
    let _ = std::fs::remove_file(&file);
    assert_eq!(raw_unsafe(&svg), None, "no raw control or invisible character");
    let doc = roxmltree::Document::parse(&svg).expect("still well-formed XML");
    assert!(
        doc.descendants().all(|n| !n.has_tag_name("script") && !n.has_tag_name("b")),
        "markup stays text"
    );
    let texts = texts(&doc);
    let caption = texts.iter().find(|t| t.contains("alert(1)")).expect("the say is a caption");
    assert!(caption.contains(r"<script>alert(1)</script> & 'q' "), "{caption}");
    assert!(caption.contains(r"\x1b]0;pwned\x07 \u{9b}2J \u{202e}rev \u{2028} ]]>"), "{caption}");
    let titles: Vec<&str> =
        doc.descendants().filter(|n| n.has_tag_name("title")).filter_map(|n| n.text()).collect();
    assert!(
        titles.iter().any(|t| t.contains(r#"send "\x1b[2J<b>&amp;\x00\xff]]>""#)),
        "the payload, escaped, in the peer's send: {titles:?}"
    );
    has_text(&texts, "data 17");
}

#[test]
fn a_recording_is_drawn_like_the_run_it_recorded() {
    let rec = temp("07.jsonl");
    let out = sockscope(&[
        "run".as_ref(),
        scenario("07-eof-reset-epipe.scenario").as_os_str(),
        "--record".as_ref(),
        rec.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let svg = export("svg", &rec, &[]);
    let _ = std::fs::remove_file(&rec);
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let texts = texts(&doc);
    for label in ["#1", "#2", "peer", "eof", "error EPIPE", "error ECONNRESET"] {
        has_text(&texts, label);
    }
    assert!(texts.iter().any(|t| t.starts_with("sockscope · sockscope-export-")), "named after the file");
}

#[test]
fn a_file_that_is_neither_is_refused_clearly_and_a_failed_run_still_drawn() {
    let bad = temp("bad.jsonl");
    std::fs::write(&bad, "{\"oops\": 1}\n").expect("write");
    let out = sockscope(&["export".as_ref(), "svg".as_ref(), bad.as_os_str()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("bad.jsonl:1: not a sockscope recording")
            && err.contains("recording made with --record"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\n\x00\xff").expect("write");
    let out = sockscope(&["export".as_ref(), "html".as_ref(), bad.as_os_str()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("UTF-8") && err.contains("a scenario (.scenario)"), "{err}");
    assert_eq!(raw_unsafe(&err), None);

    std::fs::write(&bad, "open tcp\nexpect eof\n").expect("write");
    let svg = temp("failed.svg");
    let out =
        sockscope(&["export".as_ref(), "svg".as_ref(), bad.as_os_str(), "-o".as_ref(), svg.as_os_str()]);
    assert_eq!(out.status.code(), Some(1), "an expect failed: {out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains(":2: expect failed"), "{out:?}");
    let doc = std::fs::read_to_string(&svg).expect("what ran is still drawn");
    assert!(doc.contains(">connected<"), "{doc}");
    let _ = std::fs::remove_file(&bad);
    let _ = std::fs::remove_file(&svg);
}

#[test]
fn a_busy_poll_is_aggregated_per_column() {
    let svg = export("svg", &scenario("11-busy-poll.scenario"), &[]);
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let cells = doc.descendants().filter(|n| n.attribute("class") == Some("spin")).count();
    assert!((1..=400).contains(&cells), "10,000 calls in at most a column each: {cells}");
    has_text(&texts(&doc), "10k calls, all W");
}

#[test]
fn a_long_history_stays_bounded() {
    use sockscope::record::dense::{Dense, DenseOutcome};
    use sockscope::record::{Arg, Call, Event, Lane, Mode, Op, Record};
    let mut rec = Record::new();
    // 200,000 recvs 1 µs apart on #1, then a busy-poll of 500,000 calls.
    for i in 0..200_000u64 {
        let c = Call::begin(i, Lane::Sock(1), Op::Recv, Arg::Size(1024), Mode::default(), i * 1000);
        rec.apply(&Event::Instant(c.ended(i * 1000 + 500, Outcome::WouldBlock)));
    }
    let t0 = 200_000_000u64;
    let spin =
        Call::begin(9_999_999, Lane::Sock(1), Op::Spin, Arg::Spin(Box::default()), Mode::default(), t0);
    rec.apply(&Event::Begin(spin));
    let calls: Vec<Dense> = (0..500_000u64)
        .map(|i| Dense {
            start_ns: t0 + i * 200,
            dur_ns: 150,
            bytes: 0,
            outcome: DenseOutcome::WouldBlock,
            errno: 11,
        })
        .collect();
    rec.apply(&Event::Dense { lane: Lane::Sock(1), calls });
    let p = picture::build(&rec, t0 + 100_000_000, "long", &picture::Options::default());
    assert!(p.marks.len() <= 2 * 1200 / 3 + 2, "{} marks", p.marks.len());
    let svg = sockscope::export::svg::svg(&p);
    assert!(svg.len() < 1 << 20, "{} bytes", svg.len());
    roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert!(svg.contains("left out"), "the thinning is said");
}

/// Pixels of a rendered SVG, RGBA, unpremultiplied (the page is opaque).
struct Pixels {
    width: u32,
    pixels: Vec<u8>,
}

impl Pixels {
    fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = 4 * (y * self.width + x) as usize;
        [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]]
    }

    fn has(&self, want: [u8; 3]) -> bool {
        self.pixels.chunks(4).any(|p| p[..3].iter().zip(want).all(|(&a, b)| a.abs_diff(b) <= 2))
    }
}

fn render(svg: &str) -> Pixels {
    let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).expect("resvg reads it");
    let size = tree.size().to_int_size();
    let mut map = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).expect("a pixmap");
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut map.as_mut());
    Pixels { width: size.width(), pixels: map.data().to_vec() }
}

fn rgb(hex: &str) -> [u8; 3] {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).expect("#rrggbb");
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}
