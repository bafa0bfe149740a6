//! The fonts of one document: a PDF font for each face a page draws with, the glyphs drawn
//! with it, and once the pages are laid out, each face cut down to those glyphs (a subset) and
//! the pages' glyph ids renumbered to match.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use printpdf::{FontId, Op, ParsedFont, PdfFont, PdfFontHandle, TextItem};

use super::canvas::Weight;
use super::font::{face, Face, FaceRef};
use super::shape::{shape_line, ShapedLine};

/// A face's PDF font and the glyphs used: original glyph id → the text it stands for.
struct Used {
    face: FaceRef,
    id: FontId,
    glyphs: BTreeMap<u16, String>,
}

/// A font as embedded: its id, original glyph id → subset glyph id, glyph → text.
type Embedded = (FontId, HashMap<u16, u16>, BTreeMap<u16, String>);

/// The fonts and shaped lines of one document under construction.
#[derive(Default)]
pub(crate) struct DocFonts {
    used: Vec<Used>,
    /// Lines shaped so far: the labels are the same on every ticket of an order, and each
    /// line is measured several times to fit its box.
    shaped: HashMap<(Weight, String), Rc<ShapedLine>>,
}

impl DocFonts {
    /// `text` shaped at `weight`, from the cache when it was shaped before.
    pub(crate) fn shape(&mut self, text: &str, weight: Weight) -> Rc<ShapedLine> {
        if let Some(s) = self.shaped.get(&(weight, text.to_string())) {
            return Rc::clone(s);
        }
        let s = Rc::new(shape_line(text, weight));
        self.shaped
            .insert((weight, text.to_string()), Rc::clone(&s));
        s
    }

    /// The PDF font of `face`, created on first use.
    pub(crate) fn font_id(&mut self, face: FaceRef) -> FontId {
        if let Some(u) = self.used.iter().find(|u| u.face == face) {
            return u.id.clone();
        }
        let id = FontId::new();
        self.used.push(Used {
            face,
            id: id.clone(),
            glyphs: BTreeMap::new(),
        });
        id
    }

    /// Notes that glyph `gid` of `face` is drawn, standing for `text`. A glyph keeps the first
    /// text it was drawn for (a PDF maps each glyph to one text), unless that was empty.
    pub(crate) fn note(&mut self, face: FaceRef, gid: u16, text: &str) {
        let Some(u) = self.used.iter_mut().find(|u| u.face == face) else {
            return;
        };
        let entry = u.glyphs.entry(gid).or_default();
        if entry.is_empty() {
            entry.push_str(text);
        }
    }

    /// Adds every face used, cut down to its glyphs, to `fonts`, and renumbers the glyphs of
    /// `pages` to the subsets' ids (each glyph carrying its text for `/ToUnicode`).
    pub(crate) fn embed(self, fonts: &mut BTreeMap<FontId, PdfFont>, pages: &mut [Vec<Op>]) {
        let mut remaps: Vec<Embedded> = Vec::new();
        for u in self.used {
            let Some(f) = face(u.face) else { continue };
            let gids: Vec<u16> = u.glyphs.keys().copied().collect();
            let (mut parsed, remap) = subset(f, &gids);
            parsed.font_name = f
                .postscript_name()
                .map(|n| format!("{}+{n}", subset_tag(&gids)));
            fonts.insert(u.id.clone(), PdfFont::new(parsed));
            remaps.push((u.id, remap, u.glyphs));
        }
        for ops in pages {
            let mut current: Option<usize> = None;
            for op in ops.iter_mut() {
                match op {
                    Op::SetFont {
                        font: PdfFontHandle::External(id),
                        ..
                    } => current = remaps.iter().position(|(r, _, _)| r == id),
                    Op::ShowText { items } => {
                        let Some((_, remap, texts)) = current.map(|i| &remaps[i]) else {
                            continue;
                        };
                        for item in items {
                            let TextItem::GlyphIds(glyphs) = item else {
                                continue;
                            };
                            for g in glyphs {
                                g.cid = Some(texts.get(&g.gid).cloned().unwrap_or_default());
                                g.gid = remap.get(&g.gid).copied().unwrap_or(0);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The six capital letters PDF puts before a subset font's name, made from its glyphs so the
/// same subset gets the same name.
fn subset_tag(gids: &[u16]) -> String {
    let mut h: u32 = 0x811C_9DC5;
    for &g in gids {
        h = (h ^ u32::from(g)).wrapping_mul(0x0100_0193);
    }
    (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
        .collect()
}

/// The face cut down to `gids` (plus `.notdef`), and the new id of each original glyph.
/// printpdf only subsets when its `text_layout` feature (a whole layout engine) is on; without
/// it every PDF would carry whole faces (a CJK face is 16 MB). Falls back to the whole face if
/// subsetting fails: bigger, never wrong.
fn subset(f: &Face, gids: &[u16]) -> (ParsedFont, HashMap<u16, u16>) {
    if let Some(done) = try_subset(f, gids) {
        return done;
    }
    let mut warnings = Vec::new();
    let whole = ParsedFont::from_bytes(f.bytes, f.index as usize, &mut warnings)
        .expect("a face rustybuzz opened parses");
    (whole, gids.iter().map(|&g| (g, g)).collect())
}

fn try_subset(f: &Face, gids: &[u16]) -> Option<(ParsedFont, HashMap<u16, u16>)> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{subset, CmapTarget, SubsetProfile};

    let mut keep: Vec<u16> = gids.iter().copied().filter(|&g| g != 0).collect();
    keep.sort_unstable();
    keep.dedup();
    keep.insert(0, 0); // .notdef must come first
    let data = ReadScope::new(f.bytes).read::<FontData<'_>>().ok()?;
    let provider = data.table_provider(f.index as usize).ok()?;
    let bytes = subset(&provider, &keep, &SubsetProfile::Pdf, CmapTarget::Unicode).ok()?;
    let mut warnings = Vec::new();
    let parsed = ParsedFont::from_bytes(&bytes, 0, &mut warnings)?;
    // The subsetter numbers glyphs in the order it was given them.
    let remap = keep
        .iter()
        .enumerate()
        .map(|(new, &old)| (old, new as u16))
        .collect();
    Some((parsed, remap))
}
