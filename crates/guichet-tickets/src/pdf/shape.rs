//! One line of text, shaped: split into runs of one face each (font fallback), ordered for the
//! eye with the Unicode bidirectional algorithm (unicode-bidi), each run shaped by rustybuzz.
//! Widths for fitting a line into its box are the shaped advances.

use std::ops::Range;

use unicode_bidi::BidiInfo;

use super::canvas::Weight;
use super::font::{face, face_for, needs_no_glyph, FaceRef};

/// A placed glyph, in ems (multiply by the size in points).
#[derive(Debug, Clone)]
pub(crate) struct Glyph {
    /// Glyph id in the face (the original face, before subsetting).
    pub(crate) gid: u16,
    /// Pen advance after the glyph.
    pub(crate) advance: f32,
    /// Shift of the glyph from the pen.
    pub(crate) dx: f32,
    pub(crate) dy: f32,
    /// The text the glyph stands for, for copying and searching the PDF (its `/ToUnicode`):
    /// a ligature or a conjunct stands for several characters, a second glyph of a character
    /// for none.
    pub(crate) text: String,
}

/// Glyphs of one face, left to right.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub(crate) face: FaceRef,
    pub(crate) glyphs: Vec<Glyph>,
}

/// A shaped line, runs left to right as printed.
#[derive(Debug, Clone)]
pub(crate) struct ShapedLine {
    pub(crate) runs: Vec<Run>,
    /// Total advance, in ems.
    pub(crate) width: f32,
}

#[cfg(test)]
impl ShapedLine {
    /// Whether some glyph is the missing glyph (`.notdef`, id 0): the line would print boxes.
    pub(crate) fn has_notdef(&self) -> bool {
        self.runs.iter().flat_map(|r| &r.glyphs).any(|g| g.gid == 0)
    }
}

/// Marks and joiners stay in the face of the character before them, so a base and its marks
/// are shaped together.
fn joins_previous(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c) || matches!(c, '\u{200C}' | '\u{200D}')
}

/// Byte ranges of `text` with the face each is drawn with, in logical order.
fn itemize(text: &str, weight: Weight) -> Vec<(Range<usize>, FaceRef)> {
    let primary = FaceRef { weight, slot: 0 };
    let mut items: Vec<(Range<usize>, FaceRef)> = Vec::new();
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        let prev = items.last().map(|(_, f)| *f);
        let keep = prev.filter(|&p| {
            joins_previous(c)
                || needs_no_glyph(c)
                || (!c.is_alphabetic() && face(p).is_some_and(|f| f.has(c)))
        });
        let chosen = keep.unwrap_or_else(|| face_for(weight, c).unwrap_or(primary));
        match items.last_mut() {
            Some((r, f)) if *f == chosen => r.end = end,
            _ => items.push((i..end, chosen)),
        }
    }
    items
}

/// Whether `text` has a right-to-left character (the bidi algorithm is skipped otherwise).
fn has_rtl(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c as u32,
            0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF
            | 0x1E800..=0x1EFFF | 0x200F | 0x202B | 0x202E | 0x2067)
    })
}

/// Shapes one line (no line breaks in it) at `weight`.
pub(crate) fn shape_line(text: &str, weight: Weight) -> ShapedLine {
    let items = itemize(text, weight);
    // Visual runs: (byte range, right to left), left to right on the page.
    let visual: Vec<(Range<usize>, bool)> = if has_rtl(text) {
        let bidi = BidiInfo::new(text, None);
        let mut out = Vec::new();
        for para in &bidi.paragraphs {
            let (levels, runs) = bidi.visual_runs(para, para.range.clone());
            for r in runs {
                let rtl = levels[r.start].is_rtl();
                out.push((r, rtl));
            }
        }
        out
    } else {
        vec![(0..text.len(), false)]
    };
    let mut runs = Vec::new();
    let mut width = 0.0;
    for (range, rtl) in visual {
        let mut pieces: Vec<(Range<usize>, FaceRef)> = items
            .iter()
            .filter_map(|(r, f)| {
                let lo = r.start.max(range.start);
                let hi = r.end.min(range.end);
                (lo < hi).then_some((lo..hi, *f))
            })
            .collect();
        if rtl {
            pieces.reverse();
        }
        for (piece, f) in pieces {
            let run = shape_run(text, piece, f, rtl);
            width += run.glyphs.iter().map(|g| g.advance).sum::<f32>();
            runs.push(run);
        }
    }
    ShapedLine { runs, width }
}

