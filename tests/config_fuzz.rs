//! The config file is data: arbitrary TOML-ish text and arbitrary bytes
//! never panic, and every error message is safe to print (no control, C1,
//! invisible or width-changing character) and short.

use proptest::prelude::*;
use sockscope::config::Config;
use sockscope::escape::{MESSAGE_MAX, is_unsafe};

/// A message holds nothing a terminal could act on, and stays bounded.
fn printable(message: &str) -> Result<(), TestCaseError> {
    prop_assert!(!message.chars().any(is_unsafe), "{message:?}");
    prop_assert!(message.chars().count() <= MESSAGE_MAX * 2, "{} chars", message.chars().count());
    Ok(())
}

/// Pieces of a config: real keys and values, TOML syntax, hostile text.
fn piece() -> impl Strategy<Value = String> {
    let known = prop::sample::select(vec![
        "theme",
        "glyphs",
        "mouse",
        "settle_ms",
        "recv_size",
        "copy",
        "\"osc52\"",
        "\"file\"",
        "[keys]",
        "[theme]",
        "recv",
        "quit",
        "ctrl-q",
        "=",
        "\"",
        "'",
        "\"\"\"",
        "[",
        "]",
        "{",
        "}",
        ",",
        ".",
        "\n",
        "#",
        "true",
        "1",
        "-1",
        "99999999999999999999",
        "1e400",
        "\"mono\"",
        "\"high-contrast\"",
        "\"f13\"",
        "\"\\u001b]0;pwned\\u0007\"",
        "\"\\u009b2J\"",
        "\"\\u2028\"",
        "\"\\U000E0041\"",
        "\u{9d}",
        "\u{1b}",
        "\u{2028}",
        "\u{e0041}",
        "\u{1f1e6}",
        "\u{feff}",
    ]);
    prop_oneof![4 => known.prop_map(String::from), 1 => any::<String>()]
}

fn config_text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..16).prop_map(|v| v.join(" "))
}

proptest! {
    #[test]
    fn toml_like_text_never_panics_and_errors_are_printable(text in config_text()) {
        if let Err(e) = Config::parse(&text) {
            printable(&e)?;
        }
    }

    #[test]
    fn any_text_never_panics_and_errors_are_printable(text in any::<String>()) {
        if let Err(e) = Config::parse(&text) {
            printable(&e)?;
        }
    }

    #[test]
    fn any_bytes_in_a_file_never_panic_and_errors_are_printable(
        bytes in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        let path = std::env::temp_dir().join(format!("sockscope-config-fuzz-{}.toml", std::process::id()));
        std::fs::write(&path, &bytes).expect("write");
        let got = Config::load(Some(&path));
        let _ = std::fs::remove_file(&path);
        if let Err(e) = got {
            printable(&e.to_string())?;
        }
    }
}

#[test]
fn the_error_names_the_value_escaped_whole_when_short() {
    let e = Config::parse("theme = \"\\u001b]0;pwned\\u0007\"").expect_err("an unknown theme");
    assert!(e.contains("unknown variant `\\x1b]0;pwned\\x07`"), "{e}");
}
