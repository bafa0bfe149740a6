//! The embedded fonts (DejaVu Sans, regular and bold; licence in `assets/fonts/`), parsed once,
//! and text measurement for fitting lines into boxes.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use printpdf::ParsedFont;

static REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// One parsed face.
pub(crate) struct Face {
    pub(crate) parsed: ParsedFont,
    bytes: &'static [u8],
    /// Advance width in font units of every code point below [`WIDTH_TABLE_END`] (the missing
    /// glyph's width where there is no glyph): measuring text is two map lookups a character in
    /// printpdf, and every line on every ticket is measured at least twice.
    widths: Vec<u16>,
}

/// Code points whose widths are kept in a table: Latin, Greek, Cyrillic, Armenian, Georgian,
/// general punctuation and the symbols the layouts use (U+202F, ·, …, ✂). Others are looked up.
const WIDTH_TABLE_END: u32 = 0x3000;

impl Face {
    fn load(bytes: &'static [u8]) -> Face {
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut warnings)
            .expect("the DejaVu fonts shipped in assets/ parse");
        let widths = (0..WIDTH_TABLE_END)
            .map(|cp| Self::lookup_width(&parsed, cp))
            .collect();
        Face {
            parsed,
            bytes,
            widths,
        }
    }

    fn lookup_width(parsed: &ParsedFont, cp: u32) -> u16 {
        let gid = parsed.lookup_glyph_index(cp).unwrap_or(0);
        parsed.get_glyph_width(gid).unwrap_or(0)
    }

    /// The face cut down to the glyphs of `chars`, ready to embed. printpdf only subsets when
    /// its `text_layout` feature (a whole layout engine) is on; without it every PDF would carry
    /// both fonts whole (1.4 MB, ~750 kB compressed) and pay for compressing them each time.
    /// Falls back to the whole face if subsetting fails: bigger, never wrong.
    pub(crate) fn subset(&self, chars: &BTreeSet<char>) -> ParsedFont {
        self.try_subset(chars)
            .unwrap_or_else(|| self.parsed.clone())
    }

    fn try_subset(&self, chars: &BTreeSet<char>) -> Option<ParsedFont> {
        use allsorts::binary::read::ReadScope;
        use allsorts::font_data::FontData;
        use allsorts::subset::{subset, CmapTarget, SubsetProfile};

        let mut gids: Vec<u16> = chars
            .iter()
            .filter_map(|&c| self.parsed.lookup_glyph_index(c as u32))
            .collect();
        gids.retain(|&g| g != 0);
        gids.sort_unstable();
        gids.dedup();
        gids.insert(0, 0); // .notdef must come first
        let data = ReadScope::new(self.bytes).read::<FontData<'_>>().ok()?;
        let provider = data.table_provider(0).ok()?;
        let bytes = subset(&provider, &gids, &SubsetProfile::Pdf, CmapTarget::Unicode).ok()?;
        let mut warnings = Vec::new();
        ParsedFont::from_bytes(&bytes, 0, &mut warnings)
    }

    /// Width of `text` at `size_pt`, in points (advance widths, no kerning).
    pub(crate) fn width_pt(&self, text: &str, size_pt: f32) -> f32 {
        let upem = f32::from(self.parsed.units_per_em.max(1));
        let units: u32 = text
            .chars()
            .map(|c| {
                let w = match self.widths.get(c as usize) {
                    Some(&w) => w,
                    None => Self::lookup_width(&self.parsed, c as u32),
                };
                u32::from(w)
            })
            .sum();
        units as f32 / upem * size_pt
    }

    /// Whether every character of `text` has a glyph.
    pub(crate) fn covers(&self, text: &str) -> bool {
        text.chars()
            .all(|c| c.is_whitespace() || self.parsed.lookup_glyph_index(c as u32).is_some())
    }
}

/// Regular and bold.
pub(crate) struct Fonts {
    pub(crate) regular: Face,
    pub(crate) bold: Face,
}

/// The fonts, parsed on first use.
pub(crate) fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| Fonts {
        regular: Face::load(REGULAR_TTF),
        bold: Face::load(BOLD_TTF),
    })
}

/// Whether the ticket fonts can draw every character of `text` (a holder's name, say). Latin,
/// Greek, Cyrillic, Armenian and Georgian are covered; CJK is not, and right-to-left scripts
/// would print unshaped: the desk should ask for a Latin spelling then.
pub fn fonts_cover(text: &str) -> bool {
    let f = fonts();
    f.regular.covers(text) && f.bold.covers(text)
}
