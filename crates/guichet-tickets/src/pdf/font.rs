//! The ticket fonts: DejaVu Sans (regular and bold, embedded in the binary; licence in
//! `assets/fonts/`) first, then the Noto fonts of Debian's `fonts-noto-core` and
//! `fonts-noto-cjk` packages, found at run time (see [`super::font_dirs`]) and opened only when
//! a character needs them. DejaVu stays first so Latin, Greek and Cyrillic look as they always
//! did and print on a machine with no Noto at all.

use std::sync::OnceLock;

use super::canvas::Weight;
use super::font_dirs;

static REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// One face of the fallback chain: where it comes from, and the characters it is preferred
/// for even when a face before it also has them.
struct Spec {
    regular: &'static str,
    bold: &'static str,
    /// For a collection (`.ttc`): the family of the face to open in it.
    family: Option<&'static str>,
    /// Code point ranges this face draws before any other: DejaVu has Arabic and Hebrew
    /// letters, but Noto's are the ones made for reading names (and carry the joining forms).
    prefer: &'static [(u32, u32)],
}

const ARABIC: &[(u32, u32)] = &[
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
];
const HEBREW: &[(u32, u32)] = &[(0x0590, 0x05FF), (0xFB1D, 0xFB4F)];

/// The fallback chain after DejaVu, in order. The CJK face is the Simplified Chinese one of the
/// collection: it has every ideograph, Hangul and kana; names are rarely tagged with a language.
const FALLBACKS: &[Spec] = &[
    Spec {
        regular: "NotoSans-Regular.ttf",
        bold: "NotoSans-Bold.ttf",
        family: None,
        prefer: &[],
    },
    Spec {
        regular: "NotoSansArabic-Regular.ttf",
        bold: "NotoSansArabic-Bold.ttf",
        family: None,
        prefer: ARABIC,
    },
    Spec {
        regular: "NotoSansHebrew-Regular.ttf",
        bold: "NotoSansHebrew-Bold.ttf",
        family: None,
        prefer: HEBREW,
    },
    Spec {
        regular: "NotoSansDevanagari-Regular.ttf",
        bold: "NotoSansDevanagari-Bold.ttf",
        family: None,
        prefer: &[],
    },
    Spec {
        regular: "NotoSansThai-Regular.ttf",
        bold: "NotoSansThai-Bold.ttf",
        family: None,
        prefer: &[],
    },
    Spec {
        regular: "NotoSansCJK-Regular.ttc",
        bold: "NotoSansCJK-Bold.ttc",
        family: Some("Noto Sans CJK SC"),
        prefer: &[],
    },
];

/// A face of the chain: its weight and its place (0 is DejaVu).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub(crate) struct FaceRef {
    pub(crate) weight: Weight,
    pub(crate) slot: u8,
}

/// One opened face.
pub(crate) struct Face {
    /// The file it came from (DejaVu: "DejaVuSans.ttf (embedded)"), for messages.
    pub(crate) source: String,
    pub(crate) bytes: &'static [u8],
    /// Index of the face in its file (non-zero in a collection).
    pub(crate) index: u32,
    pub(crate) shaper: rustybuzz::Face<'static>,
    pub(crate) upem: f32,
}

impl Face {
    fn open(source: String, bytes: &'static [u8], family: Option<&str>) -> Option<Face> {
        let index = match family {
            None => 0,
            Some(family) => (0..rustybuzz::ttf_parser::fonts_in_collection(bytes).unwrap_or(1))
                .find(|&i| family_is(bytes, i, family))?,
        };
        let shaper = rustybuzz::Face::from_slice(bytes, index)?;
        let upem = f32::from(shaper.units_per_em() as u16).max(1.0);
        Some(Face {
            source,
            bytes,
            index,
            shaper,
            upem,
        })
    }

    /// Whether the face has a glyph for `c`.
    pub(crate) fn has(&self, c: char) -> bool {
        self.shaper.glyph_index(c).is_some_and(|g| g.0 != 0)
    }

    /// The face's PostScript name (`NotoSansArabic-Bold`), the font's name in the PDF.
    pub(crate) fn postscript_name(&self) -> Option<String> {
        self.shaper
            .names()
            .into_iter()
            .filter(|n| n.name_id == rustybuzz::ttf_parser::name_id::POST_SCRIPT_NAME)
            .find_map(|n| n.to_string())
            .filter(|n| n.chars().all(|c| c.is_ascii_graphic()))
    }

    /// Advance of glyph `gid` as the PDF's `/W` array will hold it (1/1000 em, cut to an
    /// integer the way printpdf writes it): the pen moves by that after each glyph.
    pub(crate) fn pdf_width(&self, gid: u16) -> f32 {
        let adv = self
            .shaper
            .glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(gid))
            .unwrap_or(0);
        (f32::from(adv) * 1000.0 / self.upem).trunc()
    }
}