fn shape_run(text: &str, range: Range<usize>, face_ref: FaceRef, rtl: bool) -> Run {
    let f = face(face_ref).expect("itemize only picks faces that are loaded");
    let piece = &text[range.clone()];
    let mut buf = rustybuzz::UnicodeBuffer::new();
    buf.push_str(piece);
    buf.set_direction(if rtl {
        rustybuzz::Direction::RightToLeft
    } else {
        rustybuzz::Direction::LeftToRight
    });
    buf.guess_segment_properties();
    let out = rustybuzz::shape(&f.shaper, &[], buf);
    let infos = out.glyph_infos();
    let positions = out.glyph_positions();

    // Where each cluster's text ends: at the next cluster's start, in logical order.
    let mut starts: Vec<usize> = infos.iter().map(|g| g.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let cluster_end = |start: usize| {
        let at = starts.partition_point(|&s| s <= start);
        starts.get(at).copied().unwrap_or(piece.len())
    };
    let texts = glyph_texts(piece, infos, &cluster_end, f);

    let scale = 1.0 / f.upem;
    let glyphs = infos
        .iter()
        .zip(positions)
        .zip(texts)
        .map(|((info, pos), text)| Glyph {
            gid: u16::try_from(info.glyph_id).unwrap_or(0),
            advance: pos.x_advance as f32 * scale,
            dx: pos.x_offset as f32 * scale,
            dy: pos.y_offset as f32 * scale,
            text,
        })
        .collect();
    Run {
        face: face_ref,
        glyphs,
    }
}

/// The text each glyph stands for. A cluster of one glyph stands for all its characters (a
/// ligature, a conjunct). In a cluster of several glyphs, a glyph that is a character's own
/// glyph stands for that character, and the first other glyph for the characters left (a
/// half form stands for "न्"); the rest stand for nothing.
fn glyph_texts(
    piece: &str,
    infos: &[rustybuzz::GlyphInfo],
    cluster_end: &dyn Fn(usize) -> usize,
    f: &super::font::Face,
) -> Vec<String> {
    let mut texts = vec![String::new(); infos.len()];
    let mut i = 0;
    while i < infos.len() {
        let cluster = infos[i].cluster as usize;
        let mut j = i;
        while j < infos.len() && infos[j].cluster as usize == cluster {
            j += 1;
        }
        let chars = &piece[cluster..cluster_end(cluster)];
        if j - i == 1 {
            texts[i] = chars.to_string();
        } else {
            let mut left: Vec<char> = chars.chars().collect();
            let mut pending = Vec::new();
            for k in i..j {
                let gid = infos[k].glyph_id;
                let own = left.iter().position(|&c| {
                    f.shaper
                        .glyph_index(c)
                        .is_some_and(|g| u32::from(g.0) == gid)
                });
                match own {
                    Some(p) => texts[k] = left.remove(p).to_string(),
                    None => pending.push(k),
                }
            }
            let rest: String = left.into_iter().collect();
            match pending.first() {
                Some(&k) => texts[k] = rest,
                None => texts[i].push_str(&rest),
            }
        }
        i = j;
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::WORLD_HOLDERS;

    /// Fails (never skips) on a machine without the Noto fonts, saying how to get them.
    pub(crate) fn require_noto() {
        assert!(
            crate::fonts_cover("李محمדक ส김"),
            "these tests need the Noto fonts: apt-get install -y {} (or set {} to a directory \
             holding them); searched {:?}",
            crate::FONT_PACKAGES,
            crate::FONT_DIRS_VAR,
            crate::search_dirs()
        );
    }

    fn texts(line: &ShapedLine) -> String {
        line.runs
            .iter()
            .flat_map(|r| &r.glyphs)
            .map(|g| g.text.as_str())
            .collect()
    }

    #[test]
    fn every_name_of_a_supported_script_shapes_without_a_missing_glyph() {
        require_noto();
        for name in WORLD_HOLDERS {
            for weight in [Weight::Regular, Weight::Bold] {
                let line = shape_line(name, weight);
                assert!(
                    !line.has_notdef(),
                    "{name} ({weight:?}) would print a missing-glyph box: {line:?}"
                );
                assert!(line.width > 0.5, "{name} has a width: {}", line.width);
            }
        }
    }

    #[test]
    fn right_to_left_names_run_right_to_left_and_their_glyphs_still_spell_the_name() {
        require_noto();
        let line = shape_line("محمد بن سلمان", Weight::Bold);
        let arabic = line.runs[0].face;
        assert_ne!(
            arabic.slot, 0,
            "Arabic is drawn with Noto Sans Arabic, not DejaVu"
        );
        // Laid out left to right, the first glyph drawn is the last letter (ن).
        let first = &line.runs[0].glyphs[0];
        assert_eq!(first.text, "ن", "{line:?}");
        // Read back in logical order, the glyphs' texts give the name.
        let mut logical: Vec<char> = texts(&line).chars().collect();
        logical.reverse();
        assert_eq!(logical.into_iter().collect::<String>(), "محمد بن سلمان");
        // Joined: medial and initial forms are other glyphs than the letters' own.
        let f = face(arabic).unwrap();
        let own = f.shaper.glyph_index('م').unwrap().0;
        let drawn: Vec<u16> = line
            .runs
            .iter()
            .flat_map(|r| &r.glyphs)
            .map(|g| g.gid)
            .collect();
        assert!(
            drawn.iter().filter(|&&g| g == own).count() < 3,
            "م (three times in the name) is drawn in its joining forms: {drawn:?}"
        );
    }

    #[test]
    fn mixed_lines_keep_latin_digits_and_words_left_to_right_inside() {
        require_noto();
        let line = shape_line("דוד כהן 2024 Paris", Weight::Regular);
        let all = texts(&line);
        // Paragraph direction comes from the first strong letter (Hebrew): the Latin part is
        // on the left, still reading "2024 Paris" left to right; Hebrew follows, reversed.
        assert!(
            all.starts_with("2024 Paris") || all.starts_with("Paris"),
            "{all}"
        );
        assert!(all.contains("2024"), "digits stay in order: {all}");
        assert!(
            all.ends_with("דוד"),
            "the first Hebrew word is drawn rightmost: {all}"
        );
    }

    #[test]
    fn a_devanagari_conjunct_stands_for_all_its_letters() {
        require_noto();
        let line = shape_line("अनन्या", Weight::Bold);
        assert_eq!(texts(&line), "अनन्या", "{line:?}");
        let glyphs = line.runs.iter().map(|r| r.glyphs.len()).sum::<usize>();
        assert!(
            glyphs < 6,
            "न् + य forms a conjunct: {glyphs} glyphs for 6 letters"
        );
    }

    #[test]
    fn shaped_widths_include_kerning() {
        // DejaVu kerns "AV": the shaped line is narrower than the sum of the two advances.
        let f = face(FaceRef {
            weight: Weight::Regular,
            slot: 0,
        })
        .unwrap();
        let adv = |c| f.pdf_width(f.shaper.glyph_index(c).unwrap().0) / 1000.0;
        let shaped = shape_line("AV", Weight::Regular).width;
        assert!(
            shaped < adv('A') + adv('V') - 0.01,
            "{shaped} vs {}",
            adv('A') + adv('V')
        );
    }
}
