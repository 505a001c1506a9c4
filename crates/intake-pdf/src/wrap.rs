//! Word wrap by measured width: lines break at spaces, a word wider than the line
//! breaks between characters, and line breaks in the text are kept.

use crate::font::Face;

/// `text` as lines no wider than `width` at `size` points, each made printable.
/// Empty text gives one empty line.
pub(crate) fn wrap(face: &Face, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph = face.clean(paragraph.trim_end_matches('\r'));
        let mut line = String::new();
        let mut line_width = 0.0;
        let space = face.width(" ", size);
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let w = face.width(word, size);
            let needed = if line.is_empty() {
                w
            } else {
                line_width + space + w
            };
            if needed <= width {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                line_width = needed;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            if w <= width {
                line.push_str(word);
                line_width = w;
                continue;
            }
            // A word wider than the line: break it between characters.
            for c in word.chars() {
                let cw = face.width(c.encode_utf8(&mut [0; 4]), size);
                if line_width + cw > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                line.push(c);
                line_width += cw;
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::font::Fonts;

    #[test]
    fn lines_fit_the_width_and_keep_every_word() {
        let fonts = Fonts::load().expect("fonts load");
        let text = "Follow-up of blood pressure; morning headaches for two weeks, worse on waking.";
        let lines = wrap(&fonts.regular, text, 10.0, 120.0);
        assert!(lines.len() > 1, "a long sentence wraps: {lines:?}");
        for line in &lines {
            assert!(
                fonts.regular.width(line, 10.0) <= 120.0,
                "{line:?} is too wide"
            );
        }
        assert_eq!(lines.join(" "), text, "no word is lost or changed");
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_and_newlines_are_kept() {
        let fonts = Fonts::load().expect("fonts load");
        let lines = wrap(&fonts.regular, &"x".repeat(200), 10.0, 100.0);
        assert!(
            lines.len() > 1 && lines.concat() == "x".repeat(200),
            "{lines:?}"
        );
        assert_eq!(wrap(&fonts.regular, "a\nb", 10.0, 100.0), ["a", "b"]);
    }

    #[test]
    fn characters_outside_the_font_become_the_replacement_glyph() {
        let fonts = Fonts::load().expect("fonts load");
        let lines = wrap(&fonts.regular, "Zoë 日 \u{0007}ok", 10.0, 500.0);
        assert_eq!(lines, ["Zoë \u{FFFD} \u{FFFD}ok"]);
        let decomposed = wrap(&fonts.regular, "Zoe\u{0308}", 10.0, 500.0);
        assert_eq!(decomposed, ["Zoë"], "a decomposed ë is drawn as one glyph");
    }
}