fn family_is(bytes: &[u8], index: u32, family: &str) -> bool {
    let Ok(face) = rustybuzz::ttf_parser::Face::parse(bytes, index) else {
        return false;
    };
    face.names().into_iter().any(|n| {
        (n.name_id == rustybuzz::ttf_parser::name_id::FAMILY
            || n.name_id == rustybuzz::ttf_parser::name_id::TYPOGRAPHIC_FAMILY)
            && n.to_string().as_deref() == Some(family)
    })
}

/// Each weight's chain, each face opened on first need (`None`: not on this machine).
struct Chain {
    faces: Vec<OnceLock<Option<Face>>>,
}

fn chains() -> &'static [Chain; 2] {
    static CHAINS: OnceLock<[Chain; 2]> = OnceLock::new();
    CHAINS.get_or_init(|| {
        let chain = || Chain {
            faces: (0..=FALLBACKS.len()).map(|_| OnceLock::new()).collect(),
        };
        [chain(), chain()]
    })
}

/// The face at `r`, if it is on this machine.
pub(crate) fn face(r: FaceRef) -> Option<&'static Face> {
    let chain = &chains()[r.weight as usize];
    let slot = chain.faces.get(usize::from(r.slot))?;
    slot.get_or_init(|| load(r)).as_ref()
}

/// The embedded DejaVu face of `weight`: always there.
fn load(r: FaceRef) -> Option<Face> {
    if r.slot == 0 {
        let (bytes, name) = match r.weight {
            Weight::Regular => (REGULAR_TTF, "DejaVuSans.ttf"),
            Weight::Bold => (BOLD_TTF, "DejaVuSans-Bold.ttf"),
        };
        return Face::open(format!("{name} (embedded)"), bytes, None);
    }
    let spec = FALLBACKS.get(usize::from(r.slot) - 1)?;
    let file = match r.weight {
        Weight::Regular => spec.regular,
        Weight::Bold => spec.bold,
    };
    let path = font_dirs::find(file)?;
    // Read once for the life of the process: faces are shared by every document.
    let bytes: &'static [u8] = Box::leak(std::fs::read(path).ok()?.into_boxed_slice());
    Face::open(path.display().to_string(), bytes, spec.family)
}

/// The face that draws `c` at `weight`: the first face preferred for it that has it, else the
/// first face of the chain that has it; `None` when no face on this machine has it.
pub(crate) fn face_for(weight: Weight, c: char) -> Option<FaceRef> {
    let cp = c as u32;
    let at = |slot: usize| FaceRef {
        weight,
        slot: slot as u8,
    };
    let preferred = FALLBACKS
        .iter()
        .enumerate()
        .filter(|(_, s)| s.prefer.iter().any(|&(lo, hi)| (lo..=hi).contains(&cp)))
        .map(|(i, _)| at(i + 1));
    let all = (0..=FALLBACKS.len()).map(at);
    preferred
        .chain(all)
        .find(|&r| face(r).is_some_and(|f| f.has(c)))
}

/// Characters that draw nothing and need no glyph: spaces, joiners, direction marks,
/// variation selectors.
pub(crate) fn needs_no_glyph(c: char) -> bool {
    c.is_whitespace()
        || matches!(c as u32,
            0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069
            | 0xFE00..=0xFE0F | 0xFEFF)
}

/// Whether the ticket fonts found on this machine can draw every character of `text` (a
/// holder's name, say), in both weights. With only the embedded DejaVu (a machine without
/// `fonts-noto-core` and `fonts-noto-cjk`): Latin, Greek, Cyrillic, Armenian, Georgian; with
/// them, also Arabic, Hebrew, Devanagari, Thai, Chinese, Japanese and Korean.
pub fn fonts_cover(text: &str) -> bool {
    text.chars().all(|c| {
        needs_no_glyph(c)
            || (face_for(Weight::Regular, c).is_some() && face_for(Weight::Bold, c).is_some())
    })
}

/// The characters of `text` no ticket font on this machine can draw, each once, in order.
pub fn missing_glyphs(text: &str) -> String {
    let mut missing = String::new();
    for c in text.chars() {
        if !missing.contains(c) && !fonts_cover(c.encode_utf8(&mut [0; 4])) {
            missing.push(c);
        }
    }
    missing
}

/// The font files the tickets use on this machine, in order, for messages and diagnostics.
pub fn font_files() -> Vec<String> {
    let mut out = Vec::new();
    for weight in [Weight::Regular, Weight::Bold] {
        for slot in 0..=FALLBACKS.len() {
            if let Some(f) = face(FaceRef {
                weight,
                slot: slot as u8,
            }) {
                out.push(f.source.clone());
            }
        }
    }
    out
}
